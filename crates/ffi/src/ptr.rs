//! Checks on what C hands in: NULL pointers, UTF-8, lengths, enum values. Each failure is an error
//! naming the argument, never a crash.

use crate::error::FfiError;
use crate::status::garmin_sso_status;
use crate::strings::c_string;
use garmin_sso_core::ErrorKind;
use std::ffi::{c_char, CStr, CString};

/// A required NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn str_arg<'a>(p: *const c_char, name: &str) -> Result<&'a str, FfiError> {
    if p.is_null() {
        return Err(FfiError::null(name));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|e| {
        FfiError::new(
            garmin_sso_status::InvalidUtf8,
            format!(
                "argument `{name}` is not valid UTF-8 (bad byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(
    p: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, FfiError> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { str_arg(p, name) }.map(Some)
    }
}

/// A byte buffer argument; NULL is allowed only with length 0.
///
/// # Safety
/// `p` is NULL or points to `len` readable bytes that outlive `'a`.
pub(crate) unsafe fn bytes_arg<'a>(
    p: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], FfiError> {
    if p.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(FfiError::null(name))
        };
    }
    // SAFETY: non-NULL, `len` readable bytes per the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// An array argument of `len` elements; NULL is allowed only with length 0.
///
/// # Safety
/// `p` is NULL or points to `len` initialised elements that outlive `'a`.
pub(crate) unsafe fn slice_arg<'a, T>(
    p: *const T,
    len: usize,
    name: &str,
) -> Result<&'a [T], FfiError> {
    if p.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(FfiError::null(name))
        };
    }
    // SAFETY: non-NULL, `len` elements per the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// An enumerated argument (`uint32_t` in C, so that a wrong value is an error rather than undefined
/// behaviour), converted by the core enum's `from_repr`.
pub(crate) fn enum_arg<T>(
    value: u32,
    c_enum: &str,
    from_repr: impl FnOnce(u32) -> Option<T>,
) -> Result<T, FfiError> {
    from_repr(value).ok_or_else(|| FfiError::invalid(format!("{value} is not a {c_enum} value")))
}

/// An argument as shown in a message: quoted, and cut after 40 characters, so that a message never
/// repeats unbounded input.
pub(crate) fn shown(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}…", &s[..cut]),
        None => format!("{s:?}"),
    }
}

/// A handle argument.
///
/// # Safety
/// `p` is NULL or a live handle of type `T` created by this library.
pub(crate) unsafe fn handle<'a, T>(p: *const T, name: &str) -> Result<&'a T, FfiError> {
    // SAFETY: forwarded contract.
    unsafe { p.as_ref() }.ok_or_else(|| FfiError::null(name))
}

/// Checks that an out-parameter can be written. Out-parameters are written only on success.
pub(crate) fn out_arg<T>(p: *mut T, name: &str) -> Result<(), FfiError> {
    if p.is_null() {
        Err(FfiError::null(name))
    } else {
        Ok(())
    }
}

/// Writes an out-parameter checked by [`out_arg`].
///
/// # Safety
/// `p` passed [`out_arg`] and points to writable memory for a `T`.
pub(crate) unsafe fn write_out<T>(p: *mut T, value: T) {
    // SAFETY: non-NULL and writable per the caller's contract; `write` because the target may hold
    // garbage the caller never initialised.
    unsafe { p.write(value) }
}

/// A string the caller frees with `garmin_sso_string_free` (which wipes it: it may hold tokens).
pub(crate) fn owned_c_string(s: String, what: &str) -> Result<*mut c_char, FfiError> {
    kept_c_string(s, what).map(CString::into_raw)
}

/// A C string kept inside a handle (borrowed by the caller until the handle is freed).
pub(crate) fn kept_c_string(s: String, what: &str) -> Result<CString, FfiError> {
    c_string(s).ok_or_else(|| {
        FfiError::kind(
            ErrorKind::UnexpectedResponse,
            format!("{what} contains a NUL byte"),
        )
    })
}

/// Moves a value into a new handle.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Frees a handle made by [`into_handle`]; NULL is ignored.
///
/// # Safety
/// `p` is NULL or a handle from [`into_handle`] of the same type not freed before.
pub(crate) unsafe fn free_handle<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: came from Box::into_raw and is freed once per the caller's contract.
        drop(unsafe { Box::from_raw(p) });
    }
}
