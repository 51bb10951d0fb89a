//! "App starts → session ready" for apps: the app's token storage (Keystore, Keychain, its own
//! database) and its credentials prompt as foreign traits, adapted to the core's
//! `resume_or_sign_in`, which decides between the stored session, a refresh and a new sign-in.

use crate::error::{GarminError, Result};
use crate::session::Session;
use garmin_sso_core::TokenStore as _;
use garmin_sso_core::{self as core, Flow, MfaMethod, Password};
use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Where the app keeps the session between runs. The value is the versioned JSON of
/// `Session.tokens_json()`: it holds secrets, so keep it where you keep passwords. Called on the
/// thread that resumes or refreshes; every later refresh of the session is saved here too.
#[uniffi::export(foreign)]
pub trait TokenStore: Send + Sync {
    /// The stored JSON, or nothing when nothing is stored. Unreadable JSON counts as nothing (the
    /// user signs in again); throwing means the storage itself failed and is returned as
    /// `GarminError.Storage`.
    fn load(&self) -> Result<Option<String>, GarminError>;
    /// Stores `tokens_json`, replacing what was stored.
    fn save(&self, tokens_json: String) -> Result<(), GarminError>;
    /// Deletes the stored tokens (no error when nothing is stored). The library itself does not
    /// call it today; it completes the storage contract for the app's sign-out.
    fn clear(&self) -> Result<(), GarminError>;
}

/// The lock of an app's [`TokenStore`], for tokens shared beyond one session (another process,
/// another machine, a second client over the same storage): what makes their refreshes one at a
/// time, so a rotated refresh token is never used twice. Pass it to
/// `GarminClient.resume_or_sign_in_with_lock`.
///
/// A refresh runs as: `try_lock` (polled every 50 ms while another holder has it, for at most the
/// configured store lock wait, then `GarminError.Storage`) → `load` → adopt the tokens another
/// holder saved meanwhile (no network) or refresh and `save` → `unlock`. The lock must exclude
/// every other user of the same tokens, and a crash of its holder must release it (an advisory
/// file lock such as `FileChannel.tryLock`/`flock`, a database row or advisory lock): a lock left
/// held would stop every refresh until the wait runs out.
#[uniffi::export(foreign)]
pub trait TokenStoreLock: Send + Sync {
    /// Takes the lock without waiting: `true` when taken, `false` when someone else holds it.
    /// Throwing is a storage failure.
    fn try_lock(&self) -> Result<bool, GarminError>;
    /// Releases the lock; called once per `try_lock` that returned `true`, on the same thread.
    /// What it throws is logged (the refresh itself has already finished).
    fn unlock(&self) -> Result<(), GarminError>;
}

/// One row of a database kept by the library itself: `sqlite:PATH` or
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`, as the CLI's `--store`, for apps and servers that
/// keep many accounts' sessions. Its lock is built in (a transaction on SQLite, a row lock on
/// PostgreSQL). Present when the library is built with the cargo features `sqlite` / `postgres`;
/// otherwise opening throws `InvalidInput` naming the feature.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct DatabaseStore {
    pub(crate) inner: core::DatabaseStore,
}

impl fmt::Debug for DatabaseStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

#[uniffi::export]
impl DatabaseStore {
    /// Opens (creating the file or tables when missing) the row of `account` in `location`.
    #[uniffi::constructor]
    pub fn open(location: String, account: String) -> Result<Arc<Self>> {
        Ok(Arc::new(DatabaseStore {
            inner: core::open_database_store(&location, &account)?,
        }))
    }

    /// The database and account, for messages (never a password).
    pub fn name(&self) -> String {
        self.inner.name.clone()
    }

    /// The stored tokens as `Session.tokens_json()` gives them, or nothing.
    pub fn load(&self) -> Result<Option<String>> {
        Ok(self.inner.store.load()?.map(|t| t.to_json()))
    }

    /// Stores tokens JSON (from `Session.tokens_json()`), replacing the row's tokens.
    pub fn save(&self, tokens_json: String) -> Result<()> {
        Ok(self
            .inner
            .store
            .save(&core::Tokens::from_json(&tokens_json)?)?)
    }

    /// Deletes the row's tokens (sign-out).
    pub fn clear(&self) -> Result<()> {
        Ok(self.inner.store.clear()?)
    }
}

/// An email and password handed to the library. An object rather than a record so that printing it
/// (`toString`, `str`, `description`) never shows the password, and the password cannot be read
/// back.
#[derive(uniffi::Object)]
#[uniffi::export(Debug, Display)]
pub struct Credentials {
    email: String,
    password: Password,
}

#[uniffi::export]
impl Credentials {
    /// The account's email and password.
    #[uniffi::constructor]
    pub fn new(email: String, password: String) -> Arc<Self> {
        Arc::new(Credentials {
            email,
            password: Password::new(password),
        })
    }

    /// The email.
    pub fn email(&self) -> String {
        self.email.clone()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("email", &self.email)
            .field("password", &self.password)
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "credentials of {} (password hidden)", self.email)
    }
}

/// What the app needs to ask the user for an MFA code.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MfaPrompt {
    /// How Garmin delivered the code.
    pub method: MfaMethod,
    /// Where Garmin says it sent the code (masked), when it says.
    pub code_sent_to: Option<String>,
    /// The sign-in flow that asked for the code.
    pub flow: Flow,
    /// 1 for the first question, 2 and 3 after Garmin rejected the previous code.
    pub attempt: u32,
}

/// Asked only when a sign-in is needed: prompt the user, or read the app's own vault. Throwing ends
/// the sign-in: a `GarminError` the app throws (say `MfaRequired` when the user cancels) is returned
/// as it is; any other exception becomes `GarminError.InvalidInput` naming it.
#[uniffi::export(foreign)]
pub trait CredentialsProvider: Send + Sync {
    /// The email and password to sign in with.
    fn credentials(&self) -> Result<Arc<Credentials>, GarminError>;
    /// The code Garmin sent; asked again (up to three times in all) when Garmin rejects a code.
    fn mfa_code(&self, prompt: MfaPrompt) -> Result<String, GarminError>;
}

/// Resumes the session kept in `store`, refreshing it when it expires within the margin; signs in
/// with `provider` only when nothing usable is stored, and saves the new tokens only after that
/// sign-in worked.
pub(crate) fn resume_or_sign_in(
    client: &core::Client,
    store: &dyn core::TokenStore,
    provider: Arc<dyn CredentialsProvider>,
) -> Result<Arc<Session>> {
    let provider = ForeignProvider {
        inner: provider,
        mfa_attempts: AtomicU32::new(0),
        failure: Mutex::new(None),
    };
    match core::resume_or_sign_in(client, store, &provider) {
        Ok(session) => Ok(Session::from_core(session)),
        // A provider failure ends the core's sign-in at once, so a kept failure is the cause.
        Err(e) => Err(provider.take_failure().unwrap_or_else(|| e.into())),
    }
}

/// The core's view of the app's store and, when given, its lock.
pub(crate) fn foreign_store(
    store: Arc<dyn TokenStore>,
    lock: Option<Arc<dyn TokenStoreLock>>,
) -> impl core::TokenStore {
    ForeignStore { store, lock }
}

/// Adapts a foreign [`TokenStore`] and its optional lock; a cheap handle, as the core keeps a copy
/// for later refreshes.
#[derive(Clone)]
struct ForeignStore {
    store: Arc<dyn TokenStore>,
    lock: Option<Arc<dyn TokenStoreLock>>,
}

impl core::TokenStore for ForeignStore {
    fn load(&self) -> core::Result<Option<core::Tokens>> {
        match self
            .store
            .load()
            .map_err(|e| storage_failure("loading", e))?
        {
            // Bad JSON is InvalidInput, which the core treats as "nothing usable stored".
            Some(json) => core::Tokens::from_json(&json).map(Some),
            None => Ok(None),
        }
    }

    fn save(&self, tokens: &core::Tokens) -> core::Result<()> {
        self.store
            .save(tokens.to_json())
            .map_err(|e| storage_failure("saving", e))
    }

    fn clear(&self) -> core::Result<()> {
        self.store
            .clear()
            .map_err(|e| storage_failure("clearing", e))
    }

    fn try_lock(&self) -> core::Result<Option<core::StoreLock>> {
        let Some(lock) = &self.lock else {
            // No lock: only this process' sessions are coordinated (each one is single-flight).
            return Ok(Some(core::StoreLock::unshared()));
        };
        if lock.try_lock().map_err(|e| storage_failure("locking", e))? {
            Ok(Some(core::StoreLock::new(Box::new(Held(lock.clone())))))
        } else {
            Ok(None)
        }
    }
}

/// A lock taken through the app's `try_lock`; dropping it calls `unlock`.
struct Held(Arc<dyn TokenStoreLock>);

impl Drop for Held {
    fn drop(&mut self) {
        if let Err(e) = self.0.unlock() {
            log::warn!("the app's TokenStoreLock failed to unlock: {e}");
        }
    }
}

/// Whatever the app's store throws is a storage failure; a `Storage` it threw keeps its message.
fn storage_failure(action: &str, e: GarminError) -> core::Error {
    match e {
        GarminError::Storage { message } => core::Error::Storage(message),
        other => core::Error::Storage(format!(
            "{action} the tokens through the app's TokenStore failed: {other}"
        )),
    }
}

/// Adapts a foreign [`CredentialsProvider`], keeping what it threw so that the app gets its own
/// error back rather than a translation through the core's types.
struct ForeignProvider {
    inner: Arc<dyn CredentialsProvider>,
    mfa_attempts: AtomicU32,
    failure: Mutex<Option<GarminError>>,
}

impl ForeignProvider {
    fn keep(&self, e: GarminError) -> core::Error {
        let stand_in =
            core::Error::InvalidInput(format!("the app's CredentialsProvider failed: {e}"));
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
        stand_in
    }

    fn take_failure(&self) -> Option<GarminError> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }
}

impl core::CredentialsProvider for ForeignProvider {
    fn credentials(&self) -> core::Result<(String, Password)> {
        let c = self.inner.credentials().map_err(|e| self.keep(e))?;
        Ok((c.email.clone(), c.password.clone()))
    }

    fn mfa_code(&self, pending: &core::PendingMfa) -> core::Result<String> {
        let prompt = MfaPrompt {
            method: pending.method().clone(),
            code_sent_to: pending.code_sent_to().map(str::to_owned),
            flow: pending.flow(),
            attempt: self.mfa_attempts.fetch_add(1, Ordering::SeqCst) + 1,
        };
        self.inner.mfa_code(prompt).map_err(|e| self.keep(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_print_without_the_password() {
        let c = Credentials::new("me@example.com".into(), "hunter2-secret".into());
        for printed in [format!("{c:?}"), c.to_string()] {
            assert!(!printed.contains("hunter2-secret"), "{printed}");
            assert!(printed.contains("me@example.com"), "{printed}");
        }
        assert_eq!(c.email(), "me@example.com");
    }

    struct Throwing;
    impl TokenStore for Throwing {
        fn load(&self) -> Result<Option<String>, GarminError> {
            Err(uniffi::UnexpectedUniFFICallbackError::new("KeyStoreException: locked").into())
        }
        fn save(&self, _: String) -> Result<(), GarminError> {
            Err(GarminError::Storage {
                message: "disk full".into(),
            })
        }
        fn clear(&self) -> Result<(), GarminError> {
            Ok(())
        }
    }

    #[test]
    fn store_failures_are_storage_errors_and_bad_json_is_invalid_input() {
        use garmin_sso_core::TokenStore as _;
        let store = foreign_store(Arc::new(Throwing), None);
        match GarminError::from(store.load().expect_err("load throws")) {
            GarminError::Storage { message } => {
                assert!(message.contains("loading"), "{message}");
                assert!(message.contains("KeyStoreException: locked"), "{message}");
            }
            e => panic!("expected Storage, got {e:?}"),
        }
        struct BadJson;
        impl TokenStore for BadJson {
            fn load(&self) -> Result<Option<String>, GarminError> {
                Ok(Some("{\"access_token\": \"SECRET-AT\"".into()))
            }
            fn save(&self, _: String) -> Result<(), GarminError> {
                Ok(())
            }
            fn clear(&self) -> Result<(), GarminError> {
                Ok(())
            }
        }
        match foreign_store(Arc::new(BadJson), None).load() {
            Err(core::Error::InvalidInput(m)) => assert!(!m.contains("SECRET-AT"), "{m}"),
            other => panic!("expected InvalidInput, got {other:?}"),
        }
    }
}
