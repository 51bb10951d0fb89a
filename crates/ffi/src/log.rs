//! Forwarding log records to the host app, filtered by the core's one rule
//! (`garmin_sso_core::log_record_is_safe`): the library's own records, which never carry a secret,
//! and only warnings and errors of its dependencies, whose debug output carries raw HTTP traffic.

use crate::panic::guard;
use crate::ptr::enum_arg;
use crate::status::garmin_sso_status;
use garmin_sso_core::log_record_is_safe;
use std::ffi::{c_char, c_void, CString};
use std::sync::{OnceLock, RwLock};

/// A log level, most severe first.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::FromRepr)]
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

impl log::Log for Forwarder {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        log_record_is_safe(metadata) && SINK.read().map(|s| s.is_some()).unwrap_or(false)
    }

    fn log(&self, record: &log::Record<'_>) {
        if !log_record_is_safe(record.metadata()) {
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
/// Forwarded: the library's own records (targets `garmin_sso…`), which never contain passwords,
/// codes, tokens, cookies or tickets, and warnings and errors of its dependencies (HTTP, TLS). Their
/// info, debug and trace records are dropped: they include raw HTTP traffic.
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
        use garmin_sso_log_level as L;
        let filter = match enum_arg(max_level, "garmin_sso_log_level", L::from_repr)? {
            L::Off => log::LevelFilter::Off,
            L::Error => log::LevelFilter::Error,
            L::Warn => log::LevelFilter::Warn,
            L::Info => log::LevelFilter::Info,
            L::Debug => log::LevelFilter::Debug,
            L::Trace => log::LevelFilter::Trace,
        };
        INSTALLED
            .get_or_init(|| log::set_logger(&FORWARDER).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| {
                crate::error::FfiError::invalid(format!("cannot install the log forwarder: {e}"))
            })?;
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

    /// The library's records arrive with their level; a dependency's debug output (here: the HTTP
    /// client's raw dump of a request) never does, its warnings do.
    #[test]
    fn forwards_what_the_core_calls_safe() {
        // SAFETY: `collect` follows the callback contract.
        let s = unsafe { garmin_sso_set_log_callback(Some(collect), std::ptr::null_mut(), 5) };
        assert_eq!(s, garmin_sso_status::Ok);
        log::info!(target: "garmin_sso_core::flows", "posting credentials");
        log::trace!(target: "ureq_proto::util", "password=hunter2");
        log::debug!(target: "ureq::unit", "GET /?ticket=ST-1");
        log::warn!(target: "rustls::conn", "peer closed");
        // SAFETY: turning logging off.
        unsafe { garmin_sso_set_log_callback(None, std::ptr::null_mut(), 0) };
        log::error!(target: "garmin_sso_core::flows", "after off");
        let seen = SEEN.lock().unwrap_or_else(|p| p.into_inner()).clone();
        assert_eq!(
            seen,
            vec![
                "3 garmin_sso_core::flows: posting credentials".to_owned(),
                "2 rustls::conn: peer closed".to_owned()
            ]
        );
    }
}
