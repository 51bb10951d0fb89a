//! Token stores: round trips, file modes, atomic replace, symlink refusal, the foreign formats
//! (garth folder, garth dumps(), python-garminconnect) read from fixtures, and the OS keyring.
#![allow(clippy::unwrap_used)]

use garmin_sso_core::{
    export_garminconnect, export_garth_dumps, import_garminconnect, import_garth_dumps,
    write_file_atomic, GarthDirStore, GarthFormat, JsonFileStore, TokenStore,
};
use garmin_sso_core::{DiToken, Error, OAuth1Token, OAuth2Token, Tokens};
use std::fs;
use std::io;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn legacy(tag: &str) -> Tokens {
    Tokens::Legacy {
        oauth1: OAuth1Token {
            oauth_token: garmin_sso_core::AccessToken::new(format!("oauth1-{tag}")),
            oauth_token_secret: garmin_sso_core::TokenSecret::new(format!("oauth1-secret-{tag}")),
            mfa_token: Some(garmin_sso_core::MfaToken::new("mfa-token")),
            mfa_expiration_timestamp: Some("2026-08-03 23:53:05.000".into()),
            domain: Some("garmin.com".into()),
        },
        oauth2: OAuth2Token {
            scope: "CONNECT_READ CONNECT_WRITE".into(),
            jti: format!("jti-{tag}"),
            token_type: "Bearer".into(),
            access_token: garmin_sso_core::AccessToken::new(format!("access-{tag}")),
            refresh_token: garmin_sso_core::RefreshToken::new(format!("refresh-{tag}")),
            expires_in: 3600,
            expires_at: 1_800_000_000,
            refresh_token_expires_in: 7200,
            refresh_token_expires_at: 1_800_003_600,
        },
    }
}

fn di(tag: &str) -> Tokens {
    Tokens::Di {
        di: DiToken {
            client_id: "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2".into(),
            token_type: "Bearer".into(),
            access_token: garmin_sso_core::AccessToken::new(format!("di-access-{tag}")),
            refresh_token: garmin_sso_core::RefreshToken::new(format!("di-refresh-{tag}")),
            scope: Some("CONNECT_READ".into()),
            expires_at: 1_800_000_000,
            refresh_token_expires_at: Some(1_802_592_000),
        },
    }
}

fn mode(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

fn stray_files(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

#[test]
fn json_file_store_round_trips_both_families_in_a_private_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app").join("tokens");
    let path = dir.join("garmin.json");
    let store = JsonFileStore::new(&path);
    assert!(store.load().unwrap().is_none(), "nothing stored yet");

    store.save(&legacy("a")).unwrap();
    assert_eq!(store.load().unwrap(), Some(legacy("a")));
    assert_eq!(
        mode(&path),
        0o600,
        "token file must be owner read/write only"
    );
    assert_eq!(mode(&dir), 0o700, "created folder must be owner only");
    assert_eq!(
        mode(&tmp.path().join("app")),
        0o700,
        "every created folder is private"
    );
    let text = fs::read_to_string(&path).unwrap();
    assert_eq!(
        Tokens::from_json(&text).unwrap(),
        legacy("a"),
        "the file holds Tokens::to_json"
    );

    store.save(&di("b")).unwrap();
    assert_eq!(
        JsonFileStore::new(&path).load().unwrap(),
        Some(di("b")),
        "a second handle reads the new value"
    );
    assert_eq!(mode(&path), 0o600);
    assert!(
        stray_files(&dir).is_empty(),
        "no temporary files left: {:?}",
        stray_files(&dir)
    );

    store.clear().unwrap();
    assert!(!path.exists());
    assert!(store.load().unwrap().is_none());
    store.clear().unwrap();
}

#[test]
fn json_file_store_leaves_an_existing_shared_folder_alone_but_the_file_is_private() {
    let tmp = tempfile::tempdir().unwrap();
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let path = tmp.path().join("tokens.json");
    // A pre-existing file with loose permissions is replaced by a 0600 one.
    fs::write(&path, "old").unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    JsonFileStore::new(&path).save(&di("x")).unwrap();
    assert_eq!(mode(&path), 0o600);
    assert_eq!(
        mode(tmp.path()),
        0o755,
        "an existing folder of the app's choosing keeps its mode"
    );
}

#[test]
fn a_failed_write_keeps_the_old_file_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("tokens.json");
    let store = JsonFileStore::new(&path);
    store.save(&legacy("old")).unwrap();
    let before = fs::read(&path).unwrap();

    let err = write_file_atomic(&path, |w| {
        w.write_all(b"{\"schema_version\":1,\"kind\":\"le")?;
        Err(io::Error::other("disk full"))
    })
    .unwrap_err();
    assert!(matches!(err, Error::Storage(_)), "{err:?}");
    assert!(err.to_string().contains("previous content kept"), "{err}");
    assert_eq!(
        fs::read(&path).unwrap(),
        before,
        "old file must be byte-for-byte intact"
    );
    assert_eq!(store.load().unwrap(), Some(legacy("old")));
    assert!(
        stray_files(tmp.path()).is_empty(),
        "the temporary file is removed after a failed write"
    );
}

#[test]
fn a_crash_mid_write_leaves_the_old_file_and_the_next_save_works() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("tokens.json");
    let store = JsonFileStore::new(&path);
    store.save(&legacy("old")).unwrap();

    // A panic half-way through the write stands in for the process dying: nothing after it runs.
    let p = path.clone();
    let crashed = std::panic::catch_unwind(move || {
        let _ = write_file_atomic(&p, |w| {
            w.write_all(b"{\"schema_version\":1,")?;
            panic!("process dies here");
        });
    });
    assert!(crashed.is_err());
    assert_eq!(
        store.load().unwrap(),
        Some(legacy("old")),
        "the target still holds the complete old tokens"
    );
    let leftovers = stray_files(tmp.path());
    assert_eq!(
        leftovers.len(),
        1,
        "the crash left its half-written temporary file: {leftovers:?}"
    );
    assert_eq!(
        mode(&tmp.path().join(&leftovers[0])),
        0o600,
        "even the temporary file was private"
    );

    store.save(&di("new")).unwrap();
    assert_eq!(store.load().unwrap(), Some(di("new")));
}

/// A temporary file of a save that died, holding a complete token document.
fn plant_interrupted_save(path: &Path, age: std::time::Duration) -> PathBuf {
    let name = path.file_name().unwrap().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.00ff00ff00ff00ff.tmp"));
    fs::write(&tmp, legacy("stale").to_json()).unwrap();
    let f = fs::File::options().write(true).open(&tmp).unwrap();
    f.set_modified(std::time::SystemTime::now() - age).unwrap();
    tmp
}

#[test]
fn interrupted_saves_do_not_outlive_the_next_save_or_logout() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("tokens.json");
    let store = JsonFileStore::new(&path);

    // An old one goes with the next save; a fresh one may be another process's save in progress.
    let old = plant_interrupted_save(&path, std::time::Duration::from_secs(3600));
    let fresh = plant_interrupted_save(&path.with_file_name("tokens.json.x"), Default::default());
    let fresh_ours = {
        let t = path.with_file_name(".tokens.json.1122334411223344.tmp");
        fs::write(&t, "{}").unwrap();
        t
    };
    store.save(&di("new")).unwrap();
    assert!(
        !old.exists(),
        "a stale temporary file survived the next save"
    );
    assert!(
        fresh_ours.exists(),
        "a save in progress (fresh file) was swept"
    );
    assert!(fresh.exists(), "another file's temporary file was swept");

    // Logout leaves no token document behind, temporary or not.
    plant_interrupted_save(&path, Default::default());
    store.clear().unwrap();
    assert!(!path.exists());
    assert_eq!(
        stray_files(tmp.path()),
        [".tokens.json.x.00ff00ff00ff00ff.tmp"]
    );

    // The garth folder layout shares the mechanism.
    let dir = tmp.path().join("garth");
    let garth = GarthDirStore::new(&dir);
    garth.save(&legacy("g")).unwrap();
    let stale = plant_interrupted_save(&dir.join("oauth2_token.json"), Default::default());
    garth.clear().unwrap();
    assert!(
        !stale.exists(),
        "logout of a garth folder left a temporary token file"
    );
}

#[test]
fn empty_secrets_are_refused_on_load() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("tokens.json");
    let mut t = di("x");
    if let Tokens::Di { di } = &mut t {
        di.refresh_token = garmin_sso_core::RefreshToken::new("");
    }
    fs::write(&path, t.to_json()).unwrap();
    let e = JsonFileStore::new(&path).load().unwrap_err();
    assert!(e.to_string().contains("empty di.refresh_token"), "{e}");
}

#[test]
fn symlinks_are_refused_for_files_and_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let elsewhere = tmp.path().join("elsewhere.json");
    fs::write(&elsewhere, legacy("victim").to_json()).unwrap();
    let link = tmp.path().join("tokens.json");
    symlink(&elsewhere, &link).unwrap();

    let store = JsonFileStore::new(&link);
    for (what, r) in [
        ("load", store.load().map(|_| ())),
        ("save", store.save(&di("attacker"))),
        ("clear", store.clear()),
    ] {
        let e = r.unwrap_err();
        assert!(
            matches!(e, Error::Storage(_)) && e.to_string().contains("symlink"),
            "{what}: {e}"
        );
    }
    assert_eq!(
        fs::read_to_string(&elsewhere).unwrap(),
        legacy("victim").to_json(),
        "link target untouched"
    );
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link itself is left alone"
    );

    // A symlinked folder.
    let real_dir = tmp.path().join("real");
    fs::create_dir(&real_dir).unwrap();
    let dir_link = tmp.path().join("linked");
    symlink(&real_dir, &dir_link).unwrap();
    let e = JsonFileStore::new(dir_link.join("t.json"))
        .save(&di("x"))
        .unwrap_err();
    assert!(e.to_string().contains("symlink"), "{e}");
    let garth = GarthDirStore::new(&dir_link);
    assert!(garth
        .save(&di("x"))
        .unwrap_err()
        .to_string()
        .contains("symlink"));
    assert!(garth.load().unwrap_err().to_string().contains("symlink"));
    assert_eq!(
        fs::read_dir(&real_dir).unwrap().count(),
        0,
        "nothing written through the link"
    );

    // A symlinked file inside a garth folder.
    let gdir = tmp.path().join("garth");
    fs::create_dir(&gdir).unwrap();
    symlink(&elsewhere, gdir.join("di_token.json")).unwrap();
    assert!(GarthDirStore::new(&gdir)
        .load()
        .unwrap_err()
        .to_string()
        .contains("symlink"));
}

#[test]
fn garth_folder_legacy_fixture_loads_and_saves_back_in_garth_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join(".garth");
    copy_dir(&fixtures().join("garth_legacy"), &dir);
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();

    let store = GarthDirStore::new(&dir);
    let tokens = store.load().unwrap().expect("fixture tokens");
    assert_eq!(store.format(), Some(GarthFormat::Legacy));
    let Tokens::Legacy { oauth1, oauth2 } = &tokens else {
        panic!("legacy expected")
    };
    assert_eq!(
        oauth1.oauth_token.expose(),
        "4f1d6e2a-93b7-4c55-8a0e-FAKE0000aaaa"
    );
    assert_eq!(
        oauth1.mfa_token.as_ref().map(|s| s.expose()),
        Some("FAKEmfa0c2b5e8d41f7a9e3b6c")
    );
    assert_eq!(oauth1.domain.as_deref(), Some("garmin.com"));
    assert_eq!(oauth2.expires_at, 1_754_300_000);
    assert_eq!(oauth2.refresh_token_expires_in, 7199);
    assert!(oauth2.access_token.expose().starts_with("eyJ"));

    // A refresh replaced the OAuth2 token; it goes back as garth's two files.
    let Tokens::Legacy { oauth2: new2, .. } = legacy("refreshed") else {
        unreachable!()
    };
    let refreshed = Tokens::Legacy {
        oauth1: oauth1.clone(),
        oauth2: new2,
    };
    store.save(&refreshed).unwrap();
    assert_eq!(mode(&dir), 0o700, "a token folder is tightened to 0700");
    for f in ["oauth1_token.json", "oauth2_token.json"] {
        assert_eq!(mode(&dir.join(f)), 0o600, "{f}");
    }
    let o2: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("oauth2_token.json")).unwrap()).unwrap();
    for key in [
        "scope",
        "jti",
        "token_type",
        "access_token",
        "refresh_token",
        "expires_in",
        "expires_at",
        "refresh_token_expires_in",
        "refresh_token_expires_at",
    ] {
        assert!(
            o2.get(key).is_some(),
            "garth needs {key} in oauth2_token.json"
        );
    }
    assert_eq!(o2["access_token"], "access-refreshed");
    assert!(!dir.join("di_token.json").exists());
    assert_eq!(GarthDirStore::new(&dir).load().unwrap(), Some(refreshed));
}

#[test]
fn garth_folder_di_fixture_round_trips() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("garth_di"), tmp.path());
    let store = GarthDirStore::new(tmp.path());
    let Some(Tokens::Di { di: token }) = store.load().unwrap() else {
        panic!("DI expected")
    };
    assert_eq!(store.format(), Some(GarthFormat::Di));
    assert_eq!(token.client_id, "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2");
    assert_eq!(token.refresh_token.expose(), "FAKE-di-refresh-7c1e2b");
    assert_eq!(token.expires_at, 1_767_225_600);
    assert_eq!(token.refresh_token_expires_at, Some(1_769_814_000));

    store.save(&di("rotated")).unwrap();
    assert_eq!(mode(&tmp.path().join("di_token.json")), 0o600);
    assert_eq!(
        GarthDirStore::new(tmp.path()).load().unwrap(),
        Some(di("rotated"))
    );
    store.clear().unwrap();
    assert!(GarthDirStore::new(tmp.path()).load().unwrap().is_none());
}

#[test]
fn garminconnect_fixture_loads_and_saves_back_in_its_own_format() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("garminconnect"), tmp.path());
    let store = GarthDirStore::new(tmp.path());
    let Some(Tokens::Di { di: token }) = store.load().unwrap() else {
        panic!("DI expected")
    };
    assert_eq!(store.format(), Some(GarthFormat::GarminConnect));
    assert_eq!(token.client_id, "GARMIN_CONNECT_MOBILE_ANDROID_DI_2024Q4");
    assert_eq!(
        token.expires_at, 1_767_229_200,
        "expiry read from the JWT exp claim"
    );
    assert_eq!(token.refresh_token.expose(), "FAKE-gc-refresh-3a9f0d");

    // A refresh rotated the refresh token; python-garminconnect must still read the folder.
    store.save(&di("rotated")).unwrap();
    assert!(
        !tmp.path().join("di_token.json").exists(),
        "saved in the format it was read in"
    );
    let written: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("garmin_tokens.json")).unwrap())
            .unwrap();
    assert_eq!(written["di_token"], "di-access-rotated");
    assert_eq!(written["di_refresh_token"], "di-refresh-rotated");
    assert_eq!(
        written["di_client_id"],
        "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2"
    );
    assert_eq!(mode(&tmp.path().join("garmin_tokens.json")), 0o600);

    // A clone shares the remembered format (the CLI hands a clone to the session).
    let clone = store.clone();
    clone.save(&di("again")).unwrap();
    assert!(!tmp.path().join("di_token.json").exists());
}

#[test]
fn garth_folder_switching_family_removes_the_other_layout() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("garth_legacy"), tmp.path());
    let store = GarthDirStore::new(tmp.path());
    assert!(matches!(store.load().unwrap(), Some(Tokens::Legacy { .. })));
    store.save(&di("new-sign-in")).unwrap();
    assert!(
        !tmp.path().join("oauth1_token.json").exists()
            && !tmp.path().join("oauth2_token.json").exists()
    );
    assert_eq!(
        GarthDirStore::new(tmp.path()).load().unwrap(),
        Some(di("new-sign-in"))
    );
    store.save(&legacy("back")).unwrap();
    assert!(!tmp.path().join("di_token.json").exists());
    assert_eq!(
        GarthDirStore::new(tmp.path()).load().unwrap(),
        Some(legacy("back"))
    );
}

#[test]
fn garth_folder_with_half_a_pair_or_bad_json_is_a_typed_error_without_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    fs::copy(
        fixtures().join("garth_legacy/oauth1_token.json"),
        tmp.path().join("oauth1_token.json"),
    )
    .unwrap();
    let e = GarthDirStore::new(tmp.path()).load().unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput(m) if m.contains("oauth2_token.json")),
        "{e:?}"
    );

    fs::write(
        tmp.path().join("oauth2_token.json"),
        r#"{"access_token": "SECRET-ACCESS-VALUE", "token_type": 7}"#,
    )
    .unwrap();
    let e = GarthDirStore::new(tmp.path()).load().unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
    assert!(!e.to_string().contains("SECRET-ACCESS-VALUE"), "{e}");
    assert!(!format!("{e:?}").contains("SECRET-ACCESS-VALUE"), "{e:?}");
}

#[test]
fn garth_dumps_fixture_imports_and_exports() {
    let dumps = fs::read_to_string(fixtures().join("garth_dumps.txt")).unwrap();
    let tokens = import_garth_dumps(&dumps).unwrap();
    let from_folder = GarthDirStore::new(fixtures().join("garth_legacy"))
        .load()
        .unwrap()
        .unwrap();
    assert_eq!(
        tokens, from_folder,
        "dumps() and dump() of the same session agree"
    );

    let again = export_garth_dumps(&tokens).unwrap();
    assert_eq!(import_garth_dumps(&again).unwrap(), tokens);
    let list: serde_json::Value = serde_json::from_slice(&base64_decode(&again)).unwrap();
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(2),
        "garth's dumps() is a two-element list"
    );
    assert_eq!(
        list[0]["oauth_token"],
        "4f1d6e2a-93b7-4c55-8a0e-FAKE0000aaaa"
    );

    assert!(matches!(
        export_garth_dumps(&di("x")),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        import_garth_dumps("not base64 !!"),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        import_garth_dumps(""),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn garminconnect_json_imports_and_exports() {
    let json = fs::read_to_string(fixtures().join("garminconnect/garmin_tokens.json")).unwrap();
    let tokens = import_garminconnect(&json).unwrap();
    assert_eq!(tokens.family().name(), "di");
    assert_eq!(tokens.expires_at(), 1_767_229_200);
    let out = export_garminconnect(&tokens).unwrap();
    assert_eq!(import_garminconnect(&out).unwrap(), tokens);
    assert!(matches!(
        export_garminconnect(&legacy("x")),
        Err(Error::InvalidInput(_))
    ));
    let e = import_garminconnect(r#"{"di_token": null, "di_refresh_token": "r"}"#).unwrap_err();
    assert!(e.to_string().contains("di_token"), "{e}");
}

#[test]
fn stores_work_as_shared_trait_objects() {
    let tmp = tempfile::tempdir().unwrap();
    let store: std::sync::Arc<dyn TokenStore> =
        std::sync::Arc::new(JsonFileStore::new(tmp.path().join("t.json")));
    let handle = store.clone_store();
    store.save(&di("shared")).unwrap();
    assert_eq!(handle.load().unwrap(), Some(di("shared")));
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s.trim())
        .unwrap()
}

#[cfg(feature = "keyring")]
#[test]
fn keyring_store_round_trips_against_the_os_keyring() {
    use garmin_sso_core::KeyringStore;
    if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        eprintln!(
            "SKIPPED keyring_store_round_trips_against_the_os_keyring: no D-Bus session bus \
             (DBUS_SESSION_BUS_ADDRESS is unset), so there is no Secret Service to test against; run it under \
             dbus-run-session with gnome-keyring-daemon --unlock --components=secrets"
        );
        return;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let account = format!("test-{}-{nanos}@example.invalid", std::process::id());
    let store = KeyringStore::new("garmin-sso-core-tests", account.clone());
    store.clear().unwrap();
    assert!(store.load().unwrap().is_none());

    store.save(&legacy("kr")).unwrap();
    // A separate handle reads it from the keyring, not from memory.
    assert_eq!(
        KeyringStore::new("garmin-sso-core-tests", account.clone())
            .load()
            .unwrap(),
        Some(legacy("kr"))
    );
    store.save(&di("kr2")).unwrap();
    assert_eq!(
        store.load().unwrap(),
        Some(di("kr2")),
        "save replaces the entry"
    );
    assert!(
        KeyringStore::new("garmin-sso-core-tests", "another-account")
            .load()
            .unwrap()
            .is_none()
    );

    store.clear().unwrap();
    assert!(store.load().unwrap().is_none());
    store.clear().unwrap();
}
