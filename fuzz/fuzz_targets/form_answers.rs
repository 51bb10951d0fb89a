//! OAuth1 form answers (`preauthorized`), the consumer JSON and the OAuth2 exchange answer of the
//! legacy token family. One recorded answer's body is the fuzzer's.
#![no_main]
use garmin_sso_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((sel, idx, body)) = split(data) {
        run_with_body(&FORM_OPS, sel, idx, body);
    }
});
