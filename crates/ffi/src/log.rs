//! Forwarding the library's log records to the host app. The core never logs secrets (passwords,
//! tokens, cookies, tickets), so whatever reaches the callback is safe to show or store.

use crate::error::FfiError;
use crate::panic::guard;
use crate::status::garmin_sso_status;
use std::ffi::{c_char, c_void, CString};
use std::sync::{OnceLock, RwLock};

/// A log level, most severe first.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum garmin_sso_log_level {
    /// Logging off (only as `max_level`).
    Off = 0,
    /// Failures.
    Error = 1,
    /// Recoverable problems (a strategy failed, falling back).
    Warn = 2,
    /// Steps of a sign-in or refresh.
    Info = 3,
    /// Requests and decisions.
    Debug = 4,
    /// Everything.
    Trace = 5,
}

/// Receives one log record: its `garmin_sso_log_level` and a NUL-terminated UTF-8 message valid only
/// during the call. Called on whichever thread logged, possibly several at once; must not unwind.
#[allow(non_camel_case_types)]
pub type garmin_sso_log_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, level: u32, message: *const c_char)>;

#[derive(Clone, Copy)]
struct Sink {
    callback: garmin_sso_log_fn,
    user_data: *mut c_void,
}

// SAFETY: garmin_sso_set_log_callback's contract makes the host guarantee the callback and its user
// data may be used from any thread.
unsafe impl Send for Sink {}
// SAFETY: as above.
unsafe impl Sync for Sink {}

static SINK: RwLock<Option<Sink>> = RwLock::new(None);
static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();

struct Forwarder;

/// Only the library's own records are forwarded. Its dependencies log for their own debugging, and
/// the HTTP client's trace output dumps raw requests and responses (passwords, cookies, tokens).
fn ours(target: &str) -> bool {
    target.starts_with("garmin_sso")
}

impl log::Log for Forwarder {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        ours(metadata.target()) && SINK.read().map(|s| s.is_some()).unwrap_or(false)
    }

    fn log(&self, record: &log::Record<'_>) {
        if !ours(record.target()) {
            return;
        }
        let Some(sink) = SINK.read().ok().and_then(|s| *s) else {
            return;
        };
        let level = match record.level() {
            log::Level::Error => garmin_sso_log_level::Error,
            log::Level::Warn => garmin_sso_log_level::Warn,
            log::Level::Info => garmin_sso_log_level::Info,
            log::Level::Debug => garmin_sso_log_level::Debug,
            log::Level::Trace => garmin_sso_log_level::Trace,
        };
        let text = format!("{}: {}", record.target(), record.args()).replace('\0', " ");
        if let Ok(c) = CString::new(text) {
            if let Some(cb) = sink.callback {
                // SAFETY: the host's callback contract; `c` outlives the call.
                unsafe { cb(sink.user_data, level as u32, c.as_ptr()) };
            }
        }
    }

    fn flush(&self) {}
}

static FORWARDER: Forwarder = Forwarder;

/// Sends the library's log records at `max_level` and more severe (a `garmin_sso_log_level` value)
/// to `callback`; a NULL callback or `GARMIN_SSO_LOG_LEVEL_OFF` turns logging off. Process-wide: the
/// last call wins. `user_data` must stay valid until logging is turned off or changed.
///
/// Only the library's own records are forwarded (targets `garmin_sso_core::…`); they never contain
/// passwords, codes, tokens, cookies or tickets. Records of its dependencies (HTTP, TLS) are dropped:
/// their trace output includes raw HTTP traffic.
///
/// # Safety
/// `callback` is NULL or a function following the `garmin_sso_log_fn` contract.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_set_log_callback(
    callback: garmin_sso_log_fn,
    user_data: *mut c_void,
    max_level: u32,
) -> garmin_sso_status {
    guard(|| {
        let filter = match max_level {
            0 => log::LevelFilter::Off,
            1 => log::LevelFilter::Error,
            2 => log::LevelFilter::Warn,
            3 => log::LevelFilter::Info,
            4 => log::LevelFilter::Debug,
            5 => log::LevelFilter::Trace,
            other => {
                return Err(FfiError::invalid(format!(
                    "{other} is not a garmin_sso_log_level value"
                )))
            }
        };
        INSTALLED
            .get_or_init(|| log::set_logger(&FORWARDER).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| FfiError::invalid(format!("cannot install the log forwarder: {e}")))?;
        let sink = match (callback, filter) {
            (Some(_), f) if f != log::LevelFilter::Off => Some(Sink {
                callback,
                user_data,
            }),
            _ => None,
        };
        *SINK.write().unwrap_or_else(|p| p.into_inner()) = sink;
        log::set_max_level(if sink.is_some() {
            filter
        } else {
            log::LevelFilter::Off
        });
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

    unsafe extern "C" fn collect(_: *mut c_void, level: u32, message: *const c_char) {
        // SAFETY: the forwarder passes a valid NUL-terminated string.
        let m = unsafe { std::ffi::CStr::from_ptr(message) }
            .to_string_lossy()
            .into_owned();
        SEEN.lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(format!("{level} {m}"));
    }

    /// The library's records arrive with their level; a dependency's (here: the HTTP client's raw
    /// dump of a request) never does.
    #[test]
    fn forwards_own_records_only() {
        // SAFETY: `collect` follows the callback contract.
        let s = unsafe { garmin_sso_set_log_callback(Some(collect), std::ptr::null_mut(), 5) };
        assert_eq!(s, garmin_sso_status::Ok);
        log::info!(target: "garmin_sso_core::flows", "posting credentials");
        log::trace!(target: "ureq_proto::util", "password=hunter2");
        // SAFETY: turning logging off.
        unsafe { garmin_sso_set_log_callback(None, std::ptr::null_mut(), 0) };
        log::error!(target: "garmin_sso_core::flows", "after off");
        let seen = SEEN.lock().unwrap_or_else(|p| p.into_inner()).clone();
        assert_eq!(
            seen,
            vec!["3 garmin_sso_core::flows: posting credentials".to_owned()]
        );
    }
}
