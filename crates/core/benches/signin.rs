//! Speed measurements (never asserted in tests): `cargo bench -p garmin-sso-core`.
//!
//! - OAuth1 header building, per header;
//! - a whole widget sign-in plus legacy exchange against the simulator on loopback, per sign-in,
//!   with the requests and TCP connections it cost;
//! - a DI token refresh, per refresh.
//!
//! Prints median and 90th percentile of wall time per operation.

#![allow(clippy::print_stdout)] // a bench binary reports on stdout

use garmin_sso_core::oauth1::{authorization_header, Credentials};
use garmin_sso_core::{Client, Config, Domain, Flow, LoginOutcome, Password, TokenPreference};
use garmin_sso_sim::{Account, Simulator};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn report(name: &str, mut samples: Vec<Duration>, per: &str) {
    samples.sort();
    let q = |p: f64| samples[((samples.len() - 1) as f64 * p) as usize];
    println!(
        "{name:<40} median {:>10.3?}  p90 {:>10.3?}  per {per}  ({} samples)",
        q(0.5),
        q(0.9),
        samples.len()
    );
}

fn oauth1() {
    let creds = Credentials {
        consumer_key: "fc3e99d2-118c-44b8-8ae3-03370dde24c0",
        consumer_secret: "E08WAR897WEy2knn7aFBrvegVAf0AFdWBBF",
        token: Some((
            "4e2ffd3f-6a4c-4b8f-9f3c-8d2e2f1b7a10",
            "9a8b7c6d5e4f3a2b1c0d",
        )),
    };
    let mut samples = Vec::new();
    for _ in 0..50 {
        let start = Instant::now();
        for _ in 0..1000 {
            black_box(
                authorization_header(
                    "POST",
                    "https://connectapi.garmin.com/oauth-service/oauth/exchange/user/2.0",
                    Some("mfa_token=MFA-123&audience=GARMIN_CONNECT_MOBILE_ANDROID_DI"),
                    &creds,
                    "0123456789abcdef0123456789abcdef",
                    1_700_000_000,
                )
                .expect("valid arguments"),
            );
        }
        samples.push(start.elapsed() / 1000);
    }
    report("oauth1 header (HMAC-SHA1, form body)", samples, "header");
}

fn client_for(sim: &Simulator, strategy: Flow, tokens: TokenPreference) -> Client {
    let mut c = Config::with_base_url(Domain::Com, &sim.base_url()).expect("simulator URL");
    c.set_flows(&[strategy]);
    c.tokens = tokens;
    let clock = sim.clock();
    c.clock = Arc::new(move || clock.now());
    Client::new(c).expect("valid config")
}

fn sign_in(client: &Client) -> garmin_sso_core::Tokens {
    match client
        .login("bench@example.com", &Password::new("bench password"))
        .expect("sign-in")
    {
        LoginOutcome::Complete(t) => t,
        LoginOutcome::MfaRequired(_) => unreachable!("bench account has no MFA"),
    }
}

fn widget_sign_in() {
    let sim = Simulator::builder()
        .account(Account::new("bench@example.com", "bench password"))
        .start()
        .expect("simulator");
    let client = client_for(&sim, Flow::Widget, TokenPreference::Legacy);
    sign_in(&client); // warm-up: consumer fetch, connection
    let before = sim.stats();
    let mut samples = Vec::new();
    let n = 40;
    for _ in 0..n {
        let start = Instant::now();
        black_box(sign_in(&client));
        samples.push(start.elapsed());
    }
    let after = sim.stats();
    report("widget sign-in + legacy exchange", samples, "sign-in");
    println!(
        "{:<40} {} requests and {} new connections per sign-in",
        "",
        (after.requests_total - before.requests_total) / n,
        (after.connections - before.connections) as f64 / n as f64
    );
}

fn di_refresh() {
    let sim = Simulator::builder()
        .account(Account::new("bench@example.com", "bench password"))
        .start()
        .expect("simulator");
    let client = client_for(&sim, Flow::Mobile, TokenPreference::Di);
    let mut tokens = sign_in(&client);
    let mut samples = Vec::new();
    for _ in 0..100 {
        let start = Instant::now();
        tokens = client.refresh(&tokens).expect("refresh");
        samples.push(start.elapsed());
    }
    report("DI token refresh", samples, "refresh");
}

fn main() {
    // `cargo test --benches` runs bench binaries with `--bench` absent; keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        println!("run with `cargo bench -p garmin-sso-core` to measure");
        return;
    }
    oauth1();
    widget_sign_in();
    di_refresh();
}
