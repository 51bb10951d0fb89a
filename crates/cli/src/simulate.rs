//! `simulate`: the Garmin simulator as a foreground process, for tests in any language.

use crate::cli::{MfaMethodArg, SimulateArgs};
use crate::exit::Failure;
use garmin_sso_sim::{Account, MfaMethod, PartnerClient, Simulator};
use std::io::{self, Write};
use std::net::SocketAddr;

pub fn run(args: &SimulateArgs) -> Result<(), Failure> {
    let addr: SocketAddr = args.listen.parse().map_err(|_| {
        Failure::other(format!(
            "--listen {:?} is not an IP:PORT address",
            args.listen
        ))
    })?;
    if !addr.ip().is_loopback() {
        return Err(Failure::other(
            "the simulator only listens on loopback (127.0.0.1 or ::1)",
        ));
    }
    let count = args.accounts.len() + args.locked_accounts.len() + args.child_accounts.len();
    if count == 0 {
        return Err(Failure::other(
            "give at least one --account EMAIL:PASSWORD[:MFACODE]",
        ));
    }
    let mut builder = Simulator::builder().listen(&addr.to_string());
    for spec in &args.accounts {
        let account = parse_account(spec, method(args.mfa_method))?;
        builder = builder.account(account);
    }
    for spec in &args.locked_accounts {
        builder = builder.account(parse_plain(spec, "--locked-account")?.locked(true));
    }
    for spec in &args.child_accounts {
        builder = builder.account(parse_plain(spec, "--child-account")?.child(true));
    }
    if let Some(c) = &args.consumer {
        let (key, secret) = c
            .split_once(':')
            .filter(|(k, s)| !k.is_empty() && !s.is_empty())
            .ok_or_else(|| Failure::other("--consumer must be KEY:SECRET"))?;
        builder = builder.consumer(key, secret);
    }
    for spec in &args.partner_clients {
        builder = builder.partner_client(parse_partner(spec)?);
    }
    let sim = builder
        .start()
        .map_err(|e| Failure::other(format!("cannot start the simulator: {e}")))?;
    // The first stdout line is the contract with whoever started us; flush so a pipe sees it now.
    let mut out = io::stdout().lock();
    writeln!(out, "{}", sim.base_url())?;
    out.flush()?;
    drop(out);
    eprintln!(
        "garmin-sso simulator listening on {} with {} account(s) and {} partner app(s); admin API under {}/__sim/. Stop with Ctrl-C.",
        sim.base_url(),
        count,
        args.partner_clients.len(),
        sim.base_url()
    );
    // Serve until killed: tests start us without a stdin, so stdin closing means nothing here.
    loop {
        std::thread::park();
    }
}

fn method(m: MfaMethodArg) -> MfaMethod {
    match m {
        MfaMethodArg::Email => MfaMethod::Email,
        MfaMethodArg::Sms => MfaMethod::Sms,
        MfaMethodArg::Totp => MfaMethod::Totp,
    }
}

/// `EMAIL:PASSWORD` or `EMAIL:PASSWORD:MFACODE`. The password may contain `:` — a last part made
/// only of digits is taken as the MFA code.
fn parse_account(spec: &str, mfa_method: MfaMethod) -> Result<Account, Failure> {
    let bad = || Failure::other("--account must be EMAIL:PASSWORD or EMAIL:PASSWORD:MFACODE");
    let (email, rest) = spec.split_once(':').ok_or_else(bad)?;
    if email.is_empty() || !email.contains('@') || rest.is_empty() {
        return Err(bad());
    }
    let (password, code) = match rest.rsplit_once(':') {
        Some((pw, code))
            if !pw.is_empty() && !code.is_empty() && code.chars().all(|c| c.is_ascii_digit()) =>
        {
            (pw, Some(code))
        }
        _ => (rest, None),
    };
    let account = Account::new(email, password);
    Ok(match code {
        Some(code) => account.with_mfa(code, mfa_method),
        None => account,
    })
}

/// `EMAIL:PASSWORD` (the password may contain `:`).
fn parse_plain(spec: &str, flag: &str) -> Result<Account, Failure> {
    match spec.split_once(':') {
        Some((email, pw)) if email.contains('@') && !pw.is_empty() => Ok(Account::new(email, pw)),
        _ => Err(Failure::other(format!("{flag} must be EMAIL:PASSWORD"))),
    }
}

/// `CLIENT_ID,SECRET,REDIRECT_URI`: the id and secret without commas, the redirect URI an
/// absolute http(s) URL (it may contain commas). Errors never quote the value: it holds a secret.
fn parse_partner(spec: &str) -> Result<PartnerClient, Failure> {
    let bad = |why: &str| {
        Failure::other(format!(
            "--partner-client must be CLIENT_ID,SECRET,REDIRECT_URI ({why})"
        ))
    };
    let mut parts = spec.splitn(3, ',');
    let (Some(id), Some(secret), Some(redirect)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("three comma-separated parts"));
    };
    let (id, secret, redirect) = (id.trim(), secret.trim(), redirect.trim());
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_graphic()) {
        return Err(bad("the client id is empty or not printable ASCII"));
    }
    if secret.is_empty() {
        return Err(bad("the secret is empty"));
    }
    let scheme_ok = ["http://", "https://"].iter().any(|p| {
        redirect
            .get(..p.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(p))
            && redirect.len() > p.len()
    });
    if !scheme_ok || redirect.contains('#') || redirect.chars().any(char::is_whitespace) {
        return Err(bad(
            "the redirect URI must be an absolute http(s) URL without a fragment",
        ));
    }
    Ok(PartnerClient::new(id, secret, redirect))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_specs() {
        let a = parse_account("a@x.org:pw", MfaMethod::Email).expect("plain");
        assert_eq!(a.email(), "a@x.org");
        assert!(format!("{a:?}").contains("mfa: None"));
        let a = parse_account("a@x.org:p:w:123456", MfaMethod::Sms).expect("mfa");
        assert!(format!("{a:?}").contains("Sms"));
        assert!(parse_account("nobody", MfaMethod::Email).is_err());
        assert!(parse_account("a@x.org:", MfaMethod::Email).is_err());
        assert!(format!(
            "{:?}",
            parse_plain("l@x.org:p:w", "--locked-account").expect("plain")
        )
        .contains("l@x.org"));
        assert!(parse_plain("l@x.org", "--locked-account").is_err());
    }

    #[test]
    fn partner_specs() {
        let p = parse_partner("app,s3cret,http://127.0.0.1/callback?a=1,2").expect("valid");
        let debug = format!("{p:?}");
        assert!(debug.contains("app") && debug.contains("a=1,2"), "{debug}");
        for bad in [
            "app,s3cret",
            "app,,http://127.0.0.1/cb",
            ",s3cret,http://127.0.0.1/cb",
            "app,s3cret,127.0.0.1/cb",
            "app,s3cret,http://",
            "app,s3cret,https://h/cb#frag",
        ] {
            let e = parse_partner(bad).expect_err(bad);
            assert!(e.message.contains("--partner-client"), "{}", e.message);
            assert!(!e.message.contains("s3cret"), "{}", e.message);
        }
    }
}
