//! Ticket → OAuth1 (preauthorized) → OAuth2 (exchange/user/2.0), docs/protocol.md §4. Refresh
//! repeats the exchange with the stored OAuth1 token.

use super::Exchanger;
use crate::answers;
use crate::config::Consumer;
use crate::error::{Error, Result};
use crate::http::{OutRequest, Page, Reach};
use crate::oauth1::{self, Credentials};
use crate::secret::{AccessToken, MfaToken, RefreshToken, Secret, TokenSecret};
use crate::ticket::Ticket;
use crate::tokens::{field_hint, OAuth1Token, OAuth2Token, Tokens};
use crate::transport::{Body, Method};
use url::Url;

const PREAUTHORIZED: &str = "preauthorized";
const EXCHANGE: &str = "OAuth2 exchange";

/// Exchanges a ticket for the legacy token pair.
pub(crate) fn exchange(ex: &Exchanger, ticket: &Ticket) -> Result<Tokens> {
    let consumer = ex.consumer()?;
    let oauth1 = preauthorized(ex, &consumer, ticket)?;
    let oauth2 = exchange_oauth2(ex, &consumer, &oauth1).map_err(|e| match e {
        // The token was minted a moment ago, so a refusal here is not about an old session.
        Error::SignInNeeded { .. } => {
            Error::unexpected(EXCHANGE, "Garmin refused the fresh OAuth1 token (HTTP 401)")
        }
        e => e,
    })?;
    Ok(Tokens::Legacy { oauth1, oauth2 })
}

/// A new OAuth2 token from the OAuth1 token.
pub(crate) fn refresh(ex: &Exchanger, oauth1: &OAuth1Token) -> Result<OAuth2Token> {
    let configured = ex.config().domain.as_str();
    if let Some(domain) = oauth1
        .domain
        .as_deref()
        .filter(|d| !d.is_empty() && *d != configured)
    {
        return Err(Error::InvalidInput(format!(
            "the OAuth1 token belongs to {domain:?} but the client is configured for {configured}"
        )));
    }
    let consumer = ex.consumer()?;
    exchange_oauth2(ex, &consumer, oauth1)
}

fn preauthorized(ex: &Exchanger, consumer: &Consumer, ticket: &Ticket) -> Result<OAuth1Token> {
    let config = ex.config();
    let mut url = endpoint(ex, "oauth-service/oauth/preauthorized")?;
    url.query_pairs_mut()
        .append_pair("ticket", ticket.value.expose())
        .append_pair("login-url", &ticket.service_url)
        .append_pair("accepts-mfa-tokens", "true");
    let auth = sign(ex, "GET", &url, None, consumer, None)?;
    let req = OutRequest::get(url)
        .header("User-Agent", config.oauth_user_agent.clone())
        .header("Authorization", auth.expose());
    // Tickets are single-use, short-lived and bound to the service they were issued for.
    let page = send(ex, req, PREAUTHORIZED, || {
        Error::unexpected(
            PREAUTHORIZED,
            "Garmin refused the service ticket (HTTP 401); a ticket works once, for minutes, for the service it was issued for",
        )
    })?;
    let fields: Vec<(String, String)> = form_urlencoded::parse(&page.response.body)
        .into_owned()
        .collect();
    let take = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let missing = |name: &str| Error::unexpected(PREAUTHORIZED, format!("answer has no {name}"));
    Ok(OAuth1Token {
        oauth_token: AccessToken::new(take("oauth_token").ok_or_else(|| missing("oauth_token"))?),
        oauth_token_secret: TokenSecret::new(
            take("oauth_token_secret").ok_or_else(|| missing("oauth_token_secret"))?,
        ),
        mfa_token: take("mfa_token").map(MfaToken::new),
        mfa_expiration_timestamp: take("mfa_expiration_timestamp"),
        domain: Some(config.domain.as_str().to_owned()),
    })
}

#[derive(serde::Deserialize)]
struct ExchangeAnswer {
    #[serde(default)]
    scope: String,
    #[serde(default)]
    jti: String,
    #[serde(default = "bearer")]
    token_type: String,
    access_token: AccessToken,
    refresh_token: RefreshToken,
    expires_in: i64,
    #[serde(default)]
    refresh_token_expires_in: i64,
}

fn bearer() -> String {
    "Bearer".into()
}

fn exchange_oauth2(
    ex: &Exchanger,
    consumer: &Consumer,
    oauth1: &OAuth1Token,
) -> Result<OAuth2Token> {
    let config = ex.config();
    let url = endpoint(ex, "oauth-service/oauth/exchange/user/2.0")?;
    let mut form = form_urlencoded::Serializer::new(String::new());
    if let Some(mfa) = &oauth1.mfa_token {
        form.append_pair("mfa_token", mfa.expose());
    }
    // The body is signed exactly as sent: RFC 5849 puts form parameters into the base string.
    let body = Secret::new(form.finish());
    let token = (
        oauth1.oauth_token.expose(),
        oauth1.oauth_token_secret.expose(),
    );
    let auth = sign(ex, "POST", &url, Some(body.expose()), consumer, Some(token))?;
    let req = OutRequest {
        method: Method::Post,
        url,
        headers: vec![
            (
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
            ("User-Agent".into(), config.oauth_user_agent.clone()),
            ("Authorization".into(), auth.expose().to_owned()),
        ],
        body: Body::Bytes(body.expose().as_bytes().to_vec()),
        reach: Reach::Garmin,
    };
    let page = send(ex, req, EXCHANGE, || Error::SignInNeeded {
        reason: "Garmin no longer accepts the OAuth1 token (HTTP 401)".into(),
    })?;
    oauth2_from(&page, config.clock.now())
}

/// Sends a signed OAuth-service request; `refused` is what a 401 that is not a signing fault means
/// at this step.
fn send(
    ex: &Exchanger,
    req: OutRequest,
    step: &'static str,
    refused: impl FnOnce() -> Error,
) -> Result<Page> {
    let page = ex.http().send(req, None)?;
    answers::oauth1_answer(&page, step, refused)?;
    Ok(page)
}

fn oauth2_from(page: &Page, now: i64) -> Result<OAuth2Token> {
    let a: ExchangeAnswer = serde_json::from_slice(&page.response.body)
        .map_err(|e| Error::unexpected(EXCHANGE, field_hint(&e)))?;
    if a.access_token.is_empty() {
        return Err(Error::unexpected(EXCHANGE, "access_token is empty"));
    }
    log::debug!("legacy exchange: OAuth2 token valid for {} s", a.expires_in);
    Ok(OAuth2Token {
        scope: a.scope,
        jti: a.jti,
        token_type: a.token_type,
        access_token: a.access_token,
        refresh_token: a.refresh_token,
        expires_in: a.expires_in,
        expires_at: answers::expiry(now, a.expires_in, "expires_in", EXCHANGE)?,
        refresh_token_expires_in: a.refresh_token_expires_in,
        refresh_token_expires_at: answers::expiry(
            now,
            a.refresh_token_expires_in,
            "refresh_token_expires_in",
            EXCHANGE,
        )?,
    })
}

fn endpoint(ex: &Exchanger, path: &str) -> Result<Url> {
    crate::urls::join_url(&ex.config().endpoints.connectapi, path).map_err(|e| {
        Error::InvalidConfig(format!("connectapi endpoint cannot take path {path}: {e}"))
    })
}

fn sign(
    ex: &Exchanger,
    method: &str,
    url: &Url,
    form_body: Option<&str>,
    consumer: &Consumer,
    token: Option<(&str, &str)>,
) -> Result<Secret> {
    let creds = Credentials {
        consumer_key: &consumer.consumer_key,
        consumer_secret: consumer.consumer_secret.expose(),
        token,
    };
    oauth1::authorization_header(
        method,
        url.as_str(),
        form_body,
        &creds,
        &oauth1::nonce()?,
        ex.config().clock.now(),
    )
}
