//! Strings and buffers crossing the boundary: freeing what the library hands out, wiping secrets
//! after use, and the version.

use crate::panic::guard_void;
use std::ffi::{c_char, CString};
use std::sync::atomic::{compiler_fence, Ordering};

/// Overwrites bytes that held a secret, before their memory goes back to the allocator.
pub(crate) fn wipe(bytes: &mut [u8]) {
    for b in bytes.iter_mut() {
        // SAFETY: `b` is a valid, exclusive reference; volatile so the stores are not elided.
        unsafe { std::ptr::write_volatile(b, 0) };
    }
    compiler_fence(Ordering::SeqCst);
}

/// `text` as a C string, in a buffer allocated at its final size (so no reallocation leaves a copy
/// behind); the original is wiped. `None` when `text` holds a NUL byte.
pub(crate) fn c_string(text: String) -> Option<CString> {
    let mut bytes = text.into_bytes();
    let c = (!bytes.contains(&0)).then(|| {
        let mut buf = Vec::with_capacity(bytes.len() + 1);
        buf.extend_from_slice(&bytes);
        buf.push(0);
        CString::from_vec_with_nul(buf).unwrap_or_default()
    });
    wipe(&mut bytes);
    c
}

/// Lends a secret to C for the duration of `f` as a NUL-terminated string, then wipes it. `None`
/// (and `f` is not called) when `text` holds a NUL byte.
pub(crate) fn lend_secret<R>(text: String, f: impl FnOnce(*const c_char) -> R) -> Option<R> {
    let c = c_string(text)?;
    let r = f(c.as_ptr());
    wipe(&mut c.into_bytes_with_nul());
    Some(r)
}

/// Frees a string returned by the library (through a `char **out_…` parameter). NULL is ignored.
///
/// # Safety
/// `s` is NULL or a string from this library not freed before.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_string_free(s: *mut c_char) {
    if s.is_null() {
        return;
    }
    guard_void((), || {
        // SAFETY: came from CString::into_raw per the caller's contract. Strings may hold tokens, so
        // the bytes are cleared before the memory goes back to the allocator.
        wipe(&mut unsafe { CString::from_raw(s) }.into_bytes());
    })
}

/// Frees a byte buffer returned by the library together with its length (as returned). NULL is
/// ignored.
///
/// # Safety
/// `data`/`len` are NULL/any or exactly a buffer and length from this library not freed before.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_bytes_free(data: *mut u8, len: usize) {
    if data.is_null() {
        return;
    }
    guard_void((), || {
        // SAFETY: came from Box<[u8]>::into_raw with this length per the caller's contract.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(data, len)) });
    })
}

/// Hands a byte buffer to C: `(pointer, length)`, freed with `garmin_sso_bytes_free`. An empty
/// buffer is `(NULL, 0)`.
pub(crate) fn bytes_to_c(v: Vec<u8>) -> (*mut u8, usize) {
    if v.is_empty() {
        return (std::ptr::null_mut(), 0);
    }
    let b = v.into_boxed_slice();
    let len = b.len();
    (Box::into_raw(b).cast::<u8>(), len)
}

/// The library's version, e.g. `"0.1.0"`. Static; do not free.
#[no_mangle]
pub extern "C" fn garmin_sso_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}
