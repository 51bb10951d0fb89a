//! The entry point: a configured client that runs the strategy chain (which flows, in which order,
//! what falls through), finishes MFA, and exchanges tickets through the layer below.

mod mfa;
mod partner;

pub use mfa::PendingMfa;
pub use partner::PartnerAuthorization;

use crate::config::{ClientPreset, Config, TokenPreference};
use crate::error::{Error, Result, StrategyFailure};
use crate::exchange::{Exchanger, ItToken};
use crate::flows::{self, FlowOutcome};
use crate::http::Http;
use crate::secret::Password;
use crate::strategy::Strategy;
use crate::ticket::Ticket;
use crate::tokens::{DiToken, Tokens};
use crate::transport::Transport;
use std::fmt;
use std::sync::Arc;

/// What a sign-in ends in.
// Returned once per sign-in; boxing the tokens would only add noise for callers.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum LoginOutcome {
    /// Signed in without an MFA step; the tokens are of the family [`Config::tokens`] asked for.
    Complete(Tokens),
    /// Garmin wants a code; call [`PendingMfa::submit`].
    MfaRequired(PendingMfa),
}

/// A Garmin client: configuration plus transport. Cheap to clone, `Send + Sync`; every sign-in
/// keeps its own cookie jar, so concurrent sign-ins never mix.
#[derive(Clone)]
pub struct Client(Arc<Exchanger>);

impl Client {
    /// A client with the default transport (ureq + rustls).
    #[cfg(feature = "ureq-transport")]
    pub fn new(config: Config) -> Result<Client> {
        Client::with_transport(config, Arc::new(crate::transport::UreqTransport::new()))
    }

    /// A client that sends every request through `transport` (the host app's HTTP stack).
    pub fn with_transport(config: Config, transport: Arc<dyn Transport>) -> Result<Client> {
        config.validate()?;
        let http = Http::new(transport, Arc::new(config));
        Ok(Client(Arc::new(Exchanger::new(http))))
    }

    /// The configuration the client was built with; it is fixed for the client's lifetime, so a
    /// change needs a new client.
    pub fn config(&self) -> &Config {
        self.0.config()
    }

    pub(crate) fn http(&self) -> &Http {
        self.0.http()
    }

    pub(crate) fn exchanger(&self) -> &Exchanger {
        &self.0
    }

    /// Signs in trying the configured strategies in order (default: mobile as iOS, mobile as
    /// Android, widget, portal; [`Config::strategies`]).
    ///
    /// Wrong credentials, a locked account and MFA stop the chain at once; rate limits, bot
    /// challenges, odd pages and transport errors fall through to the next strategy, so a 429 for
    /// one client id moves on to the next client id. When all fail the error is
    /// [`Error::AllStrategiesFailed`] listing each strategy and why (a single strategy's error is
    /// returned as is).
    pub fn login(&self, email: &str, password: &Password) -> Result<LoginOutcome> {
        let strategies = self.config().strategies.clone();
        self.login_strategies(&strategies, email, password)
    }

    /// Signs in with the given flows in order (see [`Client::login`]); `Flow::Mobile` presents
    /// [`Config::mobile_client`]. [`Client::login_strategies`] takes (flow, app) entries.
    pub fn login_chain(
        &self,
        flows: &[crate::strategy::Flow],
        email: &str,
        password: &Password,
    ) -> Result<LoginOutcome> {
        let strategies: Vec<Strategy> = flows.iter().copied().map(Strategy::from).collect();
        self.login_strategies(&strategies, email, password)
    }

    /// Signs in with the given strategies in order (see [`Client::login`]).
    ///
    /// Only reaching a ticket falls through: once a strategy has a ticket, its exchange runs once
    /// and its error is final — retrying with the next strategy would POST the password again.
    pub fn login_strategies(
        &self,
        strategies: &[Strategy],
        email: &str,
        password: &Password,
    ) -> Result<LoginOutcome> {
        if strategies.is_empty() {
            return Err(Error::InvalidInput("no sign-in strategy given".into()));
        }
        check_credentials(email, password)?;
        let mut failures = Vec::new();
        for &s in strategies {
            check_strategy(s)?;
            match self.reach_ticket(s, email, password) {
                Ok(outcome) => return self.finish(outcome),
                Err(e) if e.falls_through() => {
                    log::info!("sign-in strategy {s} failed ({e}); trying the next one");
                    failures.push(StrategyFailure::new(s, e));
                }
                Err(e) => return Err(e),
            }
        }
        if failures.len() == 1 {
            if let Some(only) = failures.pop() {
                return Err(only.error);
            }
        }
        Err(Error::AllStrategiesFailed(failures))
    }

    /// Signs in with one strategy (a [`Strategy`] or a [`Flow`](crate::Flow)), ignoring
    /// [`Config::strategies`]; its error comes back as is, never wrapped in
    /// [`Error::AllStrategiesFailed`].
    pub fn login_with(
        &self,
        strategy: impl Into<Strategy>,
        email: &str,
        password: &Password,
    ) -> Result<LoginOutcome> {
        let strategy = strategy.into();
        check_strategy(strategy)?;
        check_credentials(email, password)?;
        let outcome = self.reach_ticket(strategy, email, password)?;
        self.finish(outcome)
    }

    fn reach_ticket(
        &self,
        strategy: Strategy,
        email: &str,
        password: &Password,
    ) -> Result<FlowOutcome> {
        use crate::strategy::Flow;
        let ex = self.exchanger();
        match strategy.flow {
            Flow::Widget => flows::widget::sign_in(ex, email, password),
            Flow::Mobile => {
                let preset = match strategy.mobile_app {
                    Some(app) => ClientPreset::mobile(app, self.config().domain),
                    None => self.config().mobile_client.clone(),
                };
                flows::json::sign_in(ex, flows::json::Api::Mobile, preset, email, password)
            }
            Flow::Portal => {
                let preset = self.config().portal_client.clone();
                flows::json::sign_in(ex, flows::json::Api::Portal, preset, email, password)
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
        self.exchange_ticket_as(ticket, self.config().tokens)
    }

    /// Exchanges a service ticket for tokens of the given family. `Auto` tries DI first and, when
    /// that fails in a way that falls through ([`Error::falls_through`]; typically every DI client
    /// id refused), the legacy exchange with the same ticket.
    pub fn exchange_ticket_as(&self, ticket: &Ticket, family: TokenPreference) -> Result<Tokens> {
        self.0.exchange(ticket, family)
    }

    /// New tokens of the same family: the legacy exchange again, or the DI refresh grant.
    /// On failure the given tokens stay as they were (they are only read).
    pub fn refresh(&self, tokens: &Tokens) -> Result<Tokens> {
        self.0.refresh(tokens)
    }

    /// The sign-in URL to open in a browser or web view (docs/protocol.md §7), as the mobile client
    /// preset: the ticket it ends in is bound to [`Config::webview_service_url`].
    pub fn browser_sign_in_url(&self) -> String {
        let config = self.config();
        flows::webview::sign_in_url(config, &config.mobile_client)
    }

    /// The ticket in a web view's navigated URL or page body, bound to the service URL
    /// [`Client::browser_sign_in_url`] asked for. `InvalidInput` when there is none: keep watching
    /// the web view's navigations.
    pub fn webview_ticket(&self, url_or_body: &str) -> Result<Ticket> {
        let value = flows::webview::extract_ticket(url_or_body).ok_or_else(|| {
            Error::InvalidInput("the web-view URL or page holds no service ticket".into())
        })?;
        Ok(Ticket {
            value,
            service_url: self.config().webview_service_url().to_owned(),
        })
    }

    /// Finishes a web-view sign-in: [`Client::webview_ticket`], then the exchange.
    pub fn exchange_webview(&self, url_or_body: &str) -> Result<Tokens> {
        self.exchange_ticket(&self.webview_ticket(url_or_body)?)
    }

    /// Exchanges a DI access token for an IT token for `services.{d}` endpoints (docs/protocol.md
    /// §5).
    pub fn it_token(&self, di: &DiToken) -> Result<ItToken> {
        self.0.it_token(di)
    }

    /// Starts a partner sign-in (docs/partner.md) for [`Config::partner`]: the consent page's URL
    /// to open in the person's browser, with a fresh PKCE verifier and `state`. Nothing is sent;
    /// finish with [`PartnerAuthorization::finish`].
    pub fn partner_authorization(&self) -> Result<PartnerAuthorization> {
        Ok(PartnerAuthorization::new(
            self.clone(),
            self.0.partner_authorization()?,
        ))
    }
}

fn check_strategy(s: Strategy) -> Result<()> {
    if s.mobile_app.is_some() && s.flow != crate::strategy::Flow::Mobile {
        return Err(Error::InvalidInput(format!(
            "only the mobile flow presents a mobile app ({} names one)",
            s.flow
        )));
    }
    Ok(())
}

fn check_credentials(email: &str, password: &Password) -> Result<()> {
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
            .field("config", self.config())
            .finish_non_exhaustive()
    }
}
