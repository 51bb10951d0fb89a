//! The entry point: a configured client that signs in, exchanges tickets and refreshes tokens.

use crate::config::{Config, Consumer, TokenPreference};
use crate::error::{Error, Result, Strategy};
use crate::exchange;
use crate::flows::{self, FlowOutcome, Ticket};
use crate::http::Http;
use crate::mfa::PendingMfa;
use crate::secret::Secret;
use crate::tokens::Tokens;
use crate::transport::Transport;
use std::fmt;
use std::sync::{Arc, Mutex};

/// What a sign-in ends in.
// Returned once per sign-in; boxing the tokens would only add noise for callers.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum LoginOutcome {
    /// Signed in.
    Complete(Tokens),
    /// Garmin wants a code; call [`PendingMfa::submit`].
    MfaRequired(PendingMfa),
}

pub(crate) struct Inner {
    pub(crate) config: Arc<Config>,
    pub(crate) http: Http,
    /// The fetched consumer, cached after the first success.
    pub(crate) consumer: Mutex<Option<Consumer>>,
    /// The DI client id diauth last accepted; tried first next time.
    pub(crate) di_client_id: Mutex<Option<String>>,
}

/// A Garmin client: configuration plus transport. Cheap to clone, `Send + Sync`; every sign-in keeps
/// its own cookie jar, so concurrent sign-ins never mix.
#[derive(Clone)]
pub struct Client(pub(crate) Arc<Inner>);

impl Client {
    /// A client with the default transport (ureq + rustls).
    #[cfg(feature = "ureq-transport")]
    pub fn new(config: Config) -> Result<Client> {
        Client::with_transport(config, Arc::new(crate::transport::UreqTransport::new()))
    }

    /// A client that sends every request through `transport` (the host app's HTTP stack).
    pub fn with_transport(config: Config, transport: Arc<dyn Transport>) -> Result<Client> {
        config.validate()?;
        let config = Arc::new(config);
        let consumer = Mutex::new(config.consumer.clone());
        Ok(Client(Arc::new(Inner {
            http: Http::new(transport, config.clone()),
            config,
            consumer,
            di_client_id: Mutex::new(None),
        })))
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub(crate) fn http(&self) -> &Http {
        &self.0.http
    }

    /// Signs in trying the configured strategies in order (default: mobile, widget, portal).
    ///
    /// Wrong credentials, a locked account and MFA stop the chain at once; rate limits, bot challenges,
    /// odd pages and transport errors fall through to the next strategy. When all fail the error is
    /// [`Error::AllStrategiesFailed`] listing each strategy and why (a single strategy's error is
    /// returned as is).
    pub fn login(&self, email: &str, password: &Secret) -> Result<LoginOutcome> {
        let strategies = self.0.config.strategies.clone();
        self.login_chain(&strategies, email, password)
    }

    /// Signs in with the given strategies in order (see [`Client::login`]).
    ///
    /// Only reaching a ticket falls through: once a strategy has a ticket, its exchange runs once and
    /// its error is final — retrying with the next strategy would POST the password again.
    pub fn login_chain(
        &self,
        strategies: &[Strategy],
        email: &str,
        password: &Secret,
    ) -> Result<LoginOutcome> {
        if strategies.is_empty() {
            return Err(Error::InvalidInput("no sign-in strategy given".into()));
        }
        check_credentials(email, password)?;
        let mut failures = Vec::new();
        for &s in strategies {
            match self.reach_ticket(s, email, password) {
                Ok(outcome) => return self.finish(outcome),
                Err(e) if e.falls_through() => {
                    log::info!("sign-in strategy {s} failed ({e}); trying the next one");
                    failures.push((s, e));
                }
                Err(e) => return Err(e),
            }
        }
        if failures.len() == 1 {
            return Err(failures.pop().expect("one failure").1);
        }
        Err(Error::AllStrategiesFailed(failures))
    }

    /// Signs in with one strategy.
    pub fn login_with(
        &self,
        strategy: Strategy,
        email: &str,
        password: &Secret,
    ) -> Result<LoginOutcome> {
        check_credentials(email, password)?;
        let outcome = self.reach_ticket(strategy, email, password)?;
        self.finish(outcome)
    }

    fn reach_ticket(
        &self,
        strategy: Strategy,
        email: &str,
        password: &Secret,
    ) -> Result<FlowOutcome> {
        match strategy {
            Strategy::Widget => flows::widget::sign_in(self, email, password),
            Strategy::Mobile => {
                flows::json::sign_in(self, flows::json::Api::Mobile, email, password)
            }
            Strategy::Portal => {
                flows::json::sign_in(self, flows::json::Api::Portal, email, password)
            }
        }
    }

    fn finish(&self, outcome: FlowOutcome) -> Result<LoginOutcome> {
        match outcome {
            FlowOutcome::Ticket(t) => Ok(LoginOutcome::Complete(self.exchange_ticket(&t)?)),
            FlowOutcome::Mfa(c) => Ok(LoginOutcome::MfaRequired(PendingMfa::new(self.clone(), c))),
        }
    }

    /// Exchanges a service ticket for tokens per the configured [`TokenPreference`].
    pub fn exchange_ticket(&self, ticket: &Ticket) -> Result<Tokens> {
        self.exchange_ticket_as(ticket, self.0.config.tokens)
    }

    /// Exchanges a service ticket for tokens of the given family. `Auto` tries DI first and falls back
    /// to the legacy exchange when DI refuses every client id.
    pub fn exchange_ticket_as(&self, ticket: &Ticket, family: TokenPreference) -> Result<Tokens> {
        if !ticket.value.expose().starts_with("ST-") {
            return Err(Error::InvalidInput(
                "a service ticket starts with ST-".into(),
            ));
        }
        match family {
            TokenPreference::OAuth1 => exchange::legacy::exchange(self, ticket),
            TokenPreference::Di => Ok(Tokens::Di {
                di: exchange::di::exchange(self, ticket)?,
            }),
            TokenPreference::Auto => match exchange::di::exchange(self, ticket) {
                Ok(di) => Ok(Tokens::Di { di }),
                Err(e) if e.falls_through() || matches!(e, Error::InvalidCredentials) => {
                    // A ticket is single-use; Garmin's DI endpoint refuses before consuming it when
                    // the client id is unknown, so the legacy exchange can still use it.
                    log::info!("DI exchange failed ({e}); falling back to the legacy exchange");
                    exchange::legacy::exchange(self, ticket)
                }
                Err(e) => Err(e),
            },
        }
    }

    /// New tokens of the same family: the legacy exchange again, or the DI refresh grant.
    /// On failure the given tokens stay as they were (they are only read).
    pub fn refresh(&self, tokens: &Tokens) -> Result<Tokens> {
        match tokens {
            Tokens::Legacy { oauth1, .. } => {
                let oauth2 = exchange::legacy::refresh(self, oauth1)?;
                Ok(Tokens::Legacy {
                    oauth1: oauth1.clone(),
                    oauth2,
                })
            }
            Tokens::Di { di } => Ok(Tokens::Di {
                di: exchange::di::refresh(self, di)?,
            }),
        }
    }

    /// The sign-in URL to open in a browser or web view (PROTOCOL §7) for the mobile client preset.
    pub fn browser_sign_in_url(&self) -> String {
        flows::webview::sign_in_url(&self.0.config, &self.0.config.mobile_client)
    }

    /// Finishes a web-view sign-in: finds the ticket in the navigated URL or page body and exchanges it
    /// for tokens. The ticket is bound to the mobile preset's service URL.
    pub fn exchange_webview(&self, url_or_body: &str) -> Result<Tokens> {
        let value = flows::webview::extract_ticket(url_or_body)
            .ok_or(Error::TicketNotFound("the web-view URL or page"))?;
        self.exchange_ticket(&Ticket {
            value,
            service_url: self.0.config.mobile_client.service_url.clone(),
        })
    }

    /// Exchanges a DI access token for an IT token for `services.{d}` endpoints (PROTOCOL §5).
    pub fn it_token(&self, di: &crate::tokens::DiToken) -> Result<exchange::di::ItToken> {
        exchange::di::it_token(self, di)
    }
}

fn check_credentials(email: &str, password: &Secret) -> Result<()> {
    if email.trim().is_empty() {
        return Err(Error::InvalidInput("email is empty".into()));
    }
    if password.is_empty() {
        return Err(Error::InvalidInput("password is empty".into()));
    }
    Ok(())
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}
