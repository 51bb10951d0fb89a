//! Partner OAuth2 with PKCE (docs/partner.md): one authorization request in flight, finished with
//! the redirect Garmin sent the browser to.

use crate::error::Result;
use crate::session::Session;
use garmin_sso_core as core;
use std::sync::Arc;

/// A partner sign-in waiting for the person: open `url()` in their browser, then pass the URL
/// Garmin redirected to (`redirect_uri()?code=…&state=…`) to `finish`. Start a new one per attempt.
#[derive(Debug, uniffi::Object)]
pub struct PartnerAuthorization(core::PartnerAuthorization);

impl PartnerAuthorization {
    pub(crate) fn new(auth: core::PartnerAuthorization) -> Arc<Self> {
        Arc::new(PartnerAuthorization(auth))
    }
}

#[uniffi::export]
impl PartnerAuthorization {
    /// Garmin's consent page for this request. It carries the request's `state`: open it, do not
    /// log it.
    pub fn url(&self) -> String {
        self.0.url().to_owned()
    }

    /// Where Garmin will send the browser back; watch for it.
    pub fn redirect_uri(&self) -> String {
        self.0.redirect_uri().to_owned()
    }

    /// Checks the callback's `state` and exchanges its code. `AuthorizationDeclined` when the person
    /// said no; `InvalidInput` for a callback of another request.
    pub fn finish(&self, callback_url: String) -> Result<Arc<Session>> {
        Ok(Session::from_core(
            self.0.finish_for_session(&callback_url)?,
        ))
    }
}
