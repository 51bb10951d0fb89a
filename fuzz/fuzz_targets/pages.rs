//! HTML pages of the widget sign-in (CSRF, title, ticket, MFA page variables): one recorded answer's
//! body replaced by the fuzzer's bytes, the rest as the simulator answered.
#![no_main]
use garmin_sso_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((sel, idx, body)) = split(data) {
        run_with_body(&PAGE_OPS, sel, idx, body);
    }
});
