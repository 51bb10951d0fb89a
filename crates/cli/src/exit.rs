//! The one place where failures become exit codes and messages.
//!
//! Exit codes (the CLI's contract): 0 ok; 3 invalid credentials; 4 MFA code rejected; 5 rate limited
//! or blocked; 6 duplicate upload; 1 anything else. Messages come from the core's typed errors,
//! which never carry secrets, or from this crate's own words.

use garmin_sso_core::Error;
use std::fmt;
use std::process::ExitCode;

pub const INVALID_CREDENTIALS: u8 = 3;
pub const MFA_REJECTED: u8 = 4;
pub const RATE_LIMITED_OR_BLOCKED: u8 = 5;
pub const DUPLICATE_UPLOAD: u8 = 6;
pub const OTHER: u8 = 1;

/// A failed command: what to print and which code to exit with.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// A failure that is not one of the core's errors (bad arguments, unreadable files).
    pub fn other(message: impl Into<String>) -> Self {
        Failure {
            code: OTHER,
            message: message.into(),
        }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = code_of(&e);
        let hint = match &e {
            Error::MfaRequired => "; pass --mfa-code or give the code on the next stdin line",
            Error::SignInNeeded { .. } => "; run `garmin-sso login` again",
            Error::RateLimited { .. } | Error::Blocked { .. } => {
                "; try later, from another network, or sign in in a browser (`garmin-sso browser-url`)"
            }
            _ => "",
        };
        Failure {
            code,
            message: format!("{e}{hint}"),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::other(format!("I/O error: {e}"))
    }
}

fn code_of(e: &Error) -> u8 {
    match e {
        Error::InvalidCredentials => INVALID_CREDENTIALS,
        Error::MfaCodeRejected | Error::MfaChallengeEnded { .. } => MFA_REJECTED,
        Error::RateLimited { .. } | Error::Blocked { .. } => RATE_LIMITED_OR_BLOCKED,
        Error::DuplicateActivity { .. } => DUPLICATE_UPLOAD,
        // A chain that only met rate limits and bot walls was rate limited or blocked, even though
        // each strategy failed separately; anything else among the failures makes it a plain failure.
        Error::AllStrategiesFailed(list)
            if !list.is_empty()
                && list
                    .iter()
                    .all(|(_, e)| code_of(e) == RATE_LIMITED_OR_BLOCKED) =>
        {
            RATE_LIMITED_OR_BLOCKED
        }
        _ => OTHER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use garmin_sso_core::Strategy;

    #[test]
    fn codes_follow_the_contract() {
        assert_eq!(Failure::from(Error::InvalidCredentials).code, 3);
        assert_eq!(Failure::from(Error::MfaCodeRejected).code, 4);
        assert_eq!(
            Failure::from(Error::RateLimited { retry_after: None }).code,
            5
        );
        assert_eq!(
            Failure::from(Error::Blocked {
                reason: "Just a moment...".into()
            })
            .code,
            5
        );
        assert_eq!(
            Failure::from(Error::DuplicateActivity {
                response: "{}".into()
            })
            .code,
            6
        );
        assert_eq!(Failure::from(Error::AccountLocked).code, 1);
        assert_eq!(Failure::from(Error::MfaRequired).code, 1);
    }

    #[test]
    fn a_chain_of_rate_limits_is_rate_limited_but_a_mixed_chain_is_not() {
        let all = Error::AllStrategiesFailed(vec![
            (Strategy::Mobile, Error::RateLimited { retry_after: None }),
            (
                Strategy::Widget,
                Error::Blocked {
                    reason: "403".into(),
                },
            ),
        ]);
        assert_eq!(Failure::from(all).code, 5);
        let mixed = Error::AllStrategiesFailed(vec![
            (Strategy::Mobile, Error::RateLimited { retry_after: None }),
            (
                Strategy::Widget,
                Error::HttpStatus {
                    step: "signin page",
                    status: 500,
                },
            ),
        ]);
        assert_eq!(Failure::from(mixed).code, 1);
    }
}
