//! One secrets test over every error path the simulator can produce: planted secrets (passwords,
//! MFA codes, the consumer secret) and every secret that went over the wire (tickets, cookies,
//! bearer and OAuth1 tokens, refresh tokens, MFA tokens, as the simulator recorded them) must not
//! appear in any error's `Display` or `Debug`, nor in any log line at trace level that passes
//! `log_record_is_safe` (the filter every front end applies).
//!
//! Paths: each sign-in flow × token family × each simulator fault on each target (rate limits,
//! challenges, 5xx, malformed answers, CAPTCHA), wrong passwords and codes, MFA under faults,
//! refresh and Connect API calls under faults and with expired credentials, host transport failures
//! that quote URLs, token files holding secrets in the wrong place, base URLs with a password.
#![allow(clippy::unwrap_used)]
#![cfg(feature = "ureq-transport")]

mod common;

use common::{sim_with, EMAIL, MFA_CODE, MFA_EMAIL, MFA_PASSWORD, PASSWORD};
use garmin_sso_core::{
    Body, Client, Config, Domain, Error, Flow, GarthDirStore, JsonFileStore, LoginOutcome,
    Password, Request, Session, TokenPreference, TokenStore, Tokens, Transport, TransportError,
    TransportErrorKind, UreqTransport,
};
use garmin_sso_sim::{Account, Fault, MfaMethod, Simulator, Target, Times};
use std::sync::{Arc, Mutex};

const WRONG_PASSWORD: &str = "wrong-Pa55word-planted";
const WRONG_CODE: &str = "975310";
const CONSUMER_SECRET: &str = "sim-consumer-secret";

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct SafeCapture;
impl log::Log for SafeCapture {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        garmin_sso_core::log_record_is_safe(m)
    }
    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) {
            LINES
                .lock()
                .unwrap()
                .push(format!("{} {}: {}", r.level(), r.target(), r.args()));
        }
    }
    fn flush(&self) {}
}

/// Every error text and debug output produced, to scan at the end.
#[derive(Default)]
struct Seen {
    texts: Vec<String>,
    errors: usize,
}

impl Seen {
    fn error(&mut self, e: &Error) {
        self.errors += 1;
        self.texts.push(format!("{e}"));
        self.texts.push(format!("{e:?}"));
    }
    fn result<T>(&mut self, r: garmin_sso_core::Result<T>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(&e);
                None
            }
        }
    }
    fn debug(&mut self, v: &dyn std::fmt::Debug) {
        self.texts.push(format!("{v:?}"));
    }
}

fn sim() -> Simulator {
    sim_with(vec![
        Account::new(EMAIL, PASSWORD),
        Account::new(MFA_EMAIL, MFA_PASSWORD).with_mfa(MFA_CODE, MfaMethod::Email),
    ])
}

fn client(sim: &Simulator, flow: Flow, tokens: TokenPreference) -> Client {
    let mut c = common::config(sim);
    c.set_flows(&[flow]);
    c.tokens = tokens;
    common::client_with(c, Arc::new(UreqTransport::new()))
}

fn faults() -> [Fault; 6] {
    [
        Fault::RateLimit {
            retry_after: Some(7),
        },
        Fault::RateLimitInBody,
        Fault::CloudflareChallenge,
        Fault::ServerError(502),
        Fault::Malformed,
        Fault::Captcha,
    ]
}

const TARGETS: [Target; 12] = [
    Target::WidgetPage,
    Target::WidgetLogin,
    Target::MobilePage,
    Target::MobileLogin,
    Target::PortalPage,
    Target::PortalLogin,
    Target::Consumer,
    Target::Preauthorized,
    Target::Exchange,
    Target::DiToken,
    Target::ItToken,
    Target::Api,
];

const FLOWS: [Flow; 3] = [Flow::Widget, Flow::Mobile, Flow::Portal];
const FAMILIES: [TokenPreference; 2] = [TokenPreference::Legacy, TokenPreference::Di];

fn login(seen: &mut Seen, c: &Client, email: &str, password: &str) -> Option<Tokens> {
    match seen.result(c.login(email, &Password::new(password)))? {
        LoginOutcome::Complete(t) => Some(t),
        LoginOutcome::MfaRequired(p) => {
            seen.debug(&p);
            seen.result(p.submit(WRONG_CODE));
            seen.result(p.submit(MFA_CODE))
        }
    }
}

/// Every value the simulator saw that is a secret: cookie values, tickets, tokens, signatures,
/// MFA tokens, refresh tokens, codes and passwords in forms and JSON bodies.
fn wire_secrets(sim: &Simulator) -> Vec<String> {
    let mut out = Vec::new();
    let mut keep = |v: &str| {
        let v = v.trim().trim_matches('"');
        if v.len() >= 6 {
            out.push(v.to_string());
        }
    };
    const SECRET_FIELDS: [&str; 14] = [
        "password",
        "ticket",
        "service_ticket",
        "serviceTicket",
        "refresh_token",
        "mfa_token",
        "mfaToken",
        "code",
        "mfa-code",
        "verificationCode",
        "_csrf",
        "oauth_token",
        "oauth_signature",
        "serviceTicketId",
    ];
    for r in sim.requests() {
        for (k, v) in &r.headers {
            if k.eq_ignore_ascii_case("cookie") {
                for pair in v.split(';') {
                    if let Some((_, value)) = pair.split_once('=') {
                        keep(value);
                    }
                }
            }
            if k.eq_ignore_ascii_case("authorization") {
                keep(v.strip_prefix("Bearer ").unwrap_or(v));
                for part in v.split(',') {
                    if let Some((name, value)) = part.split_once('=') {
                        if name.trim().ends_with("oauth_token")
                            || name.trim().ends_with("oauth_signature")
                        {
                            keep(value);
                        }
                    }
                }
            }
        }
        let form: Vec<(String, String)> = form_urlencoded::parse(r.query.as_bytes())
            .into_owned()
            .chain(form_urlencoded::parse(&r.body).into_owned())
            .collect();
        for (k, v) in form {
            if SECRET_FIELDS.contains(&k.as_str()) {
                keep(&v);
            }
        }
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_slice(&r.body) {
            for (k, v) in m {
                if SECRET_FIELDS.contains(&k.as_str()) {
                    if let Some(s) = v.as_str() {
                        keep(s);
                    }
                }
            }
        }
    }
    out
}

fn token_secrets(t: &Tokens) -> Vec<String> {
    match t {
        Tokens::Di { di } | Tokens::Partner { partner: di } => vec![
            di.access_token.expose().to_string(),
            di.refresh_token.expose().to_string(),
        ],
        Tokens::Legacy { oauth1, oauth2 } => vec![
            oauth1.oauth_token_secret.expose().to_string(),
            oauth2.access_token.expose().to_string(),
            oauth2.refresh_token.expose().to_string(),
        ],
    }
}

/// A host transport whose failures quote the request: URL (with its ticket), headers, body.
fn tattling() -> Arc<dyn Transport> {
    let inner = UreqTransport::new();
    let n = Mutex::new(0u32);
    Arc::new(move |req: Request| {
        let mut k = n.lock().unwrap();
        *k += 1;
        if k.is_multiple_of(3) {
            let body = match &req.body {
                Body::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
                _ => String::new(),
            };
            let quoted = format!(
                "failed {} {} headers {:?} body {body} json {}",
                req.method,
                req.url,
                req.headers,
                serde_json::to_string(&req.url).unwrap()
            );
            let stripped = req.url.split_once("://").map_or("", |(_, r)| r).to_string();
            let kind = if k.is_multiple_of(2) {
                TransportErrorKind::Timeout
            } else {
                TransportErrorKind::Other
            };
            return Err(TransportError::new(kind, format!("{quoted} / {stripped}")));
        }
        inner.send(req)
    })
}

#[test]
fn no_planted_or_wire_secret_in_any_error_or_log_line() {
    log::set_logger(&SafeCapture).unwrap();
    log::set_max_level(log::LevelFilter::Trace);
    let sim = sim();
    let mut seen = Seen::default();
    let mut tokens: Vec<Tokens> = Vec::new();

    // Sign-ins, plain and with MFA, every flow and family; wrong password; MFA code rejected.
    for flow in FLOWS {
        for family in FAMILIES {
            let c = client(&sim, flow, family);
            tokens.extend(login(&mut seen, &c, EMAIL, PASSWORD));
            tokens.extend(login(&mut seen, &c, MFA_EMAIL, MFA_PASSWORD));
            login(&mut seen, &c, EMAIL, WRONG_PASSWORD);
            seen.debug(&c);
        }
    }
    // Every fault on every target, during sign-in (with and without MFA).
    for target in TARGETS {
        for fault in faults() {
            for flow in FLOWS {
                for family in FAMILIES {
                    sim.inject(target, fault.clone(), Times::Always);
                    let c = client(&sim, flow, family);
                    login(&mut seen, &c, EMAIL, PASSWORD);
                    login(&mut seen, &c, MFA_EMAIL, MFA_PASSWORD);
                    sim.clear_faults();
                    sim.clear_rate_limits();
                }
            }
        }
    }
    // Refresh, IT token and Connect API calls under every fault, then with expired credentials.
    let fresh: Vec<Tokens> = FAMILIES
        .iter()
        .filter_map(|&f| login(&mut seen, &client(&sim, Flow::Widget, f), EMAIL, PASSWORD))
        .collect();
    for t in &fresh {
        for target in TARGETS {
            for fault in faults() {
                sim.inject(target, fault.clone(), Times::Always);
                let c = client(&sim, Flow::Widget, TokenPreference::Auto);
                if let Some(n) = seen.result(c.refresh(t)) {
                    tokens.push(n);
                }
                if let Tokens::Di { di } = t {
                    seen.result(c.it_token(di));
                }
                let s = Session::new(c, t.clone());
                seen.result(s.profile());
                seen.result(s.upload_fit("ride.fit", Body::Bytes(b".FIT".to_vec())));
                seen.result(s.get_json("/userprofile-service/userprofile/user-settings", &[]));
                seen.debug(&s);
                sim.clear_faults();
            }
        }
    }
    sim.expire_access_tokens();
    sim.expire_refresh_tokens();
    for t in &fresh {
        let c = client(&sim, Flow::Widget, TokenPreference::Auto);
        seen.result(c.refresh(t));
        let s = Session::new(c, t.clone());
        seen.result(s.profile());
    }
    // A host transport that quotes everything it was given when it fails.
    for flow in FLOWS {
        for family in FAMILIES {
            let mut cfg = common::config(&sim);
            cfg.set_flows(&[flow]);
            cfg.tokens = family;
            let c = common::client_with(cfg, tattling());
            for _ in 0..4 {
                login(&mut seen, &c, EMAIL, PASSWORD);
                login(&mut seen, &c, MFA_EMAIL, MFA_PASSWORD);
            }
            for t in &fresh {
                seen.result(c.refresh(t));
            }
        }
    }
    tokens.extend(fresh.iter().cloned());
    let mut secrets = wire_secrets(&sim);
    for t in &tokens {
        secrets.extend(token_secrets(t));
        seen.debug(t);
    }
    // Token files that hold secrets where a loader does not expect them.
    let dir = tempfile::tempdir().unwrap();
    for t in &tokens {
        let json = t.to_json();
        for broken in [
            json.replacen("\"schema_version\":1", "\"schema_version\":\"x\"", 1),
            json.replacen("\"kind\":", "\"kind\":7,\"k\":", 1),
            json.replacen("\"expires_at\":", "\"expires_at\":\"soon\",\"x\":", 1),
            json[..json.len() / 2].to_string(),
            json.replace("\"token_type\":\"", "\"token_type\":\"\u{1b}["),
        ] {
            let path = dir.path().join("tokens.json");
            std::fs::write(&path, &broken).unwrap();
            seen.result(JsonFileStore::new(&path).load());
            seen.result(Tokens::from_json(&broken));
            seen.result(garmin_sso_core::import_garminconnect(&broken));
            seen.result(garmin_sso_core::import_garth_dumps(&broken));
            let garth = dir.path().join("garth");
            std::fs::create_dir_all(&garth).unwrap();
            std::fs::write(garth.join("oauth1_token.json"), &broken).unwrap();
            seen.result(GarthDirStore::new(&garth).load());
        }
    }
    // Base URLs and web-view input carrying secrets.
    for base in [
        format!("http://user:{PASSWORD}@127.0.0.1:1/"),
        format!("http://127.0.0.1:1/?password={PASSWORD}"),
        format!("ftp://{PASSWORD}@x/"),
    ] {
        seen.result(Config::with_base_url(Domain::Com, &base));
    }
    let c = client(&sim, Flow::Mobile, TokenPreference::Di);
    seen.result(c.webview_ticket(&format!("https://elsewhere.example/?password={PASSWORD}")));
    seen.result(c.exchange_webview(&format!(
        "https://mobile.integration.garmin.com/gcm/android?ticket=ST-{WRONG_CODE}-planted-cas"
    )));
    secrets.push(format!("ST-{WRONG_CODE}-planted-cas"));

    secrets.extend(
        [
            PASSWORD,
            MFA_PASSWORD,
            WRONG_PASSWORD,
            MFA_CODE,
            WRONG_CODE,
            CONSUMER_SECRET,
        ]
        .map(String::from),
    );
    secrets.sort();
    secrets.dedup();
    let lines = LINES.lock().unwrap().clone();
    // Every 6-byte window of every text, so each secret is searched only where its start occurs.
    let texts: Vec<&String> = seen.texts.iter().chain(lines.iter()).collect();
    let mut windows: std::collections::HashMap<&[u8], Vec<usize>> = Default::default();
    for (i, t) in texts.iter().enumerate() {
        for w in t.as_bytes().windows(6) {
            let at = windows.entry(w).or_default();
            if at.last() != Some(&i) {
                at.push(i);
            }
        }
    }
    let mut leaks = Vec::new();
    for s in &secrets {
        for &i in windows.get(&s.as_bytes()[..6]).into_iter().flatten() {
            if texts[i].contains(s.as_str()) {
                leaks.push(format!(
                    "a secret of {} bytes (starting {:?}) in: {}",
                    s.len(),
                    &s[..3],
                    texts[i].chars().take(160).collect::<String>()
                ));
            }
        }
    }
    eprintln!(
        "secrets test: {} secrets, {} errors, {} texts, {} safe log lines scanned",
        secrets.len(),
        seen.errors,
        seen.texts.len(),
        lines.len()
    );
    assert!(seen.errors > 500, "the scenarios produced errors");
    assert!(!lines.is_empty(), "the capture saw log lines");
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}
