//! Sessions against the simulator on 127.0.0.1: refresh ahead of expiry, 401 → one refresh → one
//! retry, single flight across 64 threads, failed refreshes, DI rotation persisted, uploads, profile,
//! download, and resume_or_sign_in's choice of path. The client's clock reads the simulator's clock.
#![allow(clippy::unwrap_used)]
#![cfg(feature = "ureq-transport")]

use garmin_sso_core::{resume_or_sign_in, ApiRequest, CredentialsProvider, Session};
use garmin_sso_core::{
    Body, Client, Config, Domain, Error, LoginOutcome, Method, Password, PendingMfa, Request,
    Response, TokenPreference, Tokens, Transport, TransportError, UreqTransport,
};
use garmin_sso_core::{GarthDirStore, JsonFileStore, TokenStore};
use garmin_sso_sim::{Account, Fault, MfaMethod, Simulator, Target, Times};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};

const EMAIL: &str = "runner@example.com";
const PASSWORD: &str = "correct horse battery";
const MFA_EMAIL: &str = "mfa@example.com";
const MFA_CODE: &str = "654321";
const ACCESS_TTL: i64 = 3600;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Family {
    Di,
    Legacy,
}

fn sim() -> Simulator {
    Simulator::builder()
        .account(Account::new(EMAIL, PASSWORD).display_name("RunnerOne"))
        .account(Account::new(MFA_EMAIL, PASSWORD).with_mfa(MFA_CODE, MfaMethod::Email))
        .di_ttl(ACCESS_TTL, 30 * 86_400)
        .legacy_ttl(ACCESS_TTL, 30 * 86_400)
        .start()
        .unwrap()
}

fn config(sim: &Simulator, family: Family) -> Config {
    let mut c = Config::with_base_url(Domain::Com, &sim.base_url()).unwrap();
    let clock = sim.clock();
    c.clock = Arc::new(move || clock.now());
    c.tokens = match family {
        Family::Di => TokenPreference::Di,
        Family::Legacy => TokenPreference::Legacy,
    };
    c
}

fn client(sim: &Simulator, family: Family) -> Client {
    Client::new(config(sim, family)).unwrap()
}

fn sign_in(client: &Client) -> Tokens {
    match client.login(EMAIL, &Password::new(PASSWORD)).unwrap() {
        LoginOutcome::Complete(t) => t,
        LoginOutcome::MfaRequired(_) => panic!("no MFA expected"),
    }
}

fn signed_in(sim: &Simulator, family: Family) -> Session {
    let c = client(sim, family);
    let tokens = sign_in(&c);
    assert_eq!(
        tokens.family().name(),
        if family == Family::Di { "di" } else { "legacy" }
    );
    Session::new(c, tokens)
}

/// Refreshes the simulator counted for this family.
fn refreshes(sim: &Simulator, family: Family) -> u64 {
    let s = sim.stats();
    match family {
        Family::Di => s.di_refreshes,
        Family::Legacy => s.legacy_refreshes,
    }
}

fn bearer_of(sim: &Simulator, route: &str) -> Vec<String> {
    sim.requests()
        .iter()
        .filter(|r| r.route == route)
        .map(|r| r.header("authorization").unwrap_or("").to_owned())
        .collect()
}

fn refresh_token(t: &Tokens) -> String {
    match t {
        Tokens::Di { di } | Tokens::Partner { partner: di } => di.refresh_token.expose().to_owned(),
        Tokens::Legacy { oauth2, .. } => oauth2.refresh_token.expose().to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// Refresh

fn refresh_ahead_of_expiry(family: Family) {
    let sim = sim();
    let session = signed_in(&sim, family);
    let first = session.tokens();
    assert_eq!(session.profile().unwrap().display_name, "RunnerOne");
    assert_eq!(refreshes(&sim, family), 0, "a fresh token is used as it is");

    // Inside the 5-minute margin but not yet expired: the session refreshes before the call.
    sim.clock().advance(ACCESS_TTL - 120);
    let p = session.profile().unwrap();
    assert_eq!(p.display_name, "RunnerOne");
    assert_eq!(refreshes(&sim, family), 1);
    let now = session.tokens();
    assert_ne!(now.access_token(), first.access_token());
    assert!(now.expires_at() > first.expires_at());
    let bearers = bearer_of(&sim, "social_profile");
    assert_eq!(
        bearers.len(),
        2,
        "no 401 and no retry: the refresh came first"
    );
    assert_eq!(
        bearers[1],
        format!("Bearer {}", now.access_token().expose())
    );
}

#[test]
fn refresh_ahead_of_expiry_di() {
    refresh_ahead_of_expiry(Family::Di);
}

#[test]
fn refresh_ahead_of_expiry_legacy() {
    refresh_ahead_of_expiry(Family::Legacy);
}

#[test]
fn refresh_margin_is_configurable() {
    let sim = sim();
    let mut cfg = config(&sim, Family::Di);
    cfg.refresh_margin = std::time::Duration::from_secs(60);
    let c = Client::new(cfg).unwrap();
    let session = Session::new(c.clone(), sign_in(&c));
    sim.clock().advance(ACCESS_TTL - 120);
    session.profile().unwrap();
    assert_eq!(
        sim.stats().di_refreshes,
        0,
        "120 s left is outside a 60 s margin"
    );
    sim.clock().advance(90);
    session.profile().unwrap();
    assert_eq!(sim.stats().di_refreshes, 1);
}

fn unauthorized_then_one_refresh_and_one_retry(family: Family) {
    let sim = sim();
    let session = signed_in(&sim, family);
    // The server stops accepting the token while the client still thinks it valid.
    sim.expire_access_tokens();
    let p = session.profile().unwrap();
    assert_eq!(p.display_name, "RunnerOne");
    assert_eq!(refreshes(&sim, family), 1, "exactly one refresh");
    let bearers = bearer_of(&sim, "social_profile");
    assert_eq!(bearers.len(), 2, "the refused call and exactly one retry");
    assert_ne!(bearers[0], bearers[1]);
    assert_eq!(
        bearers[1],
        format!("Bearer {}", session.tokens().access_token().expose())
    );
}

#[test]
fn unauthorized_then_one_refresh_and_one_retry_di() {
    unauthorized_then_one_refresh_and_one_retry(Family::Di);
}

#[test]
fn unauthorized_then_one_refresh_and_one_retry_legacy() {
    unauthorized_then_one_refresh_and_one_retry(Family::Legacy);
}

/// Forwards to ureq, turning every answer of one route into a 401, and records the bodies' kinds.
struct Rewriting {
    inner: UreqTransport,
    force_401_on: &'static str,
    streamed: Mutex<Vec<(String, Option<u64>)>>,
}

impl Transport for Rewriting {
    fn send(&self, request: Request) -> Result<Response, TransportError> {
        if let Body::Reader { len, .. } = &request.body {
            self.streamed
                .lock()
                .unwrap()
                .push((request.url.clone(), *len));
        }
        let hit = request.url.contains(self.force_401_on);
        let mut r = self.inner.send(request)?;
        if hit {
            r.status = 401;
        }
        Ok(r)
    }
}

#[test]
fn a_second_401_is_returned_not_retried_again() {
    let sim = sim();
    let transport = Arc::new(Rewriting {
        inner: UreqTransport::new(),
        force_401_on: "socialProfile",
        streamed: Mutex::new(Vec::new()),
    });
    let c = Client::with_transport(config(&sim, Family::Di), transport).unwrap();
    let session = Session::new(c.clone(), sign_in(&c));
    let e = session.profile().unwrap_err();
    assert!(matches!(e, Error::HttpStatus { status: 401, .. }), "{e:?}");
    assert_eq!(
        sim.stats().requests("social_profile"),
        2,
        "one call, one retry, no more"
    );
    assert_eq!(sim.stats().di_refreshes, 1, "one refresh, no more");
    let r = session
        .request(ApiRequest::get("/userprofile-service/socialProfile"))
        .unwrap();
    assert_eq!(r.status, 401, "request() hands back the final answer");
}

#[test]
fn a_streamed_body_is_not_retried_after_a_401_but_a_file_path_is_reopened() {
    let sim = sim();
    let session = signed_in(&sim, Family::Di);
    sim.expire_access_tokens();
    let data = b"FIT-stream-body-1".to_vec();
    let req = ApiRequest::new(Method::Post, "/upload-service/upload")
        .header("Content-Type", "application/octet-stream")
        .body(Body::Reader {
            reader: Box::new(std::io::Cursor::new(data)),
            len: Some(17),
        });
    let r = session.request(req).unwrap();
    assert_eq!(r.status, 401, "a stream cannot be sent twice");
    assert_eq!(sim.stats().requests("upload"), 1);
    assert_eq!(
        sim.stats().di_refreshes,
        1,
        "the token was still refreshed for the next call"
    );

    sim.expire_access_tokens();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("morning_ride.fit");
    std::fs::write(&path, b"FIT-file-after-401").unwrap();
    let result = session.upload_fit_path(&path).unwrap();
    assert_eq!(result.successes.len(), 1);
    assert_eq!(
        sim.stats().requests("upload"),
        3,
        "refused once, then sent again from the reopened file"
    );
    assert_eq!(sim.stats().di_refreshes, 2);
    assert_eq!(sim.uploads()[0].bytes, b"FIT-file-after-401");
}

fn sixty_four_threads_one_refresh(family: Family) {
    let sim = sim();
    let session = signed_in(&sim, family);
    let told = Arc::new(AtomicUsize::new(0));
    let t = told.clone();
    session.set_refresh_listener(Some(Arc::new(move |_| {
        t.fetch_add(1, Ordering::SeqCst);
    })));
    sim.clock().advance(ACCESS_TTL + 10);
    let barrier = Barrier::new(64);
    std::thread::scope(|s| {
        for _ in 0..64 {
            s.spawn(|| {
                barrier.wait();
                assert_eq!(session.profile().unwrap().display_name, "RunnerOne");
            });
        }
    });
    assert_eq!(refreshes(&sim, family), 1, "64 threads, one refresh");
    assert_eq!(
        told.load(Ordering::SeqCst),
        1,
        "the listener heard of it once"
    );
    let expected = format!("Bearer {}", session.tokens().access_token().expose());
    let bearers = bearer_of(&sim, "social_profile");
    assert_eq!(bearers.len(), 64, "no thread needed a retry");
    assert!(
        bearers.iter().all(|b| *b == expected),
        "every thread used the one refreshed token"
    );
}

#[test]
fn sixty_four_threads_on_an_expired_token_refresh_once_di() {
    sixty_four_threads_one_refresh(Family::Di);
}

#[test]
fn sixty_four_threads_on_an_expired_token_refresh_once_legacy() {
    sixty_four_threads_one_refresh(Family::Legacy);
}

#[test]
fn sixty_four_threads_meeting_401s_refresh_once() {
    let sim = sim();
    let session = signed_in(&sim, Family::Di);
    sim.expire_access_tokens();
    let barrier = Barrier::new(64);
    std::thread::scope(|s| {
        for _ in 0..64 {
            s.spawn(|| {
                barrier.wait();
                session.profile().unwrap();
            });
        }
    });
    assert_eq!(
        sim.stats().di_refreshes,
        1,
        "every 401 was for the same stale generation"
    );
    let n = sim.stats().requests("social_profile");
    assert!(
        (65..=128).contains(&n),
        "each refused call retried once at most: {n}"
    );
}

#[test]
fn a_failing_refresh_keeps_the_tokens_in_the_session_and_the_store() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let store = JsonFileStore::new(dir.path().join("tokens.json"));
    let session = signed_in(&sim, Family::Di);
    store.save(&session.tokens()).unwrap();
    session.persist_to(Arc::new(store.clone()));
    let before = session.tokens();

    sim.clock().advance(ACCESS_TTL + 10);
    sim.inject(Target::DiToken, Fault::ServerError(503), Times::Once);
    let e = session.profile().unwrap_err();
    assert!(
        matches!(e, Error::HttpStatus { status: 503, .. }),
        "a typed error: {e:?}"
    );
    assert_eq!(session.tokens(), before, "the session kept its tokens");
    assert_eq!(
        store.load().unwrap(),
        Some(before.clone()),
        "the store kept its tokens"
    );
    assert_eq!(
        sim.stats().requests("social_profile"),
        0,
        "no call with an expired token"
    );

    // The same (unrotated) refresh token works once Garmin is back.
    session.profile().unwrap();
    let after = session.tokens();
    assert_ne!(refresh_token(&after), refresh_token(&before));
    assert_eq!(store.load().unwrap(), Some(after));
}

#[test]
fn a_failing_refresh_inside_the_margin_still_uses_the_valid_token() {
    let sim = sim();
    let session = signed_in(&sim, Family::Di);
    let before = session.tokens();
    sim.clock().advance(ACCESS_TTL - 60);
    sim.inject(
        Target::DiToken,
        Fault::RateLimit {
            retry_after: Some(30),
        },
        Times::Once,
    );
    assert_eq!(session.profile().unwrap().display_name, "RunnerOne");
    assert_eq!(session.tokens(), before);
}

fn dead_refresh_credential_means_sign_in_needed(family: Family) {
    let sim = sim();
    let session = signed_in(&sim, family);
    let before = session.tokens();
    sim.expire_refresh_tokens();
    sim.clock().advance(ACCESS_TTL + 10);
    let e = session.profile().unwrap_err();
    assert!(matches!(e, Error::SignInNeeded { .. }), "{e:?}");
    assert!(matches!(
        session.refresh().unwrap_err(),
        Error::SignInNeeded { .. }
    ));
    assert_eq!(session.tokens(), before);
}

#[test]
fn an_expired_di_refresh_token_means_sign_in_needed() {
    dead_refresh_credential_means_sign_in_needed(Family::Di);
}

#[test]
fn a_rejected_oauth1_token_means_sign_in_needed() {
    dead_refresh_credential_means_sign_in_needed(Family::Legacy);
}

#[test]
fn di_rotation_is_persisted_through_the_listener() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let store = GarthDirStore::new(dir.path());
    let c = client(&sim, Family::Di);
    let session = resume_or_sign_in(&c, &store, &Creds::new(PASSWORD, &[])).unwrap();
    let heard = Arc::new(Mutex::new(Vec::new()));
    let h = heard.clone();
    session.set_refresh_listener(Some(Arc::new(move |t: &Tokens| {
        h.lock().unwrap().push(refresh_token(t))
    })));

    let mut seen = vec![refresh_token(&session.tokens())];
    for _ in 0..3 {
        let stale_copy = store.load().unwrap().unwrap();
        sim.clock().advance(ACCESS_TTL + 10);
        session.profile().unwrap();
        let stored = store.load().unwrap().unwrap();
        assert_eq!(
            stored,
            session.tokens(),
            "the store holds the rotated tokens"
        );
        assert!(
            !seen.contains(&refresh_token(&stored)),
            "the refresh token rotated"
        );
        seen.push(refresh_token(&stored));
        // The rotated-away refresh token is dead: a session resumed from a stale copy would be lost.
        let stale = Session::new(c.clone(), stale_copy);
        assert!(matches!(
            stale.refresh().unwrap_err(),
            Error::SignInNeeded { .. }
        ));
    }
    assert_eq!(
        *heard.lock().unwrap(),
        seen[1..].to_vec(),
        "the listener heard every rotation, in order"
    );

    // A new process resumes from the folder and keeps going without credentials.
    sim.clock().advance(ACCESS_TTL + 10);
    let resumed =
        resume_or_sign_in(&c, &GarthDirStore::new(dir.path()), &Creds::refusing()).unwrap();
    assert_eq!(resumed.profile().unwrap().display_name, "RunnerOne");
}

#[test]
fn a_listener_calling_refresh_gets_an_error_not_a_deadlock() {
    let sim = sim();
    let session = signed_in(&sim, Family::Di);
    let inner = session.clone();
    let result = Arc::new(Mutex::new(None));
    let r = result.clone();
    session.set_refresh_listener(Some(Arc::new(move |_| {
        *r.lock().unwrap() = Some(inner.refresh().map(|_| ()));
    })));
    session.refresh().unwrap();
    let got = result.lock().unwrap().take().expect("listener ran");
    assert!(matches!(got, Err(Error::InvalidInput(_))), "{got:?}");
}

// ---------------------------------------------------------------------------------------------
// API calls

#[test]
fn api_calls_carry_the_bearer_token_and_the_app_headers() {
    let sim = sim();
    let di = signed_in(&sim, Family::Di);
    di.get_json("/userprofile-service/socialProfile", &[("a", "1 2")])
        .unwrap();
    let legacy = signed_in(&sim, Family::Legacy);
    legacy
        .request(ApiRequest::get("userprofile-service/socialProfile").header("X-Extra", "yes"))
        .unwrap();

    let calls: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.route == "social_profile")
        .collect();
    assert_eq!(calls.len(), 2);
    let d = &calls[0];
    assert_eq!(
        d.header("authorization").unwrap(),
        format!("Bearer {}", di.tokens().access_token().expose())
    );
    assert_eq!(d.header("user-agent"), Some("GCM-Android-5.23"));
    assert_eq!(d.header("x-garmin-client-platform"), Some("Android"));
    assert!(d
        .header("x-garmin-user-agent")
        .unwrap()
        .starts_with("com.garmin.android.apps.connectmobile/5.23"));
    assert_eq!(d.query, "a=1+2");
    assert!(d.header("cookie").is_none(), "API calls carry no cookies");
    let l = &calls[1];
    assert_eq!(
        l.header("authorization").unwrap(),
        format!("Bearer {}", legacy.tokens().access_token().expose())
    );
    assert_eq!(
        l.header("user-agent"),
        Some("com.garmin.android.apps.connectmobile")
    );
    assert_eq!(l.header("x-extra"), Some("yes"));
}

#[test]
fn the_bearer_token_only_goes_to_connectapi() {
    let sim = sim();
    let session = signed_in(&sim, Family::Di);
    for bad in [
        "https://evil.example/x",
        "//evil.example/x",
        "/\\evil.example/x",
        "",
    ] {
        let e = session.request(ApiRequest::get(bad)).unwrap_err();
        assert!(matches!(e, Error::InvalidInput(_)), "{bad}: {e:?}");
    }
    let e = session
        .request(ApiRequest::get("/x").header("Authorization", "Bearer other"))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
}

#[test]
fn profile_reads_the_social_profile() {
    let sim = sim();
    let session = signed_in(&sim, Family::Di);
    let p = session.profile().unwrap();
    assert_eq!(p.display_name, "RunnerOne");
    assert_eq!(p.user_name.as_deref(), Some("RunnerOne"));
    assert!(p.profile_id.is_some());
    assert_eq!(p.raw["displayName"], "RunnerOne");
    let e = session.get_json("/no-such-service/x", &[]).unwrap_err();
    assert!(matches!(e, Error::HttpStatus { status: 404, .. }), "{e:?}");
}

#[test]
fn session_debug_and_errors_hold_no_secrets() {
    let sim = sim();
    let session = signed_in(&sim, Family::Di);
    let t = session.tokens();
    let d = format!("{session:?}");
    assert!(!d.contains(t.access_token().expose()), "{d}");
    assert!(!d.contains(&refresh_token(&t)), "{d}");
    sim.expire_refresh_tokens();
    sim.clock().advance(ACCESS_TTL + 10);
    let e = session.profile().unwrap_err();
    for s in [e.to_string(), format!("{e:?}")] {
        assert!(
            !s.contains(t.access_token().expose()) && !s.contains(&refresh_token(&t)),
            "{s}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Upload and download

#[test]
fn upload_success_then_duplicate_then_download() {
    let sim = sim();
    let session = signed_in(&sim, Family::Di);
    let fit = b".FIT-activity-bytes-0001".to_vec();
    let r = session
        .upload_fit("2026-05-01-run.fit", Body::Bytes(fit.clone()))
        .unwrap();
    assert!(r.upload_id.is_some(), "{:?}", r.raw);
    assert_eq!(r.successes.len(), 1);
    assert!(r.failures.is_empty());
    let up = &sim.uploads()[0];
    assert_eq!(up.file_name, "2026-05-01-run.fit", "the file name is kept");
    assert_eq!(up.bytes, fit, "the bytes arrive unchanged");

    let e = session
        .upload_fit("again.fit", Body::Bytes(fit.clone()))
        .unwrap_err();
    match &e {
        Error::DuplicateActivity { response } => {
            assert!(response.contains("Duplicate Activity"), "{response}")
        }
        other => panic!("expected DuplicateActivity, got {other:?}"),
    }
    assert_eq!(sim.stats().duplicate_uploads, 1);

    let activity = r.successes[0]["internalId"].as_i64().unwrap();
    let zip = session
        .download(&format!("/download-service/files/activity/{activity}"))
        .unwrap();
    assert!(zip.starts_with(b"PK"), "Garmin serves originals as a zip");

    assert!(matches!(
        session.upload_fit("x.fit", Body::Empty),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        session.upload_fit("", Body::Bytes(fit)),
        Err(Error::InvalidInput(_))
    ));
}

#[test]
fn upload_of_a_reader_streams() {
    let sim = sim();
    let session = signed_in(&sim, Family::Legacy);
    let data: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let r = session
        .upload_fit(
            "indoor.fit",
            Body::Reader {
                reader: Box::new(std::io::Cursor::new(data.clone())),
                len: None,
            },
        )
        .unwrap();
    assert_eq!(r.successes.len(), 1);
    assert_eq!(sim.uploads()[0].bytes, data);
}

#[test]
fn upload_fit_path_streams_a_large_file() {
    let sim = sim();
    let transport = Arc::new(Rewriting {
        inner: UreqTransport::new(),
        force_401_on: "never-matches",
        streamed: Mutex::new(Vec::new()),
    });
    let c = Client::with_transport(config(&sim, Family::Di), transport.clone()).unwrap();
    let session = Session::new(c.clone(), sign_in(&c));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("century_ride.fit");
    let mut f = std::fs::File::create(&path).unwrap();
    let chunk: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
    for i in 0..40u8 {
        let mut c = chunk.clone();
        c[0] = i;
        f.write_all(&c).unwrap();
    }
    drop(f);
    let size = std::fs::metadata(&path).unwrap().len();

    let r = session.upload_fit_path(&path).unwrap();
    assert_eq!(r.successes.len(), 1);
    let up = &sim.uploads()[0];
    assert_eq!(up.file_name, "century_ride.fit");
    assert_eq!(up.bytes.len() as u64, size);
    assert!(
        up.bytes == std::fs::read(&path).unwrap(),
        "40 MiB arrived intact"
    );
    let streamed = transport.streamed.lock().unwrap();
    assert_eq!(
        streamed.len(),
        1,
        "the transport got a stream, not a buffer"
    );
    assert!(
        streamed[0].1.unwrap() > size,
        "with an exact Content-Length (file + multipart framing)"
    );
    drop(streamed);

    let e = session.upload_fit_path(&path).unwrap_err();
    assert!(matches!(e, Error::DuplicateActivity { .. }), "{e:?}");
    let e = session
        .upload_fit_path(&dir.path().join("missing.fit"))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidInput(_)), "{e:?}");
}

// ---------------------------------------------------------------------------------------------
// resume_or_sign_in

struct Creds {
    password: String,
    codes: Mutex<Vec<String>>,
    credential_calls: AtomicUsize,
    mfa_calls: AtomicUsize,
    refuse: bool,
}

impl Creds {
    fn new(password: &str, codes: &[&str]) -> Self {
        Creds {
            password: password.into(),
            codes: Mutex::new(codes.iter().rev().map(|s| s.to_string()).collect()),
            credential_calls: AtomicUsize::new(0),
            mfa_calls: AtomicUsize::new(0),
            refuse: false,
        }
    }
    fn refusing() -> Self {
        Creds {
            refuse: true,
            ..Creds::new(PASSWORD, &[])
        }
    }
    fn calls(&self) -> usize {
        self.credential_calls.load(Ordering::SeqCst)
    }
}

struct AsEmail<'a>(&'a Creds, &'static str);

impl CredentialsProvider for Creds {
    fn credentials(&self) -> garmin_sso_core::Result<(String, Password)> {
        AsEmail(self, EMAIL).credentials()
    }
    fn mfa_code(&self, pending: &PendingMfa) -> garmin_sso_core::Result<String> {
        AsEmail(self, EMAIL).mfa_code(pending)
    }
}

impl CredentialsProvider for AsEmail<'_> {
    fn credentials(&self) -> garmin_sso_core::Result<(String, Password)> {
        self.0.credential_calls.fetch_add(1, Ordering::SeqCst);
        if self.0.refuse {
            return Err(Error::InvalidInput(
                "test provider: no sign-in expected".into(),
            ));
        }
        Ok((self.1.to_owned(), Password::new(self.0.password.clone())))
    }
    fn mfa_code(&self, _pending: &PendingMfa) -> garmin_sso_core::Result<String> {
        self.0.mfa_calls.fetch_add(1, Ordering::SeqCst);
        self.0.codes.lock().unwrap().pop().ok_or(Error::MfaRequired)
    }
}

#[test]
fn resume_with_nothing_stored_signs_in_and_stores() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let store = JsonFileStore::new(dir.path().join("t.json"));
    let creds = Creds::new(PASSWORD, &[]);
    let session = resume_or_sign_in(&client(&sim, Family::Di), &store, &creds).unwrap();
    assert_eq!(creds.calls(), 1);
    assert_eq!(
        store.load().unwrap(),
        Some(session.tokens()),
        "stored after the sign-in worked"
    );
    assert_eq!(sim.stats().di_token_grants, 1);
}

#[test]
fn resume_with_valid_tokens_touches_no_network() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let store = JsonFileStore::new(dir.path().join("t.json"));
    let c = client(&sim, Family::Di);
    let tokens = sign_in(&c);
    store.save(&tokens).unwrap();
    let before = sim.stats().requests_total;
    let creds = Creds::refusing();
    let session = resume_or_sign_in(&c, &store, &creds).unwrap();
    assert_eq!(creds.calls(), 0, "no sign-in");
    assert_eq!(sim.stats().requests_total, before, "no request at all");
    assert_eq!(session.tokens(), tokens);
}

#[test]
fn resume_with_expired_access_refreshes_and_stores() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let store = GarthDirStore::new(dir.path());
    let c = client(&sim, Family::Legacy);
    let tokens = sign_in(&c);
    store.save(&tokens).unwrap();
    sim.clock().advance(ACCESS_TTL + 10);
    let creds = Creds::refusing();
    let session = resume_or_sign_in(&c, &store, &creds).unwrap();
    assert_eq!(creds.calls(), 0, "refresh, not sign-in");
    assert_eq!(sim.stats().legacy_refreshes, 1);
    assert_ne!(session.tokens(), tokens);
    assert_eq!(
        store.load().unwrap(),
        Some(session.tokens()),
        "refreshed tokens stored"
    );
    assert!(
        dir.path().join("oauth2_token.json").exists(),
        "in garth's layout"
    );
}

#[test]
fn resume_when_refresh_is_impossible_signs_in_again() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let store = JsonFileStore::new(dir.path().join("t.json"));
    let c = client(&sim, Family::Di);
    let old = sign_in(&c);
    store.save(&old).unwrap();
    sim.expire_refresh_tokens();
    sim.clock().advance(ACCESS_TTL + 10);
    let creds = Creds::new(PASSWORD, &[]);
    let session = resume_or_sign_in(&c, &store, &creds).unwrap();
    assert_eq!(creds.calls(), 1, "signed in through the provider");
    assert_ne!(session.tokens(), old);
    assert_eq!(store.load().unwrap(), Some(session.tokens()));
    assert_eq!(session.profile().unwrap().display_name, "RunnerOne");
}

#[test]
fn resume_with_mfa_asks_the_provider_again_after_a_wrong_code() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let store = JsonFileStore::new(dir.path().join("t.json"));
    let creds = Creds::new(PASSWORD, &["000000", MFA_CODE]);
    let provider = AsEmail(&creds, MFA_EMAIL);
    let session = resume_or_sign_in(&client(&sim, Family::Di), &store, &provider).unwrap();
    assert_eq!(creds.mfa_calls.load(Ordering::SeqCst), 2);
    assert_eq!(store.load().unwrap(), Some(session.tokens()));
}

#[test]
fn a_failed_sign_in_stores_nothing() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let store = JsonFileStore::new(&path);
    let e = resume_or_sign_in(
        &client(&sim, Family::Di),
        &store,
        &Creds::new("wrong password", &[]),
    )
    .unwrap_err();
    assert!(matches!(e, Error::InvalidCredentials), "{e:?}");
    assert!(!path.exists(), "nothing stored");

    // MFA left unanswered: nothing stored either.
    let provider_creds = Creds::new(PASSWORD, &[]);
    let e = resume_or_sign_in(
        &client(&sim, Family::Di),
        &store,
        &AsEmail(&provider_creds, MFA_EMAIL),
    )
    .unwrap_err();
    assert!(matches!(e, Error::MfaRequired), "{e:?}");
    assert!(!path.exists());
}

#[test]
fn resume_with_a_transient_refresh_failure_returns_it_without_signing_in() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let store = JsonFileStore::new(dir.path().join("t.json"));
    let c = client(&sim, Family::Di);
    let tokens = sign_in(&c);
    store.save(&tokens).unwrap();
    sim.clock().advance(ACCESS_TTL + 10);
    sim.inject(
        Target::DiToken,
        Fault::RateLimit {
            retry_after: Some(60),
        },
        Times::Once,
    );
    let creds = Creds::refusing();
    let e = resume_or_sign_in(&c, &store, &creds).unwrap_err();
    assert!(matches!(e, Error::RateLimited { .. }), "{e:?}");
    assert_eq!(creds.calls(), 0);
    assert_eq!(store.load().unwrap(), Some(tokens), "stored tokens intact");
}

#[test]
fn resume_with_unreadable_tokens_signs_in_and_overwrites_them() {
    let sim = sim();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    std::fs::write(&path, "{ not json").unwrap();
    let store = JsonFileStore::new(&path);
    let creds = Creds::new(PASSWORD, &[]);
    let session = resume_or_sign_in(&client(&sim, Family::Di), &store, &creds).unwrap();
    assert_eq!(creds.calls(), 1);
    assert_eq!(store.load().unwrap(), Some(session.tokens()));
}
