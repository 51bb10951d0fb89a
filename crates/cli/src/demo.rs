//! `demo`: the whole life of a sign-in against a simulator running in this process — MFA, tokens,
//! profile, a refresh a day later, FIT upload and duplicate, and the classic widget + OAuth1 path.
//! Needs no input and no network, and prints no secret: only families, expiries, ids and counters.

use crate::cli::DemoArgs;
use crate::exit::Failure;
use crate::{timefmt, tokens};
use garmin_sso_core::Session;
use garmin_sso_core::{
    Body, Client, Config, Domain, Error, Flow, LoginOutcome, Password, PendingMfa, TokenPreference,
    Tokens,
};
use garmin_sso_core::{GarthDirStore, TokenStore};
use garmin_sso_sim::{Account, MfaMethod, SimClock, Simulator};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// The demo account. Its password and code are fixed so that tests can check none of them is
/// printed; they only ever open the in-process simulator.
pub const DEMO_EMAIL: &str = "demo.runner@example.com";
pub const DEMO_PASSWORD: &str = "demo-Pa55word-never-printed";
pub const DEMO_MFA_CODE: &str = "246813";
const WRONG_CODE: &str = "111111";

const STEPS: usize = 7;

struct Out {
    step: usize,
    clock: SimClock,
}

impl Out {
    fn step(&mut self, title: &str) {
        self.step += 1;
        println!();
        println!("[{}/{STEPS}] {title}", self.step);
    }

    fn line(&self, text: impl AsRef<str>) {
        println!("      {}", text.as_ref());
    }

    fn tokens(&self, t: &Tokens) {
        for l in tokens::summary(t, self.clock.now()) {
            self.line(l);
        }
    }
}

pub fn run(args: &DemoArgs) -> Result<(), Failure> {
    println!(
        "garmin-sso demo — a Garmin Connect sign-in, start to finish, against a Garmin simulator"
    );
    println!("running inside this process. No network, no input; passwords, codes and tokens are never printed.");

    let sim = Simulator::builder()
        .account(
            Account::new(DEMO_EMAIL, DEMO_PASSWORD)
                .with_mfa(DEMO_MFA_CODE, MfaMethod::Email)
                .display_name("demo_runner"),
        )
        .start()
        .map_err(|e| Failure::other(format!("cannot start the simulator: {e}")))?;
    let mut out = Out {
        step: 0,
        clock: sim.clock(),
    };

    out.step("Start the simulator");
    out.line(format!(
        "Garmin stand-in at {} (sso, connectapi, diauth, … all on one origin)",
        sim.base_url()
    ));
    out.line(format!("account {DEMO_EMAIL}, MFA on, codes sent by email"));
    let base = client_config(&sim)?;
    let client = Client::new(base.clone())?;

    out.step("Sign in: strategy chain mobile (iOS, then Android) → widget → portal; ticket → DI OAuth2 (falling back to OAuth1)");
    let pending = expect_mfa(client.login(DEMO_EMAIL, &Password::new(DEMO_PASSWORD))?)?;
    let di_tokens = answer_mfa(&out, &pending)?;
    out.tokens(&di_tokens);

    out.step("Read the profile with the DI access token");
    let session = Session::new(client.clone(), di_tokens);
    let refreshes = Arc::new(AtomicUsize::new(0));
    let counter = refreshes.clone();
    session.set_refresh_listener(Some(Arc::new(move |_new: &Tokens| {
        counter.fetch_add(1, Ordering::SeqCst);
    })));
    let profile = session.profile()?;
    out.line(format!(
        "display name {:?}, full name {:?}, profile id {}",
        profile.display_name,
        profile.full_name.as_deref().unwrap_or("-"),
        profile
            .profile_id
            .map(|i| i.to_string())
            .unwrap_or_else(|| "-".into())
    ));

    out.step("A day later: the access token has expired, the session refreshes by itself");
    let before = session.tokens().expires_at();
    sim.clock().advance(25 * 3600);
    out.line(format!(
        "simulator clock moved 25 h ahead: the access token expired {}",
        timefmt::relative(before - out.clock.now())
    ));
    let profile = session.profile()?;
    out.line(format!(
        "profile call answered for {:?} after {} refresh (DI refresh-token grant; the refresh token rotated)",
        profile.display_name,
        refreshes.load(Ordering::SeqCst)
    ));
    out.tokens(&session.tokens());
    out.line(format!(
        "the simulator counted {} DI refresh(es)",
        sim.stats().di_refreshes
    ));

    out.step("Upload a FIT activity");
    let fit = demo_fit(out.clock.now());
    let result = session.upload_fit("morning_run.fit", Body::Bytes(fit.clone()))?;
    out.line(format!(
        "morning_run.fit ({} bytes) → upload id {}, {} activity created, {} failure(s)",
        fit.len(),
        result
            .upload_id
            .map(|i| i.to_string())
            .unwrap_or_else(|| "-".into()),
        result.successes.len(),
        result.failures.len()
    ));

    out.step("Upload the same file again");
    match session.upload_fit("morning_run.fit", Body::Bytes(fit)) {
        Err(Error::DuplicateActivity { .. }) => {
            out.line("Garmin answers 409: duplicate activity — a typed outcome (`garmin-sso upload` exits 6)")
        }
        Err(e) => return Err(e.into()),
        Ok(_) => return Err(Failure::other("the simulator accepted a duplicate upload")),
    }

    out.step(
        "The classic path: widget (HTML) sign-in and legacy OAuth1 → OAuth2 tokens, as garth did",
    );
    let mut legacy_config = base;
    legacy_config.tokens = TokenPreference::Legacy;
    let legacy_client = Client::new(legacy_config)?;
    let pending = expect_mfa(legacy_client.login_with(
        Flow::Widget,
        DEMO_EMAIL,
        &Password::new(DEMO_PASSWORD),
    )?)?;
    let legacy = answer_mfa(&out, &pending)?;
    out.tokens(&legacy);
    sim.clock().advance(3600);
    let legacy = legacy_client.refresh(&legacy)?;
    out.line(format!(
        "an hour later, refreshed by repeating the exchange with the OAuth1 token: access token expires {}",
        timefmt::describe(legacy.expires_at(), out.clock.now())
    ));
    out.line(format!(
        "the simulator counted {} legacy refresh(es)",
        sim.stats().legacy_refreshes
    ));

    if let Some(dir) = &args.token_dir {
        GarthDirStore::new(dir).save(&session.tokens())?;
        GarthDirStore::new(dir.join("legacy")).save(&legacy)?;
        println!();
        println!(
            "Tokens saved in {} (di_token.json) and {} (garth's oauth1/oauth2 files).",
            dir.display(),
            dir.join("legacy").display()
        );
    }

    let stats = sim.stats();
    println!();
    println!(
        "Done. The simulator answered {} requests over {} connection(s); {} DI grant(s), {} DI refresh(es), \
         {} legacy exchange(s), {} upload(s), {} duplicate(s).",
        stats.requests_total,
        stats.connections,
        stats.di_token_grants,
        stats.di_refreshes,
        stats.legacy_exchanges,
        stats.uploads,
        stats.duplicate_uploads
    );
    println!("Next: `garmin-sso simulate --account you@example.com:pw:123456` and `garmin-sso login --base-url …`,");
    println!("or sign in to the real Garmin: `garmin-sso login --email you@example.com`.");
    Ok(())
}

/// A client for the simulator whose clock is the simulator's, so moving one moves both.
fn client_config(sim: &Simulator) -> Result<Config, Failure> {
    let mut config = Config::with_base_url(Domain::Com, &sim.base_url())?;
    let clock = sim.clock();
    config.clock = Arc::new(move || clock.now());
    Ok(config)
}

fn expect_mfa(outcome: LoginOutcome) -> Result<PendingMfa, Failure> {
    match outcome {
        LoginOutcome::MfaRequired(p) => Ok(p),
        LoginOutcome::Complete(_) => Err(Failure::other(
            "the demo account should have needed an MFA code",
        )),
    }
}

fn answer_mfa(out: &Out, pending: &PendingMfa) -> Result<Tokens, Failure> {
    out.line(format!(
        "{} sign-in: Garmin asks for an MFA code ({}, sent to {})",
        pending.flow(),
        pending.method().as_str(),
        pending.code_sent_to().unwrap_or("?")
    ));
    match pending.submit(WRONG_CODE) {
        Err(Error::MfaCodeRejected) => out.line(
            "a mistyped code is rejected (`garmin-sso login` exits 4); the challenge stays open",
        ),
        Err(e) => return Err(e.into()),
        Ok(_) => return Err(Failure::other("the simulator accepted a wrong MFA code")),
    }
    let tokens = pending.submit(DEMO_MFA_CODE)?;
    out.line(format!(
        "the right code is accepted; the service ticket became {} tokens",
        tokens.family()
    ));
    Ok(tokens)
}

/// A small valid FIT file: a `file_id` message (type activity, development manufacturer) created at
/// `now`, with header and file CRCs. Unique per second, so repeated demos upload distinct files.
fn demo_fit(now: i64) -> Vec<u8> {
    // FIT timestamps count seconds from 1989-12-31 00:00:00 UTC.
    let created = u32::try_from(now - 631_065_600).unwrap_or(0);
    let mut data = vec![
        0x40, 0, 0, 0, 0,
        4, // definition, little endian, global message 0 (file_id), 4 fields
        0, 1, 0x00, // type: enum
        1, 2, 0x84, // manufacturer: uint16
        2, 2, 0x84, // product: uint16
        4, 4, 0x86, // time_created: uint32
        0x00, 4, // data message: type = activity
    ];
    data.extend_from_slice(&255u16.to_le_bytes()); // manufacturer = development
    data.extend_from_slice(&1u16.to_le_bytes());
    data.extend_from_slice(&created.to_le_bytes());
    let mut file = vec![14, 0x10];
    file.extend_from_slice(&2132u16.to_le_bytes());
    file.extend_from_slice(&(data.len() as u32).to_le_bytes());
    file.extend_from_slice(b".FIT");
    let header_crc = fit_crc(&file);
    file.extend_from_slice(&header_crc.to_le_bytes());
    file.extend_from_slice(&data);
    let crc = fit_crc(&file);
    file.extend_from_slice(&crc.to_le_bytes());
    file
}

/// The FIT SDK's CRC-16 (nibble table).
fn fit_crc(bytes: &[u8]) -> u16 {
    const T: [u16; 16] = [
        0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401, 0xA001, 0x6C00, 0x7800,
        0xB401, 0x5000, 0x9C01, 0x8801, 0x4400,
    ];
    let mut crc = 0u16;
    for &b in bytes {
        let mut tmp = T[(crc & 0xF) as usize];
        crc = (crc >> 4) & 0x0FFF;
        crc = crc ^ tmp ^ T[(b & 0xF) as usize];
        tmp = T[(crc & 0xF) as usize];
        crc = (crc >> 4) & 0x0FFF;
        crc = crc ^ tmp ^ T[((b >> 4) & 0xF) as usize];
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_file_checks_out() {
        let f = demo_fit(1_700_000_000);
        assert_eq!(&f[8..12], b".FIT");
        assert_eq!(f[0], 14);
        let data_len = u32::from_le_bytes([f[4], f[5], f[6], f[7]]) as usize;
        assert_eq!(f.len(), 14 + data_len + 2);
        // A FIT file's CRC over everything including the trailing CRC is zero.
        assert_eq!(fit_crc(&f), 0);
        assert_eq!(fit_crc(&f[..14]), 0);
    }
}
