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

#[cfg(feature = "vault")]
pub(crate) use file::{lock_file, lock_name, parent_of, storage, sync_dir, DirPolicy};
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

/// A database token store opened by [`open_database_store`], with a name to show the user (the
/// file or server and the account; never a password).
pub struct DatabaseStore {
    /// The store, for sessions and [`crate::resume_or_sign_in`].
    pub store: Arc<dyn TokenStore>,
    /// E.g. `sqlite:/srv/app/tokens.db (account 42)`.
    pub name: String,
}

impl std::fmt::Debug for DatabaseStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseStore")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// The location forms [`open_database_store`] takes, for error and help texts.
pub const DATABASE_LOCATION_FORMS: &str =
    "sqlite:PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DB";

/// Opens the row of `account` in the database `location` names: `sqlite:PATH` (cargo feature
/// `sqlite`) or `postgres://…` / `postgresql://…` (cargo feature `postgres`). The one parser of
/// store locations, so the CLI's `--store`, the C ABI and the bindings accept the same strings.
///
/// A location this build cannot open (its feature is off, or another scheme) is
/// [`Error::InvalidConfig`](crate::Error::InvalidConfig), quoting only the scheme.
pub fn open_database_store(location: &str, account: &str) -> Result<DatabaseStore> {
    use crate::error::Error;
    if account.is_empty() {
        return Err(Error::InvalidInput(
            "a database token store keeps one row per account: the account key is empty".into(),
        ));
    }
    if let Some(path) = location.strip_prefix("sqlite:") {
        #[cfg(feature = "sqlite")]
        {
            let db = SqliteStore::open(path, account)?;
            return Ok(DatabaseStore {
                name: format!("sqlite:{} (account {account})", db.path().display()),
                store: Arc::new(db),
            });
        }
        #[cfg(not(feature = "sqlite"))]
        {
            let _ = path;
            return Err(Error::InvalidConfig(
                "this build has no SQLite token store (cargo feature `sqlite`)".into(),
            ));
        }
    }
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        {
            let db = PostgresStore::open(location, account)?;
            return Ok(DatabaseStore {
                name: format!("{} (account {account})", db.server()),
                store: Arc::new(db),
            });
        }
        #[cfg(not(feature = "postgres"))]
        return Err(Error::InvalidConfig(
            "this build has no PostgreSQL token store (cargo feature `postgres`)".into(),
        ));
    }
    // Only a scheme is quoted: the rest may hold a database password.
    let scheme = location.split_once(':').map(|(s, _)| s).filter(|s| {
        (1..=16).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    Err(Error::InvalidConfig(match scheme {
        Some(scheme) => format!(
            "unknown token store location (scheme {scheme:?}): use {DATABASE_LOCATION_FORMS}"
        ),
        None => format!("unknown token store location (no scheme): use {DATABASE_LOCATION_FORMS}"),
    }))
}

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
