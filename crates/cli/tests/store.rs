//! `--store sqlite:PATH` and `--store postgres://…` end to end: `garmin-sso` processes sharing one
//! database refresh once between them and all succeed, as with a shared `--token-dir`. The
//! PostgreSQL test needs `GARMIN_SSO_TEST_POSTGRES_URL` (scripts/with-postgres.sh sets it); without
//! it, it says it was skipped, and fails when `CI` is set.
#![allow(clippy::unwrap_used)]

use std::process::Output;
use std::sync::Arc;

mod common;
use common::{assert_exit, run, text, Sim};
const EMAIL: &str = "runner@example.com";
const PASSWORD: &str = "Plain-pa55-word";
const PROCESSES: usize = 8;

fn start() -> Sim {
    Sim::start_with(&["--account", &format!("{EMAIL}:{PASSWORD}")])
}

fn processes_share_one_store(store: &str, tokens: &str) {
    let sim = Arc::new(start());
    let login = sim.run(
        &[
            "login",
            "--email",
            EMAIL,
            "--password-stdin",
            "--tokens",
            tokens,
            "--store",
            store,
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_exit(&login, 0);
    assert!(!text(&login).contains(PASSWORD));
    let before = sim.admin("GET", "/__sim/stats");
    sim.admin("POST", "/__sim/expire?what=access");

    let outs: Vec<Output> = (0..PROCESSES)
        .map(|_| {
            let (sim, store) = (sim.clone(), store.to_owned());
            std::thread::spawn(move || {
                sim.run(
                    &[
                        "get",
                        "/userprofile-service/socialProfile",
                        "--store",
                        &store,
                        "--email",
                        EMAIL,
                    ],
                    "",
                )
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    for out in &outs {
        assert_exit(out, 0);
    }
    let after = sim.admin("GET", "/__sim/stats");
    let counter = if tokens == "legacy" {
        "legacy_refreshes"
    } else {
        "di_refreshes"
    };
    let refreshes = after[counter].as_u64().unwrap() - before[counter].as_u64().unwrap();
    eprintln!("{store} {tokens}: {PROCESSES} processes, {refreshes} refresh(es)");
    assert_eq!(refreshes, 1, "one refresh for {PROCESSES} processes");
    if tokens == "legacy" {
        let exchanges = after["legacy_exchanges"].as_u64().unwrap()
            - before["legacy_exchanges"].as_u64().unwrap();
        assert_eq!(exchanges, 1, "one exchange for {PROCESSES} processes");
    }

    let status = run(&["status", "--store", store, "--account", EMAIL], "");
    assert_exit(&status, 0);
    assert!(
        text(&status).contains("state: access token valid"),
        "the store then holds tokens that need no refresh:\n{}",
        text(&status)
    );
}

#[test]
fn eight_processes_sharing_an_sqlite_file_refresh_once_and_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("tokens.sqlite").display());
    processes_share_one_store(&store, "di");
}

#[test]
fn eight_processes_sharing_an_sqlite_file_exchange_legacy_tokens_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite:{}", dir.path().join("tokens.sqlite").display());
    processes_share_one_store(&store, "legacy");
}

#[test]
fn eight_processes_sharing_a_postgres_database_refresh_once_and_all_succeed() {
    let url = match std::env::var("GARMIN_SSO_TEST_POSTGRES_URL") {
        Ok(u) if !u.is_empty() => u,
        _ if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) => panic!(
            "GARMIN_SSO_TEST_POSTGRES_URL is not set but CI is: run through scripts/with-postgres.sh"
        ),
        _ => {
            eprintln!("SKIPPED: GARMIN_SSO_TEST_POSTGRES_URL is not set (run through scripts/with-postgres.sh)");
            return;
        }
    };
    // Clear this account's row from earlier runs against the same database.
    let _ = run(&["logout", "--store", &url, "--account", EMAIL], "");
    processes_share_one_store(&url, "di");
}

#[test]
fn store_arguments_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite:{}", dir.path().join("t.sqlite").display());
    // No account for a database store.
    assert_exit(&run(&["status", "--store", &sqlite], ""), 2);
    // Neither sqlite: nor postgres://.
    assert_exit(
        &run(&["status", "--store", "mysql://x", "--account", "a"], ""),
        2,
    );
    // A folder or a database, not both.
    let both = run(
        &[
            "status",
            "--store",
            &sqlite,
            "--token-dir",
            dir.path().to_str().unwrap(),
            "--account",
            "a",
        ],
        "",
    );
    assert_exit(&both, 2);
    // Nothing stored yet for that account.
    let none = run(&["status", "--store", &sqlite, "--account", "nobody"], "");
    assert_exit(&none, 7);
    assert!(
        text(&none).contains("no tokens in sqlite:"),
        "{}",
        text(&none)
    );
    // A database that is down: a storage error naming it without the password.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let down = run(
        &[
            "status",
            "--store",
            &format!("postgres://app:hunter2-secret@127.0.0.1:{port}/app"),
            "--account",
            "a",
        ],
        "",
    );
    assert_exit(&down, 11);
    assert!(
        text(&down).contains(&format!("postgres://app@127.0.0.1:{port}/app")),
        "{}",
        text(&down)
    );
    assert!(!text(&down).contains("hunter2"), "{}", text(&down));
}
