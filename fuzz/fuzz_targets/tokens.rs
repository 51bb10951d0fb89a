//! Token formats: the versioned JSON, garth's `dumps()` string, python-garminconnect's JSON, and
//! the file stores reading them (JsonFileStore, GarthDirStore's layouts). A document that loads
//! must round-trip through its own format.
#![no_main]
use garmin_sso_core::{
    export_garminconnect, export_garth_dumps, import_garminconnect, import_garth_dumps,
    GarthDirStore, JsonFileStore, TokenStore, Tokens,
};
use garmin_sso_fuzz::{check_error, SEPARATOR};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn dir() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

fn same(a: &Tokens, b: &Tokens) {
    assert_eq!(
        a.to_json(),
        b.to_json(),
        "a loaded document does not round-trip"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match sel % 5 {
        0 => match Tokens::from_json(&text) {
            Ok(t) => same(&t, &Tokens::from_json(&t.to_json()).expect("to_json loads")),
            Err(e) => check_error(&e),
        },
        1 => match import_garth_dumps(&text) {
            Ok(t) => {
                if let Ok(s) = export_garth_dumps(&t) {
                    same(&t, &import_garth_dumps(&s).expect("an exported dump loads"));
                }
            }
            Err(e) => check_error(&e),
        },
        2 => match import_garminconnect(&text) {
            Ok(t) => {
                if let Ok(s) = export_garminconnect(&t) {
                    import_garminconnect(&s).expect("an exported document loads");
                }
            }
            Err(e) => check_error(&e),
        },
        3 => {
            let path = dir().join("tokens.json");
            std::fs::write(&path, rest).unwrap();
            let store = JsonFileStore::new(&path);
            match store.load() {
                Ok(Some(t)) => {
                    store.save(&t).unwrap();
                    same(&t, &store.load().unwrap().expect("saved tokens load"));
                }
                Ok(None) => {}
                Err(e) => check_error(&e),
            }
        }
        _ => {
            let d = dir().join("garth");
            let _ = std::fs::remove_dir_all(&d);
            std::fs::create_dir_all(&d).unwrap();
            let names = [
                "oauth1_token.json",
                "oauth2_token.json",
                "di_token.json",
                "garmin_tokens.json",
            ];
            for (name, part) in names.iter().zip(text.split(SEPARATOR)) {
                if !part.is_empty() {
                    std::fs::write(d.join(name), part).unwrap();
                }
            }
            match GarthDirStore::new(&d).load() {
                Ok(Some(t)) => same(&t, &Tokens::from_json(&t.to_json()).expect("to_json loads")),
                Ok(None) => {}
                Err(e) => check_error(&e),
            }
        }
    }
});
