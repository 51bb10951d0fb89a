//! Redirects: one recorded answer becomes a 301/302/303/307/308 to the fuzzer's `Location`
//! (relative, absolute, another Garmin host, a foreign host, a scheme change). No body, cookie or
//! `Authorization` may follow it off Garmin's hosts (checked on every request).
#![no_main]
use garmin_sso_fuzz::*;
use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 6] = [301, 302, 303, 307, 308, 200];

fuzz_target!(|data: &[u8]| {
    let Some((sel, idx, rest)) = split(data) else {
        return;
    };
    let Some((&st, location)) = rest.split_first() else {
        return;
    };
    let location = String::from_utf8_lossy(location).into_owned();
    // A server that sends the password back in its own Location already has it: following or
    // quoting that redirect reveals nothing. The checks are about what the client adds.
    if location.contains(PASSWORD) {
        return;
    }
    run_mutated(Op::pick(sel), |answers| {
        let i = usize::from(idx) % answers.len();
        let a = &mut answers[i];
        a.status = STATUSES[usize::from(st) % STATUSES.len()];
        a.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("Location"));
        a.headers.push(("Location".into(), location));
    });
});
