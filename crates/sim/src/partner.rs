//! Partner OAuth2 with PKCE (docs/partner.md): the consent page `GET/POST /oauth2Confirm`, the
//! `authorization_code` and partner `refresh_token` grants of the diauth token endpoint, and one
//! partner API (`GET /wellness-api/rest/user/id`).
//!
//! What it refuses, as an OAuth2 server must (RFC 6749, RFC 7636, RFC 8252): an unknown client or
//! unregistered redirect URI gets an error page, never a redirect; no S256 challenge is an
//! `invalid_request` redirect; a code works once, for the client and redirect URI it was issued
//! to, within ten minutes, and only with the verifier whose SHA-256 is its challenge; the client
//! secret must come in the form body; refresh tokens rotate (a used one is dead). A loopback
//! redirect URI matches whatever port the app listens on (RFC 8252 §7.3).

use base64::Engine as _;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::http::{html_escape, lookup, qenc, Resp};
use crate::lock;
use crate::random;
use crate::router::Ctx;
use crate::state::{Family, Shared};

/// How long a code may wait for its exchange.
const CODE_TTL: i64 = 600;
pub(crate) const PARTNER_SCOPES: &str = "ACTIVITY_EXPORT HEALTH_EXPORT WORKOUT_IMPORT";

/// A partner app registered with the simulator (`SimulatorBuilder::partner_client`).
#[derive(Clone)]
pub struct PartnerClient {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) redirect_uri: String,
}

impl std::fmt::Debug for PartnerClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartnerClient")
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl PartnerClient {
    /// An app with its id, secret and registered redirect URI.
    pub fn new(client_id: &str, client_secret: &str, redirect_uri: &str) -> PartnerClient {
        PartnerClient {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            redirect_uri: redirect_uri.into(),
        }
    }
}

/// An authorization request waiting on the consent page.
#[derive(Debug, Clone)]
pub(crate) struct PendingConsent {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    state: Option<String>,
    scope: String,
}

/// An issued code.
#[derive(Debug, Clone)]
pub(crate) struct Code {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    account: usize,
    scope: String,
    expires_at: i64,
    used: bool,
}

fn client<'a>(sh: &'a Shared, id: &str) -> Option<&'a PartnerClient> {
    sh.cfg.partner_clients.iter().find(|c| c.client_id == id)
}

/// Registered, or the same loopback URI on another port (RFC 8252 §7.3).
fn redirect_allowed(registered: &str, given: &str) -> bool {
    if registered == given {
        return true;
    }
    let split = |u: &str| -> Option<(String, String)> {
        let rest = u.strip_prefix("http://")?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let host = match authority.rsplit_once(':') {
            Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
            _ => authority,
        };
        matches!(host, "127.0.0.1" | "[::1]").then(|| (host.to_owned(), path.to_owned()))
    };
    matches!((split(registered), split(given)), (Some(a), Some(b)) if a == b)
}

fn redirect_to(uri: &str, pairs: &[(&str, &str)]) -> Resp {
    let mut location = uri.to_owned();
    location.push(if uri.contains('?') { '&' } else { '?' });
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", qenc(v)))
        .collect();
    location.push_str(&query.join("&"));
    Resp::redirect(&location)
}

fn error_page(status: u16, what: &str) -> Resp {
    Resp::html(
        status,
        format!(
            "<!DOCTYPE html><html><head><title>Authorization error</title></head><body><h1>Authorization error</h1><p>{}</p></body></html>",
            html_escape(what)
        ),
    )
}

fn consent_page(status: u16, request_id: &str, app: &str, scope: &str, note: &str) -> Resp {
    Resp::html(
        status,
        format!(
            r#"<!DOCTYPE html><html><head><title>Authorize {app}</title></head><body>
<h1>{app} would like to access your Garmin Connect data</h1>
<p class="scopes">{scope}</p><p class="note">{note}</p>
<form method="post" action="/oauth2Confirm" id="consent">
<input type="hidden" name="request_id" value="{request_id}">
<input type="email" name="email"><input type="password" name="password">
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form></body></html>"#,
            app = html_escape(app),
            scope = html_escape(scope),
            note = html_escape(note),
            request_id = html_escape(request_id),
        ),
    )
}

/// `GET /oauth2Confirm?response_type=code&client_id&redirect_uri&code_challenge&…`.
pub(crate) fn authorize_page(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    let q = |n: &str| ctx.req.q(n).map(str::to_owned);
    let Some(app) = q("client_id").and_then(|id| client(sh, &id).cloned()) else {
        return error_page(400, "Unknown client.");
    };
    let Some(redirect_uri) = q("redirect_uri").filter(|r| redirect_allowed(&app.redirect_uri, r))
    else {
        return error_page(400, "The redirect URI is not registered for this client.");
    };
    let state = q("state");
    let refuse = |error: &str| {
        let mut pairs = vec![("error", error)];
        if let Some(s) = &state {
            pairs.push(("state", s.as_str()));
        }
        redirect_to(&redirect_uri, &pairs)
    };
    if q("response_type").as_deref() != Some("code") {
        return refuse("unsupported_response_type");
    }
    let challenge = q("code_challenge").unwrap_or_default();
    let challenge_ok = (43..=128).contains(&challenge.len())
        && challenge
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if q("code_challenge_method").as_deref() != Some("S256") || !challenge_ok {
        return refuse("invalid_request");
    }
    let scope = q("scope").unwrap_or_else(|| PARTNER_SCOPES.to_owned());
    let request_id = random::alnum(32);
    let mut inner = lock(&sh.inner);
    // Pages nobody answers must not grow the simulator without bound.
    if inner.consents.len() >= 10_000 {
        inner.consents.clear();
    }
    inner.consents.insert(
        request_id.clone(),
        PendingConsent {
            client_id: app.client_id.clone(),
            redirect_uri,
            challenge,
            state,
            scope: scope.clone(),
        },
    );
    drop(inner);
    consent_page(200, &request_id, &app.client_id, &scope, "")
}

/// `POST /oauth2Confirm`: the person's sign-in and decision.
pub(crate) fn authorize_decision(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    let form = ctx.req.form();
    let request_id = lookup(&form, "request_id").unwrap_or("");
    let Some(pending) = lock(&sh.inner).consents.get(request_id).cloned() else {
        return error_page(
            400,
            "This authorization request has expired. Start again from the app.",
        );
    };
    let with_state = |mut pairs: Vec<(&'static str, String)>| {
        if let Some(s) = &pending.state {
            pairs.push(("state", s.clone()));
        }
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        redirect_to(&pending.redirect_uri, &refs)
    };
    if lookup(&form, "decision") == Some("deny") {
        lock(&sh.inner).consents.remove(request_id);
        return with_state(vec![("error", "access_denied".into())]);
    }
    let email = lookup(&form, "email").unwrap_or("");
    let password = lookup(&form, "password").unwrap_or("");
    let account = sh
        .find_account(email)
        .filter(|&i| sh.account(i).password == password);
    let Some(account) = account else {
        return consent_page(
            401,
            request_id,
            &pending.client_id,
            &pending.scope,
            "Invalid sign in. (Passwords are case sensitive.)",
        );
    };
    lock(&sh.inner).consents.remove(request_id);
    let code = random::alnum(40);
    lock(&sh.inner).codes.insert(
        code.clone(),
        Code {
            client_id: pending.client_id.clone(),
            redirect_uri: pending.redirect_uri.clone(),
            challenge: pending.challenge.clone(),
            account,
            scope: pending.scope.clone(),
            expires_at: sh.now() + CODE_TTL,
            used: false,
        },
    );
    sh.count(|c| c.partner_codes += 1);
    with_state(vec![("code", code)])
}

fn oauth_error(status: u16, error: &str, description: &str) -> Resp {
    log::info!("partner token endpoint refused: {error}");
    Resp::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

/// True when the form's `client_id` names a partner app: the token endpoint then answers as the
/// partner grant server.
pub(crate) fn is_partner_request(sh: &Shared, form: &[(String, String)]) -> bool {
    lookup(form, "client_id").is_some_and(|id| client(sh, id).is_some())
}

/// The partner grants of `POST /di-oauth2-service/oauth/token`.
pub(crate) fn token(ctx: &Ctx<'_>) -> Resp {
    let sh = ctx.sh;
    let form = ctx.req.form();
    let client_id = lookup(&form, "client_id").unwrap_or("");
    let secret_ok = client(sh, client_id)
        .is_some_and(|c| lookup(&form, "client_secret").is_some_and(|s| s == c.client_secret));
    if !secret_ok {
        return oauth_error(401, "invalid_client", "Bad client credentials");
    }
    match lookup(&form, "grant_type").unwrap_or("") {
        "authorization_code" => {
            let (Some(code), Some(verifier), Some(redirect_uri)) = (
                lookup(&form, "code"),
                lookup(&form, "code_verifier"),
                lookup(&form, "redirect_uri"),
            ) else {
                return oauth_error(
                    400,
                    "invalid_request",
                    "code, code_verifier and redirect_uri are required",
                );
            };
            let now = sh.now();
            let granted = {
                let mut inner = lock(&sh.inner);
                match inner.codes.get_mut(code) {
                    Some(c) if !c.used => {
                        // Spent by any attempt: a code that met a wrong verifier is not retried.
                        c.used = true;
                        let fits = c.expires_at > now
                            && c.client_id == client_id
                            && c.redirect_uri == redirect_uri
                            && pkce_s256(verifier) == c.challenge;
                        fits.then(|| (c.account, c.scope.clone()))
                    }
                    _ => None,
                }
            };
            let Some((account, scope)) = granted else {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "Invalid authorization code or code verifier",
                );
            };
            sh.count(|c| c.partner_token_grants += 1);
            Resp::json(200, &tokens(sh, account, client_id, &scope))
        }
        "refresh_token" => {
            let Some(rt) = lookup(&form, "refresh_token") else {
                return oauth_error(400, "invalid_request", "refresh_token is required");
            };
            let now = sh.now();
            let scope = {
                let mut inner = lock(&sh.inner);
                match inner.refresh.get_mut(rt) {
                    Some(g)
                        if !g.used
                            && g.expires_at > now
                            && g.family == Family::Partner
                            && g.client_id == client_id =>
                    {
                        g.used = true;
                        Some(g.account)
                    }
                    _ => None,
                }
            };
            let Some(account) = scope else {
                return oauth_error(400, "invalid_grant", "Invalid refresh token");
            };
            sh.count(|c| c.partner_refreshes += 1);
            Resp::json(200, &tokens(sh, account, client_id, PARTNER_SCOPES))
        }
        _ => oauth_error(400, "unsupported_grant_type", "Unsupported grant type"),
    }
}

/// RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))), unpadded. A verifier outside the RFC's
/// length and alphabet never matches.
fn pkce_s256(verifier: &str) -> String {
    let valid = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !valid {
        return String::new();
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn tokens(sh: &Shared, account: usize, client_id: &str, scope: &str) -> serde_json::Value {
    let now = sh.now();
    let access = crate::jwt::mint(
        &sh.jwt_key,
        "di-oauth-signer-prod-2025-q2",
        &json!({
            "scope": scope.split(' ').collect::<Vec<_>>(),
            "iss": "https://diauth.garmin.com",
            "client_type": "PARTNER",
            "exp": now + sh.cfg.partner_access_ttl,
            "iat": now,
            "sub": sh.account(account).guid(),
            "jti": random::uuid(),
            "client_id": client_id,
        }),
    );
    let refresh = random::alnum(48);
    sh.add_bearer(&access, account, sh.cfg.partner_access_ttl, Family::Partner);
    sh.add_refresh(
        &refresh,
        account,
        client_id,
        sh.cfg.partner_refresh_ttl,
        Family::Partner,
    );
    json!({
        "token_type": "bearer",
        "access_token": access,
        "refresh_token": refresh,
        "scope": scope,
        "expires_in": sh.cfg.partner_access_ttl,
        "refresh_token_expires_in": sh.cfg.partner_refresh_ttl,
    })
}

/// `GET /wellness-api/rest/user/id`: the partner API's "who is this": partner tokens only.
pub(crate) fn user_id(ctx: &Ctx<'_>) -> Resp {
    let header = ctx.req.header("authorization").unwrap_or("");
    let token = header
        .trim()
        .split_once(' ')
        .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned());
    let now = ctx.sh.now();
    let found = token.and_then(|t| lock(&ctx.sh.inner).bearers.get(&t).cloned());
    match found {
        Some(b) if b.family == Family::Partner && b.expires_at > now => {
            Resp::json(200, &json!({"userId": ctx.sh.account(b.account).guid()}))
        }
        Some(b) if b.family == Family::Partner => {
            Resp::json(401, &json!({"errorMessage": "Token is not active"}))
        }
        Some(_) => Resp::json(
            401,
            &json!({"errorMessage": "token not valid for this audience"}),
        ),
        None => Resp::json(401, &json!({"errorMessage": "unknown token"})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_is_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert_eq!(pkce_s256("short"), "");
        assert_eq!(pkce_s256(&"a b".repeat(20)), "");
    }

    #[test]
    fn loopback_redirects_match_on_any_port_and_nothing_else_does() {
        let r = "http://127.0.0.1/callback";
        assert!(redirect_allowed(r, "http://127.0.0.1:53124/callback"));
        assert!(redirect_allowed(r, r));
        assert!(!redirect_allowed(r, "http://127.0.0.1:1/other"));
        assert!(!redirect_allowed(r, "http://localhost:1/callback"));
        assert!(!redirect_allowed(
            "https://app.example/cb",
            "https://app.example:444/cb"
        ));
    }
}
