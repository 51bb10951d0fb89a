//! Freeing what the library hands out, and the version.

use crate::panic::guard_void;
use std::ffi::{c_char, CString};

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
        let mut bytes = unsafe { CString::from_raw(s) }.into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&bytes);
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
