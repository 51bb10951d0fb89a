//! The MFA challenge a sign-in returns; submitting the code yields the session (the core's
//! `PendingMfa::submit_for_session`, on the client the sign-in ran on).

use crate::error::Result;
use crate::session::Session;
use garmin_sso_core::{self as core, Flow, MfaMethod};
use std::sync::Arc;

/// How Garmin delivers the code (the core's `MfaMethod`).
#[uniffi::remote(Enum)]
pub enum MfaMethod {
    /// By email.
    Email,
    /// By text message.
    Sms,
    /// From an authenticator app.
    Totp,
    /// A method this library does not know, as Garmin named it.
    Other(String),
}

/// A sign-in waiting for its verification code. May be submitted minutes later and from any thread;
/// a wrong code (`GarminError.MfaCodeRejected`) leaves it open for another try.
#[derive(Debug, uniffi::Object)]
pub struct PendingMfa {
    pending: core::PendingMfa,
}

impl PendingMfa {
    pub(crate) fn from_core(pending: core::PendingMfa) -> Arc<Self> {
        Arc::new(PendingMfa { pending })
    }
}

#[uniffi::export]
impl PendingMfa {
    /// How the code is delivered.
    pub fn method(&self) -> MfaMethod {
        self.pending.method().clone()
    }

    /// Where Garmin says it sent the code (masked), when it says.
    pub fn code_sent_to(&self) -> Option<String> {
        self.pending.code_sent_to().map(str::to_owned)
    }

    /// The sign-in flow that asked for the code.
    pub fn flow(&self) -> Flow {
        self.pending.flow()
    }

    /// Submits the code; on success the sign-in is complete. `MfaCodeRejected`: ask for another
    /// code and submit again; `MfaChallengeEnded`: sign in again.
    pub fn submit(&self, code: String) -> Result<Arc<Session>> {
        Ok(Session::from_core(self.pending.submit_for_session(&code)?))
    }
}
