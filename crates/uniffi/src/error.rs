//! The one public error enum and the one place core errors become it.
//!
//! Every variant carries only what the core already deemed safe to show (step names, statuses, page
//! titles, host names); no variant can carry a password, token, cookie or ticket.

use garmin_sso_core as core;

/// Which sign-in strategy a failure belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SignInStrategy {
    /// The classic widget (HTML) flow.
    Widget,
    /// The mobile JSON flow Garmin's apps use.
    Mobile,
    /// The portal JSON flow.
    Portal,
}

impl From<SignInStrategy> for core::Strategy {
    fn from(s: SignInStrategy) -> Self {
        match s {
            SignInStrategy::Widget => core::Strategy::Widget,
            SignInStrategy::Mobile => core::Strategy::Mobile,
            SignInStrategy::Portal => core::Strategy::Portal,
        }
    }
}

impl From<core::Strategy> for SignInStrategy {
    fn from(s: core::Strategy) -> Self {
        match s {
            core::Strategy::Widget => SignInStrategy::Widget,
            core::Strategy::Mobile => SignInStrategy::Mobile,
            core::Strategy::Portal => SignInStrategy::Portal,
        }
    }
}

/// Why one strategy of a sign-in chain failed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StrategyFailure {
    /// The strategy.
    pub strategy: SignInStrategy,
    /// What went wrong, in words (no secrets).
    pub message: String,
}

/// Everything that can go wrong, as one exception type per language (`GarminException` in Kotlin,
/// `GarminError` in Swift and Python) with one subclass per variant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum GarminError {
    /// Garmin refused the email/password combination.
    #[error("invalid credentials: Garmin refused the email or password")]
    InvalidCredentials,
    /// The account needs an MFA code and this call could not ask for one.
    #[error("MFA required")]
    MfaRequired,
    /// The MFA code was wrong; the challenge is still open: submit another code.
    #[error("MFA code rejected; try another code")]
    MfaCodeRejected,
    /// The MFA challenge can no longer be used; sign in again.
    #[error("MFA challenge ended: {reason}")]
    MfaChallengeEnded { reason: String },
    /// HTTP 429 or a Cloudflare rate-limit page.
    #[error("rate limited by Garmin{}", retry_after_seconds.map(|s| format!(" (retry after {s} s)")).unwrap_or_default())]
    RateLimited { retry_after_seconds: Option<u64> },
    /// A bot challenge (Cloudflare page, CAPTCHA).
    #[error("blocked by a bot challenge: {reason}")]
    Blocked { reason: String },
    /// The account is locked.
    #[error("account locked")]
    AccountLocked,
    /// Garmin will not sign this account in (e.g. a child account).
    #[error("account cannot sign in: {reason}")]
    AccountUnusable { reason: String },
    /// A page, document or status did not match what the step expects (including refused redirects
    /// and oversized answers). `status` is set when an HTTP status was the problem.
    #[error("unexpected response at {step}: {detail}")]
    UnexpectedResponse {
        step: String,
        detail: String,
        status: Option<u16>,
    },
    /// No service ticket was found where one was expected (e.g. the web-view URL).
    #[error("no service ticket found in {location}")]
    TicketNotFound { location: String },
    /// The network failed (connect, TLS, I/O) before any HTTP response.
    #[error("network error: {message}")]
    Network { message: String },
    /// A request took longer than its timeout.
    #[error("timed out: {message}")]
    Timeout { message: String },
    /// The app's own transport failed without classifying the failure, or threw an exception that
    /// was not a `TransportFailure`.
    #[error("transport failure: {message}")]
    Transport { message: String },
    /// The stored tokens can no longer be refreshed; the user has to sign in again.
    #[error("sign-in needed: {reason}")]
    SignInNeeded { reason: String },
    /// The same activity was uploaded before (HTTP 409); `response` is Garmin's JSON naming it.
    #[error("duplicate activity")]
    DuplicateActivity { response: String },
    /// Every strategy of the sign-in chain failed; each entry says why.
    #[error("all sign-in strategies failed: {}", failures.iter().map(|f| format!("{:?}: {}", f.strategy, f.message)).collect::<Vec<_>>().join("; "))]
    AllStrategiesFailed { failures: Vec<StrategyFailure> },
    /// The configuration was refused.
    #[error("invalid configuration: {message}")]
    InvalidConfig { message: String },
    /// An argument was refused (bad JSON, empty value, bad method, …).
    #[error("invalid input: {message}")]
    InvalidInput { message: String },
    /// Reading or writing token storage failed (including whatever the app's `TokenStore` threw).
    #[error("token storage: {message}")]
    Storage { message: String },
    /// A failure this version of the bindings does not classify.
    #[error("{message}")]
    Other { message: String },
}

/// The one mapping from the core's errors. Messages come from the core's `Display`, which never
/// includes secrets.
impl From<core::Error> for GarminError {
    fn from(e: core::Error) -> Self {
        use core::Error as E;
        match e {
            E::InvalidCredentials => GarminError::InvalidCredentials,
            E::MfaRequired => GarminError::MfaRequired,
            E::MfaCodeRejected => GarminError::MfaCodeRejected,
            E::MfaChallengeEnded { reason } => GarminError::MfaChallengeEnded { reason },
            E::RateLimited { retry_after } => GarminError::RateLimited {
                retry_after_seconds: retry_after.map(|d| d.as_secs()),
            },
            E::Blocked { reason } => GarminError::Blocked { reason },
            E::AccountLocked => GarminError::AccountLocked,
            E::AccountUnusable { reason } => GarminError::AccountUnusable { reason },
            E::UnexpectedResponse { step, detail } => GarminError::UnexpectedResponse {
                step: step.into(),
                detail,
                status: None,
            },
            E::HttpStatus { step, status } => GarminError::UnexpectedResponse {
                step: step.into(),
                detail: format!("HTTP {status}"),
                status: Some(status),
            },
            e @ (E::ForeignRedirect { .. } | E::TooManyRedirects { .. }) => {
                GarminError::UnexpectedResponse {
                    step: "redirect".into(),
                    detail: e.to_string(),
                    status: None,
                }
            }
            e @ E::ResponseTooLarge { .. } => GarminError::UnexpectedResponse {
                step: "response".into(),
                detail: e.to_string(),
                status: None,
            },
            E::TicketNotFound(location) => GarminError::TicketNotFound {
                location: location.into(),
            },
            E::Timeout(message) => GarminError::Timeout { message },
            E::Network(t) => match t.kind {
                core::TransportErrorKind::Timeout => GarminError::Timeout { message: t.message },
                core::TransportErrorKind::Other => GarminError::Transport { message: t.message },
                _ => GarminError::Network {
                    message: t.to_string(),
                },
            },
            E::SignInNeeded { reason } => GarminError::SignInNeeded { reason },
            E::DuplicateActivity { response } => GarminError::DuplicateActivity { response },
            // A throttled IP rate-limits every strategy at once; the app must see a rate limit.
            e @ E::AllStrategiesFailed(_) if e.is_rate_limited() => GarminError::RateLimited {
                retry_after_seconds: e.retry_after().map(|d| d.as_secs()),
            },
            E::AllStrategiesFailed(list) => GarminError::AllStrategiesFailed {
                failures: list
                    .into_iter()
                    .map(|(s, e)| StrategyFailure {
                        strategy: s.into(),
                        message: e.to_string(),
                    })
                    .collect(),
            },
            E::InvalidConfig(message) => GarminError::InvalidConfig { message },
            E::InvalidInput(message) => GarminError::InvalidInput { message },
            E::Storage(message) => GarminError::Storage { message },
            other => GarminError::Other {
                message: other.to_string(),
            },
        }
    }
}

/// What an app callback (refresh listener, clock, token store, credentials provider) throws when it
/// is not a `GarminError`. Each adapter gives it its meaning (the token store's become `Storage`);
/// the foreign message is cleaned like a transport's (see `garmin_sso_core::transport::scrub_message`).
impl From<uniffi::UnexpectedUniFFICallbackError> for GarminError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        GarminError::Other {
            message: format!(
                "the app's callback threw: {}",
                core::transport::scrub_message(&e.reason)
            ),
        }
    }
}

pub(crate) type Result<T, E = GarminError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn core_errors_map_to_the_documented_variants() {
        assert_eq!(
            GarminError::from(core::Error::InvalidCredentials),
            GarminError::InvalidCredentials
        );
        assert_eq!(
            GarminError::from(core::Error::RateLimited {
                retry_after: Some(Duration::from_secs(42))
            }),
            GarminError::RateLimited {
                retry_after_seconds: Some(42)
            }
        );
        assert_eq!(
            GarminError::from(core::Error::HttpStatus {
                step: "profile",
                status: 500
            }),
            GarminError::UnexpectedResponse {
                step: "profile".into(),
                detail: "HTTP 500".into(),
                status: Some(500)
            }
        );
        let other = core::TransportError::new(core::TransportErrorKind::Other, "boom");
        assert_eq!(
            GarminError::from(core::Error::Network(other)),
            GarminError::Transport {
                message: "boom".into()
            }
        );
        let connect = core::TransportError::new(core::TransportErrorKind::Connect, "refused");
        assert!(matches!(
            GarminError::from(core::Error::Network(connect)),
            GarminError::Network { .. }
        ));
        let timeout = core::TransportError::new(core::TransportErrorKind::Timeout, "slow");
        assert_eq!(
            GarminError::from(core::Error::from(timeout)),
            GarminError::Timeout {
                message: "slow".into()
            }
        );
        let all = core::Error::AllStrategiesFailed(vec![
            (
                core::Strategy::Mobile,
                core::Error::Blocked {
                    reason: "cf".into(),
                },
            ),
            (
                core::Strategy::Widget,
                core::Error::RateLimited { retry_after: None },
            ),
        ]);
        match GarminError::from(all) {
            GarminError::AllStrategiesFailed { failures } => {
                assert_eq!(failures.len(), 2);
                assert_eq!(failures[0].strategy, SignInStrategy::Mobile);
                assert!(
                    failures[1].message.contains("rate limited"),
                    "{}",
                    failures[1].message
                );
            }
            e => panic!("wrong mapping: {e:?}"),
        }
    }
}
