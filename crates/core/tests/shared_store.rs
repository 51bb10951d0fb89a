//! Sessions that share one token store — separate `Session` objects in threads here, separate
//! processes in the CLI's tests — refresh one at a time through the store's lock: one refresh at
//! Garmin however many sessions find the token expired, every session ends with the rotated tokens,
//! and a lock holder that hangs gives a clear error after a bounded wait that never really sleeps.
#![allow(clippy::unwrap_used)]
#![cfg(feature = "ureq-transport")]

use garmin_sso_core::{
    Client, Config, Domain, ErrorKind, GarthDirStore, JsonFileStore, LoginOutcome, Password,
    Session, TokenPreference, TokenStore, Tokens,
};
use garmin_sso_sim::{Account, Simulator};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

const EMAIL: &str = "runner@example.com";
const PASSWORD: &str = "correct horse battery";
const ACCESS_TTL: i64 = 3600;

fn sim() -> Simulator {
    Simulator::builder()
        .account(Account::new(EMAIL, PASSWORD))
        .di_ttl(ACCESS_TTL, 30 * 86_400)
        .start()
        .unwrap()
}

fn config(sim: &Simulator) -> Config {
    let mut c = Config::with_base_url(Domain::Com, &sim.base_url()).unwrap();
    let clock = sim.clock();
    c.clock = Arc::new(move || clock.now());
    c.tokens = TokenPreference::Di;
    c
}

fn sign_in(client: &Client) -> Tokens {
    match client.login(EMAIL, &Password::new(PASSWORD)).unwrap() {
        LoginOutcome::Complete(t) => t,
        LoginOutcome::MfaRequired(_) => panic!("no MFA expected"),
    }
}

/// `n` sessions, each its own object over its own client, as separate processes would have.
fn sessions_over(sim: &Simulator, store: Arc<dyn TokenStore>, n: usize) -> Vec<Session> {
    let stored = store.load().unwrap().unwrap();
    (0..n)
        .map(|_| {
            let s = Session::new(Client::new(config(sim)).unwrap(), stored.clone());
            s.persist_to(store.clone());
            s
        })
        .collect()
}

fn one_refresh_for_many_sessions(store: Arc<dyn TokenStore>) {
    let sim = sim();
    let client = Client::new(config(&sim)).unwrap();
    store.save(&sign_in(&client)).unwrap();
    let sessions = sessions_over(&sim, store.clone(), 8);
    sim.clock().advance(ACCESS_TTL + 60);

    let start = Arc::new(Barrier::new(sessions.len()));
    let handles: Vec<_> = sessions
        .into_iter()
        .map(|s| {
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                s.get_json("/userprofile-service/socialProfile", &[])
                    .map(|_| s.tokens())
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for r in &results {
        assert!(r.is_ok(), "a session died: {:?}", r.as_ref().err());
    }
    assert_eq!(
        sim.stats().di_refreshes,
        1,
        "one refresh for eight sessions"
    );
    let stored = store.load().unwrap().unwrap();
    for r in results {
        assert_eq!(
            r.unwrap(),
            stored,
            "every session ends with the stored, rotated tokens"
        );
    }
}

#[test]
fn eight_sessions_over_one_json_file_refresh_once() {
    let dir = tempfile::tempdir().unwrap();
    one_refresh_for_many_sessions(Arc::new(JsonFileStore::new(dir.path().join("tokens.json"))));
}

#[test]
fn eight_sessions_over_one_garth_folder_refresh_once() {
    let dir = tempfile::tempdir().unwrap();
    one_refresh_for_many_sessions(Arc::new(GarthDirStore::new(dir.path().join("garth"))));
}

#[test]
fn a_stale_session_adopts_what_another_saved_without_a_request() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(JsonFileStore::new(dir.path().join("t.json")));
    let client = Client::new(config(&sim)).unwrap();
    store.save(&sign_in(&client)).unwrap();
    let [a, b]: [Session; 2] = sessions_over(&sim, store.clone(), 2).try_into().unwrap();
    sim.clock().advance(ACCESS_TTL + 60);

    let fresh = a.refresh().unwrap();
    let requests = sim.stats().requests_total;
    // b still holds the spent refresh token; presenting it would end the session at Garmin.
    assert_eq!(b.refresh().unwrap(), fresh);
    assert_eq!(
        sim.stats().requests_total,
        requests,
        "adopted from the store, no request"
    );
    assert_eq!(sim.stats().di_refreshes, 1);
}

#[test]
fn a_hung_lock_holder_is_a_storage_error_after_a_bounded_wait() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(JsonFileStore::new(dir.path().join("t.json")));
    let mut cfg = config(&sim);
    let waits = Arc::new(Mutex::new(Vec::new()));
    let recorded = waits.clone();
    cfg.sleeper = Arc::new(move |d: Duration| recorded.lock().unwrap().push(d));
    cfg.store_lock_timeout = Duration::from_secs(2);
    let client = Client::new(cfg).unwrap();
    store.save(&sign_in(&client)).unwrap();
    let session = Session::new(client, store.load().unwrap().unwrap());
    session.persist_to(store.clone());

    let held = store.try_lock().unwrap().expect("the lock is free");
    assert!(
        store.try_lock().unwrap().is_none(),
        "a second holder is refused"
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

    drop(held);
    session.refresh().unwrap();
    assert_eq!(sim.stats().di_refreshes, 1);
}
