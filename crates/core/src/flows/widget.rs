//! The classic widget (HTML) sign-in, docs/protocol.md §1: embed → signin page (CSRF) → credential
//! POST → Success page with the ticket in inline JS, or the MFA page and its own POST.

use super::FlowOutcome;
use super::{Challenge, MfaContinuation, MfaMethod};
use crate::answers;
use crate::cookies::CookieJar;
use crate::error::{Error, Result};
use crate::exchange::Exchanger;
use crate::http::{OutRequest, Page};
use crate::secret::{Password, Secret, ServiceTicket};
use crate::strategy::Flow;
use crate::ticket::Ticket;
use regex_lite::Regex;
use std::sync::LazyLock;
use url::Url;

const SIGNIN_PAGE_TITLE: &str = "GARMIN Authentication Application";

/// Runs the widget flow up to a ticket or an MFA challenge.
pub(crate) fn sign_in(ex: &Exchanger, email: &str, password: &Password) -> Result<FlowOutcome> {
    let urls = Urls::new(ex)?;
    let jar = CookieJar::new();

    // The embed page only sets the Cloudflare and locale cookies the sign-in page expects.
    let embed = send(ex, OutRequest::get(urls.embed.clone()), &jar)?;
    expect_ok(&embed, "embed page")?;

    let signin = send(
        ex,
        OutRequest::get(urls.signin.clone()).header("Referer", urls.embed.as_str()),
        &jar,
    )?;
    expect_ok(&signin, "signin page")?;
    let csrf = find_csrf(&signin.text())
        .ok_or_else(|| Error::unexpected("signin page", "no CSRF input"))?;

    if let Some(wait) = ex.config().pacing_wait(Flow::Widget) {
        // A person takes a few seconds to type; Cloudflare refuses POSTs that come too quickly.
        log::debug!("widget: pacing {} ms before posting", wait.as_millis());
        ex.config().sleeper.sleep(wait);
    }
    log::debug!("widget: posting credentials");
    let form = [
        ("username", email),
        ("password", password.expose()),
        ("embed", "true"),
        ("_csrf", csrf.expose()),
    ];
    let req =
        OutRequest::post_form(urls.signin.clone(), &form).header("Referer", urls.signin.as_str());
    let answer = send(ex, req, &jar)?;
    match classify(&answer, "credential POST")? {
        Landing::Ticket(value) => Ok(FlowOutcome::Ticket(Ticket {
            value,
            service_url: urls.service.clone(),
        })),
        Landing::Mfa(mut mfa) => {
            if mfa.code_sent_to.is_none() && matches!(mfa.method, MfaMethod::Email | MfaMethod::Sms)
            {
                mfa.code_sent_to = request_code(ex, &urls, &mfa, &answer.url, &jar)?;
            }
            log::info!(
                "widget: Garmin asks for an MFA code ({})",
                mfa.method.as_str()
            );
            Ok(FlowOutcome::Mfa(Challenge {
                flow: Flow::Widget,
                method: mfa.method,
                code_sent_to: mfa.code_sent_to,
                continuation: Box::new(WidgetMfa {
                    urls,
                    jar,
                    csrf: mfa.csrf,
                    page_url: answer.url,
                }),
            }))
        }
        Landing::SigninPage if answer.status == 401 => Err(Error::InvalidCredentials),
        // A 200 sign-in page after the POST is Garmin refusing the form itself (a stale CSRF).
        Landing::SigninPage => Err(Error::unexpected(
            "credential POST",
            format!(
                "the sign-in page came back (HTTP {}); Garmin refused the form's CSRF value",
                answer.status
            ),
        )),
    }
}

/// The URLs of one sign-in, all under the configured SSO endpoint.
#[derive(Debug, Clone)]
struct Urls {
    embed: Url,
    signin: Url,
    mfa_submit: Url,
    mfa_code_request: Url,
    /// The CAS service the ticket is issued for (`<sso>/sso/embed`).
    service: String,
}

impl Urls {
    fn new(ex: &Exchanger) -> Result<Urls> {
        let sso = &ex.config().endpoints.sso;
        let join = |p: &str| {
            crate::urls::join_url(sso, p).map_err(|e| {
                Error::InvalidConfig(format!("SSO endpoint cannot take path {p}: {e}"))
            })
        };
        let service = join("sso/embed")?;
        let gauth_host = join("sso")?;
        let mut embed = service.clone();
        embed
            .query_pairs_mut()
            .append_pair("id", "gauth-widget")
            .append_pair("embedWidget", "true")
            .append_pair("gauthHost", gauth_host.as_str());
        let with_signin_params = |mut u: Url| {
            u.query_pairs_mut()
                .append_pair("id", "gauth-widget")
                .append_pair("embedWidget", "true")
                .append_pair("gauthHost", service.as_str())
                .append_pair("service", service.as_str())
                .append_pair("source", service.as_str())
                .append_pair("redirectAfterAccountLoginUrl", service.as_str())
                .append_pair("redirectAfterAccountCreationUrl", service.as_str());
            u
        };
        Ok(Urls {
            embed,
            signin: with_signin_params(join("sso/signin")?),
            mfa_submit: with_signin_params(join("sso/verifyMFA/loginEnterMfaCode")?),
            mfa_code_request: join("sso/verifyMFA/mfaCode")?,
            service: service.to_string(),
        })
    }
}

/// Sends an SSO request with the browser-like User-Agent and the sign-in's cookies.
fn send(ex: &Exchanger, req: OutRequest, jar: &CookieJar) -> Result<Page> {
    let req = req.header("User-Agent", ex.config().sso_user_agent.clone());
    ex.http().send(req, Some(jar))
}

fn expect_ok(page: &Page, step: &'static str) -> Result<()> {
    answers::check_blocked(page)?;
    if page.status != 200 {
        return Err(Error::HttpStatus {
            step,
            status: page.status,
        });
    }
    Ok(())
}

/// Where a POST (credentials or MFA code) landed after its redirects.
enum Landing {
    Ticket(ServiceTicket),
    Mfa(MfaPage),
    SigninPage,
}

struct MfaPage {
    method: MfaMethod,
    code_sent_to: Option<String>,
    csrf: Secret,
    customer_guid: String,
    locale: String,
    client_id: String,
}

fn classify(page: &Page, step: &'static str) -> Result<Landing> {
    answers::check_blocked(page)?;
    let text = page.text();
    let title = page.title().unwrap_or_default();
    if title == "Success" {
        return find_ticket(&text)
            .map(Landing::Ticket)
            .ok_or(Error::TicketNotFound("the widget Success page"));
    }
    if title.contains("MFA") || js_var(&text, "mfaMethod").is_some() {
        return parse_mfa_page(&text).map(Landing::Mfa);
    }
    if let Some(refusal) = answers::widget_refusal(&title) {
        return Err(refusal);
    }
    // Spring Security's answer to a missing, stale or made-up CSRF value.
    if page.status == 403 && text.contains("CSRF") {
        return Err(Error::unexpected(
            step,
            "Garmin refused the form's CSRF value (HTTP 403)",
        ));
    }
    if title.contains(SIGNIN_PAGE_TITLE) {
        return Ok(Landing::SigninPage);
    }
    if page.status >= 400 {
        return Err(Error::HttpStatus {
            step,
            status: page.status,
        });
    }
    Err(Error::unexpected(
        step,
        format!("HTTP {} page titled {title:?}", page.status),
    ))
}

fn parse_mfa_page(html: &str) -> Result<MfaPage> {
    let csrf = find_csrf(html).ok_or_else(|| Error::unexpected("MFA page", "no CSRF input"))?;
    let method = js_var(html, "mfaMethod")
        .map(|m| MfaMethod::parse(&m))
        .unwrap_or(MfaMethod::Other("unknown".into()));
    Ok(MfaPage {
        method,
        code_sent_to: js_var(html, "codeSentTo").filter(|s| !s.trim().is_empty()),
        csrf,
        customer_guid: js_var(html, "customerGuid").unwrap_or_default(),
        locale: js_var(html, "locale").unwrap_or_default(),
        client_id: js_var(html, "clientId").unwrap_or_default(),
    })
}

/// Asks Garmin to send the email/SMS code when the MFA page says none went out.
/// Returns where Garmin says the code went, when it says.
fn request_code(
    ex: &Exchanger,
    urls: &Urls,
    mfa: &MfaPage,
    mfa_page_url: &Url,
    jar: &CookieJar,
) -> Result<Option<String>> {
    const STEP: &str = "MFA code request";
    log::debug!("widget: requesting the MFA code ({})", mfa.method.as_str());
    let mut url = urls.mfa_code_request.clone();
    url.query_pairs_mut()
        .append_pair("clientId", &mfa.client_id);
    let body = serde_json::json!({
        "customerGuid": mfa.customer_guid,
        "mfaMethod": mfa.method.as_str(),
        "locale": mfa.locale,
    });
    let page = send(
        ex,
        OutRequest::post_json(url, &body).header("Referer", mfa_page_url.as_str()),
        jar,
    )?;
    answers::check_blocked(&page)?;
    if !(200..300).contains(&page.status) {
        return Err(Error::HttpStatus {
            step: STEP,
            status: page.status,
        });
    }
    let answer = page.json(STEP)?;
    match answer
        .pointer("/responseStatus/type")
        .and_then(|t| t.as_str())
    {
        None | Some("SUCCESSFUL") => {}
        Some(other) => {
            return Err(Error::unexpected(
                STEP,
                format!("Garmin answered {}", answers::safe_word(other)),
            ));
        }
    }
    Ok(answer
        .get("codeSentTo")
        .and_then(|v| v.as_str())
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned))
}

/// The second half of a widget sign-in: the cookies and the MFA page's current CSRF.
struct WidgetMfa {
    urls: Urls,
    jar: CookieJar,
    csrf: Secret,
    page_url: Url,
}

impl MfaContinuation for WidgetMfa {
    fn submit(&mut self, ex: &Exchanger, code: &str) -> Result<Ticket> {
        let form = [
            ("mfa-code", code),
            ("embed", "true"),
            ("_csrf", self.csrf.expose()),
            ("fromPage", "setupEnterMfaCode"),
        ];
        let req = OutRequest::post_form(self.urls.mfa_submit.clone(), &form)
            .header("Referer", self.page_url.as_str());
        let answer = send(ex, req, &self.jar)?;
        match classify(&answer, "MFA code POST")? {
            Landing::Ticket(value) => Ok(Ticket {
                value,
                service_url: self.urls.service.clone(),
            }),
            Landing::Mfa(page) => {
                // The page that reports the wrong code carries the CSRF the next try must send.
                self.csrf = page.csrf;
                self.page_url = answer.url;
                Err(Error::MfaCodeRejected)
            }
            Landing::SigninPage => Err(Error::MfaChallengeEnded {
                reason: "Garmin returned the sign-in page".into(),
            }),
        }
    }
}

static INPUT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)<input\b([^>]*)>").expect("static regex"));
static ATTR_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?s)([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#)
        .expect("static regex")
});

/// The value of the hidden `_csrf` input, whatever the attribute order, quoting and spacing.
fn find_csrf(html: &str) -> Option<Secret> {
    INPUT_RE.captures_iter(html).find_map(|tag| {
        let mut name = None;
        let mut value = None;
        for a in ATTR_RE.captures_iter(&tag[1]) {
            let v = a
                .get(2)
                .or(a.get(3))
                .or(a.get(4))
                .map_or("", |m| m.as_str());
            match a[1].to_ascii_lowercase().as_str() {
                "name" => name = Some(v.to_owned()),
                "value" => value = Some(v.trim_end_matches('/').to_owned()),
                _ => {}
            }
        }
        (name.as_deref() == Some("_csrf"))
            .then_some(value)
            .flatten()
            .filter(|v| !v.is_empty())
            .map(|v| Secret::new(html_unescape(&v)))
    })
}

static RESPONSE_URL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"response_url\s*=\s*"((?:[^"\\]|\\.)*)""#).expect("static regex")
});
static TICKET_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[?&]ticket=(ST-[A-Za-z0-9._~-]+)").expect("static regex"));

/// The ticket in the Success page's inline JS (`response_url = "https:\/\/…embed?ticket=ST-…"`).
fn find_ticket(html: &str) -> Option<ServiceTicket> {
    let url = js_unescape(&RESPONSE_URL_RE.captures(html)?[1]);
    let url = if url.contains("%3A%2F%2F") {
        percent_encoding::percent_decode_str(&url)
            .decode_utf8_lossy()
            .into_owned()
    } else {
        url
    };
    let url = url.replace("&amp;", "&");
    TICKET_RE.captures(&url).map(|c| ServiceTicket::new(&c[1]))
}

/// A `var name = "…";` string from inline JS, unescaped.
fn js_var(html: &str, name: &str) -> Option<String> {
    // One pattern for every name, compiled once: the MFA page asks for five variables, and a
    // pattern per call cost more than the rest of the page's parsing.
    static JS_VAR: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(r#"var\s+([A-Za-z_$][\w$]*)\s*=\s*"((?:[^"\\]|\\.)*)""#).expect("static regex")
    });
    JS_VAR
        .captures_iter(html)
        .find(|c| &c[1] == name)
        .map(|c| js_unescape(&c[2]))
}

fn js_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csrf_found_in_any_attribute_layout() {
        for html in [
            r#"<input type="hidden" name="_csrf" value="ABC123"/>"#,
            r#"<input type="hidden" name="_csrf"            value="ABC123" />"#,
            r#"<input value="ABC123" type="hidden" name="_csrf">"#,
            r#"<INPUT class="x" NAME='_csrf' id="csrf-field" Value='ABC123' data-x="1">"#,
            "<input\n  type=hidden\n  name=_csrf\n  value=ABC123>",
            r#"<input name="username" value="me"/><input type="hidden" data-name="_csrf" value="no"/><input name="_csrf" value="ABC123"/>"#,
        ] {
            assert_eq!(
                find_csrf(html).map(|s| s.expose().to_owned()).as_deref(),
                Some("ABC123"),
                "{html}"
            );
        }
        assert!(find_csrf(r#"<input name="_csrf" value=""/>"#).is_none());
        assert!(find_csrf(r#"<input name="username" value="x"/>"#).is_none());
    }

    #[test]
    fn ticket_from_escaped_inline_js() {
        let html = "var response_url                 \t  = \"https:\\/\\/sso.garmin.com\\/sso\\/embed?ticket=ST-2493679-FvaBwl5Of6mdyXQlO9as-cas\";";
        assert_eq!(
            find_ticket(html).map(|s| s.expose().to_owned()).as_deref(),
            Some("ST-2493679-FvaBwl5Of6mdyXQlO9as-cas")
        );
        let encoded =
            r#"response_url = "https%3A%2F%2Fsso.garmin.com%2Fsso%2Fembed%3Fticket%3DST-1-a-cas";"#;
        assert_eq!(
            find_ticket(encoded)
                .map(|s| s.expose().to_owned())
                .as_deref(),
            Some("ST-1-a-cas")
        );
        assert!(find_ticket(r#"response_url = "https:\/\/sso.garmin.com\/sso\/embed";"#).is_none());
    }

    #[test]
    fn mfa_page_vars() {
        let html = r#"<script>var customerGuid = "0690cc1d"; var mfaMethod = "email";
            var locale = ""; var clientId = ""; var codeSentTo = "mt*****@gmail.com";</script>
            <title>Enter MFA code for login</title>
            <input type="hidden" name="_csrf"            value="E682" />"#;
        let p = parse_mfa_page(html).unwrap();
        assert_eq!(p.method, MfaMethod::Email);
        assert_eq!(p.code_sent_to.as_deref(), Some("mt*****@gmail.com"));
        assert_eq!(p.csrf.expose(), "E682");
        assert_eq!(p.customer_guid, "0690cc1d");
        assert_eq!(p.locale, "");
        let none_sent = html.replace("mt*****@gmail.com", "");
        assert_eq!(parse_mfa_page(&none_sent).unwrap().code_sent_to, None);
        assert!(matches!(
            parse_mfa_page("var mfaMethod = \"sms\";"),
            Err(Error::UnexpectedResponse {
                step: "MFA page",
                ..
            })
        ));
    }
}
