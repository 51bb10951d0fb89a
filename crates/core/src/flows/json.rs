//! The JSON sign-ins of Garmin's apps: mobile (PROTOCOL §2) and portal (§3). Same request and answer
//! shapes, different paths, client ids and service URLs.
//!
//! The mobile flow sends exactly garth 0.8.0's requests in garth's order — cookie GET, login POST,
//! (MFA POST), best-effort `GET /portal/sso/embed` — so recordings of garth replay against it.

use super::{FlowOutcome, Ticket};
use crate::client::Client;
use crate::config::ClientPreset;
use crate::cookies::CookieJar;
use crate::error::{Error, Result, Strategy};
use crate::http::{OutRequest, Page};
use crate::mfa::{Challenge, MfaContinuation, MfaMethod};
use crate::secret::Secret;
use serde_json::{json, Value};
use std::time::Duration;
use url::Url;

/// Which JSON API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Mobile,
    Portal,
}

impl Api {
    fn strategy(self) -> Strategy {
        match self {
            Api::Mobile => Strategy::Mobile,
            Api::Portal => Strategy::Portal,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Api::Mobile => "mobile",
            Api::Portal => "portal",
        }
    }

    fn preset(self, client: &Client) -> ClientPreset {
        match self {
            Api::Mobile => client.config().mobile_client.clone(),
            Api::Portal => client.config().portal_client.clone(),
        }
    }
}

const PAGE_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const ACCEPT_LANGUAGE: &str = "en-US,en;q=0.9";
const LOGIN_STEP: &str = "JSON login";
const MFA_STEP: &str = "JSON MFA verification";

/// Runs a JSON sign-in up to a ticket or an MFA challenge.
pub(crate) fn sign_in(
    client: &Client,
    api: Api,
    email: &str,
    password: &Secret,
) -> Result<FlowOutcome> {
    let urls = Urls::new(client, api)?;
    let jar = CookieJar::new();

    // The page GET only collects the session and Cloudflare cookies the API POST expects.
    let page = send(
        client,
        page_request(client, urls.page.clone(), "none"),
        &jar,
    )?;
    page.check_blocked()?;
    if page.status != 200 {
        return Err(Error::HttpStatus {
            step: page_step(api),
            status: page.status,
        });
    }

    if api == Api::Portal && !client.config().portal_pause.is_zero() {
        // Pacing only: a human takes a few seconds to type; the simulator configures zero.
        pause(client.config().portal_pause);
    }

    log::debug!("{}: posting credentials", api.prefix());
    let body = json!({
        "username": email,
        "password": password.expose(),
        "rememberMe": false,
        "captchaToken": "",
    });
    let mut req = api_request(client, urls.login.clone(), &body);
    if api == Api::Portal {
        req = req
            .header("Origin", origin(&urls.page))
            .header("Referer", urls.page.as_str());
    }
    let answer = send(client, req, &jar)?;
    match classify(&answer, LOGIN_STEP)? {
        Answer::Ticket(value) => {
            finish(client, api, &urls, &jar, &answer.url);
            Ok(FlowOutcome::Ticket(Ticket {
                value,
                service_url: urls.service.clone(),
            }))
        }
        Answer::Mfa {
            method,
            code_sent_to,
        } => {
            log::info!(
                "{}: Garmin asks for an MFA code ({})",
                api.prefix(),
                method.as_str()
            );
            Ok(FlowOutcome::Mfa(Challenge {
                strategy: api.strategy(),
                method: MfaMethod::parse(&method),
                code_sent_to,
                continuation: Box::new(JsonMfa {
                    api,
                    urls,
                    jar,
                    method,
                }),
            }))
        }
        Answer::CodeRejected | Answer::ChallengeEnded => Err(Error::unexpected(
            LOGIN_STEP,
            "an MFA answer came back before any code was sent",
        )),
    }
}

fn page_step(api: Api) -> &'static str {
    match api {
        Api::Mobile => "mobile sign-in page",
        Api::Portal => "portal sign-in page",
    }
}

fn pause(d: Duration) {
    std::thread::sleep(d);
}

/// The URLs of one JSON sign-in.
#[derive(Debug, Clone)]
struct Urls {
    page: Url,
    login: Url,
    verify: Url,
    embed: Url,
    service: String,
}

impl Urls {
    fn new(client: &Client, api: Api) -> Result<Urls> {
        let preset = api.preset(client);
        if preset.client_id.trim().is_empty() || preset.service_url.trim().is_empty() {
            return Err(Error::InvalidConfig(format!(
                "the {} client preset needs a client id and a service URL",
                api.prefix()
            )));
        }
        let sso = &client.config().endpoints.sso;
        let join = |p: &str| {
            sso.join(p).map_err(|e| {
                Error::InvalidConfig(format!("SSO endpoint cannot take path {p}: {e}"))
            })
        };
        let mut page = match api {
            Api::Mobile => join("mobile/sso/en/sign-in")?,
            Api::Portal => join("portal/sso/en-US/sign-in")?,
        };
        page.query_pairs_mut()
            .append_pair("clientId", &preset.client_id);
        if api == Api::Portal {
            page.query_pairs_mut()
                .append_pair("service", &preset.service_url);
        }
        let with_query = |mut u: Url| {
            u.query_pairs_mut()
                .append_pair("clientId", &preset.client_id)
                .append_pair("locale", "en-US")
                .append_pair("service", &preset.service_url);
            u
        };
        Ok(Urls {
            page,
            login: with_query(join(&format!("{}/api/login", api.prefix()))?),
            verify: with_query(join(&format!("{}/api/mfa/verifyCode", api.prefix()))?),
            embed: join("portal/sso/embed")?,
            service: preset.service_url,
        })
    }
}

fn origin(u: &Url) -> String {
    u.origin().ascii_serialization()
}

/// A navigation-like GET, with the browser headers garth 0.8.0 sent.
fn page_request(client: &Client, url: Url, fetch_site: &str) -> OutRequest {
    OutRequest::get(url)
        .header("User-Agent", client.config().sso_user_agent.clone())
        .header("Accept", PAGE_ACCEPT)
        .header("Accept-Language", ACCEPT_LANGUAGE)
        .header("Sec-Fetch-Mode", "navigate")
        .header("Sec-Fetch-Dest", "document")
        .header("Sec-Fetch-Site", fetch_site)
}

/// A JSON POST to the sign-in API, with the same browser headers (garth sent them on the POSTs too).
fn api_request(client: &Client, url: Url, body: &Value) -> OutRequest {
    OutRequest::post_json(url, body)
        .header("User-Agent", client.config().sso_user_agent.clone())
        .header("Accept", PAGE_ACCEPT)
        .header("Accept-Language", ACCEPT_LANGUAGE)
        .header("Sec-Fetch-Mode", "navigate")
        .header("Sec-Fetch-Dest", "document")
}

fn send(client: &Client, req: OutRequest, jar: &CookieJar) -> Result<Page> {
    client.http().send(req, Some(jar))
}

/// After a mobile sign-in succeeds, garth 0.8.0 fetched `/portal/sso/embed` for the load balancer's
/// cookie before the exchange. Its answer does not matter, so any failure is only logged.
fn finish(client: &Client, api: Api, urls: &Urls, jar: &CookieJar, last_url: &Url) {
    if api != Api::Mobile {
        return;
    }
    if client.config().tokens == crate::config::TokenPreference::OAuth1 {
        // garth 0.8.0 loaded the OAuth consumer before the embed GET; doing the same keeps our
        // request order identical to its recordings. A failure here resurfaces in the exchange.
        if let Err(e) = crate::exchange::consumer::get(client) {
            log::debug!("mobile: consumer fetch before the embed page failed: {e}");
        }
    }
    let req = page_request(client, urls.embed.clone(), "same-origin")
        .header("Referer", last_url.as_str());
    match send(client, req, jar) {
        Ok(p) => log::debug!("mobile: embed page answered HTTP {}", p.status),
        Err(e) => log::debug!("mobile: best-effort embed page failed: {e}"),
    }
}

/// What a login or MFA answer means.
#[derive(Debug)]
enum Answer {
    Ticket(Secret),
    Mfa {
        method: String,
        code_sent_to: Option<String>,
    },
    CodeRejected,
    ChallengeEnded,
}

fn retry_after(page: &Page) -> Option<Duration> {
    page.response
        .header("Retry-After")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Garmin's status words (`INVALID_USERNAME_PASSWORD`, …) are safe to show; anything else the server
/// put there is cut down to a harmless form.
fn safe_word(s: &str) -> String {
    let w: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(64)
        .collect();
    if w.is_empty() {
        "<empty>".into()
    } else {
        w
    }
}

/// Maps a JSON sign-in answer (login or MFA) to its meaning or to a typed error.
fn classify(page: &Page, step: &'static str) -> Result<Answer> {
    page.check_blocked()?;
    let status = page.status;
    let Ok(v) = serde_json::from_slice::<Value>(&page.response.body) else {
        return Err(match status {
            403 => Error::Blocked {
                reason: "HTTP 403 without a sign-in answer".into(),
            },
            200 => Error::unexpected(step, "HTTP 200 answer is not JSON"),
            _ => Error::HttpStatus { step, status },
        });
    };
    // Cloudflare's rate limit sometimes arrives as HTTP 200 with the 429 inside the JSON.
    if let Some(code) = v.pointer("/error/status-code") {
        let code = code
            .as_str()
            .map(str::to_owned)
            .or_else(|| code.as_u64().map(|n| n.to_string()));
        if code.as_deref() == Some("429") {
            return Err(Error::RateLimited {
                retry_after: retry_after(page),
            });
        }
    }
    let Some(kind) = v.pointer("/responseStatus/type").and_then(Value::as_str) else {
        return Err(match status {
            403 => Error::Blocked {
                reason: "HTTP 403 without a sign-in answer".into(),
            },
            200 => Error::unexpected(step, "JSON answer has no responseStatus.type"),
            _ => Error::HttpStatus { step, status },
        });
    };
    match kind {
        "SUCCESSFUL" => {
            let ticket = v
                .get("serviceTicketId")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !super::webview::is_ticket(ticket) {
                return Err(Error::TicketNotFound("the SUCCESSFUL sign-in answer"));
            }
            Ok(Answer::Ticket(Secret::new(ticket)))
        }
        "MFA_REQUIRED" => {
            let info = v.get("customerMfaInfo").cloned().unwrap_or(Value::Null);
            // garth falls back to email when Garmin does not say which method it used.
            let method = info
                .get("mfaLastMethodUsed")
                .and_then(Value::as_str)
                .filter(|m| !m.trim().is_empty())
                .map(safe_word)
                .unwrap_or_else(|| "email".into());
            let code_sent_to = match MfaMethod::parse(&method) {
                MfaMethod::Sms => info.get("phoneNumber"),
                _ => info.get("email"),
            }
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
            if step == MFA_STEP {
                // A second MFA demand in answer to a code means the code did not count.
                return Ok(Answer::CodeRejected);
            }
            Ok(Answer::Mfa {
                method,
                code_sent_to,
            })
        }
        "INVALID_USERNAME_PASSWORD" => Err(Error::InvalidCredentials),
        "CAPTCHA_REQUIRED" => Err(Error::Blocked {
            reason: "CAPTCHA required".into(),
        }),
        k if k.contains("LOCKED") => Err(Error::AccountLocked),
        k if k.contains("LOGIN_DENIED") || k.contains("SECURITY_POLICY") => {
            Err(Error::AccountUnusable {
                reason: format!("Garmin answered {}", safe_word(k)),
            })
        }
        k if step == MFA_STEP && is_code_rejected(k) => Ok(Answer::CodeRejected),
        k if step == MFA_STEP
            && (k.contains("EXPIRED") || k.contains("TOO_MANY") || k.contains("MAX_")) =>
        {
            Ok(Answer::ChallengeEnded)
        }
        k if status == 429 || k.contains("TOO_MANY_REQUESTS") => Err(Error::RateLimited {
            retry_after: retry_after(page),
        }),
        k if status == 403 => Err(Error::Blocked {
            reason: format!("HTTP 403 ({})", safe_word(k)),
        }),
        k => Err(Error::unexpected(
            step,
            format!("HTTP {status} with responseStatus {}", safe_word(k)),
        )),
    }
}

fn is_code_rejected(kind: &str) -> bool {
    kind.contains("CODE")
        && (kind.contains("INVALID")
            || kind.contains("INCORRECT")
            || kind.contains("WRONG")
            || kind.contains("MISMATCH"))
}

/// The second half of a JSON sign-in: the verifyCode POST in the same cookie session.
struct JsonMfa {
    api: Api,
    urls: Urls,
    jar: CookieJar,
    /// The method Garmin reported; verifyCode must name the same one.
    method: String,
}

impl MfaContinuation for JsonMfa {
    fn submit(&mut self, client: &Client, code: &str) -> Result<Ticket> {
        let body = json!({
            "mfaMethod": self.method,
            "mfaVerificationCode": code,
            "rememberMyBrowser": false,
            "reconsentList": [],
            "mfaSetup": false,
        });
        let mut req = api_request(client, self.urls.verify.clone(), &body);
        if self.api == Api::Portal {
            req = req
                .header("Origin", origin(&self.urls.page))
                .header("Referer", self.urls.page.as_str());
        }
        let answer = send(client, req, &self.jar)?;
        match classify(&answer, MFA_STEP)? {
            Answer::Ticket(value) => {
                finish(client, self.api, &self.urls, &self.jar, &answer.url);
                Ok(Ticket {
                    value,
                    service_url: self.urls.service.clone(),
                })
            }
            Answer::CodeRejected => Err(Error::MfaCodeRejected),
            Answer::ChallengeEnded => Err(Error::MfaChallengeEnded {
                reason: "Garmin closed the verification session".into(),
            }),
            Answer::Mfa { .. } => Err(Error::MfaCodeRejected),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn safe_word_keeps_status_words_and_drops_the_rest() {
        assert_eq!(
            safe_word("INVALID_USERNAME_PASSWORD"),
            "INVALID_USERNAME_PASSWORD"
        );
        assert_eq!(safe_word("<script>x</script>"), "scriptxscript");
        assert_eq!(safe_word(""), "<empty>");
        assert_eq!(safe_word(&"A".repeat(200)).len(), 64);
    }

    #[test]
    fn code_rejection_words() {
        assert!(is_code_rejected("INVALID_MFA_CODE"));
        assert!(is_code_rejected("MFA_CODE_INCORRECT"));
        assert!(!is_code_rejected("SESSION_EXPIRED"));
    }
}
