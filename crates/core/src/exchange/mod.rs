//! From a service ticket to API tokens: the legacy OAuth1 → OAuth2 exchange (docs/protocol.md §4)
//! or DI OAuth2 (§5); partner OAuth2 with PKCE (docs/partner.md); and refreshing each family.
//!
//! [`Exchanger`] is this layer's handle: the HTTP client (with its configuration) plus what a
//! client learns once and reuses — the OAuth consumer and the DI client id diauth last accepted.
//! The flows above send through it; the [`crate::Client`] above them owns one.

mod consumer;
pub(crate) mod di;
mod legacy;
pub(crate) mod partner;

pub use di::ItToken;

use crate::config::{Config, Consumer, PartnerApp, TokenPreference};
use crate::error::{Error, Result};
use crate::http::Http;
use crate::ticket::Ticket;
use crate::tokens::{DiToken, Tokens};
use partner::PartnerRequest;
use std::sync::Mutex;

pub(crate) struct Exchanger {
    http: Http,
    /// The fetched consumer, cached after the first success.
    consumer: Mutex<Option<Consumer>>,
    /// The DI client id diauth last accepted; tried first next time.
    di_client_id: Mutex<Option<String>>,
}

impl Exchanger {
    pub(crate) fn new(http: Http) -> Self {
        let consumer = Mutex::new(http.config().consumer.clone());
        Exchanger {
            http,
            consumer,
            di_client_id: Mutex::new(None),
        }
    }

    pub(crate) fn http(&self) -> &Http {
        &self.http
    }

    pub(crate) fn config(&self) -> &Config {
        self.http.config()
    }

    /// The consumer to sign with; fetched at most once (cached after success).
    pub(crate) fn consumer(&self) -> Result<Consumer> {
        // Held across the fetch so that concurrent first sign-ins make one request, not several.
        let mut cached = self.consumer.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = cached.as_ref() {
            return Ok(c.clone());
        }
        let consumer = consumer::fetch(&self.http)?;
        *cached = Some(consumer.clone());
        Ok(consumer)
    }

    pub(crate) fn remembered_di_client_id(&self) -> Option<String> {
        self.di_client_id
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn remember_di_client_id(&self, id: &str) {
        *self.di_client_id.lock().unwrap_or_else(|p| p.into_inner()) = Some(id.to_owned());
    }

    /// Exchanges a ticket for tokens of `family`. `Auto` tries DI first and falls back to the
    /// legacy exchange on any DI error that falls through (typically every client id refused) or
    /// `InvalidCredentials`.
    pub(crate) fn exchange(&self, ticket: &Ticket, family: TokenPreference) -> Result<Tokens> {
        if !ticket.value.expose().starts_with("ST-") {
            return Err(Error::InvalidInput(
                "a service ticket starts with ST-".into(),
            ));
        }
        match family {
            TokenPreference::Legacy => legacy::exchange(self, ticket),
            TokenPreference::Di => Ok(Tokens::Di {
                di: di::exchange(self, ticket)?,
            }),
            TokenPreference::Auto => match di::exchange(self, ticket) {
                Ok(di) => Ok(Tokens::Di { di }),
                Err(e) if e.falls_through() || matches!(e, Error::InvalidCredentials) => {
                    // A ticket is single-use; Garmin's DI endpoint refuses before consuming it when
                    // the client id is unknown, so the legacy exchange can still use it.
                    log::info!("DI exchange failed ({e}); falling back to the legacy exchange");
                    legacy::exchange(self, ticket)
                }
                Err(e) => Err(e),
            },
        }
    }

    /// New tokens of the same family. The given tokens are only read, so a failure leaves the
    /// caller's copy as it was.
    pub(crate) fn refresh(&self, tokens: &Tokens) -> Result<Tokens> {
        match tokens {
            Tokens::Legacy { oauth1, .. } => Ok(Tokens::Legacy {
                oauth1: oauth1.clone(),
                oauth2: legacy::refresh(self, oauth1)?,
            }),
            Tokens::Di { di } => Ok(Tokens::Di {
                di: di::refresh(self, di)?,
            }),
            Tokens::Partner { partner } => Ok(Tokens::Partner {
                partner: partner::refresh(self, self.partner_app()?, partner)?,
            }),
        }
    }

    /// A new partner authorization request (pure: nothing is sent).
    pub(crate) fn partner_authorization(&self) -> Result<PartnerRequest> {
        PartnerRequest::new(&self.config().endpoints, self.partner_app()?)
    }

    /// Partner tokens for the code in `callback`, the redirect that answered `request`.
    pub(crate) fn partner_finish(
        &self,
        request: &PartnerRequest,
        callback: &str,
    ) -> Result<Tokens> {
        Ok(Tokens::Partner {
            partner: partner::exchange(self, self.partner_app()?, request, callback)?,
        })
    }

    fn partner_app(&self) -> Result<&PartnerApp> {
        self.config().partner.as_ref().ok_or_else(|| {
            Error::InvalidConfig(
                "partner sign-in and refresh need the partner app (Config::partner)".into(),
            )
        })
    }

    pub(crate) fn it_token(&self, di: &DiToken) -> Result<ItToken> {
        di::it_token(self, di)
    }
}
