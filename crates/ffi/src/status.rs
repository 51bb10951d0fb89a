//! The status codes of the C API and the one place where core errors become them.

use garmin_sso_core::Error;
use std::ffi::c_char;

/// The result of every fallible function. `GARMIN_SSO_STATUS_OK` (0) is success; anything else is a
/// failure whose human-readable explanation is in `garmin_sso_last_error_message()` on the same thread.
///
/// Values are stable: new codes are only ever appended.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum garmin_sso_status {
    /// Success.
    Ok = 0,
    /// A required pointer argument was NULL.
    NullArgument = 1,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 2,
    /// An argument or configuration value was refused (the message says which and why).
    InvalidArgument = 3,
    /// Garmin refused the email or password.
    InvalidCredentials = 4,
    /// The account needs an MFA code but the caller passed no `out_mfa` to receive the challenge.
    MfaRequired = 5,
    /// The MFA code was wrong; the challenge stays open, submit another code.
    MfaCodeRejected = 6,
    /// The MFA challenge can no longer be used (completed, expired, too many attempts): sign in again.
    MfaChallengeEnded = 7,
    /// Garmin rate-limited the request; see `garmin_sso_last_error_retry_after_seconds()`.
    RateLimited = 8,
    /// A bot challenge (Cloudflare page, CAPTCHA) blocked the request.
    Blocked = 9,
    /// Garmin reports the account as locked.
    AccountLocked = 10,
    /// Garmin will not sign this account in (e.g. a child account).
    AccountUnusable = 11,
    /// A page or document did not have the expected shape.
    UnexpectedResponse = 12,
    /// An HTTP status the step does not handle.
    HttpStatus = 13,
    /// The transport failed (connect, TLS, I/O); no HTTP response was received.
    Network = 14,
    /// The request took longer than the configured timeout.
    Timeout = 15,
    /// A redirect pointed outside the configured Garmin endpoints and was not followed.
    ForeignRedirect = 16,
    /// More redirects than allowed.
    TooManyRedirects = 17,
    /// A response body exceeded the configured maximum size.
    ResponseTooLarge = 18,
    /// No service ticket was found in the given web-view URL or page.
    TicketNotFound = 19,
    /// The tokens can no longer be refreshed (or the session was logged out): sign in again.
    SignInNeeded = 20,
    /// Every sign-in strategy failed; the message lists each one and why.
    AllStrategiesFailed = 21,
    /// Garmin already has this activity (HTTP 409 on upload).
    DuplicateActivity = 22,
    /// Reading or writing stored tokens failed.
    Storage = 23,
    /// The library hit an internal bug (a Rust panic) and stopped it at the API boundary.
    Panic = 24,
}

impl garmin_sso_status {
    /// Every status, in numeric order.
    pub const ALL: [garmin_sso_status; 25] = [
        Self::Ok,
        Self::NullArgument,
        Self::InvalidUtf8,
        Self::InvalidArgument,
        Self::InvalidCredentials,
        Self::MfaRequired,
        Self::MfaCodeRejected,
        Self::MfaChallengeEnded,
        Self::RateLimited,
        Self::Blocked,
        Self::AccountLocked,
        Self::AccountUnusable,
        Self::UnexpectedResponse,
        Self::HttpStatus,
        Self::Network,
        Self::Timeout,
        Self::ForeignRedirect,
        Self::TooManyRedirects,
        Self::ResponseTooLarge,
        Self::TicketNotFound,
        Self::SignInNeeded,
        Self::AllStrategiesFailed,
        Self::DuplicateActivity,
        Self::Storage,
        Self::Panic,
    ];

    /// The C constant's name, NUL-terminated.
    fn name(self) -> &'static str {
        match self {
            Self::Ok => "GARMIN_SSO_STATUS_OK\0",
            Self::NullArgument => "GARMIN_SSO_STATUS_NULL_ARGUMENT\0",
            Self::InvalidUtf8 => "GARMIN_SSO_STATUS_INVALID_UTF8\0",
            Self::InvalidArgument => "GARMIN_SSO_STATUS_INVALID_ARGUMENT\0",
            Self::InvalidCredentials => "GARMIN_SSO_STATUS_INVALID_CREDENTIALS\0",
            Self::MfaRequired => "GARMIN_SSO_STATUS_MFA_REQUIRED\0",
            Self::MfaCodeRejected => "GARMIN_SSO_STATUS_MFA_CODE_REJECTED\0",
            Self::MfaChallengeEnded => "GARMIN_SSO_STATUS_MFA_CHALLENGE_ENDED\0",
            Self::RateLimited => "GARMIN_SSO_STATUS_RATE_LIMITED\0",
            Self::Blocked => "GARMIN_SSO_STATUS_BLOCKED\0",
            Self::AccountLocked => "GARMIN_SSO_STATUS_ACCOUNT_LOCKED\0",
            Self::AccountUnusable => "GARMIN_SSO_STATUS_ACCOUNT_UNUSABLE\0",
            Self::UnexpectedResponse => "GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE\0",
            Self::HttpStatus => "GARMIN_SSO_STATUS_HTTP_STATUS\0",
            Self::Network => "GARMIN_SSO_STATUS_NETWORK\0",
            Self::Timeout => "GARMIN_SSO_STATUS_TIMEOUT\0",
            Self::ForeignRedirect => "GARMIN_SSO_STATUS_FOREIGN_REDIRECT\0",
            Self::TooManyRedirects => "GARMIN_SSO_STATUS_TOO_MANY_REDIRECTS\0",
            Self::ResponseTooLarge => "GARMIN_SSO_STATUS_RESPONSE_TOO_LARGE\0",
            Self::TicketNotFound => "GARMIN_SSO_STATUS_TICKET_NOT_FOUND\0",
            Self::SignInNeeded => "GARMIN_SSO_STATUS_SIGN_IN_NEEDED\0",
            Self::AllStrategiesFailed => "GARMIN_SSO_STATUS_ALL_STRATEGIES_FAILED\0",
            Self::DuplicateActivity => "GARMIN_SSO_STATUS_DUPLICATE_ACTIVITY\0",
            Self::Storage => "GARMIN_SSO_STATUS_STORAGE\0",
            Self::Panic => "GARMIN_SSO_STATUS_PANIC\0",
        }
    }
}

/// The status a core error is reported as. This is the only mapping from core errors to codes.
pub(crate) fn status_of(e: &Error) -> garmin_sso_status {
    use garmin_sso_status as S;
    match e {
        Error::InvalidCredentials => S::InvalidCredentials,
        Error::MfaRequired => S::MfaRequired,
        Error::MfaCodeRejected => S::MfaCodeRejected,
        Error::MfaChallengeEnded { .. } => S::MfaChallengeEnded,
        Error::RateLimited { .. } => S::RateLimited,
        Error::Blocked { .. } => S::Blocked,
        Error::AccountLocked => S::AccountLocked,
        Error::AccountUnusable { .. } => S::AccountUnusable,
        Error::UnexpectedResponse { .. } => S::UnexpectedResponse,
        Error::HttpStatus { .. } => S::HttpStatus,
        Error::ForeignRedirect { .. } => S::ForeignRedirect,
        Error::TooManyRedirects { .. } => S::TooManyRedirects,
        Error::ResponseTooLarge { .. } => S::ResponseTooLarge,
        Error::Timeout(_) => S::Timeout,
        Error::Network(_) => S::Network,
        Error::SignInNeeded { .. } => S::SignInNeeded,
        // A throttled IP rate-limits every strategy at once; the app must see a rate limit.
        e @ Error::AllStrategiesFailed(_) if e.is_rate_limited() => S::RateLimited,
        Error::AllStrategiesFailed(_) => S::AllStrategiesFailed,
        Error::InvalidConfig(_) | Error::InvalidInput(_) => S::InvalidArgument,
        Error::TicketNotFound(_) => S::TicketNotFound,
        Error::DuplicateActivity { .. } => S::DuplicateActivity,
        Error::Storage(_) => S::Storage,
        // The core's error enum is non-exhaustive; a variant added later is still a failure the
        // message explains.
        _ => S::UnexpectedResponse,
    }
}

/// The name of a status code (`"GARMIN_SSO_STATUS_RATE_LIMITED"`), or `"GARMIN_SSO_STATUS_UNKNOWN"`
/// for a value that is not one. The string is static: do not free it. Safe from any thread.
#[no_mangle]
pub extern "C" fn garmin_sso_status_name(status: u32) -> *const c_char {
    let name = garmin_sso_status::ALL
        .iter()
        .find(|s| **s as u32 == status)
        .map(|s| s.name())
        .unwrap_or("GARMIN_SSO_STATUS_UNKNOWN\0");
    name.as_ptr().cast()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn all_is_dense_and_names_match() {
        for (i, s) in garmin_sso_status::ALL.iter().enumerate() {
            assert_eq!(*s as usize, i);
            let n = unsafe { CStr::from_ptr(garmin_sso_status_name(i as u32)) }
                .to_str()
                .unwrap();
            assert!(
                n.starts_with("GARMIN_SSO_STATUS_") && !n.ends_with("UNKNOWN"),
                "{n}"
            );
        }
        let n = unsafe { CStr::from_ptr(garmin_sso_status_name(9999)) };
        assert_eq!(n.to_str().unwrap(), "GARMIN_SSO_STATUS_UNKNOWN");
    }
}
