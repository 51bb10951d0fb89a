//! Token storage. Tokens are data the app owns: it may keep [`Tokens::to_json`] wherever it keeps
//! secrets (QSettings, Android Keystore-backed preferences, the iOS Keychain), or use one of the
//! stores here:
//!
//! - [`JsonFileStore`]: one 0600 file holding [`Tokens::to_json`], replaced atomically;
//! - [`GarthDirStore`]: garth's token folder (and python-garminconnect's `garmin_tokens.json`), so
//!   users migrating from those libraries keep their session;
//! - `KeyringStore` (cargo feature `keyring`): the OS keyring;
//! - `SqliteStore` (cargo feature `sqlite`) and `PostgresStore` (cargo feature `postgres`): many
//!   accounts' tokens, one row per account key, for servers that keep their users' sessions.
//!
//! Plus converters for garth's base64 `dumps()` string and python-garminconnect's JSON.

mod file;
mod foreign;
mod garth;
#[cfg(feature = "keyring")]
mod keyring;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use file::{write_file_atomic, JsonFileStore};
pub use foreign::{
    export_garminconnect, export_garth_dumps, import_garminconnect, import_garth_dumps,
};
pub use garth::{GarthDirStore, GarthFormat};
#[cfg(feature = "keyring")]
pub use keyring::KeyringStore;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresStore, POSTGRES_TOKENS_TABLE};
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteStore, SQLITE_TOKENS_TABLE};

use crate::error::Result;
use crate::tokens::Tokens;
use std::sync::Arc;

/// Where a session's tokens live between runs.
///
/// Implementations must be cheap handles on the storage (`Clone + 'static`, e.g. a path or an
/// `Arc`): [`crate::session::resume_or_sign_in`] keeps a copy so that it can save the tokens of
/// every later refresh. Every `save` replaces the whole previous value.
pub trait TokenStore: Send + Sync + CloneStore {
    /// The stored tokens, or `None` when nothing is stored. Report content that is there but
    /// unreadable as [`Error::InvalidInput`](crate::Error::InvalidInput): [`resume_or_sign_in`]
    /// then signs in again, whereas any other error stops it.
    ///
    /// [`resume_or_sign_in`]: crate::resume_or_sign_in
    fn load(&self) -> Result<Option<Tokens>>;
    /// Stores `tokens`, replacing what was stored.
    fn save(&self, tokens: &Tokens) -> Result<()>;
    /// Deletes the stored tokens (no error when nothing was stored).
    fn clear(&self) -> Result<()>;

    /// Tries to take this store's lock without waiting: `Ok(Some(lock))` when taken (held until the
    /// lock is dropped), `Ok(None)` when someone else holds it.
    ///
    /// A session takes it around every refresh — re-read the store, adopt tokens another holder
    /// saved meanwhile, or refresh and save — so that processes, threads with their own sessions and
    /// machines sharing one store never use a rotated refresh token twice. A store shared between
    /// processes must lock across them, with a lock the OS or database releases when its holder
    /// dies (a crash must never leave it stuck). The default is a lock private to nothing: stores
    /// used by one session only need not implement this.
    fn try_lock(&self) -> Result<Option<StoreLock>> {
        Ok(Some(StoreLock::unshared()))
    }
}

/// A held store lock; dropping it releases the lock.
pub struct StoreLock(#[allow(dead_code)] Option<Box<dyn Send>>);

impl StoreLock {
    /// A lock held by `guard` (a locked file, a database transaction), released when dropped.
    pub fn new(guard: Box<dyn Send>) -> Self {
        StoreLock(Some(guard))
    }

    /// For stores that nothing else shares.
    pub fn unshared() -> Self {
        StoreLock(None)
    }
}

impl std::fmt::Debug for StoreLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreLock")
    }
}

/// Lets a borrowed `&dyn TokenStore` hand out an owned handle on the same storage. Implemented for
/// every `TokenStore + Clone + 'static`; nothing to write by hand.
pub trait CloneStore {
    /// An owned handle on the same storage.
    fn clone_store(&self) -> Arc<dyn TokenStore>;
}

impl<T: TokenStore + Clone + 'static> CloneStore for T {
    fn clone_store(&self) -> Arc<dyn TokenStore> {
        Arc::new(self.clone())
    }
}

impl TokenStore for Arc<dyn TokenStore> {
    fn load(&self) -> Result<Option<Tokens>> {
        (**self).load()
    }
    fn save(&self, tokens: &Tokens) -> Result<()> {
        (**self).save(tokens)
    }
    fn clear(&self) -> Result<()> {
        (**self).clear()
    }
    fn try_lock(&self) -> Result<Option<StoreLock>> {
        (**self).try_lock()
    }
}
