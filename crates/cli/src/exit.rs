//! The one place where failures become exit codes and messages: a table over the core's
//! [`ErrorKind`], so a script can tell "wait" from "check your password" from "sign in again"
//! without parsing text. Messages come from the core's typed errors, which never carry secrets, or
//! from this crate's own words.

use garmin_sso_core::{Error, ErrorKind};
use std::fmt;
use std::process::ExitCode;

/// Anything the table does not name (an unexpected answer, a bug, a failure of this program's own).
pub const OTHER: u8 = 1;

/// The exit code of each kind. Codes are the CLI's contract: they never change meaning.
pub fn code_of(kind: ErrorKind) -> Option<u8> {
    use ErrorKind as K;
    Some(match kind {
        K::InvalidInput => 2,
        K::InvalidCredentials => 3,
        K::MfaCodeRejected | K::MfaChallengeEnded => 4,
        K::RateLimited | K::Blocked => 5,
        K::DuplicateActivity => 6,
        K::SignInNeeded => 7,
        K::MfaRequired => 8,
        K::Network | K::Timeout => 9,
        K::AccountUnusable => 10,
        K::Storage => 11,
        K::AuthorizationDeclined => 12,
        K::UnexpectedResponse | K::Internal => OTHER,
        _ => return None,
    })
}

/// `--help`'s summary of [`code_of`].
pub const HELP: &str = "Exit codes: 0 ok; 1 unexpected answer or other failure; 2 invalid input; \
3 invalid credentials; 4 MFA code rejected or challenge ended; 5 rate limited or blocked \
(wait, or sign in with a browser); 6 duplicate upload; 7 sign-in needed (run login again); \
8 MFA code needed; 9 network or timeout; 10 account cannot sign in; 11 token storage failed; 12 partner authorization declined.\n\
Logs: RUST_LOG=info (stderr; never secrets).\nTry it offline: garmin-sso demo";

/// A failed command: what to print and which code to exit with.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
    /// The core's kind, when the failure is one (`None`: this program's own, exit 1).
    pub kind: Option<ErrorKind>,
    /// Seconds Garmin asked to wait, when it said.
    pub retry_after: Option<u64>,
    /// Garmin's JSON answer, for failures that carry one worth a script's reading (a duplicate
    /// upload names the activity Garmin already has). Never a secret: Garmin's API answers.
    pub garmin_response: Option<serde_json::Value>,
    /// The command already printed its own `--json` object for this outcome (`doctor`'s report):
    /// no error object follows it.
    pub reported: bool,
}

impl Failure {
    /// A failure that is not one of the core's errors (bad arguments, unreadable files).
    pub fn other(message: impl Into<String>) -> Self {
        Failure {
            code: OTHER,
            message: message.into(),
            kind: None,
            retry_after: None,
            garmin_response: None,
            reported: false,
        }
    }

    /// A failure in this program's words that means `kind` (its exit code, its name under --json).
    pub fn of_kind(kind: ErrorKind, message: impl Into<String>) -> Self {
        Failure {
            code: code_of(kind).unwrap_or(OTHER),
            kind: Some(kind),
            ..Failure::other(message)
        }
    }

    /// The `--json` error object (docs/cli.md): kind, exit code and message; never a secret, since
    /// the message is the same one printed without --json.
    pub fn to_json(&self) -> serde_json::Value {
        let mut error = serde_json::json!({
            "kind": self.kind.map_or("other", ErrorKind::name),
            "exit_code": self.code,
            "message": self.message,
            "retry_after_secs": self.retry_after,
        });
        if let Some(r) = &self.garmin_response {
            error["garmin_response"] = r.clone();
        }
        serde_json::json!({ "ok": false, "error": error })
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
        let kind = e.kind();
        let hint = match kind {
            ErrorKind::MfaRequired => "; pass --mfa-code or give the code on the next stdin line",
            ErrorKind::SignInNeeded => "; run `garmin-sso login` again",
            ErrorKind::RateLimited => {
                "; wait, try `--mobile-app ios` or another --flow, or sign in in a browser (`garmin-sso browser-url`)"
            }
            ErrorKind::Blocked => {
                "; sign in in a browser (`garmin-sso browser-url`), or try later from another network"
            }
            _ => "",
        };
        Failure {
            retry_after: e.retry_after().map(|d| d.as_secs()),
            ..Failure::of_kind(kind, format!("{e}{hint}"))
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::other(format!("I/O error: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn every_kind_has_an_exit_code_and_the_old_codes_keep_their_meaning() {
        for &kind in ErrorKind::ALL {
            let code = code_of(kind).unwrap_or_else(|| panic!("{kind} has no exit code"));
            assert!(
                HELP.contains(&format!("{code} ")),
                "{kind}: {code} is not in --help"
            );
        }
        let by_code: BTreeMap<u8, Vec<ErrorKind>> =
            ErrorKind::ALL.iter().fold(BTreeMap::new(), |mut m, &k| {
                m.entry(code_of(k).unwrap_or(OTHER)).or_default().push(k);
                m
            });
        // Codes are shared only by kinds a script handles the same way.
        assert_eq!(
            by_code[&5],
            [ErrorKind::RateLimited, ErrorKind::Blocked],
            "{by_code:?}"
        );
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
        assert_eq!(Failure::from(Error::AccountLocked).code, 10);
        assert_eq!(Failure::from(Error::MfaRequired).code, 8);
    }
}
