//! Logging to stderr through env_logger (`RUST_LOG`), minus the records that could print secrets.
//!
//! The HTTP crates underneath (ureq, ureq-proto) log whole URIs and body bytes at debug and trace
//! level — a service ticket in a query, tokens in a JSON answer. The library's own lines never carry
//! secrets, so anyone may turn on `RUST_LOG=trace`: the core's one rule
//! (`garmin_sso_core::log_record_is_safe`) drops other crates' records below WARN.

use garmin_sso_core::log_record_is_safe;
use log::{Log, Metadata, Record};

struct SafeOnly(env_logger::Logger);

impl Log for SafeOnly {
    fn enabled(&self, m: &Metadata<'_>) -> bool {
        log_record_is_safe(m) && self.0.enabled(m)
    }

    fn log(&self, record: &Record<'_>) {
        if self.enabled(record.metadata()) {
            self.0.log(record);
        }
    }

    fn flush(&self) {
        self.0.flush();
    }
}

/// Installs the logger: `RUST_LOG` decides, warnings by default, stderr only.
pub fn init() {
    let logger =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn"))
            .target(env_logger::Target::Stderr)
            .build();
    let max = logger.filter();
    if log::set_boxed_logger(Box::new(SafeOnly(logger))).is_ok() {
        log::set_max_level(max);
    }
}
