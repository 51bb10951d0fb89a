//! Whole operations (every sign-in path, MFA, exchanges, refresh, Connect API calls) against a
//! hostile server: every answer — status, headers, cookies, redirects, body — comes from the
//! fuzzer's bytes (a selector byte, then a script; see the harness).
#![no_main]
use garmin_sso_fuzz::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let script = String::from_utf8_lossy(rest);
    run_answers(Op::pick(sel), parse_script(&script));
});
