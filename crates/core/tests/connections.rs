//! Connection reuse: the default transport keeps connections alive, so a whole sign-in — pages,
//! credential POST, MFA, OAuth exchange — costs one TCP connection to a keep-alive server, and a
//! second sign-in on the same client opens none.

mod common;

use common::*;
use garmin_sso_core::{LoginOutcome, Password};
use garmin_sso_sim::{Account, MfaMethod};

#[test]
fn a_sign_in_with_mfa_reuses_one_connection() {
    let sim = sim_with(vec![
        Account::new(MFA_EMAIL, MFA_PASSWORD).with_mfa(MFA_CODE, MfaMethod::Totp)
    ]);
    let client = client(&sim);
    let pending = match client
        .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
        .expect("sign-in starts")
    {
        LoginOutcome::MfaRequired(p) => p,
        LoginOutcome::Complete(_) => panic!("the account has MFA"),
    };
    pending.submit(MFA_CODE).expect("right code");
    let stats = sim.stats();
    assert!(
        stats.requests_total >= 8,
        "a full sign-in is many requests ({})",
        stats.requests_total
    );
    assert_eq!(
        stats.connections, 1,
        "every request of the sign-in went over one connection"
    );

    let again = client
        .login(MFA_EMAIL, &Password::new(MFA_PASSWORD))
        .expect("second sign-in starts");
    assert!(matches!(again, LoginOutcome::MfaRequired(_)));
    assert_eq!(
        sim.stats().connections,
        1,
        "the second sign-in reused the pooled connection"
    );
}
