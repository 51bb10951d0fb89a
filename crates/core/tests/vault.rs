//! The credential vault against the simulator on 127.0.0.1: round trip, wrong key, a key inside
//! the vault's folder refused, rotation, a rotation cut short by a crash, resume after Garmin
//! revoked the session, and an MFA account reported instead of retried.
#![allow(clippy::unwrap_used)]
#![cfg(all(feature = "vault", feature = "ureq-transport"))]

mod common;

use common::*;
use garmin_sso_core::vault::Vault;
use garmin_sso_core::{Error, JsonFileStore, Password, TokenStore};
use garmin_sso_sim::{Account, MfaMethod, Simulator};
use std::fs;
use std::path::PathBuf;

struct Paths {
    _dir: tempfile::TempDir,
    vault: PathBuf,
    key: PathBuf,
    tokens: PathBuf,
}

fn paths() -> Paths {
    let dir = tempfile::tempdir().unwrap();
    Paths {
        vault: dir.path().join("data").join("vault.json"),
        key: dir.path().join("secret").join("vault.key"),
        tokens: dir.path().join("data").join("tokens.json"),
        _dir: dir,
    }
}

fn credential_posts(sim: &Simulator) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.route == "sso_signin_post")
        .count()
}

#[test]
fn round_trip_wrong_key_and_key_inside_the_folder() {
    let p = paths();
    let v = Vault::open(&p.vault, &p.key).unwrap();
    v.add("runner", EMAIL, &Password::new(PASSWORD)).unwrap();
    let again = Vault::open(&p.vault, &p.key).unwrap();
    let (email, pw) = again.get("runner").unwrap().unwrap();
    assert_eq!((email.as_str(), pw.expose()), (EMAIL, PASSWORD));
    let on_disk = fs::read_to_string(&p.vault).unwrap();
    assert!(!on_disk.contains(PASSWORD) && !on_disk.contains(EMAIL));

    let other = p.key.with_file_name("other.key");
    let e = Vault::open(&p.vault, &other).unwrap_err();
    assert!(matches!(e, Error::VaultKeyMismatch), "{e:?}");

    let inside = p.vault.with_file_name("vault.key");
    let e = Vault::open(&p.vault, &inside).unwrap_err();
    assert!(matches!(e, Error::VaultKeyInsideFolder(_)), "{e:?}");
    assert!(!inside.exists(), "no key written where it was refused");
}

#[test]
fn rotation_and_a_crash_during_rotation() {
    let p = paths();
    let mut v = Vault::open(&p.vault, &p.key).unwrap();
    for i in 0..5 {
        v.add(
            &format!("a{i}"),
            &format!("a{i}@example.com"),
            &Password::new(format!("pw{i}")),
        )
        .unwrap();
    }
    let old_key = fs::read(&p.key).unwrap();
    let old_file = fs::read(&p.vault).unwrap();
    v.rotate_key().unwrap();
    let new_key = fs::read(&p.key).unwrap();
    let new_file = fs::read(&p.vault).unwrap();
    assert_ne!(old_key, new_key);
    let check = |v: &Vault| {
        for i in 0..5 {
            let (e, pw) = v.get(&format!("a{i}")).unwrap().unwrap();
            assert_eq!(
                (e, pw.expose().to_owned()),
                (format!("a{i}@example.com"), format!("pw{i}"))
            );
        }
    };
    check(&Vault::open(&p.vault, &p.key).unwrap());
    let next = PathBuf::from(format!("{}.next", p.key.display()));

    // Killed after `.next` was written, before the vault was replaced: old key, old file, a
    // stray temp file beside the vault.
    fs::write(&p.key, &old_key).unwrap();
    fs::write(&next, &new_key).unwrap();
    fs::write(&p.vault, &old_file).unwrap();
    fs::write(p.vault.with_file_name(".vault.json.tmp-crash"), b"{partial").unwrap();
    let v = Vault::open(&p.vault, &p.key).unwrap();
    check(&v);
    assert!(!next.exists());
    assert_eq!(fs::read(&p.key).unwrap(), old_key);

    // Killed after the vault was replaced, before the key was renamed: opening finishes it.
    fs::write(&next, &new_key).unwrap();
    fs::write(&p.vault, &new_file).unwrap();
    let v = Vault::open(&p.vault, &p.key).unwrap();
    check(&v);
    assert!(!next.exists());
    assert_eq!(fs::read(&p.key).unwrap(), new_key);
}

#[test]
fn resume_after_the_session_was_revoked_signs_in_with_stored_credentials() {
    let sim = sim();
    let c = client(&sim);
    let p = paths();
    let store = JsonFileStore::new(&p.tokens);
    let v = Vault::open(&p.vault, &p.key).unwrap();

    // A wrong password is not kept.
    let e = v
        .enroll("runner", &c, &store, EMAIL, &Password::new("wrong"))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidCredentials), "{e:?}");
    assert!(v.get("runner").unwrap().is_none());

    v.enroll("runner", &c, &store, EMAIL, &Password::new(PASSWORD))
        .unwrap();
    let posts = credential_posts(&sim);

    // The stored session works: no credential POST.
    let s = v.resume_or_sign_in("runner", &c, &store).unwrap();
    s.profile().unwrap();
    assert_eq!(credential_posts(&sim), posts);

    // Garmin revokes everything: the vault's credentials sign in again, once.
    assert!(sim.revoke(EMAIL));
    let s = v.resume_or_sign_in("runner", &c, &store).unwrap();
    assert_eq!(credential_posts(&sim), posts + 1);
    s.profile().unwrap();
    assert_eq!(
        store.load().unwrap().unwrap().to_json(),
        s.tokens().to_json()
    );

    // Deleting the account wipes both.
    v.delete_account("runner", &store).unwrap();
    assert!(v.get("runner").unwrap().is_none());
    assert!(store.load().unwrap().is_none());
    let e = v.resume_or_sign_in("runner", &c, &store).unwrap_err();
    assert!(matches!(e, Error::SignInNeeded { .. }), "{e:?}");
}

#[test]
fn an_account_that_now_needs_mfa_is_reported_not_retried() {
    let sim = sim_with(vec![
        Account::new(MFA_EMAIL, MFA_PASSWORD).with_mfa(MFA_CODE, MfaMethod::Email)
    ]);
    let c = client(&sim);
    let p = paths();
    let store = JsonFileStore::new(&p.tokens);
    let v = Vault::open(&p.vault, &p.key).unwrap();
    v.add("m", MFA_EMAIL, &Password::new(MFA_PASSWORD)).unwrap();
    let e = v.resume_or_sign_in("m", &c, &store).unwrap_err();
    assert!(matches!(e, Error::MfaRequired), "{e:?}");
    assert_eq!(credential_posts(&sim), 1);
    assert!(store.load().unwrap().is_none());
}
