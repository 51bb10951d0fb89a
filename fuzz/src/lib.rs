//! The fuzz targets' shared harness: sign-in operations run through an in-process `Transport` that
//! answers from a script (the simulator's recorded answers, or the fuzzer's bytes), with oracles on
//! every request the core sends and every error and log line it produces.
//!
//! A script is text: answers separated by [`SEPARATOR`], each `STATUS\nName: value\n…\n\nbody`.
//! `cargo run --example record` (from `fuzz/`) writes the simulator's answers for every [`Op`] to
//! `scripts/` and seeds `corpus/`.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use garmin_sso_core::{
    Body, Client, Config, Domain, Flow, LoginOutcome, ManualClock, Password, Request, Response,
    Session, Sleeper, TokenPreference, Tokens, Transport, TransportError, TransportErrorKind,
};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

/// Separates answers in a script.
pub const SEPARATOR: &str = "\n--8<--\n";
/// The account's password: no request outside the SSO host, no error and no log line may hold it.
pub const PASSWORD: &str = "fuzz-Pa55word-never-printed";
/// The plain account.
pub const EMAIL: &str = "runner@example.com";
/// The account with MFA (same password).
pub const MFA_EMAIL: &str = "mfa@example.com";
/// Its code.
pub const MFA_CODE: &str = "583920";
/// The clock of recording and replay (the simulator's start), so JWT expiries agree.
pub const T0: i64 = 1_800_000_000;

/// Hosts of the replay: distinct origins, so the core's "which host may get what" rules run.
pub const SSO: &str = "http://sso.garmin.test/";
/// Connect API host.
pub const CONNECTAPI: &str = "http://connectapi.garmin.test/";
/// Connect (portal) host.
pub const CONNECT: &str = "http://connect.garmin.test/";
/// DI OAuth host.
pub const DIAUTH: &str = "http://diauth.garmin.test/";
/// IT token host.
pub const SERVICES: &str = "http://services.garmin.test/";
/// The consumer JSON's host: not Garmin's, gets a plain GET and nothing else.
pub const CONSUMER: &str = "http://consumer.example.test/oauth_consumer.json";

/// Every operation a target can drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Widget HTML sign-in, legacy OAuth1→OAuth2 exchange (consumer fetch, form answer).
    WidgetLegacy,
    /// Widget HTML sign-in, DI exchange.
    WidgetDi,
    /// Mobile JSON sign-in, DI exchange.
    Mobile,
    /// Portal JSON sign-in, DI exchange.
    Portal,
    /// The default strategy chain, token family auto.
    Chain,
    /// Widget sign-in with MFA, then the code.
    WidgetMfa,
    /// Mobile sign-in with MFA, then the code.
    MobileMfa,
    /// Portal sign-in with MFA, legacy tokens.
    PortalMfaLegacy,
    /// DI refresh.
    RefreshDi,
    /// Legacy refresh (OAuth1 → new OAuth2).
    RefreshLegacy,
    /// Connect API calls, upload and a forced refresh with DI tokens.
    SessionDi,
    /// The same with legacy tokens.
    SessionLegacy,
    /// IT token from a DI token.
    ItToken,
}

/// Every [`Op`], in the order of the selector byte.
pub const OPS: [Op; 13] = [
    Op::WidgetLegacy,
    Op::WidgetDi,
    Op::Mobile,
    Op::Portal,
    Op::Chain,
    Op::WidgetMfa,
    Op::MobileMfa,
    Op::PortalMfaLegacy,
    Op::RefreshDi,
    Op::RefreshLegacy,
    Op::SessionDi,
    Op::SessionLegacy,
    Op::ItToken,
];

impl Op {
    /// The file name of its script.
    pub fn name(self) -> &'static str {
        match self {
            Op::WidgetLegacy => "widget-legacy",
            Op::WidgetDi => "widget-di",
            Op::Mobile => "mobile",
            Op::Portal => "portal",
            Op::Chain => "chain",
            Op::WidgetMfa => "widget-mfa",
            Op::MobileMfa => "mobile-mfa",
            Op::PortalMfaLegacy => "portal-mfa-legacy",
            Op::RefreshDi => "refresh-di",
            Op::RefreshLegacy => "refresh-legacy",
            Op::SessionDi => "session-di",
            Op::SessionLegacy => "session-legacy",
            Op::ItToken => "it-token",
        }
    }

    /// The recorded script of this operation.
    pub fn script(self) -> &'static str {
        match self {
            Op::WidgetLegacy => include_str!("../scripts/widget-legacy.txt"),
            Op::WidgetDi => include_str!("../scripts/widget-di.txt"),
            Op::Mobile => include_str!("../scripts/mobile.txt"),
            Op::Portal => include_str!("../scripts/portal.txt"),
            Op::Chain => include_str!("../scripts/chain.txt"),
            Op::WidgetMfa => include_str!("../scripts/widget-mfa.txt"),
            Op::MobileMfa => include_str!("../scripts/mobile-mfa.txt"),
            Op::PortalMfaLegacy => include_str!("../scripts/portal-mfa-legacy.txt"),
            Op::RefreshDi => include_str!("../scripts/refresh-di.txt"),
            Op::RefreshLegacy => include_str!("../scripts/refresh-legacy.txt"),
            Op::SessionDi => include_str!("../scripts/session-di.txt"),
            Op::SessionLegacy => include_str!("../scripts/session-legacy.txt"),
            Op::ItToken => include_str!("../scripts/it-token.txt"),
        }
    }

    /// The operation a selector byte picks.
    pub fn pick(b: u8) -> Op {
        OPS[usize::from(b) % OPS.len()]
    }

    fn setup(self, config: &mut Config) -> &'static str {
        let (flows, tokens, email): (&[Flow], _, _) = match self {
            Op::WidgetLegacy => (&[Flow::Widget], TokenPreference::Legacy, EMAIL),
            Op::WidgetDi => (&[Flow::Widget], TokenPreference::Di, EMAIL),
            Op::Mobile => (&[Flow::Mobile], TokenPreference::Di, EMAIL),
            Op::Portal => (&[Flow::Portal], TokenPreference::Di, EMAIL),
            Op::Chain => (&[], TokenPreference::Auto, EMAIL),
            Op::WidgetMfa => (&[Flow::Widget], TokenPreference::Di, MFA_EMAIL),
            Op::MobileMfa => (&[Flow::Mobile], TokenPreference::Di, MFA_EMAIL),
            Op::PortalMfaLegacy => (&[Flow::Portal], TokenPreference::Legacy, MFA_EMAIL),
            _ => (&[], TokenPreference::Auto, EMAIL),
        };
        if !flows.is_empty() {
            config.set_flows(flows);
        }
        config.tokens = tokens;
        email
    }
}

/// The token documents the refresh and session operations start from (recorded with the scripts).
pub fn fixture_tokens(di: bool) -> Tokens {
    let s = if di {
        include_str!("../scripts/tokens-di.json")
    } else {
        include_str!("../scripts/tokens-legacy.json")
    };
    Tokens::from_json(s).expect("recorded token document loads")
}

struct NoSleep;
impl Sleeper for NoSleep {
    fn sleep(&self, _: Duration) {}
}

/// The replay configuration: distinct hosts, a still clock, no waiting.
pub fn replay_config() -> Config {
    let mut c = Config::with_base_url(Domain::Com, SSO).unwrap();
    c.endpoints.connectapi = garmin_sso_core::parse_url(CONNECTAPI).unwrap();
    c.endpoints.connect = garmin_sso_core::parse_url(CONNECT).unwrap();
    c.endpoints.diauth = garmin_sso_core::parse_url(DIAUTH).unwrap();
    c.endpoints.services = garmin_sso_core::parse_url(SERVICES).unwrap();
    c.endpoints.consumer_url = garmin_sso_core::parse_url(CONSUMER).unwrap();
    c.clock = Arc::new(ManualClock::new(T0));
    c.sleeper = Arc::new(NoSleep);
    c
}

/// Runs `op` with `config` (hosts, clock) over `transport`; the outcome is a one-line summary for
/// the recorder. Every error is checked by [`check_error`].
pub fn run(
    op: Op,
    mut config: Config,
    transport: Arc<dyn Transport>,
    fixtures: &[Tokens],
) -> String {
    let email = op.setup(&mut config);
    let client = match Client::with_transport(config, transport) {
        Ok(c) => c,
        Err(e) => return outcome(Err::<(), _>(e)),
    };
    let password = Password::new(PASSWORD);
    match op {
        Op::RefreshDi | Op::RefreshLegacy => {
            let t = &fixtures[usize::from(op == Op::RefreshLegacy)];
            outcome(client.refresh(t).map(|t| t.family().name()))
        }
        Op::ItToken => outcome(client.it_token(di_of(&fixtures[0])).map(|_| "it token")),
        Op::SessionDi | Op::SessionLegacy => {
            let t = fixtures[usize::from(op == Op::SessionLegacy)].clone();
            let s = Session::new(client, t);
            let mut out = vec![outcome(s.profile().map(|p| p.display_name))];
            out.push(outcome(
                s.get_json("/userprofile-service/userprofile/user-settings", &[])
                    .map(|_| "settings"),
            ));
            out.push(outcome(
                s.upload_fit("ride.fit", Body::Bytes(FIT.to_vec()))
                    .map(|_| "uploaded"),
            ));
            out.push(outcome(s.refresh().map(|t| t.family().name())));
            out.push(outcome(s.profile().map(|p| p.display_name)));
            out.join(", ")
        }
        _ => match client.login(email, &password) {
            Ok(LoginOutcome::Complete(t)) => format!("complete {}", t.family().name()),
            Ok(LoginOutcome::MfaRequired(p)) => {
                let first = outcome(p.submit("000000").map(|t| t.family().name()));
                let second = outcome(p.submit(MFA_CODE).map(|t| t.family().name()));
                format!("mfa: {first}, {second}")
            }
            Err(e) => outcome(Err::<(), _>(e)),
        },
    }
}

fn di_of(t: &Tokens) -> &garmin_sso_core::DiToken {
    match t {
        Tokens::Di { di } => di,
        _ => panic!("the DI fixture holds DI tokens"),
    }
}

/// The smallest FIT-looking upload.
pub const FIT: &[u8] = b"\x0e\x10\x43\x08\x00\x00\x00\x00.FIT\x00\x00";

fn outcome<T: std::fmt::Debug>(r: garmin_sso_core::Result<T>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(e) => {
            check_error(&e);
            format!("err {:?} ({e})", e.kind())
        }
    }
}

/// An error never holds the password and stays short, in `Display` and `Debug`.
pub fn check_error(e: &garmin_sso_core::Error) {
    for text in [e.to_string(), format!("{e:?}")] {
        assert!(!text.contains(PASSWORD), "the password in an error: {text}");
        assert!(
            text.len() <= 4096,
            "an error of {} bytes: {}…",
            text.len(),
            text.chars().take(600).collect::<String>()
        );
    }
}

/// Parses a script into answers. Malformed parts still give an answer (status 200, no headers):
/// the fuzzer's bytes always drive the client somewhere.
pub fn parse_script(s: &str) -> Vec<Response> {
    s.split(SEPARATOR).take(64).map(parse_answer).collect()
}

fn parse_answer(part: &str) -> Response {
    let (head, body) = part.split_once("\n\n").unwrap_or((part, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.trim().parse::<u16>().ok())
        .unwrap_or(200);
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Response {
        status,
        headers,
        body: body.as_bytes().to_vec(),
    }
}

/// Writes answers in script form (the recorder).
pub fn write_script(answers: &[Response]) -> String {
    answers
        .iter()
        .map(|r| {
            let mut s = format!("{}\n", r.status);
            for (k, v) in &r.headers {
                s.push_str(&format!("{k}: {v}\n"));
            }
            s.push('\n');
            s.push_str(&String::from_utf8_lossy(&r.body));
            s
        })
        .collect::<Vec<_>>()
        .join(SEPARATOR)
}

/// A transport that answers from `answers`, in order, and fails to connect once they run out.
/// Every request passes [`check_request`] first.
pub fn scripted(answers: Vec<Response>) -> Arc<dyn Transport> {
    let queue = Mutex::new(VecDeque::from(answers));
    Arc::new(move |req: Request| -> Result<Response, TransportError> {
        check_request(&req);
        queue
            .lock()
            .unwrap()
            .pop_front()
            .ok_or_else(|| TransportError::new(TransportErrorKind::Connect, "script ended"))
    })
}

/// What the core must never send: the password off the SSO host, a body, cookie or
/// `Authorization` to a host that is not Garmin's, a cookie header beyond the jar's bounds.
pub fn check_request(req: &Request) {
    let url = garmin_sso_core::parse_url(&req.url).expect("the core sends absolute URLs");
    let origin = url.origin();
    let garmin = [SSO, CONNECTAPI, CONNECT, DIAUTH, SERVICES]
        .iter()
        .any(|h| garmin_sso_core::parse_url(h).unwrap().origin() == origin);
    let body = match &req.body {
        Body::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Body::Empty => String::new(),
        Body::Reader { .. } => String::new(),
    };
    if !garmin {
        assert!(
            matches!(req.body, Body::Empty) && req.method == garmin_sso_core::Method::Get,
            "a {} with a body to a foreign host",
            req.method
        );
        for h in ["Authorization", "Cookie"] {
            assert!(req.header(h).is_none(), "{h} sent to a foreign host");
        }
    }
    if origin != garmin_sso_core::parse_url(SSO).unwrap().origin() {
        assert!(!body.contains(PASSWORD), "the password off the SSO host");
    }
    assert!(!req.url.contains(PASSWORD), "the password in a URL");
    if let Some(c) = req.header("Cookie") {
        assert!(
            c.len() <= 64 * 4096 + 256,
            "a {}-byte Cookie header",
            c.len()
        );
    }
    assert!(req.url.len() <= 16 * 1024, "a {}-byte URL", req.url.len());
}

/// A logger at trace level that fails on any log line holding the password (installed once).
pub fn install_logger() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&Checker).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
    });
}

struct Checker;
impl log::Log for Checker {
    fn enabled(&self, m: &log::Metadata) -> bool {
        garmin_sso_core::log_record_is_safe(m)
    }
    fn log(&self, r: &log::Record) {
        if self.enabled(r.metadata()) {
            let line = r.args().to_string();
            assert!(
                !line.contains(PASSWORD),
                "the password in a log line: {line}"
            );
            assert!(line.len() <= 8192, "a {}-byte log line", line.len());
        }
    }
    fn flush(&self) {}
}

/// Runs `op` from its recorded script after `mutate` changed the answers.
pub fn run_mutated(op: Op, mutate: impl FnOnce(&mut Vec<Response>)) {
    let mut answers = parse_script(op.script());
    mutate(&mut answers);
    run_answers(op, answers);
}

/// Runs `op` over `answers` with every oracle on, unless an answer already carries the password:
/// that is the server echoing it (libFuzzer lifts the compared string out of the oracles' own
/// `contains`), and whatever the client then follows or quotes reveals nothing new. The checks are
/// about what the client adds.
pub fn run_answers(op: Op, answers: Vec<Response>) {
    install_logger();
    let echoes = |r: &Response| {
        String::from_utf8_lossy(&r.body).contains(PASSWORD)
            || r.headers
                .iter()
                .any(|(k, v)| k.contains(PASSWORD) || v.contains(PASSWORD))
    };
    if answers.iter().any(echoes) {
        return;
    }
    run(
        op,
        replay_config(),
        scripted(answers),
        &[fixture_tokens(true), fixture_tokens(false)],
    );
}

/// Splits fuzz input into a selector byte, an index byte and the rest.
pub fn split(data: &[u8]) -> Option<(u8, u8, &[u8])> {
    match data {
        [a, b, rest @ ..] => Some((*a, *b, rest)),
        _ => None,
    }
}

/// The operations whose answers are HTML pages (widget sign-in).
pub const PAGE_OPS: [Op; 4] = [Op::WidgetLegacy, Op::WidgetDi, Op::WidgetMfa, Op::Chain];
/// The operations whose answers are JSON (mobile and portal sign-in, DI tokens, Connect API).
pub const JSON_OPS: [Op; 8] = [
    Op::Mobile,
    Op::Portal,
    Op::MobileMfa,
    Op::PortalMfaLegacy,
    Op::RefreshDi,
    Op::SessionDi,
    Op::ItToken,
    Op::Chain,
];
/// The operations with OAuth1 form answers (`oauth_token=…&oauth_token_secret=…`).
pub const FORM_OPS: [Op; 4] = [
    Op::WidgetLegacy,
    Op::RefreshLegacy,
    Op::SessionLegacy,
    Op::PortalMfaLegacy,
];
/// The operations whose answers carry DI JWTs.
pub const JWT_OPS: [Op; 5] = [
    Op::WidgetDi,
    Op::Mobile,
    Op::RefreshDi,
    Op::SessionDi,
    Op::MobileMfa,
];

/// Replaces the body of answer `idx` of an operation picked from `ops` with `body` and runs it.
pub fn run_with_body(ops: &[Op], sel: u8, idx: u8, body: &[u8]) {
    let op = ops[usize::from(sel) % ops.len()];
    run_mutated(op, |answers| {
        let i = usize::from(idx) % answers.len();
        answers[i].body = body.to_vec();
    });
}

/// base64url without padding (JWT segments).
pub fn b64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len() * 4 / 3 + 4);
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        let chars = c.len() + 1;
        for k in 0..chars {
            out.push(char::from(A[((n >> (18 - 6 * k)) & 63) as usize]));
        }
    }
    out
}

/// A JWT (unsigned, like the core reads it) with `payload` as its claims segment.
pub fn jwt_with(payload: &[u8]) -> String {
    format!("eyJhbGciOiJIUzI1NiJ9.{}.c2lnbmF0dXJl", b64url(payload))
}

/// Replaces the value of every `"field":"…"` in `body` with `value`.
pub fn replace_json_string(body: &str, field: &str, value: &str) -> String {
    let key = format!("\"{field}\":\"");
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(i) = rest.find(&key) {
        out.push_str(&rest[..i + key.len()]);
        rest = &rest[i + key.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push_str(value);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
