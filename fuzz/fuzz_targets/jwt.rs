//! JWT payloads: DI token answers whose access token carries the fuzzer's claims, and the token
//! loaders that read expiry and client id from a JWT.
#![no_main]
use garmin_sso_core::{import_garminconnect, Tokens};
use garmin_sso_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, payload)) = data.split_first() else {
        return;
    };
    let jwt = jwt_with(payload);
    let doc = format!(
        r#"{{"di_token": "{jwt}", "di_refresh_token": "r-1", "di_client_id": "GARMIN_CONNECT_MOBILE_ANDROID_DI"}}"#
    );
    if let Ok(t) = import_garminconnect(&doc) {
        let again = Tokens::from_json(&t.to_json()).expect("an imported document round-trips");
        assert_eq!(again.to_json(), t.to_json());
    }
    let op = JWT_OPS[usize::from(sel) % JWT_OPS.len()];
    run_mutated(op, |answers| {
        for a in answers.iter_mut() {
            let body = String::from_utf8_lossy(&a.body).into_owned();
            if body.contains("\"access_token\"") {
                a.body = replace_json_string(&body, "access_token", &jwt).into_bytes();
            }
        }
    });
});
