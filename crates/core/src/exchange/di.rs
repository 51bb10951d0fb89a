//! Ticket → DI OAuth2 at diauth (docs/protocol.md §5), trying the configured client ids in order;
//! refresh with the rotating refresh token; and the optional DI → IT token exchange at `services`.

use super::Exchanger;
use crate::answers;
use crate::error::{Error, Result};
use crate::http::{OutRequest, Page};
use crate::secret::{AccessToken, RefreshToken};
use crate::ticket::Ticket;
use crate::tokens::DiToken;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

const TOKEN_PATH: &str = "di-oauth2-service/oauth/token";
const IT_TOKEN_PATH: &str = "api/oauth/token";
const EXCHANGE_STEP: &str = "DI token exchange";
const REFRESH_STEP: &str = "DI token refresh";
const IT_STEP: &str = "IT token exchange";

/// The IT client ids Garmin's Android app uses, newest first.
pub const DEFAULT_IT_CLIENT_IDS: [&str; 3] = [
    "GARMIN_CONNECT_MOBILE_ANDROID_2025Q2",
    "GARMIN_CONNECT_MOBILE_ANDROID_2024Q4",
    "GARMIN_CONNECT_MOBILE_ANDROID",
];

/// An IT token for `services.{d}` endpoints, obtained from a DI token (docs/protocol.md §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItToken {
    /// The IT client id that was accepted.
    pub client_id: String,
    /// As `services` sent it; `Bearer` when absent.
    pub token_type: String,
    /// The bearer for `services.{d}` endpoints only; Connect API calls take the DI token.
    pub access_token: AccessToken,
    /// The refresh token, when one was issued. This library has no call that uses it: get a new
    /// IT token from a fresh DI token instead.
    #[serde(default)]
    pub refresh_token: Option<RefreshToken>,
    /// Scopes `services` granted, when it said; informational only.
    #[serde(default)]
    pub scope: Option<String>,
    /// Unix seconds after which the access token is expired: the earlier of `expires_in` and the
    /// JWT's `exp`.
    pub expires_at: i64,
    /// Unix seconds after which the refresh token is expired, when `services` gave a lifetime.
    #[serde(default)]
    pub refresh_token_expires_at: Option<i64>,
}

/// Exchanges a ticket for a DI token, trying the configured client ids in order.
///
/// A client id diauth refuses (HTTP 401, or 400 `invalid_client`/`unauthorized_client`) moves on to
/// the next; anything else stops at once. When every id is refused the error is an
/// [`Error::UnexpectedResponse`] (it falls through, so `TokenPreference::Auto` can still try the
/// legacy exchange: diauth refuses an unknown client before it looks at the ticket).
pub(crate) fn exchange(ex: &Exchanger, ticket: &Ticket) -> Result<DiToken> {
    let config = ex.config();
    let url = endpoint(&config.endpoints.diauth, TOKEN_PATH)?;
    let grant_type = format!(
        "https://connectapi.{}/di-oauth2-service/oauth/grant/service_ticket",
        config.domain.as_str()
    );
    let mut refused = 0usize;
    // The id that worked last time goes first: Garmin retires ids one at a time, so a working one
    // saves a refused round trip per sign-in.
    let remembered = ex.remembered_di_client_id();
    let ordered: Vec<&String> = remembered
        .iter()
        .filter(|r| config.di_client_ids.contains(r))
        .chain(
            config
                .di_client_ids
                .iter()
                .filter(|id| Some(*id) != remembered.as_ref()),
        )
        .collect();
    for client_id in ordered {
        let form = [
            ("client_id", client_id.as_str()),
            ("service_ticket", ticket.value.expose()),
            ("grant_type", grant_type.as_str()),
            ("service_url", ticket.service_url.as_str()),
        ];
        let page = send(ex, OutRequest::post_form(url.clone(), &form), client_id)?;
        match answers::oauth2_refusal(&page, EXCHANGE_STEP)? {
            Some(answers::Refusal::Client) => {
                log::info!("diauth refused DI client id {client_id}; trying the next one");
                refused += 1;
            }
            Some(answers::Refusal::Grant) => {
                // Tickets are single-use, short-lived and bound to their service URL.
                return Err(Error::unexpected(
                    EXCHANGE_STEP,
                    "diauth refused the service ticket (invalid_grant): it was used, expired, or issued for another service",
                ));
            }
            None => {
                let token = parse_token(ex, &page, client_id, EXCHANGE_STEP, None)?;
                log::info!("DI token issued for client id {}", token.client_id);
                ex.remember_di_client_id(&token.client_id);
                return Ok(token);
            }
        }
    }
    Err(Error::unexpected(
        EXCHANGE_STEP,
        format!("diauth refused every configured DI client id ({refused} tried)"),
    ))
}

/// Refreshes a DI token. The answer's refresh token replaces the old one (they are single-use).
/// A refused or expired refresh token is [`Error::SignInNeeded`].
pub(crate) fn refresh(ex: &Exchanger, token: &DiToken) -> Result<DiToken> {
    let config = ex.config();
    if token.client_id.trim().is_empty() {
        return Err(Error::InvalidInput("the DI token has no client id".into()));
    }
    if token.refresh_token.is_empty() {
        return Err(Error::InvalidInput(
            "the DI token has no refresh token".into(),
        ));
    }
    if let Some(at) = token.refresh_token_expires_at {
        if at <= config.clock.now() {
            return Err(Error::SignInNeeded {
                reason: "the DI refresh token has expired".into(),
            });
        }
    }
    let url = endpoint(&config.endpoints.diauth, TOKEN_PATH)?;
    let form = [
        ("grant_type", "refresh_token"),
        ("client_id", token.client_id.as_str()),
        ("refresh_token", token.refresh_token.expose()),
    ];
    let page = send(ex, OutRequest::post_form(url, &form), &token.client_id)?;
    match answers::oauth2_refusal(&page, REFRESH_STEP)? {
        Some(_) => Err(Error::SignInNeeded {
            reason: "diauth refused the DI refresh token (expired, revoked or already used)".into(),
        }),
        None => parse_token(ex, &page, &token.client_id, REFRESH_STEP, Some(token)),
    }
}

/// Exchanges a DI access token for an IT token at `<services>/api/oauth/token`, trying the IT
/// client id matching the DI one first, then the known ones.
pub(crate) fn it_token(ex: &Exchanger, di: &DiToken) -> Result<ItToken> {
    let config = ex.config();
    if di.access_token.is_empty() {
        return Err(Error::InvalidInput(
            "the DI token has no access token".into(),
        ));
    }
    if di.expires_at <= config.clock.now() {
        return Err(Error::InvalidInput(
            "the DI access token has expired; refresh the DI token first".into(),
        ));
    }
    let mut url = endpoint(&config.endpoints.services, IT_TOKEN_PATH)?;
    url.query_pairs_mut()
        .append_pair("grant_type", "connect2_exchange");
    let mut candidates: Vec<String> = Vec::new();
    let derived = di.client_id.replace("_DI", "");
    for id in std::iter::once(derived.as_str()).chain(DEFAULT_IT_CLIENT_IDS) {
        if !id.is_empty() && !candidates.iter().any(|c| c == id) {
            candidates.push(id.to_owned());
        }
    }
    for client_id in &candidates {
        let form = [
            ("client_id", client_id.as_str()),
            ("connect_access_token", di.access_token.expose()),
        ];
        let req = OutRequest::post_form(url.clone(), &form)
            .header("User-Agent", config.api_user_agent.clone())
            .header("Accept", "application/json");
        let page = ex.http().send(req, None)?;
        match answers::oauth2_refusal(&page, IT_STEP)? {
            Some(answers::Refusal::Client) => log::info!("services refused IT client id {client_id}; trying the next one"),
            Some(answers::Refusal::Grant) => {
                return Err(Error::InvalidInput(
                    "Garmin refused the DI access token (expired or revoked); refresh the DI token first".into(),
                ))
            }
            None => {
                let v = token_json(&page, IT_STEP)?;
                let now = config.clock.now();
                let expires_in = v.get("expires_in").and_then(Value::as_i64);
                let exp = jwt_payload(str_field(&v, "access_token").unwrap_or("")).and_then(|p| p.get("exp").and_then(Value::as_i64));
                let expires_in = expires_in.map(|s| answers::expiry(now, s, "expires_in", IT_STEP)).transpose()?;
                let expires_at = earliest(expires_in, exp)
                    .ok_or_else(|| Error::unexpected(IT_STEP, "answer has neither expires_in nor a JWT exp"))?;
                let refresh_token_expires_at = v
                    .get("refresh_token_expires_in")
                    .and_then(Value::as_i64)
                    .map(|s| answers::expiry(now, s, "refresh_token_expires_in", IT_STEP))
                    .transpose()?;
                return Ok(ItToken {
                    client_id: client_id.clone(),
                    token_type: str_field(&v, "token_type").unwrap_or("Bearer").to_owned(),
                    access_token: AccessToken::new(required(&v, "access_token", IT_STEP)?),
                    refresh_token: str_field(&v, "refresh_token").filter(|s| !s.is_empty()).map(RefreshToken::new),
                    scope: str_field(&v, "scope").map(str::to_owned),
                    expires_at,
                    refresh_token_expires_at,
                });
            }
        }
    }
    Err(Error::unexpected(
        IT_STEP,
        format!(
            "Garmin refused every IT client id ({} tried)",
            candidates.len()
        ),
    ))
}

fn endpoint(base: &Url, path: &str) -> Result<Url> {
    crate::urls::join_url(base, path)
        .map_err(|e| Error::InvalidConfig(format!("endpoint cannot take path {path}: {e}")))
}

/// POSTs to diauth with the Basic authentication of `client_id` (an empty password, as the apps
/// do).
fn send(ex: &Exchanger, req: OutRequest, client_id: &str) -> Result<Page> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:"));
    let req = req
        .header("Authorization", format!("Basic {basic}"))
        .header("User-Agent", ex.config().api_user_agent.clone())
        .header("Accept", "application/json")
        .header("Cache-Control", "no-cache");
    ex.http().send(req, None)
}

fn token_json(page: &Page, step: &'static str) -> Result<Value> {
    let v = page.json(step)?;
    if !v.is_object() {
        return Err(Error::unexpected(step, "answer is not a JSON object"));
    }
    Ok(v)
}

fn str_field<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v.get(name).and_then(Value::as_str)
}

fn required(v: &Value, name: &'static str, step: &'static str) -> Result<String> {
    str_field(v, name)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| Error::unexpected(step, format!("answer has no {name}")))
}

fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The JSON payload of a JWT, read without checking the signature (the library only needs the
/// claims the issuer put there for it; diauth is trusted over TLS).
pub(crate) fn jwt_payload(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .filter(Value::is_object)
}

/// Builds a [`DiToken`] from diauth's answer. The client id is read back from the JWT and must be
/// the one the request authenticated as; expiry is the earlier of `expires_in` and the JWT `exp`.
pub(super) fn parse_token(
    ex: &Exchanger,
    page: &Page,
    client_id: &str,
    step: &'static str,
    previous: Option<&DiToken>,
) -> Result<DiToken> {
    let v = token_json(page, step)?;
    let now = ex.config().clock.now();
    let access_token = required(&v, "access_token", step)?;
    let claims = jwt_payload(&access_token);
    if claims.is_none() {
        log::warn!("{step}: the DI access token is not a readable JWT; using expires_in and the requested client id");
    }
    let jwt_client = claims
        .as_ref()
        .and_then(|c| c.get("client_id"))
        .and_then(Value::as_str);
    if let Some(id) = jwt_client {
        if id != client_id {
            return Err(Error::unexpected(
                step,
                format!(
                    "the token was issued for client id {:?}, not the requested {client_id:?}",
                    safe_id(id)
                ),
            ));
        }
    }
    let exp = claims
        .as_ref()
        .and_then(|c| c.get("exp"))
        .and_then(Value::as_i64);
    let expires_in = v.get("expires_in").and_then(Value::as_i64);
    let expires_in = expires_in
        .map(|s| answers::expiry(now, s, "expires_in", step))
        .transpose()?;
    let expires_at = earliest(expires_in, exp)
        .ok_or_else(|| Error::unexpected(step, "answer has neither expires_in nor a JWT exp"))?;
    let refresh_token = match (
        str_field(&v, "refresh_token").filter(|s| !s.is_empty()),
        previous,
    ) {
        (Some(r), _) => RefreshToken::new(r),
        // Without a new refresh token the old one stays the refresh credential.
        (None, Some(p)) => p.refresh_token.clone(),
        (None, None) => return Err(Error::unexpected(step, "answer has no refresh_token")),
    };
    let refresh_token_expires_at = match v.get("refresh_token_expires_in").and_then(Value::as_i64) {
        Some(s) => Some(answers::expiry(now, s, "refresh_token_expires_in", step)?),
        None => previous.and_then(|p| p.refresh_token_expires_at),
    };
    Ok(DiToken {
        client_id: client_id.to_owned(),
        token_type: str_field(&v, "token_type")
            .filter(|s| !s.is_empty())
            .unwrap_or("Bearer")
            .to_owned(),
        access_token: AccessToken::new(access_token),
        refresh_token,
        scope: str_field(&v, "scope").map(str::to_owned),
        expires_at,
        refresh_token_expires_at,
    })
}

fn safe_id(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(80)
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!(
            "{}.{}.{}",
            e(r#"{"alg":"HS256","typ":"JWT"}"#),
            e(payload),
            e("sig")
        )
    }

    #[test]
    fn reads_jwt_claims() {
        let p = jwt_payload(&jwt(
            r#"{"client_id":"GARMIN_CONNECT_MOBILE_ANDROID_DI","exp":1700000000}"#,
        ))
        .unwrap();
        assert_eq!(p["client_id"], "GARMIN_CONNECT_MOBILE_ANDROID_DI");
        assert_eq!(p["exp"], 1_700_000_000);
    }

    #[test]
    fn refuses_non_jwts() {
        assert!(jwt_payload("opaque-token").is_none());
        assert!(jwt_payload("a.b").is_none());
        assert!(jwt_payload("a.b.c.d").is_none());
        assert!(jwt_payload(&jwt("[1,2]")).is_none());
        assert!(jwt_payload("x.!!!.y").is_none());
    }

    #[test]
    fn earliest_expiry() {
        assert_eq!(earliest(Some(5), Some(3)), Some(3));
        assert_eq!(earliest(None, Some(3)), Some(3));
        assert_eq!(earliest(Some(5), None), Some(5));
        assert_eq!(earliest(None, None), None);
    }
}
