//! The exported client: sign-in (with MFA as a returned challenge), web-view ticket exchange,
//! session restore, and resume-or-sign-in over the app's token store.

use crate::clock::{ForeignClock, GarminClock};
use crate::config::GarminConfig;
use crate::error::{Result, SignInStrategy};
use crate::mfa::PendingMfa;
use crate::resume::{self, CredentialsProvider, TokenStore};
use crate::session::Session;
use crate::transport::{ForeignTransport, HttpTransport};
use garmin_sso_core as core;
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
    client: core::Client,
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

    /// Signs in trying the configured strategies in order.
    pub fn login(&self, email: String, password: String) -> Result<LoginResult> {
        let password = core::Secret::new(password);
        Ok(self.outcome(self.client.login(&email, &password)?))
    }

    /// Signs in with one strategy only.
    pub fn login_with(
        &self,
        strategy: SignInStrategy,
        email: String,
        password: String,
    ) -> Result<LoginResult> {
        let password = core::Secret::new(password);
        Ok(self.outcome(self.client.login_with(strategy.into(), &email, &password)?))
    }

    /// The URL to open in a browser or web view for a web-view sign-in.
    pub fn browser_sign_in_url(&self) -> String {
        self.client.browser_sign_in_url()
    }

    /// Finishes a web-view sign-in: `url_or_body` is the URL the web view navigated to
    /// (`…?ticket=ST-…`) or the page body carrying it.
    pub fn exchange_webview(&self, url_or_body: String) -> Result<Arc<Session>> {
        let tokens = self.client.exchange_webview(&url_or_body)?;
        Ok(Session::new(&self.client, tokens))
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
        resume::resume_or_sign_in(&self.client, store, provider)
    }

    /// A session from JSON saved earlier with `Session.tokens_json()`.
    pub fn restore_session(&self, tokens_json: String) -> Result<Arc<Session>> {
        let tokens = core::Tokens::from_json(&tokens_json)?;
        Ok(Session::new(&self.client, tokens))
    }
}

impl GarminClient {
    fn outcome(&self, o: core::LoginOutcome) -> LoginResult {
        match o {
            core::LoginOutcome::Complete(tokens) => LoginResult::SignedIn {
                session: Session::new(&self.client, tokens),
            },
            core::LoginOutcome::MfaRequired(p) => LoginResult::MfaRequired {
                challenge: Arc::new(PendingMfa::new(self.client.clone(), p)),
            },
        }
    }
}
