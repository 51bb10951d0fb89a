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
pub type garmin_sso_log_fn = Option<unsafe extern "C" fn(user_data: *mut c_void, level: u32, message: *const c_char)>;

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

impl log::Log for Forwarder {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        SINK.read().map(|s| s.is_some()).unwrap_or(false)
    }

    fn log(&self, record: &log::Record<'_>) {
        let Some(sink) = SINK.read().ok().and_then(|s| *s) else { return };
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
/// Messages never contain passwords, tokens, cookies or tickets.
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
            other => return Err(FfiError::invalid(format!("{other} is not a garmin_sso_log_level value"))),
        };
        INSTALLED
            .get_or_init(|| log::set_logger(&FORWARDER).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| FfiError::invalid(format!("cannot install the log forwarder: {e}")))?;
        let sink = match (callback, filter) {
            (Some(_), f) if f != log::LevelFilter::Off => Some(Sink { callback, user_data }),
            _ => None,
        };
        *SINK.write().unwrap_or_else(|p| p.into_inner()) = sink;
        log::set_max_level(if sink.is_some() { filter } else { log::LevelFilter::Off });
        Ok(())
    })
}
