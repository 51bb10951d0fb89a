//! `Set-Cookie` lines: the fuzzer's lines are added to one recorded answer of a sign-in (the widget
//! sign-in needs its cookies back). The jar must stay within its bounds and send cookies only to
//! Garmin's hosts (checked on every request).
#![no_main]
use garmin_sso_fuzz::*;
use libfuzzer_sys::fuzz_target;

const OPS: [Op; 4] = [
    Op::WidgetLegacy,
    Op::WidgetMfa,
    Op::Mobile,
    Op::PortalMfaLegacy,
];

fuzz_target!(|data: &[u8]| {
    let Some((sel, idx, rest)) = split(data) else {
        return;
    };
    let op = OPS[usize::from(sel) % OPS.len()];
    let text = String::from_utf8_lossy(rest);
    run_mutated(op, |answers| {
        let i = usize::from(idx) % answers.len();
        let a = &mut answers[i];
        a.headers
            .retain(|(k, _)| !k.eq_ignore_ascii_case("Set-Cookie"));
        for line in text.split('\n').take(1024) {
            a.headers.push(("Set-Cookie".into(), line.to_string()));
        }
    });
});
