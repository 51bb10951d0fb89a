//! The exported client: sign-in (with MFA as a returned challenge), web-view sign-in, session
//! restore, and resume-or-sign-in over the app's token store. Each method is one core call.

use crate::clock::{ForeignClock, GarminClock};
use crate::config::GarminConfig;
use crate::error::Result;
use crate::mfa::PendingMfa;
use crate::partner::PartnerAuthorization;
use crate::resume::{self, CredentialsProvider, DatabaseStore, TokenStore, TokenStoreLock};
use crate::session::Session;
use crate::transport::{ForeignTransport, HttpTransport};
use garmin_sso_core::{self as core, Flow, Password};
use std::sync::Arc;

/// What a sign-in ends in: a session, or a challenge waiting for the MFA code.
#[derive(Debug, uniffi::Enum)]
pub enum LoginResult {
    /// Signed in.
    SignedIn { session: Arc<Session> },
    /// Garmin asked for a verification code: call `challenge.submit(code)`.
    MfaRequired { challenge: Arc<PendingMfa> },
}

/// A configured Garmin client. Thread-safe; every sign-in keeps its own cookies.
#[derive(Debug, uniffi::Object)]
pub struct GarminClient {
    pub(crate) client: core::Client,
}

#[uniffi::export]
impl GarminClient {
    /// A client for `config`. With `transport` every request goes through the app's HTTP stack;
    /// without, through the library's own (rustls). With `clock` token expiry is judged by the app's
    /// time; without, by the system clock.
    #[uniffi::constructor(default(transport = None, clock = None))]
    pub fn new(
        config: GarminConfig,
        transport: Option<Arc<dyn HttpTransport>>,
        clock: Option<Arc<dyn GarminClock>>,
    ) -> Result<Arc<Self>> {
        let mut config = config.to_core()?;
        if let Some(clock) = clock {
            config.clock = Arc::new(ForeignClock(clock));
        }
        let client = match transport {
            Some(t) => core::Client::with_transport(config, Arc::new(ForeignTransport(t)))?,
            None => core::Client::new(config)?,
        };
        Ok(Arc::new(GarminClient { client }))
    }

    /// Signs in trying the configured flows in order.
    pub fn login(&self, email: String, password: String) -> Result<LoginResult> {
        let outcome = self.client.login(&email, &Password::new(password))?;
        Ok(self.result(outcome))
    }

    /// Signs in with one flow only.
    pub fn login_with(&self, flow: Flow, email: String, password: String) -> Result<LoginResult> {
        let outcome = self
            .client
            .login_with(flow, &email, &Password::new(password))?;
        Ok(self.result(outcome))
    }

    /// The URL to open in a browser or web view for a web-view sign-in, as the configured mobile app.
    pub fn browser_sign_in_url(&self) -> String {
        self.client.browser_sign_in_url()
    }

    /// Where the web view lands when the sign-in is done (`<this>?ticket=ST-…`): watch its
    /// navigations for this address and pass the URL to `exchange_webview`.
    pub fn webview_service_url(&self) -> String {
        self.client.config().webview_service_url().to_owned()
    }

    /// Finishes a web-view sign-in: `url_or_body` is the URL the web view navigated to
    /// (`…?ticket=ST-…`) or the page body carrying it. `InvalidInput` when it holds no ticket.
    pub fn exchange_webview(&self, url_or_body: String) -> Result<Arc<Session>> {
        let tokens = self.client.exchange_webview(&url_or_body)?;
        Ok(self.session(tokens))
    }

    /// The session an app starts with: the one kept in `store` (refreshed first when it expires
    /// within the margin), or, when nothing usable is stored or it cannot be refreshed any more, a
    /// new sign-in with what `provider` supplies (MFA included), saved to `store` once it worked.
    /// Every later refresh of the returned session is saved to `store` too.
    pub fn resume_or_sign_in(
        &self,
        store: Arc<dyn TokenStore>,
        provider: Arc<dyn CredentialsProvider>,
    ) -> Result<Arc<Session>> {
        resume::resume_or_sign_in(&self.client, &resume::foreign_store(store, None), provider)
    }

    /// `resume_or_sign_in` for tokens shared beyond this session (other processes or machines, a
    /// second client over the same storage): every refresh takes `lock` first, re-reads `store`
    /// and adopts what another holder saved, so a rotated refresh token is used once.
    pub fn resume_or_sign_in_with_lock(
        &self,
        store: Arc<dyn TokenStore>,
        lock: Arc<dyn TokenStoreLock>,
        provider: Arc<dyn CredentialsProvider>,
    ) -> Result<Arc<Session>> {
        resume::resume_or_sign_in(
            &self.client,
            &resume::foreign_store(store, Some(lock)),
            provider,
        )
    }

    /// `resume_or_sign_in` over a row of a database the library keeps itself (its lock built in).
    pub fn resume_or_sign_in_from_database(
        &self,
        store: Arc<DatabaseStore>,
        provider: Arc<dyn CredentialsProvider>,
    ) -> Result<Arc<Session>> {
        resume::resume_or_sign_in(&self.client, &*store.inner.store, provider)
    }

    /// Starts a partner sign-in for `GarminConfig.partner` (OAuth2 with PKCE): open the result's
    /// `url()` in the person's browser. Nothing is sent yet.
    pub fn partner_authorization(&self) -> Result<Arc<PartnerAuthorization>> {
        Ok(PartnerAuthorization::new(
            self.client.partner_authorization()?,
        ))
    }

    /// A session from JSON saved earlier with `Session.tokens_json()`.
    pub fn restore_session(&self, tokens_json: String) -> Result<Arc<Session>> {
        Ok(self.session(core::Tokens::from_json(&tokens_json)?))
    }
}

impl GarminClient {
    fn session(&self, tokens: core::Tokens) -> Arc<Session> {
        Session::from_core(core::Session::new(self.client.clone(), tokens))
    }

    fn result(&self, outcome: core::LoginOutcome) -> LoginResult {
        match outcome {
            core::LoginOutcome::Complete(tokens) => LoginResult::SignedIn {
                session: self.session(tokens),
            },
            core::LoginOutcome::MfaRequired(pending) => LoginResult::MfaRequired {
                challenge: PendingMfa::from_core(pending),
            },
        }
    }
}
