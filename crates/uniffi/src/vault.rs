//! The credential vault (docs/vault.md) for apps that sign in again without a person: a thin
//! object over the core's `Vault`; the app's token store is the same foreign `TokenStore` that
//! `resume_or_sign_in` takes.

use crate::client::GarminClient;
use crate::error::Result;
use crate::resume::{foreign_store, TokenStore};
use crate::session::Session;
use garmin_sso_core::{self as core, Password};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

/// An open vault file and its key. Usable from any thread: the file is locked around every change.
#[derive(uniffi::Object)]
#[uniffi::export(Debug)]
pub struct Vault {
    // A mutex only because rotating the key replaces the key this handle holds.
    inner: Mutex<core::vault::Vault>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Vault { .. }")
    }
}

impl Vault {
    fn vault(&self) -> std::sync::MutexGuard<'_, core::vault::Vault> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[uniffi::export]
impl Vault {
    /// Opens the vault file `path` with the key in `key_path` (created 0600 on first use). A key
    /// path inside the vault's folder throws `InvalidInput` saying why; a key that does not open
    /// the vault throws `Storage`. Completes a key rotation a crash cut short.
    #[uniffi::constructor]
    pub fn open(path: String, key_path: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Vault {
            inner: Mutex::new(core::vault::Vault::open(path, key_path)?),
        }))
    }

    /// Keeps (or replaces) `account`'s email and password. Call it only after a sign-in with them
    /// worked, or use `enroll`.
    pub fn add(&self, account: String, email: String, password: String) -> Result<()> {
        Ok(self
            .vault()
            .add(&account, &email, &Password::new(password))?)
    }

    /// Signs in with `email` and `password` and keeps them, with the tokens in `store`, only when
    /// that worked. An account that asks for MFA throws `MfaRequired` and nothing is kept.
    pub fn enroll(
        &self,
        account: String,
        client: Arc<GarminClient>,
        store: Arc<dyn TokenStore>,
        email: String,
        password: String,
    ) -> Result<Arc<Session>> {
        let session = self.vault().enroll(
            &account,
            &client.client,
            &foreign_store(store, None),
            &email,
            &Password::new(password),
        )?;
        Ok(Session::from_core(session))
    }

    /// The account keys in the vault, sorted.
    pub fn accounts(&self) -> Result<Vec<String>> {
        Ok(self.vault().accounts()?)
    }

    /// Forgets `account`: its credentials here and its tokens in `store`.
    pub fn remove(&self, account: String, store: Arc<dyn TokenStore>) -> Result<()> {
        Ok(self
            .vault()
            .delete_account(&account, &foreign_store(store, None))?)
    }

    /// Re-seals every entry under a new key, atomically: a crash leaves the old or the new state.
    pub fn rotate_key(&self) -> Result<()> {
        Ok(self.vault().rotate_key()?)
    }

    /// The stored session of `account`, checked with one profile request; a sign-in with the
    /// vault's credentials only when Garmin no longer accepts it. An account that now needs MFA or
    /// is blocked throws that error and is not retried.
    pub fn resume_or_sign_in(
        &self,
        account: String,
        client: Arc<GarminClient>,
        store: Arc<dyn TokenStore>,
    ) -> Result<Arc<Session>> {
        let session = self.vault().resume_or_sign_in(
            &account,
            &client.client,
            &foreign_store(store, None),
        )?;
        Ok(Session::from_core(session))
    }
}
