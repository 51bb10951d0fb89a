//! Which log records are safe to show.
//!
//! This crate never logs a secret. Its HTTP dependencies do: ureq logs full request URLs (service
//! tickets ride in queries) at DEBUG and raw request and response bytes (cookies, Authorization,
//! form bodies, tokens) at TRACE. Every logger a host app installs for this library — the CLI's,
//! the C ABI's log callback, the uniffi bindings' — filters through [`is_safe`].

/// True for records from this library (any level) and for WARN and ERROR from anything else.
pub fn is_safe(metadata: &log::Metadata<'_>) -> bool {
    metadata.target().starts_with("garmin_sso") || metadata.level() <= log::Level::Warn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn third_party_debug_and_trace_are_dropped() {
        let m = |target, level| log::Metadata::builder().target(target).level(level).build();
        assert!(is_safe(&m("garmin_sso_core::http", log::Level::Trace)));
        assert!(is_safe(&m("garmin_sso::ffi", log::Level::Debug)));
        assert!(!is_safe(&m("ureq::run", log::Level::Debug)));
        assert!(!is_safe(&m("ureq_proto::client", log::Level::Trace)));
        assert!(!is_safe(&m("rustls::client", log::Level::Info)));
        assert!(is_safe(&m("ureq::pool", log::Level::Warn)));
    }
}
