//! Partner OAuth2 (docs/partner.md): Authorization Code with PKCE (RFC 7636, S256) for apps in
//! Garmin's Connect Developer Program. The person signs in and consents on Garmin's page in a
//! browser; the app only sees the redirect carrying a one-time code, which it exchanges at the
//! token endpoint with its client secret and the verifier only it knows. A stolen code is useless
//! without the verifier, and `state` ties the redirect to the request this app started.
//!
//! Building the request and reading the redirect are pure; only the exchange and the refresh send.

use super::di::parse_token;
use super::Exchanger;
use crate::answers::{self, Refusal};
use crate::config::{Endpoints, PartnerApp};
use crate::error::{Error, Result};
use crate::http::OutRequest;
use crate::random::random_bytes;
use crate::secret::Secret;
use crate::tokens::DiToken;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::fmt;

const EXCHANGE_STEP: &str = "partner code exchange";
const REFRESH_STEP: &str = "partner token refresh";
const CALLBACK_STEP: &str = "partner authorization callback";
/// A callback longer than this is not a redirect Garmin sent (codes and states are short).
const MAX_CALLBACK_BYTES: usize = 8 * 1024;

/// One authorization request in flight: the URL to open in the person's browser, and the PKCE
/// verifier and `state` that must come back with the redirect. The public handle is
/// [`crate::PartnerRequest`], which adds the client to finish it on.
pub(crate) struct PartnerRequest {
    url: String,
    client_id: String,
    redirect_uri: String,
    state: Secret,
    verifier: Secret,
}

impl fmt::Debug for PartnerRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL carries the state; the verifier is the proof of possession. Neither prints.
        f.debug_struct("PartnerAuthorization")
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl PartnerRequest {
    /// A fresh request: verifier and state from the OS random source, S256 challenge.
    pub(crate) fn new(endpoints: &Endpoints, app: &PartnerApp) -> Result<PartnerRequest> {
        // 32 bytes → 43 base64url characters: RFC 7636's minimum length, 256 bits of entropy, and
        // an alphabet inside the RFC's unreserved set.
        let verifier = Secret::new(random_b64url::<32>()?);
        let state = Secret::new(random_b64url::<16>()?);
        let mut url = endpoints.partner_authorize.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &app.client_id)
                .append_pair("redirect_uri", &app.redirect_uri)
                .append_pair("code_challenge", &challenge(verifier.expose()))
                .append_pair("code_challenge_method", "S256")
                .append_pair("state", state.expose());
            if let Some(scope) = &app.scope {
                q.append_pair("scope", scope);
            }
        }
        Ok(PartnerRequest {
            url: url.into(),
            client_id: app.client_id.clone(),
            redirect_uri: app.redirect_uri.clone(),
            state,
            verifier,
        })
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The code in the redirect Garmin sent the browser to: `callback` is that whole URL (or just
    /// its query). The state must be this request's, else [`Error::AuthorizationStateMismatch`];
    /// an `error=` answer is [`Error::AuthorizationDeclined`]; no code is an unexpected answer.
    pub(crate) fn code(&self, callback: &str) -> Result<Secret> {
        let callback = callback.trim();
        if callback.len() > MAX_CALLBACK_BYTES {
            return Err(Error::InvalidInput(format!(
                "the authorization callback is over {MAX_CALLBACK_BYTES} bytes"
            )));
        }
        let query = match crate::urls::parse_url(callback) {
            Ok(u) => {
                let redirect = crate::urls::parse_url(&self.redirect_uri).map_err(|_| {
                    Error::InvalidConfig("the redirect URI is not a valid URL".into())
                })?;
                if u.origin() != redirect.origin() || u.path() != redirect.path() {
                    return Err(Error::InvalidInput(
                        "the callback is not at the redirect URI this request named".into(),
                    ));
                }
                u.query().unwrap_or("").to_owned()
            }
            // Only the query, as a person may paste it.
            Err(_) => callback.trim_start_matches('?').to_owned(),
        };
        let mut state = None;
        let mut code = None;
        let mut error = None;
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let slot = match k.as_ref() {
                "state" => &mut state,
                "code" => &mut code,
                "error" => &mut error,
                _ => continue,
            };
            // A repeated parameter is ambiguous: the first one counts, as for most servers.
            slot.get_or_insert(v.into_owned());
        }
        if state.as_deref() != Some(self.state.expose()) {
            return Err(Error::AuthorizationStateMismatch);
        }
        if let Some(e) = error {
            return Err(Error::AuthorizationDeclined(error_code(&e)));
        }
        match code.filter(|c| !c.is_empty()) {
            Some(c) => Ok(Secret::new(c)),
            None => Err(Error::unexpected(
                CALLBACK_STEP,
                "the redirect carries neither a code nor an error",
            )),
        }
    }
}

/// Exchanges the code from `auth`'s redirect for partner tokens.
pub(crate) fn exchange(
    ex: &Exchanger,
    app: &PartnerApp,
    auth: &PartnerRequest,
    callback: &str,
) -> Result<DiToken> {
    if auth.client_id != app.client_id || auth.redirect_uri != app.redirect_uri {
        return Err(Error::InvalidInput(
            "the authorization request was started for another partner app".into(),
        ));
    }
    let code = auth.code(callback)?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.expose()),
        ("redirect_uri", app.redirect_uri.as_str()),
        ("code_verifier", auth.verifier.expose()),
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.client_secret.expose()),
    ];
    send(ex, &form, EXCHANGE_STEP, &app.client_id, None, || {
        "Garmin refused the authorization code (expired, already used, or the PKCE verifier does not match): authorize again".into()
    })
}

/// New partner tokens from the refresh token, with the app's secret. A new refresh token (they
/// rotate) replaces the old; without one the old stays.
pub(crate) fn refresh(ex: &Exchanger, app: &PartnerApp, token: &DiToken) -> Result<DiToken> {
    if token.client_id != app.client_id {
        return Err(Error::InvalidConfig(
            "these partner tokens belong to another client id than Config::partner's".into(),
        ));
    }
    if token.refresh_token.is_empty() {
        return Err(Error::InvalidInput(
            "the partner token has no refresh token".into(),
        ));
    }
    if let Some(at) = token.refresh_token_expires_at {
        if at <= ex.config().clock.now() {
            return Err(Error::SignInNeeded {
                reason: "the partner refresh token has expired: authorize again".into(),
            });
        }
    }
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", token.refresh_token.expose()),
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.client_secret.expose()),
    ];
    send(ex, &form, REFRESH_STEP, &app.client_id, Some(token), || {
        "Garmin refused the partner refresh token (expired, revoked or already used): authorize again".into()
    })
}

fn send(
    ex: &Exchanger,
    form: &[(&str, &str)],
    step: &'static str,
    client_id: &str,
    previous: Option<&DiToken>,
    grant_refused: impl FnOnce() -> String,
) -> Result<DiToken> {
    let req = OutRequest::post_form(ex.config().endpoints.partner_token.clone(), form)
        .header("Accept", "application/json")
        .header("Cache-Control", "no-cache");
    let page = ex.http().send(req, None)?;
    match answers::oauth2_refusal(&page, step)? {
        Some(Refusal::Grant) => Err(Error::SignInNeeded {
            reason: grant_refused(),
        }),
        Some(Refusal::Client) => Err(Error::InvalidConfig(
            "Garmin refused the partner client id or secret".into(),
        )),
        None => parse_token(ex, &page, client_id, step, previous),
    }
}

/// The S256 challenge: base64url(SHA-256(verifier)), unpadded.
fn challenge(verifier: &str) -> String {
    B64URL.encode(Sha256::digest(verifier.as_bytes()))
}

fn random_b64url<const N: usize>() -> Result<String> {
    Ok(B64URL.encode(&random_bytes::<N>()?[..]))
}

/// An OAuth2 error code as shown in errors: the RFC's codes are short `[a-z_]` words, and the
/// callback is whatever the browser was sent to, so anything else is cut and replaced.
fn error_code(e: &str) -> String {
    let code: String = e
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '?'
            }
        })
        .collect();
    if code.is_empty() {
        "no error code".into()
    } else {
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::ClientSecret;

    fn app() -> PartnerApp {
        PartnerApp::new(
            "partner-app",
            ClientSecret::new("s3cret"),
            "http://127.0.0.1:8765/callback",
        )
        .unwrap()
        .with_scope("ACTIVITY_EXPORT WORKOUT_IMPORT")
    }

    fn request() -> PartnerRequest {
        let e = Endpoints::single_base("http://127.0.0.1:9/").unwrap();
        PartnerRequest::new(&e, &app()).unwrap()
    }

    fn param(url: &str, name: &str) -> Option<String> {
        let u = crate::urls::parse_url(url).unwrap();
        u.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// RFC 7636 appendix B's example verifier and challenge.
    #[test]
    fn s256_matches_the_rfc_example() {
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn each_request_has_its_own_verifier_and_state_within_the_rfc_alphabet() {
        let (a, b) = (request(), request());
        assert_ne!(a.verifier.expose(), b.verifier.expose());
        assert_ne!(a.state.expose(), b.state.expose());
        let v = a.verifier.expose();
        assert!((43..=128).contains(&v.len()), "{} characters", v.len());
        assert!(v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c)));
        let url = a.url();
        assert!(
            url.starts_with("http://127.0.0.1:9/oauth2Confirm?"),
            "{url}"
        );
        assert_eq!(param(url, "code_challenge").unwrap(), challenge(v));
        assert_eq!(param(url, "code_challenge_method").unwrap(), "S256");
        assert_eq!(param(url, "state").unwrap(), a.state.expose());
        assert_eq!(param(url, "client_id").unwrap(), "partner-app");
        assert_eq!(param(url, "response_type").unwrap(), "code");
        assert_eq!(
            param(url, "redirect_uri").unwrap(),
            "http://127.0.0.1:8765/callback"
        );
        assert_eq!(
            param(url, "scope").unwrap(),
            "ACTIVITY_EXPORT WORKOUT_IMPORT"
        );
        assert!(!url.contains(v), "the verifier must not leave the app");
        let debug = format!("{a:?}");
        assert!(
            !debug.contains(a.state.expose()) && !debug.contains(v),
            "{debug}"
        );
    }

    #[test]
    fn the_callback_is_checked_before_its_code_is_taken() {
        let r = request();
        let state = r.state.expose().to_owned();
        let at = |q: &str| format!("http://127.0.0.1:8765/callback?{q}");
        let code = r.code(&at(&format!("code=abc&state={state}"))).unwrap();
        assert_eq!(code.expose(), "abc");
        // The query alone, as pasted.
        assert_eq!(
            r.code(&format!("?state={state}&code=xyz"))
                .unwrap()
                .expose(),
            "xyz"
        );
        for q in ["code=abc", "code=abc&state=", "code=abc&state=other"] {
            assert!(
                matches!(r.code(&at(q)), Err(Error::AuthorizationStateMismatch)),
                "{q}"
            );
        }
        // A stale or forged state loses even to an error answer: it is not ours to report.
        assert!(matches!(
            r.code(&at("error=access_denied&state=other")),
            Err(Error::AuthorizationStateMismatch)
        ));
        match r.code(&at(&format!("error=access_denied&state={state}"))) {
            Err(Error::AuthorizationDeclined(c)) => assert_eq!(c, "access_denied"),
            other => panic!("{other:?}"),
        }
        let long = format!("error={}%0A%1B&state={state}", "x".repeat(5000));
        match r.code(&at(&long)) {
            Err(e @ Error::AuthorizationDeclined(_)) => {
                assert!(e.to_string().len() < 100, "{e}");
                assert!(!e.to_string().contains('\n'));
            }
            other => panic!("{other:?}"),
        }
        let e = r.code(&at(&format!("state={state}"))).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::UnexpectedResponse);
        let e = r
            .code(&format!(
                "https://evil.example/callback?code=abc&state={state}"
            ))
            .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
        let e = r.code(&"a".repeat(MAX_CALLBACK_BYTES + 1)).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput);
    }

    #[test]
    fn partner_apps_are_checked() {
        let s = || ClientSecret::new("x");
        assert!(PartnerApp::new("", s(), "http://127.0.0.1/cb").is_err());
        assert!(PartnerApp::new("a b", s(), "http://127.0.0.1/cb").is_err());
        assert!(PartnerApp::new("a", ClientSecret::new(""), "http://127.0.0.1/cb").is_err());
        assert!(PartnerApp::new("a", s(), "/cb").is_err());
        assert!(PartnerApp::new("a", s(), "ftp://h/cb").is_err());
        assert!(PartnerApp::new("a", s(), "http://h/cb#f").is_err());
        let e = PartnerApp::new("a", ClientSecret::new("hunter2"), "x").unwrap_err();
        assert!(!e.to_string().contains("hunter2"));
        assert!(!format!("{:?}", app()).contains("s3cret"));
    }
}
