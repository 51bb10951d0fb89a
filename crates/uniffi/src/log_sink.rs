//! The library's log records, handed to the app (Logcat, os_log, Python's `logging`). Every record
//! passes the core's one filter, `log_record_is_safe`: the library's own records (never a secret)
//! and WARN/ERROR of its dependencies, never the HTTP client's DEBUG/TRACE traffic dumps.

use crate::error::{GarminError, Result};
use std::sync::{Arc, OnceLock, RwLock};

/// A log level, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LogLevel {
    /// Failures.
    Error,
    /// Recoverable problems (a flow failed, falling back to the next).
    Warn,
    /// Steps of a sign-in or refresh.
    Info,
    /// Requests and decisions.
    Debug,
    /// Everything.
    Trace,
}

/// Receives log records, on whichever thread logged, possibly several at once. Keep it short and
/// do not call back into the library from it. Throwing is ignored.
#[uniffi::export(foreign)]
pub trait LogSink: Send + Sync {
    /// One record: its level, its source (`garmin_sso_core::client`, …) and its text.
    fn log(&self, level: LogLevel, target: String, message: String) -> Result<(), GarminError>;
}

static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);
static INSTALLED: OnceLock<bool> = OnceLock::new();

struct Forwarder;

impl log::Log for Forwarder {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        garmin_sso_core::log_record_is_safe(metadata)
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // Cloned out of the lock, so a sink that (against the advice) sets the sink cannot deadlock.
        let Some(sink) = SINK.read().unwrap_or_else(|p| p.into_inner()).clone() else {
            return;
        };
        let level = match record.level() {
            log::Level::Error => LogLevel::Error,
            log::Level::Warn => LogLevel::Warn,
            log::Level::Info => LogLevel::Info,
            log::Level::Debug => LogLevel::Debug,
            log::Level::Trace => LogLevel::Trace,
        };
        let _ = sink.log(level, record.target().to_owned(), record.args().to_string());
    }

    fn flush(&self) {}
}

static FORWARDER: Forwarder = Forwarder;

/// Sends the library's log records at `max_level` and more severe to `sink`; `None` turns logging
/// off. Process-wide: the last call wins.
#[uniffi::export]
pub fn set_log_sink(sink: Option<Arc<dyn LogSink>>, max_level: LogLevel) -> Result<()> {
    let installed = *INSTALLED.get_or_init(|| log::set_logger(&FORWARDER).is_ok());
    if !installed {
        return Err(garmin_sso_core::Error::InvalidInput(
            "another logger is installed in this process; the library's records go there".into(),
        )
        .into());
    }
    let filter = match (&sink, max_level) {
        (None, _) => log::LevelFilter::Off,
        (Some(_), LogLevel::Error) => log::LevelFilter::Error,
        (Some(_), LogLevel::Warn) => log::LevelFilter::Warn,
        (Some(_), LogLevel::Info) => log::LevelFilter::Info,
        (Some(_), LogLevel::Debug) => log::LevelFilter::Debug,
        (Some(_), LogLevel::Trace) => log::LevelFilter::Trace,
    };
    *SINK.write().unwrap_or_else(|p| p.into_inner()) = sink;
    log::set_max_level(filter);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<(LogLevel, String, String)>>);

    impl LogSink for Recorder {
        fn log(&self, level: LogLevel, target: String, message: String) -> Result<(), GarminError> {
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((level, target, message));
            Ok(())
        }
    }

    #[test]
    fn records_pass_the_core_filter_and_none_turns_logging_off() {
        let recorder = Arc::new(Recorder::default());
        set_log_sink(Some(recorder.clone()), LogLevel::Trace).expect("installed");
        log::debug!(target: "garmin_sso_core::http", "ours");
        log::debug!(target: "ureq::unit", "GET https://x/?ticket=ST-1-secret");
        log::warn!(target: "ureq::pool", "theirs, but a warning");
        set_log_sink(None, LogLevel::Trace).expect("off");
        log::error!(target: "garmin_sso_core::http", "after off");
        let seen = recorder.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
        assert_eq!(
            seen,
            [
                (
                    LogLevel::Debug,
                    "garmin_sso_core::http".into(),
                    "ours".into()
                ),
                (
                    LogLevel::Warn,
                    "ureq::pool".into(),
                    "theirs, but a warning".into()
                ),
            ]
        );
    }
}
