//! Helpers for the JSON-flow, DI, chain and web-view tests: configs for a strategy and token family,
//! a plain-HTTP "browser" that talks to the simulator directly, and outcome unpacking.
//! Include with `mod common; mod jsonkit;`.
#![allow(dead_code, clippy::unwrap_used)]

use crate::common;
use garmin_sso_core::{
    Body, Client, Config, LoginOutcome, Method, PendingMfa, Request, Response, ServiceTicket,
    Strategy, Ticket, TokenPreference, Tokens, Transport, UreqTransport,
};
use garmin_sso_sim::Simulator;
use std::sync::Arc;
use std::time::Duration;

pub const ANDROID_SERVICE: &str = "https://mobile.integration.garmin.com/gcm/android";
pub const IOS_SERVICE: &str = "https://mobile.integration.garmin.com/gcm/ios";
pub const PORTAL_SERVICE: &str = "https://connect.garmin.com/app";

/// The common simulator config with the given strategies and token family.
pub fn config_for<S: Into<Strategy> + Copy>(
    sim: &Simulator,
    strategies: &[S],
    tokens: TokenPreference,
) -> Config {
    let mut c = common::config(sim);
    c.strategies = strategies.iter().map(|&s| s.into()).collect();
    c.tokens = tokens;
    c
}

pub fn client_for<S: Into<Strategy> + Copy>(
    sim: &Simulator,
    strategies: &[S],
    tokens: TokenPreference,
) -> Client {
    common::client_with(
        config_for(sim, strategies, tokens),
        Arc::new(UreqTransport::new()),
    )
}

pub fn complete(outcome: LoginOutcome) -> Tokens {
    match outcome {
        LoginOutcome::Complete(t) => t,
        LoginOutcome::MfaRequired(p) => panic!("unexpected MFA challenge: {p:?}"),
    }
}

pub fn pending(outcome: LoginOutcome) -> PendingMfa {
    match outcome {
        LoginOutcome::MfaRequired(p) => p,
        LoginOutcome::Complete(t) => panic!(
            "expected an MFA challenge, got {} tokens",
            t.family().name()
        ),
    }
}

pub fn di(tokens: &Tokens) -> &garmin_sso_core::DiToken {
    match tokens {
        Tokens::Di { di } => di,
        other => panic!("expected DI tokens, got {}", other.family().name()),
    }
}

/// `(method, path, query)` of every request the simulator saw, in order.
pub fn seen(sim: &Simulator) -> Vec<(String, String, String)> {
    sim.requests()
        .into_iter()
        .map(|r| (r.method, r.path, r.query))
        .collect()
}

/// Requests whose path starts with `prefix`.
pub fn count_prefix(sim: &Simulator, prefix: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path.starts_with(prefix))
        .count()
}

/// A minimal browser: one cookie list (name=value, no attributes), no redirects followed.
pub struct Browser {
    transport: UreqTransport,
    cookies: Vec<(String, String)>,
}

impl Default for Browser {
    fn default() -> Self {
        Self::new()
    }
}

impl Browser {
    pub fn new() -> Self {
        Browser {
            transport: UreqTransport::new(),
            cookies: Vec::new(),
        }
    }

    pub fn send(
        &mut self,
        method: Method,
        url: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Response {
        let mut headers = vec![(
            "User-Agent".to_owned(),
            "Mozilla/5.0 (test browser)".to_owned(),
        )];
        if let Some(ct) = content_type {
            headers.push(("Content-Type".into(), ct.into()));
        }
        if !self.cookies.is_empty() {
            let c = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            headers.push(("Cookie".into(), c));
        }
        let resp = self
            .transport
            .send(Request {
                method,
                url: url.to_owned(),
                headers,
                body: if body.is_empty() {
                    Body::Empty
                } else {
                    Body::Bytes(body)
                },
                timeout: Duration::from_secs(10),
                max_response_bytes: 1 << 20,
            })
            .expect("the simulator answers");
        for sc in resp.header_all("Set-Cookie") {
            let pair = sc.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != k.trim());
                self.cookies
                    .push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        resp
    }

    pub fn get(&mut self, url: &str) -> Response {
        self.send(Method::Get, url, None, Vec::new())
    }

    pub fn post_form(&mut self, url: &str, pairs: &[(&str, &str)]) -> Response {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        self.send(
            Method::Post,
            url,
            Some("application/x-www-form-urlencoded"),
            body.into_bytes(),
        )
    }

    pub fn post_json(&mut self, url: &str, v: &serde_json::Value) -> Response {
        self.send(
            Method::Post,
            url,
            Some("application/json"),
            v.to_string().into_bytes(),
        )
    }
}

/// A fresh service ticket for `service`, obtained the way Garmin's app does (mobile JSON login)
/// without the library, so exchange tests start from a ticket the library did not produce.
pub fn raw_ticket(
    sim: &Simulator,
    email: &str,
    password: &str,
    client_id: &str,
    service: &str,
) -> Ticket {
    let mut b = Browser::new();
    // The sign-in page first, for its cookies: a cold login POST gets 429, as from Garmin.
    let mut page =
        garmin_sso_core::parse_url(&format!("{}/mobile/sso/en/sign-in", sim.base_url())).unwrap();
    page.query_pairs_mut().append_pair("clientId", client_id);
    assert_eq!(b.get(page.as_str()).status, 200, "mobile sign-in page");
    let mut url =
        garmin_sso_core::parse_url(&format!("{}/mobile/api/login", sim.base_url())).unwrap();
    url.query_pairs_mut()
        .append_pair("clientId", client_id)
        .append_pair("locale", "en-US")
        .append_pair("service", service);
    let resp = b.post_json(
        url.as_str(),
        &serde_json::json!({"username": email, "password": password, "rememberMe": false, "captchaToken": ""}),
    );
    assert_eq!(resp.status, 200, "raw mobile login");
    let v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap();
    let t = v["serviceTicketId"].as_str().expect("a ticket").to_owned();
    Ticket {
        value: ServiceTicket::new(t),
        service_url: service.to_owned(),
    }
}

pub fn android_ticket(sim: &Simulator) -> Ticket {
    raw_ticket(
        sim,
        common::EMAIL,
        common::PASSWORD,
        "GCM_ANDROID_DARK",
        ANDROID_SERVICE,
    )
}

/// Decodes `Authorization: Basic base64("<id>:")` back to the id.
pub fn basic_id(header: Option<&str>) -> Option<String> {
    use base64::Engine;
    let v = header?.strip_prefix("Basic ")?;
    let raw = base64::engine::general_purpose::STANDARD.decode(v).ok()?;
    let s = String::from_utf8(raw).ok()?;
    s.strip_suffix(':').map(str::to_owned)
}

/// The form fields of a recorded request body.
pub fn form_of(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

pub fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
