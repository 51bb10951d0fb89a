//! The per-thread last error: a status, a message a user can read, and for rate limits the server's
//! Retry-After. Set by every fallible entry point; cleared when it succeeds.

use crate::status::garmin_sso_status;
use garmin_sso_core::ErrorKind;
use std::cell::RefCell;
use std::ffi::{c_char, CString};

/// A failure on its way out of an entry point.
#[derive(Debug)]
pub(crate) struct FfiError {
    pub status: garmin_sso_status,
    pub message: String,
    pub retry_after_seconds: Option<u64>,
}

impl FfiError {
    pub fn new(status: garmin_sso_status, message: impl Into<String>) -> Self {
        FfiError {
            status,
            message: message.into(),
            retry_after_seconds: None,
        }
    }

    /// A failure of one of the core's kinds, found by the adapter itself.
    pub fn kind(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self::new(kind.into(), message)
    }

    pub fn null(name: &str) -> Self {
        Self::new(
            garmin_sso_status::NullArgument,
            format!("argument `{name}` is NULL"),
        )
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::kind(ErrorKind::InvalidInput, message)
    }
}

impl From<garmin_sso_core::Error> for FfiError {
    fn from(e: garmin_sso_core::Error) -> Self {
        // Core error messages are built to carry no secrets (see garmin_sso_core::Error).
        FfiError {
            status: e.kind().into(),
            message: e.to_string(),
            retry_after_seconds: e.retry_after().map(|d| d.as_secs()),
        }
    }
}

struct LastError {
    status: garmin_sso_status,
    message: CString,
    retry_after_seconds: Option<u64>,
}

thread_local! {
    static LAST: RefCell<LastError> = RefCell::new(LastError {
        status: garmin_sso_status::Ok,
        message: CString::default(),
        retry_after_seconds: None,
    });
}

/// The longest message kept, in bytes. Core messages are short, but one that embeds a long chain of
/// flow failures must not grow without bound in every thread that saw it.
const MAX_MESSAGE_BYTES: usize = 2048;

/// `message` without NULs, cut at a character boundary to at most [`MAX_MESSAGE_BYTES`].
fn bounded(message: &str) -> CString {
    let mut end = message.len().min(MAX_MESSAGE_BYTES);
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    let cut = &message[..end];
    let mut text = cut.replace('\0', " ");
    if end < message.len() {
        // Replace the tail so the reader sees the message was cut.
        while text.len() + '…'.len_utf8() > MAX_MESSAGE_BYTES {
            text.pop();
        }
        text.push('…');
    }
    CString::new(text).unwrap_or_default()
}

pub(crate) fn set_last_error(e: &FfiError) {
    let message = bounded(&e.message);
    let _ = LAST.try_with(|l| {
        *l.borrow_mut() = LastError {
            status: e.status,
            message,
            retry_after_seconds: e.retry_after_seconds,
        }
    });
}

pub(crate) fn clear_last_error() {
    let _ = LAST.try_with(|l| {
        let mut l = l.borrow_mut();
        l.status = garmin_sso_status::Ok;
        l.message = CString::default();
        l.retry_after_seconds = None;
    });
}

/// The message of the last failed call on this thread, as UTF-8: what went wrong and, where it
/// helps, what to do. Never contains a password, token, cookie or ticket. Empty after a call that
/// succeeded.
///
/// The pointer stays valid until the next call into the library on the same thread; copy the text if
/// you need it longer. Do not free it. Never returns NULL.
#[no_mangle]
pub extern "C" fn garmin_sso_last_error_message() -> *const c_char {
    static EMPTY: &[u8] = b"\0";
    LAST.try_with(|l| l.borrow().message.as_ptr())
        .unwrap_or(EMPTY.as_ptr().cast())
}

/// The status of the last failed call on this thread, or `GARMIN_SSO_STATUS_OK` after a success.
#[no_mangle]
pub extern "C" fn garmin_sso_last_error_status() -> garmin_sso_status {
    LAST.try_with(|l| l.borrow().status)
        .unwrap_or(garmin_sso_status::Ok)
}

/// When the last failed call on this thread was a rate limit (`GARMIN_SSO_STATUS_RATE_LIMITED`, or
/// a chain of flows that met one) and Garmin said how long to wait (`Retry-After`), that many
/// seconds; otherwise -1.
#[no_mangle]
pub extern "C" fn garmin_sso_last_error_retry_after_seconds() -> i64 {
    LAST.try_with(|l| l.borrow().retry_after_seconds)
        .ok()
        .flatten()
        .map(|s| i64::try_from(s).unwrap_or(i64::MAX))
        .unwrap_or(-1)
}

/// This thread's last-error text, as the unit tests of every module read it.
#[cfg(test)]
pub(crate) fn last_message() -> String {
    // SAFETY: the library's own per-thread message, NUL-terminated and alive until the next call.
    unsafe { std::ffi::CStr::from_ptr(garmin_sso_last_error_message()) }
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_cut_at_a_character_boundary_and_keep_no_nul() {
        assert_eq!(bounded("a\0b").to_str().unwrap(), "a b");
        let long = "é".repeat(MAX_MESSAGE_BYTES);
        let cut = bounded(&long);
        let text = cut.to_str().unwrap();
        assert!(text.len() <= MAX_MESSAGE_BYTES, "{}", text.len());
        assert!(text.ends_with('…'));
        assert!(text.trim_end_matches('…').chars().all(|c| c == 'é'));
        let exact = "x".repeat(MAX_MESSAGE_BYTES);
        assert_eq!(bounded(&exact).to_str().unwrap(), exact);
    }
}
