//! The app's clock, token store and credentials provider as foreign code would implement them,
//! against the simulator: refresh ahead of expiry by the app's time, and resume-or-sign-in.
#![allow(clippy::unwrap_used)]

use garmin_sso_sim::{Account, SimClock, Simulator};
use garmin_sso_uniffi::{
    Credentials, CredentialsProvider, Flow, GarminClient, GarminClock, GarminConfig, GarminError,
    LoginResult, MfaMethod, MfaPrompt, RefreshListener, Session, TokenPreference, TokenStore,
};
use std::sync::{Arc, Mutex};

const DI_ACCESS_TTL: i64 = 86_400;

fn sim() -> Simulator {
    Simulator::builder()
        .account(Account::new("plain@example.com", "pw-plain"))
        .account(
            Account::new("mfa@example.com", "pw-mfa")
                .with_mfa("112233", garmin_sso_sim::MfaMethod::Email),
        )
        .di_ttl(DI_ACCESS_TTL, 30 * 86_400)
        .start()
        .unwrap()
}

fn config(sim: &Simulator) -> GarminConfig {
    GarminConfig {
        base_url: Some(sim.base_url()),
        tokens: Some(TokenPreference::Di),
        refresh_margin_seconds: Some(300),
        ..GarminConfig::default()
    }
}

/// The app's clock, reading the simulator's so that both agree on "now".
struct SharedClock(SimClock);

impl GarminClock for SharedClock {
    fn now_unix_seconds(&self) -> Result<i64, GarminError> {
        Ok(self.0.now())
    }
}

fn client(sim: &Simulator) -> Arc<GarminClient> {
    GarminClient::new(config(sim), None, Some(Arc::new(SharedClock(sim.clock())))).unwrap()
}

#[derive(Default)]
struct Saved(Mutex<Vec<String>>);

impl RefreshListener for Saved {
    fn on_refresh(&self, tokens_json: String) -> Result<(), GarminError> {
        self.0.lock().unwrap().push(tokens_json);
        Ok(())
    }
}

fn access_token(session: &Session) -> String {
    let json: serde_json::Value = serde_json::from_str(&session.tokens_json()).unwrap();
    json["di"]["access_token"].as_str().unwrap().to_owned()
}

#[test]
fn the_app_clock_near_expiry_refreshes_before_the_call_not_after_a_401() {
    let sim = sim();
    let client = client(&sim);
    let session = match client
        .login("plain@example.com".into(), "pw-plain".into())
        .unwrap()
    {
        LoginResult::SignedIn { session } => session,
        LoginResult::MfaRequired { .. } => panic!("no MFA expected"),
    };
    let listener = Arc::new(Saved::default());
    session.set_refresh_listener(Some(listener.clone()));
    let old = access_token(&session);

    // Inside the 300 s margin but before expiry: the server would still take the old token, so only
    // the client's clock can be the reason to refresh.
    sim.clock().advance(DI_ACCESS_TTL - 60);
    sim.clear_requests();
    assert!(!session.profile().unwrap().display_name.is_empty());

    let log = sim.requests();
    let routes: Vec<&str> = log.iter().map(|r| r.route.as_str()).collect();
    assert_eq!(routes, ["di_token", "social_profile"]);
    assert_eq!(sim.stats().di_refreshes, 1);
    let new = access_token(&session);
    assert_ne!(new, old);
    let auth = log[1]
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.clone())
        .unwrap();
    assert_eq!(auth, format!("Bearer {new}"));
    assert_eq!(*listener.0.lock().unwrap(), [session.tokens_json()]);
}

#[derive(Default)]
struct MemoryStore {
    value: Mutex<Option<String>>,
    saves: Mutex<usize>,
}

impl TokenStore for MemoryStore {
    fn load(&self) -> Result<Option<String>, GarminError> {
        Ok(self.value.lock().unwrap().clone())
    }
    fn save(&self, tokens_json: String) -> Result<(), GarminError> {
        *self.saves.lock().unwrap() += 1;
        *self.value.lock().unwrap() = Some(tokens_json);
        Ok(())
    }
    fn clear(&self) -> Result<(), GarminError> {
        *self.value.lock().unwrap() = None;
        Ok(())
    }
}

struct Prompt {
    email: &'static str,
    password: &'static str,
    codes: Mutex<Vec<&'static str>>,
    asked: Mutex<Vec<MfaPrompt>>,
    credential_calls: Mutex<usize>,
}

impl Prompt {
    fn new(email: &'static str, password: &'static str, codes: &[&'static str]) -> Arc<Self> {
        Arc::new(Prompt {
            email,
            password,
            codes: Mutex::new(codes.iter().rev().copied().collect()),
            asked: Mutex::new(Vec::new()),
            credential_calls: Mutex::new(0),
        })
    }
}

impl CredentialsProvider for Prompt {
    fn credentials(&self) -> Result<Arc<Credentials>, GarminError> {
        *self.credential_calls.lock().unwrap() += 1;
        Ok(Credentials::new(self.email.into(), self.password.into()))
    }
    fn mfa_code(&self, prompt: MfaPrompt) -> Result<String, GarminError> {
        self.asked.lock().unwrap().push(prompt);
        self.codes
            .lock()
            .unwrap()
            .pop()
            .map(str::to_owned)
            .ok_or(GarminError::MfaRequired {
                message: "the user cancelled".into(),
            })
    }
}

#[test]
fn resume_signs_in_with_mfa_once_then_resumes_from_the_store() {
    let sim = sim();
    let store = Arc::new(MemoryStore::default());
    let prompt = Prompt::new("mfa@example.com", "pw-mfa", &["000000", "112233"]);
    let session = client(&sim)
        .resume_or_sign_in(store.clone(), prompt.clone())
        .unwrap();
    assert_eq!(*prompt.credential_calls.lock().unwrap(), 1);
    let asked = prompt.asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 2, "a rejected code is asked again");
    assert_eq!(asked[0].method, MfaMethod::Email);
    assert_eq!(asked[0].flow, Flow::Mobile);
    assert_eq!(asked.iter().map(|p| p.attempt).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(
        store.value.lock().unwrap().as_deref(),
        Some(session.tokens_json().as_str())
    );

    // The next start: the stored session is used, nobody is asked, Garmin sees no sign-in.
    let logins = sim.stats().requests("mobile_login");
    let again = Prompt::new("mfa@example.com", "pw-mfa", &[]);
    let resumed = client(&sim)
        .resume_or_sign_in(store.clone(), again.clone())
        .unwrap();
    assert_eq!(resumed.tokens_json(), session.tokens_json());
    assert_eq!(*again.credential_calls.lock().unwrap(), 0);
    assert_eq!(sim.stats().requests("mobile_login"), logins);
    assert_eq!(*store.saves.lock().unwrap(), 1);

    // A refresh of the resumed session lands in the store.
    resumed.refresh().unwrap();
    assert_eq!(*store.saves.lock().unwrap(), 2);
    assert_eq!(
        store.value.lock().unwrap().as_deref(),
        Some(resumed.tokens_json().as_str())
    );
}

#[test]
fn what_the_app_throws_comes_back_typed_and_nothing_is_saved() {
    let sim = sim();
    let store = Arc::new(MemoryStore::default());
    // The user cancels the code prompt: the provider's own error is what the app gets back.
    let cancelled = Prompt::new("mfa@example.com", "pw-mfa", &[]);
    let e = client(&sim)
        .resume_or_sign_in(store.clone(), cancelled)
        .unwrap_err();
    assert_eq!(
        e,
        GarminError::MfaRequired {
            message: "the user cancelled".into()
        }
    );
    assert!(store.value.lock().unwrap().is_none());

    let wrong = Prompt::new("plain@example.com", "not-the-password", &[]);
    let e = client(&sim)
        .resume_or_sign_in(store.clone(), wrong)
        .unwrap_err();
    assert!(matches!(e, GarminError::InvalidCredentials { .. }), "{e:?}");
    assert_eq!(*store.saves.lock().unwrap(), 0);

    struct Locked;
    impl TokenStore for Locked {
        fn load(&self) -> Result<Option<String>, GarminError> {
            Err(GarminError::Storage {
                message: "keychain locked".into(),
            })
        }
        fn save(&self, _: String) -> Result<(), GarminError> {
            Ok(())
        }
        fn clear(&self) -> Result<(), GarminError> {
            Ok(())
        }
    }
    let prompt = Prompt::new("plain@example.com", "pw-plain", &[]);
    let e = client(&sim)
        .resume_or_sign_in(Arc::new(Locked), prompt.clone())
        .unwrap_err();
    assert_eq!(
        e,
        GarminError::Storage {
            message: "token storage: keychain locked".into()
        }
    );
    assert_eq!(
        *prompt.credential_calls.lock().unwrap(),
        0,
        "no sign-in whose tokens could not be kept"
    );
}
