//! `garmin_sso_status`: the core's `ErrorKind` table, plus the two failures only a C caller can
//! cause. Every kind keeps its number and name (`ErrorKind::RateLimited` = 5 =
//! `GARMIN_SSO_STATUS_RATE_LIMITED`); the tests below fail when a kind is missing.

use garmin_sso_core::ErrorKind;
use std::ffi::{c_char, CString};
use std::sync::OnceLock;

/// The result of every fallible function. `GARMIN_SSO_STATUS_OK` (0) is success; anything else is a
/// failure explained by `garmin_sso_last_error_message()` on the same thread. Values 1 to 99 are the
/// library's error kinds, the same numbers and names in every language binding and in the
/// `garmin-sso` CLI's messages; they say what the app should do. Values from 100 are mistakes in
/// the call itself, found before anything ran.
///
/// Values never change; new ones may be added, so keep a default branch when switching on them.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum garmin_sso_status {
    /// Success.
    Ok = 0,
    /// Garmin refused the email or password: ask for them again.
    InvalidCredentials = 1,
    /// The account needs an MFA code and this call had no way to ask for one (no `out_mfa`, no MFA
    /// callback, or the callback declined).
    MfaRequired = 2,
    /// The MFA code was wrong; the challenge stays open: ask for another code.
    MfaCodeRejected = 3,
    /// The MFA challenge is over (completed, expired, too many attempts): sign in again.
    MfaChallengeEnded = 4,
    /// Garmin rate-limited the sign-in: wait (`garmin_sso_last_error_retry_after_seconds()` when
    /// Garmin said how long) or switch the mobile app preset; switching IP does not help.
    RateLimited = 5,
    /// A bot wall (Cloudflare challenge, CAPTCHA) refused the request: sign in through a browser or
    /// web view instead (`garmin_sso_client_browser_sign_in_url`).
    Blocked = 6,
    /// The account cannot sign in here (locked, child account): the person must fix it at Garmin.
    AccountUnusable = 7,
    /// The session is dead (refresh credential expired or refused, logged out, nothing stored, or
    /// the credentials callback declined): sign in again with credentials.
    SignInNeeded = 8,
    /// No HTTP answer (connection, TLS, I/O): retry later, check the network.
    Network = 9,
    /// The exchange took longer than the configured timeout: retry later.
    Timeout = 10,
    /// Garmin already has this activity (HTTP 409 on upload): treat the upload as done.
    DuplicateActivity = 11,
    /// Reading or writing stored tokens failed (a file store, or an app store callback).
    Storage = 12,
    /// An argument or configuration value was refused (the message says which and why); also a web-view
    /// URL or page without a service ticket.
    InvalidInput = 13,
    /// Garmin answered in a way this version does not understand (changed page, unhandled HTTP
    /// status, redirect off Garmin or too many, oversized answer): retry later; report it if it
    /// persists.
    UnexpectedResponse = 14,
    /// A bug in the library (a Rust panic stopped at the API boundary): report it.
    Internal = 15,
    /// The person declined the partner app on Garmin's consent page (or Garmin refused the
    /// request): ask them again.
    AuthorizationDeclined = 16,
    /// A required pointer argument was NULL.
    NullArgument = 100,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 101,
}

impl From<ErrorKind> for garmin_sso_status {
    fn from(kind: ErrorKind) -> Self {
        use garmin_sso_status as S;
        use ErrorKind as K;
        match kind {
            K::InvalidCredentials => S::InvalidCredentials,
            K::MfaRequired => S::MfaRequired,
            K::MfaCodeRejected => S::MfaCodeRejected,
            K::MfaChallengeEnded => S::MfaChallengeEnded,
            K::RateLimited => S::RateLimited,
            K::Blocked => S::Blocked,
            K::AccountUnusable => S::AccountUnusable,
            K::SignInNeeded => S::SignInNeeded,
            K::Network => S::Network,
            K::Timeout => S::Timeout,
            K::DuplicateActivity => S::DuplicateActivity,
            K::Storage => S::Storage,
            K::InvalidInput => S::InvalidInput,
            K::UnexpectedResponse => S::UnexpectedResponse,
            K::Internal => S::Internal,
            K::AuthorizationDeclined => S::AuthorizationDeclined,
            // ErrorKind is non-exhaustive; `kinds_map_to_their_own_status` fails until a new kind
            // has its status here.
            _ => S::Internal,
        }
    }
}

/// The C name of every status: `GARMIN_SSO_STATUS_` and the kind's name in capitals.
fn names() -> &'static [(u32, CString)] {
    static NAMES: OnceLock<Vec<(u32, CString)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let c = |s: String| CString::new(s).unwrap_or_default();
        let fixed = [
            (garmin_sso_status::Ok, "OK"),
            (garmin_sso_status::NullArgument, "NULL_ARGUMENT"),
            (garmin_sso_status::InvalidUtf8, "INVALID_UTF8"),
        ];
        let kinds = ErrorKind::ALL
            .iter()
            .map(|k| (*k, garmin_sso_status::from(*k)))
            // Only a kind that has its own status names it (Internal names itself).
            .filter(|(k, s)| *k as u32 == *s as u32)
            .map(|(k, s)| {
                (
                    s as u32,
                    c(format!("GARMIN_SSO_STATUS_{}", k.name().to_uppercase())),
                )
            });
        fixed
            .into_iter()
            .map(|(s, n)| (s as u32, c(format!("GARMIN_SSO_STATUS_{n}"))))
            .chain(kinds)
            .collect()
    })
}

/// The name of a status code (`"GARMIN_SSO_STATUS_RATE_LIMITED"`), or `"GARMIN_SSO_STATUS_UNKNOWN"`
/// for a value that is not one. The string is static: do not free it. Safe from any thread.
#[no_mangle]
pub extern "C" fn garmin_sso_status_name(status: u32) -> *const c_char {
    static UNKNOWN: &[u8] = b"GARMIN_SSO_STATUS_UNKNOWN\0";
    crate::panic::guard_void(UNKNOWN.as_ptr().cast(), || {
        names()
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(UNKNOWN.as_ptr().cast(), |(_, n)| n.as_ptr())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::enums::screaming;
    use std::ffi::CStr;

    fn name(v: u32) -> String {
        unsafe { CStr::from_ptr(garmin_sso_status_name(v)) }
            .to_str()
            .unwrap()
            .to_owned()
    }

    /// The kind-mapping test for C: every kind has the status of its own number and name, none
    /// falls into the fallback arm.
    #[test]
    fn kinds_map_to_their_own_status() {
        for &kind in ErrorKind::ALL {
            let status = garmin_sso_status::from(kind);
            assert_eq!(status as u32, kind as u32, "{kind:?} maps to {status:?}");
            let want = format!("GARMIN_SSO_STATUS_{}", kind.name().to_uppercase());
            assert_eq!(name(status as u32), want, "{kind:?}");
            assert_eq!(
                format!("GARMIN_SSO_STATUS_{}", screaming(&format!("{status:?}"))),
                want,
                "the C constant of {kind:?}"
            );
        }
    }

    #[test]
    fn c_only_statuses_and_unknown_values_are_named() {
        assert_eq!(name(0), "GARMIN_SSO_STATUS_OK");
        assert_eq!(name(100), "GARMIN_SSO_STATUS_NULL_ARGUMENT");
        assert_eq!(name(101), "GARMIN_SSO_STATUS_INVALID_UTF8");
        // The first number after the last kind: unknown until the core adds a kind.
        let next_kind = ErrorKind::ALL.len() as u32 + 1;
        for v in [next_kind, 99, 102, 9999, u32::MAX] {
            assert_eq!(name(v), "GARMIN_SSO_STATUS_UNKNOWN", "{v}");
        }
        for v in [100, 101] {
            assert!(
                ErrorKind::from_repr(v).is_none(),
                "C-only statuses are not kinds"
            );
        }
    }
}
