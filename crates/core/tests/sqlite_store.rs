//! The SQLite store against a real SQLite file and the simulator: sessions with their own clients
//! and their own connections (as separate processes would have) refresh once between them, for DI
//! and legacy tokens; one row per account; a corrupt row survives a failed refresh; a lock held by
//! another connection gives the bounded error; errors name the store and never its contents.
#![allow(clippy::unwrap_used)]
#![cfg(all(feature = "sqlite", feature = "ureq-transport"))]

use garmin_sso_core::{
    Client, Config, Domain, ErrorKind, LoginOutcome, Password, Session, SqliteStore,
    TokenPreference, TokenStore, Tokens, SQLITE_TOKENS_TABLE,
};
use garmin_sso_sim::{Account, Simulator};
use std::path::Path;
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

const EMAIL: &str = "runner@example.com";
const PASSWORD: &str = "correct horse battery";
const ACCESS_TTL: i64 = 3600;

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

fn signed_in_file(sim: &Simulator, family: TokenPreference, path: &Path) -> SqliteStore {
    let store = SqliteStore::open(path, EMAIL).unwrap();
    store
        .save(&sign_in(&Client::new(config(sim, family)).unwrap()))
        .unwrap();
    store
}

/// Refreshes of `family` the simulator counted.
fn refreshes(sim: &Simulator, family: TokenPreference) -> u64 {
    let s = sim.stats();
    match family {
        TokenPreference::Legacy => s.legacy_refreshes,
        _ => s.di_refreshes,
    }
}

fn two_connections_refresh_once(family: TokenPreference) {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.sqlite");
    drop(signed_in_file(&sim, family, &path));
    let exchanges = sim.stats().legacy_exchanges;
    sim.clock().advance(ACCESS_TTL + 60);

    // Two handles, two connections to the file: what two processes have.
    let stores: Vec<Arc<dyn TokenStore>> = (0..2)
        .map(|_| Arc::new(SqliteStore::open(&path, EMAIL).unwrap()) as Arc<dyn TokenStore>)
        .collect();
    let ends = call_together(&sim, family, stores);

    assert_eq!(refreshes(&sim, family), 1, "one refresh for two sessions");
    if family == TokenPreference::Legacy {
        assert_eq!(sim.stats().legacy_exchanges - exchanges, 1, "one exchange");
    }
    let stored = SqliteStore::open(&path, EMAIL)
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
        "the file holds tokens that need no refresh"
    );
}

#[test]
fn two_sessions_over_one_sqlite_file_refresh_di_once() {
    two_connections_refresh_once(TokenPreference::Di);
}

#[test]
fn two_sessions_over_one_sqlite_file_exchange_legacy_once() {
    two_connections_refresh_once(TokenPreference::Legacy);
}

#[test]
fn eight_sessions_over_one_handle_refresh_once() {
    // One connection shared by eight sessions: the store keeps them apart itself, since SQLite's
    // lock belongs to the connection.
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let store = signed_in_file(&sim, TokenPreference::Di, &dir.path().join("t.sqlite"));
    sim.clock().advance(ACCESS_TTL + 60);
    let shared: Arc<dyn TokenStore> = Arc::new(store.clone());
    let ends = call_together(&sim, TokenPreference::Di, vec![shared; 8]);
    assert_eq!(sim.stats().di_refreshes, 1);
    let stored = store.load().unwrap().unwrap();
    assert!(ends.iter().all(|t| *t == stored));
}

#[test]
fn one_row_per_account_key() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accounts.sqlite");
    let a = signed_in_file(&sim, TokenPreference::Di, &path);
    let b = a.account("someone-else");
    let c = SqliteStore::open(&path, "third").unwrap();
    assert_eq!(b.load().unwrap(), None);
    let tokens = a.load().unwrap().unwrap();
    b.save(&tokens).unwrap();
    c.save(&tokens).unwrap();
    assert_eq!(a.accounts().unwrap(), [EMAIL, "someone-else", "third"]);
    b.clear().unwrap();
    assert_eq!(b.load().unwrap(), None);
    assert_eq!(a.load().unwrap(), Some(tokens.clone()));
    assert_eq!(c.load().unwrap(), Some(tokens));
    assert_eq!(a.accounts().unwrap(), [EMAIL, "third"]);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let rows: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM {SQLITE_TOKENS_TABLE}"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o600,
            "tokens are secrets: the file is the owner's only"
        );
    }
}

#[test]
fn a_corrupt_row_is_an_error_naming_the_store_and_survives_a_failed_refresh() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = signed_in_file(&sim, TokenPreference::Di, &path);
    let session = Session::new(
        Client::new(config(&sim, TokenPreference::Di)).unwrap(),
        store.load().unwrap().unwrap(),
    );
    session.persist_to(Arc::new(store.clone()));

    let garbage = "{\"schema_version\":1,\"kind\":\"di\",\"secret-looking\":\"s3cr3t-value\"";
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        &format!("UPDATE {SQLITE_TOKENS_TABLE} SET tokens = ?1 WHERE account = ?2"),
        [garbage, EMAIL],
    )
    .unwrap();
    let e = store.load().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    let msg = e.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(
        msg.contains(EMAIL) && msg.contains(SQLITE_TOKENS_TABLE),
        "{msg}"
    );
    assert!(
        !msg.contains("s3cr3t"),
        "an error never quotes the row: {msg}"
    );

    // Garmin refuses the refresh: nothing may be written over the row.
    sim.expire_refresh_tokens();
    sim.clock().advance(ACCESS_TTL + 60);
    let e = session.refresh().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SignInNeeded, "{e}");
    let row: String = conn
        .query_row(
            &format!("SELECT tokens FROM {SQLITE_TOKENS_TABLE} WHERE account = ?1"),
            [EMAIL],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(row, garbage, "the failed refresh left the row as it was");
    assert!(store.try_lock().unwrap().is_some(), "and released the lock");
}

#[test]
fn a_lock_held_by_another_connection_is_a_bounded_storage_error() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = signed_in_file(&sim, TokenPreference::Di, &path);
    let mut cfg = config(&sim, TokenPreference::Di);
    let waits = Arc::new(Mutex::new(Vec::new()));
    let recorded = waits.clone();
    cfg.sleeper = Arc::new(move |d: Duration| recorded.lock().unwrap().push(d));
    cfg.store_lock_timeout = Duration::from_secs(2);
    let session = Session::new(Client::new(cfg).unwrap(), store.load().unwrap().unwrap());
    session.persist_to(Arc::new(store.clone()));

    // Another process's refresh, as far as SQLite can tell: a second connection's write lock.
    let other = SqliteStore::open(&path, EMAIL).unwrap();
    let held = other.try_lock().unwrap().expect("the lock is free");
    assert!(
        store.try_lock().unwrap().is_none(),
        "a second holder is refused"
    );
    assert!(
        store.load().unwrap().is_some(),
        "readers never wait for a refresh"
    );
    sim.clock().advance(ACCESS_TTL + 60);
    let e = session.refresh().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Storage, "{e}");
    assert!(e.to_string().contains("may have hung"), "{e}");
    let total: Duration = waits.lock().unwrap().iter().sum();
    assert!(
        total >= Duration::from_secs(2) && total < Duration::from_secs(3),
        "{total:?}"
    );
    assert_eq!(sim.stats().di_refreshes, 0, "no refresh without the lock");

    drop(held); // rolled back: released, nothing written
    let fresh = session.refresh().unwrap();
    assert_eq!(sim.stats().di_refreshes, 1);
    assert_eq!(
        other.load().unwrap(),
        Some(fresh),
        "saved, and seen by the other connection"
    );
}

#[test]
fn a_lock_whose_connection_closes_is_released() {
    // A process that dies closes its connection; SQLite's lock goes with it.
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = signed_in_file(&sim, TokenPreference::Di, &path);
    let dying = SqliteStore::open(&path, EMAIL).unwrap();
    let held = dying.try_lock().unwrap().unwrap();
    assert!(store.try_lock().unwrap().is_none());
    drop(dying);
    drop(held); // the last handle on that connection: it closes
    assert!(store.try_lock().unwrap().is_some());
}

#[test]
fn errors_name_the_store_and_debug_shows_no_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder").join("t.sqlite");
    let e = SqliteStore::open(&missing, "acct-7").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Storage, "{e}");
    assert!(
        e.to_string().contains(&missing.display().to_string()),
        "{e}"
    );
    assert!(e.to_string().contains("acct-7"), "{e}");

    let path = dir.path().join("newer.sqlite");
    drop(SqliteStore::open(&path, "acct-7").unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE garmin_sso_meta SET value = 99 WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
    let e = SqliteStore::open(&path, "acct-7").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Storage, "{e}");
    assert!(e.to_string().contains("schema version 99"), "{e}");

    let sim = sim();
    let ok = dir.path().join("ok.sqlite");
    let store = signed_in_file(&sim, TokenPreference::Di, &ok);
    let tokens = store.load().unwrap().unwrap();
    let debug = format!("{store:?}");
    assert!(
        debug.contains("ok.sqlite") && debug.contains(EMAIL),
        "{debug}"
    );
    assert!(
        !debug.contains(tokens.access_token().expose()),
        "Debug never shows tokens: {debug}"
    );
}

/// `open_database_store`, the parser the CLI, the C ABI and the bindings share: `sqlite:PATH`
/// handles behave like `SqliteStore::open` (one refresh between them), and a location it cannot
/// open quotes its scheme only.
#[test]
fn stores_opened_by_location_refresh_once_and_bad_locations_quote_no_password() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("by-location.sqlite");
    let location = format!("sqlite:{}", path.display());
    let first = garmin_sso_core::open_database_store(&location, EMAIL).unwrap();
    assert!(first.name.contains("by-location.sqlite"), "{}", first.name);
    assert!(first.name.contains(EMAIL), "{}", first.name);
    first
        .store
        .save(&sign_in(
            &Client::new(config(&sim, TokenPreference::Di)).unwrap(),
        ))
        .unwrap();
    sim.clock().advance(ACCESS_TTL + 60);
    let second = garmin_sso_core::open_database_store(&location, EMAIL).unwrap();
    call_together(&sim, TokenPreference::Di, vec![first.store, second.store]);
    assert_eq!(sim.stats().di_refreshes, 1, "one refresh for two sessions");

    for (location, account, quoted) in [
        ("mysql://app:Hunter2-db-pass@db/x", EMAIL, "mysql"),
        ("Hunter2-db-pass", EMAIL, "unknown token store location"),
        (location.as_str(), "", "account"),
    ] {
        let e = garmin_sso_core::open_database_store(location, account).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        let text = format!("{e} {e:?}");
        assert!(text.contains(quoted), "{text}");
        assert!(!text.contains("Hunter2-db-pass"), "{text}");
    }
}
