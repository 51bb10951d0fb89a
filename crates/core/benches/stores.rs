//! Token-store measurements (never asserted in tests):
//! `cargo bench -p garmin-sso-core --features sqlite --bench stores`.
//!
//! - the cost of a refresh through a store's lock (re-read, refresh, durable save) next to a bare
//!   refresh with no store, for the SQLite store and the JSON file store;
//! - the memory of an idle `Session`;
//! - one process refreshing many accounts kept in one SQLite file (`STORE_BENCH_ACCOUNTS`, default
//!   10 000) against the simulator on loopback: wall time, peak RSS of that phase, requests per
//!   refresh.
//!
//! The simulator runs in this process; RSS figures are for the whole process.

#![allow(clippy::print_stdout)] // a bench binary reports on stdout
#![allow(clippy::unwrap_used)]

use garmin_sso_core::{
    Client, Config, Domain, JsonFileStore, LoginOutcome, Password, Session, SqliteStore,
    TokenPreference, TokenStore, Tokens,
};
use garmin_sso_sim::{Account, Simulator};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PASSWORD: &str = "bench-password";
const ACCESS_TTL: i64 = 3600;

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let q = |p: f64| samples[((samples.len() - 1) as f64 * p) as usize];
    println!(
        "{name:<52} median {:>10.3?}  p90 {:>10.3?}  ({} samples)",
        q(0.5),
        q(0.9),
        samples.len()
    );
}

fn client(sim: &Simulator) -> Client {
    let mut c = Config::with_base_url(Domain::Com, &sim.base_url()).unwrap();
    let clock = sim.clock();
    c.clock = Arc::new(move || clock.now());
    c.tokens = TokenPreference::Di;
    Client::new(c).unwrap()
}

fn sign_in(client: &Client, email: &str) -> Tokens {
    match client.login(email, &Password::new(PASSWORD)).unwrap() {
        LoginOutcome::Complete(t) => t,
        LoginOutcome::MfaRequired(_) => panic!("no MFA expected"),
    }
}

/// `(resident, peak resident)` of this process in KiB, from /proc.
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets the peak-RSS counter (Linux: `5` in /proc/self/clear_refs).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn locked_vs_unlocked(sim: &Simulator) {
    const N: usize = 200;
    let dir = tempfile::tempdir().unwrap();
    let client = client(sim);
    let stores: Vec<(&str, Option<Arc<dyn TokenStore>>)> = vec![
        ("refresh, no store", None),
        (
            "refresh through SqliteStore (lock, re-read, save)",
            Some(Arc::new(
                SqliteStore::open(dir.path().join("t.sqlite"), "bench@example.com").unwrap(),
            )),
        ),
        (
            "refresh through JsonFileStore (lock, re-read, save)",
            Some(Arc::new(JsonFileStore::new(dir.path().join("t.json")))),
        ),
    ];
    for (name, store) in stores {
        let session = Session::new(client.clone(), sign_in(&client, "bench@example.com"));
        if let Some(store) = &store {
            store.save(&session.tokens()).unwrap();
            session.persist_to(store.clone());
        }
        let mut samples = Vec::with_capacity(N);
        for _ in 0..N {
            let start = Instant::now();
            session.refresh().unwrap();
            samples.push(start.elapsed());
        }
        report(name, samples);
    }
}

fn idle_session_memory(sim: &Simulator) {
    const N: usize = 10_000;
    let client = client(sim);
    let tokens = sign_in(&client, "bench@example.com");
    let (before, _) = rss_kib();
    let sessions: Vec<Session> = (0..N)
        .map(|_| Session::new(client.clone(), tokens.clone()))
        .collect();
    let (after, _) = rss_kib();
    println!(
        "idle Session (sharing one Client), {N} sessions: {} bytes each",
        (after.saturating_sub(before) * 1024) / N as u64
    );
    drop(sessions);
    let (before, _) = rss_kib();
    let own: Vec<Session> = (0..1000)
        .map(|_| Session::new(self::client(sim), tokens.clone()))
        .collect();
    let (after, _) = rss_kib();
    println!(
        "idle Session with its own Client, 1000 sessions: {} bytes each",
        (after.saturating_sub(before) * 1024) / 1000
    );
    drop(own);
}

fn many_accounts_in_sqlite(accounts: usize) {
    let emails: Vec<String> = (0..accounts)
        .map(|i| format!("user{i}@example.com"))
        .collect();
    let mut builder = Simulator::builder().di_ttl(ACCESS_TTL, 30 * 86_400);
    for e in &emails {
        builder = builder.account(Account::new(e, PASSWORD));
    }
    let sim = builder.start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = SqliteStore::open(dir.path().join("accounts.sqlite"), "setup").unwrap();
    let client = client(&sim);

    let start = Instant::now();
    for e in &emails {
        db.account(e).save(&sign_in(&client, e)).unwrap();
    }
    println!(
        "{accounts} accounts signed in and stored in SQLite: {:.1?}",
        start.elapsed()
    );

    sim.clock().advance(ACCESS_TTL + 60);
    let requests = sim.stats().requests_total;
    reset_peak_rss();
    let (rss_before, _) = rss_kib();
    let start = Instant::now();
    for key in db.accounts().unwrap() {
        let store = db.account(&key);
        let session = Session::new(client.clone(), store.load().unwrap().unwrap());
        session.persist_to(Arc::new(store));
        session.refresh().unwrap();
    }
    let wall = start.elapsed();
    let (_, peak) = rss_kib();
    let s = sim.stats();
    println!(
        "one process refreshing {accounts} SQLite accounts: {wall:.1?} ({:.2?} per account), \
         RSS {} MiB before, peak {} MiB, {:.2} requests per refresh, {} DI refreshes",
        wall / accounts as u32,
        rss_before / 1024,
        peak / 1024,
        (s.requests_total - requests) as f64 / accounts as f64,
        s.di_refreshes
    );
    let fresh = db
        .accounts()
        .unwrap()
        .iter()
        .filter(|k| {
            db.account(k)
                .load()
                .unwrap()
                .is_some_and(|t| t.expires_at() > sim.clock().now())
        })
        .count();
    println!("accounts holding fresh tokens afterwards: {fresh} of {accounts}");
}

fn main() {
    let sim = Simulator::builder()
        .account(Account::new("bench@example.com", PASSWORD))
        .di_ttl(ACCESS_TTL, 30 * 86_400)
        .start()
        .unwrap();
    locked_vs_unlocked(&sim);
    idle_session_memory(&sim);
    drop(sim);
    let accounts = std::env::var("STORE_BENCH_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    many_accounts_in_sqlite(accounts);
}
