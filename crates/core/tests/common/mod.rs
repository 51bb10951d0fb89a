//! Shared helpers for the core's integration tests: a simulator, a client pointed at it, wrapping
//! transports, and a log capture. Include with `mod common;`.
#![allow(dead_code)]

use garmin_sso_core::{
    Client, Config, Domain, Flow, Request, Response, TokenPreference, Transport, TransportError,
    UreqTransport,
};
use garmin_sso_sim::{Account, Simulator};
use std::sync::{Arc, Mutex, OnceLock};

/// In scope for `inner.send(req)` inside [`wrap`] closures.
#[allow(unused_imports)]
pub use garmin_sso_core::Transport as _;

pub const EMAIL: &str = "runner@example.com";
pub const PASSWORD: &str = "correct horse battery staple";
pub const MFA_EMAIL: &str = "mfa@example.com";
pub const MFA_PASSWORD: &str = "mfa pass phrase";
pub const MFA_CODE: &str = "536947";

/// A simulator with the given accounts.
pub fn sim_with(accounts: Vec<Account>) -> Simulator {
    let mut b = Simulator::builder();
    for a in accounts {
        b = b.account(a);
    }
    b.start().expect("simulator starts on 127.0.0.1")
}

/// A simulator with one plain account ([`EMAIL`]/[`PASSWORD`]).
pub fn sim() -> Simulator {
    sim_with(vec![Account::new(EMAIL, PASSWORD)])
}

/// Widget sign-in, legacy tokens, every host at the simulator, and the simulator's clock (so OAuth1
/// timestamps and expiries agree with it).
pub fn config(sim: &Simulator) -> Config {
    let mut c =
        Config::with_base_url(Domain::Com, &sim.base_url()).expect("simulator URL is a valid base");
    c.tokens = TokenPreference::Legacy;
    c.set_flows(&[Flow::Widget]);
    let clock = sim.clock();
    c.clock = Arc::new(move || clock.now());
    c
}

pub fn client(sim: &Simulator) -> Client {
    client_with(config(sim), Arc::new(UreqTransport::new()))
}

pub fn client_with(config: Config, transport: Arc<dyn Transport>) -> Client {
    Client::with_transport(config, transport).expect("valid config")
}

/// A transport that hands every request to `f` together with the real transport, so a test can
/// rewrite requests or responses on the way.
pub fn wrap<F>(f: F) -> Arc<dyn Transport>
where
    F: Fn(Request, &UreqTransport) -> Result<Response, TransportError> + Send + Sync + 'static,
{
    let inner = UreqTransport::new();
    Arc::new(move |req: Request| f(req, &inner))
}

/// A body's bytes for inspection (requests built by the core are always in memory).
pub fn body_text(req: &Request) -> String {
    match &req.body {
        garmin_sso_core::Body::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

/// Every log record of this test binary, formatted as `LEVEL target: message`.
pub fn captured_logs() -> Vec<String> {
    install_logger();
    LOGS.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Installs the capturing logger (once per test binary; later calls do nothing).
pub fn install_logger() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        log::set_logger(&Capture).expect("no other logger in this test binary");
        log::set_max_level(log::LevelFilter::Trace);
    });
}

static LOGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        LOGS.lock().unwrap_or_else(|p| p.into_inner()).push(line);
    }
    fn flush(&self) {}
}
