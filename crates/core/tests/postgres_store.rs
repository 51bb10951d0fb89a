//! The PostgreSQL store against a real PostgreSQL server and the simulator. Run them through
//! `scripts/with-postgres.sh`, which starts a throwaway cluster on 127.0.0.1 and exports
//! `GARMIN_SSO_TEST_POSTGRES_URL`:
//!
//! ```sh
//! scripts/with-postgres.sh cargo test -p garmin-sso-core --features postgres --test postgres_store
//! ```
//!
//! Without that variable the tests that need a server say they were skipped, and fail when `CI` is
//! set (CI must never skip them silently). The database-down test needs no server.
#![allow(clippy::unwrap_used)]
#![cfg(all(feature = "postgres", feature = "ureq-transport"))]

use garmin_sso_core::{
    Client, Config, Domain, ErrorKind, LoginOutcome, Password, PostgresStore, Session,
    TokenPreference, TokenStore, Tokens, POSTGRES_TOKENS_TABLE,
};
use garmin_sso_sim::{Account, Simulator};
use std::sync::{Arc, Barrier};

const EMAIL: &str = "runner@example.com";
const PASSWORD: &str = "correct horse battery";
const ACCESS_TTL: i64 = 3600;
const URL_VAR: &str = "GARMIN_SSO_TEST_POSTGRES_URL";

/// The test server's URL; `None` (test skipped) outside CI when it is not set.
fn pg_url(test: &str) -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(u) if !u.is_empty() => Some(u),
        _ if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) => panic!(
            "{URL_VAR} is not set but CI is: run the PostgreSQL tests through scripts/with-postgres.sh"
        ),
        _ => {
            eprintln!("{test}: SKIPPED, {URL_VAR} is not set (run through scripts/with-postgres.sh)");
            None
        }
    }
}

/// An account key of this test run only (tests share one database and run in parallel).
fn key(test: &str) -> String {
    format!("{test}-{}", std::process::id())
}

fn with_app_name(url: &str, name: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}application_name={name}")
}

fn raw(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

fn sim() -> Simulator {
    Simulator::builder()
        .account(Account::new(EMAIL, PASSWORD))
        .di_ttl(ACCESS_TTL, 30 * 86_400)
        .legacy_ttl(ACCESS_TTL, 30 * 86_400)
        .start()
        .unwrap()
}

fn config(sim: &Simulator, tokens: TokenPreference) -> Config {
    let mut c = Config::with_base_url(Domain::Com, &sim.base_url()).unwrap();
    let clock = sim.clock();
    c.clock = Arc::new(move || clock.now());
    c.tokens = tokens;
    c
}

fn sign_in(client: &Client) -> Tokens {
    match client.login(EMAIL, &Password::new(PASSWORD)).unwrap() {
        LoginOutcome::Complete(t) => t,
        LoginOutcome::MfaRequired(_) => panic!("no MFA expected"),
    }
}

fn signed_in(sim: &Simulator, family: TokenPreference, url: &str, account: &str) -> PostgresStore {
    let store = PostgresStore::open(url, account).unwrap();
    store
        .save(&sign_in(&Client::new(config(sim, family)).unwrap()))
        .unwrap();
    store
}

/// One session per store handle, each with its own client, started together on an expired
/// access token; every call must succeed. Returns each session's tokens afterwards.
fn call_together(
    sim: &Simulator,
    family: TokenPreference,
    stores: Vec<Arc<dyn TokenStore>>,
) -> Vec<Tokens> {
    let start = Arc::new(Barrier::new(stores.len()));
    let handles: Vec<_> = stores
        .into_iter()
        .map(|store| {
            let session = Session::new(
                Client::new(config(sim, family)).unwrap(),
                store.load().unwrap().unwrap(),
            );
            session.persist_to(store);
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                session
                    .get_json("/userprofile-service/socialProfile", &[])
                    .map(|_| session.tokens())
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .map(|r| r.unwrap_or_else(|e| panic!("a session died: {e}")))
        .collect()
}

fn two_instances_refresh_once(test: &str, family: TokenPreference) {
    let Some(url) = pg_url(test) else { return };
    let account = key(test);
    let sim = sim();
    drop(signed_in(&sim, family, &url, &account));
    let exchanges = sim.stats().legacy_exchanges;
    sim.clock().advance(ACCESS_TTL + 60);

    // Two handles, two connections: what two app instances have.
    let stores: Vec<Arc<dyn TokenStore>> = (0..2)
        .map(|_| Arc::new(PostgresStore::open(&url, &account).unwrap()) as Arc<dyn TokenStore>)
        .collect();
    let ends = call_together(&sim, family, stores);

    let s = sim.stats();
    match family {
        TokenPreference::Legacy => {
            assert_eq!(s.legacy_refreshes, 1, "one refresh for two instances");
            assert_eq!(s.legacy_exchanges - exchanges, 1, "one exchange");
        }
        _ => assert_eq!(s.di_refreshes, 1, "one refresh for two instances"),
    }
    let stored = PostgresStore::open(&url, &account)
        .unwrap()
        .load()
        .unwrap()
        .unwrap();
    for t in ends {
        assert_eq!(
            t, stored,
            "both sessions end with the stored, rotated tokens"
        );
    }
    assert!(
        stored.expires_at() > sim.clock().now() + 300,
        "the database holds tokens that need no refresh"
    );
}

#[test]
fn two_sessions_over_one_database_refresh_di_once() {
    two_instances_refresh_once("pg-two-di", TokenPreference::Di);
}

#[test]
fn two_sessions_over_one_database_exchange_legacy_once() {
    two_instances_refresh_once("pg-two-legacy", TokenPreference::Legacy);
}

#[test]
fn eight_sessions_over_one_connection_refresh_once() {
    // An advisory lock is re-entrant within its connection: the store keeps sessions sharing one
    // apart itself.
    let Some(url) = pg_url("pg-eight") else {
        return;
    };
    let sim = sim();
    let store = signed_in(&sim, TokenPreference::Di, &url, &key("pg-eight"));
    sim.clock().advance(ACCESS_TTL + 60);
    let shared: Arc<dyn TokenStore> = Arc::new(store.clone());
    let ends = call_together(&sim, TokenPreference::Di, vec![shared; 8]);
    assert_eq!(sim.stats().di_refreshes, 1);
    let stored = store.load().unwrap().unwrap();
    assert!(ends.iter().all(|t| *t == stored));
}

#[test]
fn one_row_per_account_and_locks_per_account() {
    let Some(url) = pg_url("pg-rows") else { return };
    let (a_key, b_key) = (key("pg-rows-a"), key("pg-rows-b"));
    let sim = sim();
    let a = signed_in(&sim, TokenPreference::Di, &url, &a_key);
    let b = a.account(&b_key);
    assert_eq!(b.load().unwrap(), None);
    let tokens = a.load().unwrap().unwrap();
    b.save(&tokens).unwrap();
    let listed = a.accounts().unwrap();
    assert!(
        listed.contains(&a_key) && listed.contains(&b_key),
        "{listed:?}"
    );
    b.clear().unwrap();
    assert_eq!(b.load().unwrap(), None);
    assert_eq!(a.load().unwrap(), Some(tokens));
    let rows: i64 = raw(&url)
        .query_one(
            &format!("SELECT count(*) FROM {POSTGRES_TOKENS_TABLE} WHERE account IN ($1, $2)"),
            &[&a_key, &b_key],
        )
        .unwrap()
        .get(0);
    assert_eq!(rows, 1);

    let elsewhere = PostgresStore::open(&url, &a_key).unwrap();
    let held = a.try_lock().unwrap().expect("free");
    assert!(
        a.try_lock().unwrap().is_none(),
        "not twice on one connection"
    );
    assert!(elsewhere.try_lock().unwrap().is_none(), "nor from another");
    assert!(
        elsewhere.account(&b_key).try_lock().unwrap().is_some(),
        "another account's refresh is not held up"
    );
    assert!(elsewhere.load().unwrap().is_some(), "reads never wait");
    drop(held);
    assert!(elsewhere.try_lock().unwrap().is_some(), "released on drop");
}

#[test]
fn a_lock_is_released_when_its_connection_ends() {
    // A crashed instance's connection ends; the server releases its advisory locks.
    let Some(url) = pg_url("pg-crash") else {
        return;
    };
    let account = key("pg-crash");
    let app = format!("garmin-sso-crash-{}", std::process::id());
    let dying = PostgresStore::open(&with_app_name(&url, &app), &account).unwrap();
    std::mem::forget(dying.try_lock().unwrap().expect("free")); // never unlocked by the holder
    let other = PostgresStore::open(&url, &account).unwrap();
    assert!(other.try_lock().unwrap().is_none());

    let ended: bool = raw(&url)
        .query_one(
            "SELECT bool_and(pg_terminate_backend(pid, 10000)) FROM pg_stat_activity \
             WHERE application_name = $1",
            &[&app],
        )
        .unwrap()
        .get(0);
    assert!(ended, "the holder's backend ended");
    assert!(
        other.try_lock().unwrap().is_some(),
        "the server released it"
    );
}

#[test]
fn the_store_connects_again_after_the_server_ended_its_connection() {
    let Some(url) = pg_url("pg-reconnect") else {
        return;
    };
    let app = format!("garmin-sso-reconnect-{}", std::process::id());
    let sim = sim();
    let store = signed_in(
        &sim,
        TokenPreference::Di,
        &with_app_name(&url, &app),
        &key("pg-reconnect"),
    );
    let before = store.load().unwrap();
    raw(&url)
        .execute(
            "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = $1",
            &[&app],
        )
        .unwrap();
    assert_eq!(store.load().unwrap(), before, "read after connecting again");
}

#[test]
fn a_corrupt_row_survives_a_failed_refresh() {
    let Some(url) = pg_url("pg-corrupt") else {
        return;
    };
    let account = key("pg-corrupt");
    let sim = sim();
    let store = signed_in(&sim, TokenPreference::Di, &url, &account);
    let session = Session::new(
        Client::new(config(&sim, TokenPreference::Di)).unwrap(),
        store.load().unwrap().unwrap(),
    );
    session.persist_to(Arc::new(store.clone()));

    let garbage = "{\"schema_version\":1,\"secret-looking\":\"s3cr3t-value\"";
    let mut db = raw(&url);
    db.execute(
        &format!("UPDATE {POSTGRES_TOKENS_TABLE} SET tokens = $1 WHERE account = $2"),
        &[&garbage, &account],
    )
    .unwrap();
    let e = store.load().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert!(e.to_string().contains(&account), "{e}");
    assert!(
        !e.to_string().contains("s3cr3t"),
        "never quotes the row: {e}"
    );

    sim.expire_refresh_tokens();
    sim.clock().advance(ACCESS_TTL + 60);
    assert_eq!(
        session.refresh().unwrap_err().kind(),
        ErrorKind::SignInNeeded
    );
    let row: String = db
        .query_one(
            &format!("SELECT tokens FROM {POSTGRES_TOKENS_TABLE} WHERE account = $1"),
            &[&account],
        )
        .unwrap()
        .get(0);
    assert_eq!(row, garbage, "the failed refresh left the row as it was");
    assert!(store.try_lock().unwrap().is_some(), "and released the lock");
}

#[test]
fn database_down_is_a_storage_error_without_the_password_and_tokens_stay_usable() {
    // Needs no server: a port nothing listens on.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let secret = "hunter2-pg-secret";
    let url = format!("postgres://app:{secret}@127.0.0.1:{port}/appdb");
    let shown = format!("postgres://app@127.0.0.1:{port}/appdb");

    let e = PostgresStore::open(&url, "acct-1").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Storage, "{e}");
    let msg = e.to_string();
    assert!(msg.contains(&shown) && msg.contains("acct-1"), "{msg}");
    assert!(!msg.contains(secret), "{msg}");

    let store = PostgresStore::new(&url, "acct-1").unwrap();
    let debug = format!("{store:?}");
    assert!(debug.contains(&shown) && !debug.contains(secret), "{debug}");
    let e = PostgresStore::new("postgres://app:pw@[bad", "acct-1").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(!e.to_string().contains("pw@"), "{e}");

    let sim = sim();
    let client = Client::new(config(&sim, TokenPreference::Di)).unwrap();
    let tokens = sign_in(&client);
    for e in [
        store.load().unwrap_err(),
        store.save(&tokens).unwrap_err(),
        store.try_lock().unwrap_err(),
        store.clear().unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::Storage, "{e}");
        assert!(!e.to_string().contains(secret), "{e}");
        assert!(
            !e.to_string().contains(tokens.access_token().expose()),
            "{e}"
        );
    }

    let session = Session::new(client, tokens.clone());
    session.persist_to(Arc::new(store));
    session
        .get_json("/userprofile-service/socialProfile", &[])
        .expect("the tokens in memory stay usable while the database is down");
    sim.clock().advance(ACCESS_TTL + 60);
    let e = session.refresh().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Storage, "{e}");
    assert_eq!(
        sim.stats().di_refreshes,
        0,
        "no refresh without the lock: another instance may be refreshing"
    );
    assert_eq!(session.tokens(), tokens, "the session keeps its tokens");
}
