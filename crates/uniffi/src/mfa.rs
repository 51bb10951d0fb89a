//! The MFA challenge object a sign-in returns; submitting the code yields the session.

use crate::error::{Result, SignInStrategy};
use crate::session::Session;
use garmin_sso_core as core;
use std::sync::Arc;

/// How Garmin delivers the code.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum MfaDelivery {
    /// By email.
    Email,
    /// By text message.
    Sms,
    /// From an authenticator app.
    Totp,
    /// A method this library does not know, as Garmin named it.
    Other { name: String },
}

/// A sign-in waiting for its verification code. May be submitted minutes later and from any thread;
/// a wrong code (`GarminError.MfaCodeRejected`) leaves it open for another try.
#[derive(Debug, uniffi::Object)]
pub struct PendingMfa {
    client: core::Client,
    pending: core::PendingMfa,
}

impl PendingMfa {
    pub(crate) fn new(client: core::Client, pending: core::PendingMfa) -> Self {
        PendingMfa { client, pending }
    }
}

#[uniffi::export]
impl PendingMfa {
    /// How the code is delivered.
    pub fn delivery(&self) -> MfaDelivery {
        delivery_of(&self.pending)
    }

    /// Where Garmin says it sent the code (masked), when it says.
    pub fn code_sent_to(&self) -> Option<String> {
        self.pending.code_sent_to().map(str::to_owned)
    }

    /// The strategy that asked for the code.
    pub fn strategy(&self) -> SignInStrategy {
        self.pending.strategy().into()
    }

    /// Submits the code; on success the sign-in is complete.
    pub fn submit(&self, code: String) -> Result<Arc<Session>> {
        let tokens = self.pending.submit(&code)?;
        Ok(Session::new(&self.client, tokens))
    }
}

pub(crate) fn delivery_of(pending: &core::PendingMfa) -> MfaDelivery {
    match pending.method() {
        core::MfaMethod::Email => MfaDelivery::Email,
        core::MfaMethod::Sms => MfaDelivery::Sms,
        core::MfaMethod::Totp => MfaDelivery::Totp,
        core::MfaMethod::Other(name) => MfaDelivery::Other { name: name.clone() },
    }
}
