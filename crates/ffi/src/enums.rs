//! The core's enums as C constants. Arguments arrive as `uint32_t` and are converted by the core
//! enum's own `from_repr` (`ptr::enum_arg`); values handed out are the core's numbers (`flow as
//! u32`). These declarations exist for cbindgen only: the test below checks, in the generated
//! header, that every constant has the core's number and name.

use crate::error::FfiError;
use crate::ptr::{enum_arg, slice_arg};
use garmin_sso_core::Flow;

/// A sign-in flow (a way of reaching a service ticket with email and password); the core's `Flow`.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum garmin_sso_flow {
    /// The classic HTML widget: a form POST whose answer page carries the ticket.
    Widget = 0,
    /// The JSON API of Garmin's phone apps; presents itself as the configured mobile app.
    Mobile = 1,
    /// The JSON API of the Connect web app; the slowest, paced like a person typing.
    Portal = 2,
}

/// Which token family a service ticket becomes (`garmin_sso_config_set_token_preference`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum garmin_sso_token_preference {
    /// DI OAuth2, falling back to legacy when DI refuses every client id (the default).
    Auto = 0,
    /// DI OAuth2 only.
    Di = 1,
    /// Legacy OAuth1 → OAuth2 only.
    Legacy = 2,
}

/// The token family a session holds (`garmin_sso_session_token_family`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum garmin_sso_token_family {
    /// OAuth1 → OAuth2: refreshed by repeating the exchange with the year-long OAuth1 token.
    Legacy = 0,
    /// DI OAuth2: refreshed with a refresh token that rotates on every use.
    Di = 1,
    /// Partner OAuth2 with PKCE: refreshed with the partner app's secret and a rotating refresh
    /// token.
    Partner = 2,
}

/// Which of Garmin's phone apps the mobile flow and the web-view sign-in present themselves as
/// (`garmin_sso_config_set_mobile_app`). Garmin rate-limits per app and account, so switching app
/// can get past a limit that waiting would not.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum garmin_sso_mobile_app {
    /// Garmin Connect Mobile for Android (`GCM_ANDROID_DARK`, the default).
    Android = 0,
    /// Garmin Connect Mobile for iOS (`GCM_IOS_DARK`).
    Ios = 1,
}

/// One `garmin_sso_flow` argument.
pub(crate) fn flow_arg(value: u32) -> Result<Flow, FfiError> {
    enum_arg(value, "garmin_sso_flow", Flow::from_repr)
}

/// A C array of `garmin_sso_flow` values, at least one.
///
/// # Safety
/// `p` is NULL or points to `len` readable `u32`s.
pub(crate) unsafe fn flows_arg(p: *const u32, len: usize) -> Result<Vec<Flow>, FfiError> {
    // SAFETY: forwarded contract.
    let raw = unsafe { slice_arg(p, len, "flows") }?;
    if raw.is_empty() {
        return Err(FfiError::invalid("at least one flow is needed"));
    }
    raw.iter().map(|&v| flow_arg(v)).collect()
}

/// `RateLimited` → `RATE_LIMITED`: the constant cbindgen makes of a variant name.
#[cfg(test)]
pub(crate) fn screaming(camel: &str) -> String {
    let mut out = String::new();
    for (i, ch) in camel.chars().enumerate() {
        if ch.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::screaming;
    use garmin_sso_core::{ErrorKind, Flow, MobileApp, TokenFamily, TokenPreference};
    use std::fmt::Debug;

    const HEADER: &str = include_str!("../../../include/garmin_sso.h");

    /// The constants the header defines with this prefix, as (name, value).
    fn constants(prefix: &str) -> Vec<(String, u32)> {
        HEADER
            .lines()
            .filter_map(|l| {
                let (name, value) = l.trim().trim_end_matches(',').split_once(" = ")?;
                let value = value.parse().ok()?;
                name.starts_with(prefix).then(|| (name.to_owned(), value))
            })
            .collect()
    }

    /// The constants a core enum should have in C: `PREFIX` + the variant's name in capitals, with
    /// the variant's number.
    fn expected<T: Debug + Copy>(
        prefix: &str,
        all: &[T],
        number: impl Fn(T) -> u32,
    ) -> Vec<(String, u32)> {
        all.iter()
            .map(|v| {
                (
                    format!("{prefix}{}", screaming(&format!("{v:?}"))),
                    number(*v),
                )
            })
            .collect()
    }

    /// Walks each core enum's ALL list: every variant is a C constant with its number, and the C
    /// enum has no other constant.
    #[test]
    fn c_enums_have_the_core_numbers_and_names() {
        let check = |prefix: &str, want: Vec<(String, u32)>| {
            assert_eq!(constants(prefix), want, "include/garmin_sso.h vs the core");
        };
        check(
            "GARMIN_SSO_FLOW_",
            expected("GARMIN_SSO_FLOW_", Flow::ALL, |v| v as u32),
        );
        let p = "GARMIN_SSO_TOKEN_PREFERENCE_";
        check(p, expected(p, TokenPreference::ALL, |v| v as u32));
        let p = "GARMIN_SSO_TOKEN_FAMILY_";
        check(p, expected(p, TokenFamily::ALL, |v| v as u32));
        let p = "GARMIN_SSO_MOBILE_APP_";
        check(p, expected(p, MobileApp::ALL, |v| v as u32));
    }

    /// The header's status constants are OK, every kind with its number and name, and the C-only
    /// ones (100 and up); nothing else, and no stray `garmin_sso_status_ALL`.
    #[test]
    fn c_statuses_are_the_kinds() {
        let p = "GARMIN_SSO_STATUS_";
        let mut want = vec![(format!("{p}OK"), 0)];
        want.extend(expected(p, ErrorKind::ALL, |k| k as u32));
        want.extend([
            (format!("{p}NULL_ARGUMENT"), 100),
            (format!("{p}INVALID_UTF8"), 101),
        ]);
        assert_eq!(constants(p), want, "include/garmin_sso.h vs the core");
        for k in ErrorKind::ALL {
            assert_eq!(screaming(&format!("{k:?}")), k.name().to_uppercase());
        }
        assert!(
            !HEADER.contains("_ALL"),
            "an associated const leaked into the header"
        );
    }
}
