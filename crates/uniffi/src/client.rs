//! The exported client: sign-in (with MFA as a returned challenge), web-view ticket exchange and
//! session restore.

use crate::config::GarminConfig;
use crate::error::{Result, SignInStrategy};
use crate::mfa::PendingMfa;
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
    /// without, through the library's own (rustls).
    #[uniffi::constructor(default(transport = None))]
    pub fn new(
        config: GarminConfig,
        transport: Option<Arc<dyn HttpTransport>>,
    ) -> Result<Arc<Self>> {
        let config = config.to_core()?;
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
