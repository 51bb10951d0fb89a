//! `garmin-sso vault …` end to end against `garmin-sso simulate` on 127.0.0.1: add (credentials
//! kept only after a sign-in that worked), list, rotate-key, a key file inside the vault's folder
//! refused, a wrong key, remove (credentials and tokens), an MFA account refused with exit 8.
#![allow(clippy::unwrap_used)]

use std::process::Output;

mod common;
use common::{text, Sim};
const EMAIL: &str = "runner@example.com";
const PASSWORD: &str = "Plain-pa55-word";
const MFA_EMAIL: &str = "mfa.runner@example.com";
const MFA_PASSWORD: &str = "Mfa-pa55-word";

fn start() -> Sim {
    let plain = format!("{EMAIL}:{PASSWORD}");
    let mfa = format!("{MFA_EMAIL}:{MFA_PASSWORD}:482916");
    Sim::start_with(&["--account", &plain, "--account", &mfa])
}

/// `garmin-sso ARGS`; no output may hold a password.
fn run(args: &[&str], stdin: &str) -> Output {
    let out = common::run(args, stdin);
    let all = text(&out);
    assert!(
        !all.contains(PASSWORD) && !all.contains(MFA_PASSWORD),
        "{all}"
    );
    out
}

#[test]
fn add_list_rotate_remove() {
    let sim = start();
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("data").join("vault.json");
    let key = dir.path().join("key").join("vault.key");
    let tokens = dir.path().join("tokens");
    let (v, k, t) = (
        vault.to_str().unwrap(),
        key.to_str().unwrap(),
        tokens.to_str().unwrap(),
    );
    let place = ["--vault", v, "--key-file", k];
    let server = ["--base-url", sim.url.as_str(), "--token-dir", t];

    // A wrong password is not kept.
    let add = |email: &str, pw: &str| {
        let mut a = vec!["vault", "add", "--email", email, "--password-stdin"];
        a.extend(place);
        a.extend(server);
        run(&a, &format!("{pw}\n"))
    };
    assert_eq!(add(EMAIL, "wrong").status.code(), Some(3));
    let list = || {
        let mut a = vec!["vault", "list"];
        a.extend(place);
        run(&a, "")
    };
    assert_eq!(String::from_utf8_lossy(&list().stdout), "");

    let out = add(EMAIL, PASSWORD);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&list().stdout),
        format!("{EMAIL}\n")
    );
    assert!(!std::fs::read_to_string(&vault).unwrap().contains(PASSWORD));

    // MFA accounts cannot be signed in without a person: refused, exit 8, not kept.
    assert_eq!(add(MFA_EMAIL, MFA_PASSWORD).status.code(), Some(8));
    assert_eq!(
        String::from_utf8_lossy(&list().stdout),
        format!("{EMAIL}\n")
    );

    let mut a = vec!["vault", "rotate-key"];
    a.extend(place);
    assert!(run(&a, "").status.success());
    assert_eq!(
        String::from_utf8_lossy(&list().stdout),
        format!("{EMAIL}\n")
    );

    // A key inside the vault's folder: invalid input (exit 2), and why.
    let inside = dir.path().join("data").join("k");
    let out = run(
        &[
            "vault",
            "list",
            "--vault",
            v,
            "--key-file",
            inside.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside the vault's folder"));

    // Another key: storage (exit 11).
    let other = dir.path().join("key").join("other.key");
    let out = run(
        &[
            "vault",
            "list",
            "--vault",
            v,
            "--key-file",
            other.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(11));

    // login --from-vault: the stored session; after `logout` the kept credentials sign in.
    let from_vault = || {
        let mut a = vec!["login", "--from-vault", "--account", EMAIL];
        a.extend(place);
        a.extend(server);
        run(&a, "")
    };
    let out = from_vault();
    assert!(out.status.success(), "{out:?}");
    assert!(run(&["logout", "--token-dir", t], "").status.success());
    let out = from_vault();
    assert!(out.status.success(), "{out:?}");
    assert!(run(&["status", "--token-dir", t], "").status.success());

    let mut a = vec!["vault", "remove", "--account", EMAIL, "--token-dir", t];
    a.extend(place);
    assert!(run(&a, "").status.success());
    assert_eq!(String::from_utf8_lossy(&list().stdout), "");
    let out = run(&["status", "--token-dir", t], "");
    assert!(!out.status.success());
}
