//! Partner sign-in in two steps, like MFA: [`Client::partner_authorization`] gives a
//! [`PartnerAuthorization`] whose URL the person opens; [`PartnerAuthorization::finish`] takes the
//! redirect Garmin sent the browser to — later, from any thread. The handle keeps the client it was
//! started on, so every front end finishes with it alone.

use super::Client;
use crate::error::Result;
use crate::exchange::partner::PartnerRequest;
use crate::tokens::Tokens;
use std::fmt;

/// One partner authorization in flight (docs/partner.md): the consent page's URL, the PKCE
/// verifier and `state` the redirect is checked against, and the client to finish it on. Start
/// one per attempt; Garmin's code works once.
pub struct PartnerAuthorization {
    client: Client,
    request: PartnerRequest,
}

impl fmt::Debug for PartnerAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The request's own Debug leaves out the URL (it carries the state) and the verifier.
        self.request.fmt(f)
    }
}

impl PartnerAuthorization {
    pub(crate) fn new(client: Client, request: PartnerRequest) -> Self {
        PartnerAuthorization { client, request }
    }

    /// The address to open in the person's browser (Garmin's consent page). It carries the
    /// `state`: open it, do not log it.
    pub fn url(&self) -> &str {
        self.request.url()
    }

    /// Where Garmin will send the browser back, as configured.
    pub fn redirect_uri(&self) -> &str {
        self.request.redirect_uri()
    }

    /// The client this authorization runs on; a session made from its tokens sends through it.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Finishes it with `callback`, the URL Garmin redirected the browser to (or its query):
    /// checks the `state` ([`crate::Error::AuthorizationStateMismatch`], nothing sent; the request
    /// stays open for the right callback), reports `error=` as
    /// [`crate::Error::AuthorizationDeclined`], then exchanges the code with the verifier and the
    /// app's secret for [`Tokens::Partner`].
    pub fn finish(&self, callback: &str) -> Result<Tokens> {
        self.client
            .exchanger()
            .partner_finish(&self.request, callback)
    }
}
