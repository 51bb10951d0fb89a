//! The JSON sign-ins of Garmin's apps: mobile (docs/protocol.md §2) and portal (§3). Same request
//! and answer shapes, different paths, client ids and service URLs.
//!
//! The mobile flow sends exactly garth 0.8.0's requests in garth's order — cookie GET, login POST,
//! (MFA POST), best-effort `GET /portal/sso/embed` — so recordings of garth replay against it.

use super::FlowOutcome;
use super::{Challenge, MfaContinuation, MfaMethod};
use crate::answers;
use crate::config::ClientPreset;
use crate::cookies::CookieJar;
use crate::error::{Error, Result};
use crate::exchange::Exchanger;
use crate::http::{OutRequest, Page};
use crate::secret::{Password, ServiceTicket};
use crate::strategy::Flow;
use crate::ticket::Ticket;
use serde_json::{json, Value};
use url::Url;

/// Which JSON sign-in: the two differ in path prefix and client preset, and only the portal
/// pauses before posting and sends `Origin`/`Referer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Mobile,
    Portal,
}

impl Api {
    fn flow(self) -> Flow {
        match self {
            Api::Mobile => Flow::Mobile,
            Api::Portal => Flow::Portal,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Api::Mobile => "mobile",
            Api::Portal => "portal",
        }
    }
}

const PAGE_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const ACCEPT_LANGUAGE: &str = "en-US,en;q=0.9";
const LOGIN_STEP: &str = "JSON login";
const MFA_STEP: &str = "JSON MFA verification";

/// Runs a JSON sign-in as the app `preset` up to a ticket or an MFA challenge.
pub(crate) fn sign_in(
    ex: &Exchanger,
    api: Api,
    preset: ClientPreset,
    email: &str,
    password: &Password,
) -> Result<FlowOutcome> {
    let urls = Urls::new(ex, api, preset)?;
    let jar = CookieJar::new();

    // The page GET only collects the session and Cloudflare cookies the API POST expects.
    let page = send(ex, page_request(ex, urls.page.clone(), "none"), &jar)?;
    answers::check_blocked(&page)?;
    if page.status != 200 {
        return Err(Error::HttpStatus {
            step: page_step(api),
            status: page.status,
        });
    }

    if let Some(wait) = ex.config().pacing_wait(api.flow()) {
        // A person takes a few seconds to type; Cloudflare refuses POSTs that come too quickly.
        log::debug!(
            "{}: pacing {} ms before posting",
            api.prefix(),
            wait.as_millis()
        );
        ex.config().sleeper.sleep(wait);
    }

    log::debug!("{}: posting credentials", api.prefix());
    let body = json!({
        "username": email,
        "password": password.expose(),
        "rememberMe": false,
        "captchaToken": "",
    });
    let mut req = api_request(ex, urls.login.clone(), &body);
    if api == Api::Portal {
        req = req
            .header("Origin", origin(&urls.page))
            .header("Referer", urls.page.as_str());
    }
    let answer = send(ex, req, &jar)?;
    match classify(&answer, LOGIN_STEP)? {
        Answer::Ticket(value) => {
            finish(ex, api, &urls, &jar, &answer.url);
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
                flow: api.flow(),
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
    fn new(ex: &Exchanger, api: Api, preset: ClientPreset) -> Result<Urls> {
        if preset.client_id.trim().is_empty() || preset.service_url.trim().is_empty() {
            return Err(Error::InvalidConfig(format!(
                "the {} client preset needs a client id and a service URL",
                api.prefix()
            )));
        }
        let sso = &ex.config().endpoints.sso;
        let join = |p: &str| {
            crate::urls::join_url(sso, p).map_err(|e| {
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
fn page_request(ex: &Exchanger, url: Url, fetch_site: &str) -> OutRequest {
    OutRequest::get(url)
        .header("User-Agent", ex.config().sso_user_agent.clone())
        .header("Accept", PAGE_ACCEPT)
        .header("Accept-Language", ACCEPT_LANGUAGE)
        .header("Sec-Fetch-Mode", "navigate")
        .header("Sec-Fetch-Dest", "document")
        .header("Sec-Fetch-Site", fetch_site)
}

/// A JSON POST to the sign-in API, with the same browser headers (garth sent them on the POSTs
/// too).
fn api_request(ex: &Exchanger, url: Url, body: &Value) -> OutRequest {
    OutRequest::post_json(url, body)
        .header("User-Agent", ex.config().sso_user_agent.clone())
        .header("Accept", PAGE_ACCEPT)
        .header("Accept-Language", ACCEPT_LANGUAGE)
        .header("Sec-Fetch-Mode", "navigate")
        .header("Sec-Fetch-Dest", "document")
}

fn send(ex: &Exchanger, req: OutRequest, jar: &CookieJar) -> Result<Page> {
    ex.http().send(req, Some(jar))
}

/// After a mobile sign-in succeeds, garth 0.8.0 fetched `/portal/sso/embed` for the load balancer's
/// cookie before the exchange. Its answer does not matter, so any failure is only logged.
fn finish(ex: &Exchanger, api: Api, urls: &Urls, jar: &CookieJar, last_url: &Url) {
    if api != Api::Mobile {
        return;
    }
    if ex.config().tokens == crate::config::TokenPreference::Legacy {
        // garth 0.8.0 loaded the OAuth consumer before the embed GET; doing the same keeps our
        // request order identical to its recordings. A failure here resurfaces in the exchange.
        if let Err(e) = ex.consumer() {
            log::debug!("mobile: consumer fetch before the embed page failed: {e}");
        }
    }
    let req =
        page_request(ex, urls.embed.clone(), "same-origin").header("Referer", last_url.as_str());
    match send(ex, req, jar) {
        Ok(p) => log::debug!("mobile: embed page answered HTTP {}", p.status),
        Err(e) => log::debug!("mobile: best-effort embed page failed: {e}"),
    }
}

/// What a login or MFA answer means.
#[derive(Debug)]
enum Answer {
    Ticket(ServiceTicket),
    Mfa {
        method: String,
        code_sent_to: Option<String>,
    },
    CodeRejected,
    ChallengeEnded,
}

/// Maps a JSON sign-in answer (login or MFA) to its meaning or to a typed error.
fn classify(page: &Page, step: &'static str) -> Result<Answer> {
    answers::check_blocked(page)?;
    let Ok(v) = serde_json::from_slice::<Value>(&page.response.body) else {
        return Err(answers::not_a_sign_in_answer(page, step, "is not JSON"));
    };
    answers::json_rate_limit(&v, page)?;
    let Some(kind) = v.pointer("/responseStatus/type").and_then(Value::as_str) else {
        return Err(answers::not_a_sign_in_answer(
            page,
            step,
            "has no responseStatus.type",
        ));
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
            Ok(Answer::Ticket(ServiceTicket::new(ticket)))
        }
        "MFA_REQUIRED" => {
            let info = v.get("customerMfaInfo").cloned().unwrap_or(Value::Null);
            // garth falls back to email when Garmin does not say which method it used.
            let method = info
                .get("mfaLastMethodUsed")
                .and_then(Value::as_str)
                .filter(|m| !m.trim().is_empty())
                .map(answers::safe_word)
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
        k => {
            if let Some(refusal) = answers::sign_in_refusal(k) {
                return Err(refusal);
            }
            if step == MFA_STEP && is_code_rejected(k) {
                return Ok(Answer::CodeRejected);
            }
            if step == MFA_STEP
                && (k.contains("EXPIRED") || k.contains("TOO_MANY") || k.contains("MAX_"))
            {
                return Ok(Answer::ChallengeEnded);
            }
            Err(answers::sign_in_unknown_word(k, page, step))
        }
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
    fn submit(&mut self, ex: &Exchanger, code: &str) -> Result<Ticket> {
        let body = json!({
            "mfaMethod": self.method,
            "mfaVerificationCode": code,
            "rememberMyBrowser": false,
            "reconsentList": [],
            "mfaSetup": false,
        });
        let mut req = api_request(ex, self.urls.verify.clone(), &body);
        if self.api == Api::Portal {
            req = req
                .header("Origin", origin(&self.urls.page))
                .header("Referer", self.urls.page.as_str());
        }
        let answer = send(ex, req, &self.jar)?;
        match classify(&answer, MFA_STEP)? {
            Answer::Ticket(value) => {
                finish(ex, self.api, &self.urls, &self.jar, &answer.url);
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
    fn code_rejection_words() {
        assert!(is_code_rejected("INVALID_MFA_CODE"));
        assert!(is_code_rejected("MFA_CODE_INCORRECT"));
        assert!(!is_code_rejected("SESSION_EXPIRED"));
    }
}
