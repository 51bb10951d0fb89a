//! JSON answers: mobile and portal sign-in and MFA answers, DI and IT token answers, Connect API
//! answers. One recorded answer's body is the fuzzer's.
#![no_main]
use garmin_sso_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((sel, idx, body)) = split(data) {
        run_with_body(&JSON_OPS, sel, idx, body);
    }
});
