//! Token storage. Tokens are data the app owns: it may keep [`Tokens::to_json`] wherever it keeps
//! secrets (QSettings, Android Keystore-backed preferences, the iOS Keychain), or use one of the
//! stores here:
//!
//! - [`JsonFileStore`]: one 0600 file holding [`Tokens::to_json`], replaced atomically;
//! - [`GarthDirStore`]: garth's token folder (and python-garminconnect's `garmin_tokens.json`), so
//!   users migrating from those libraries keep their session;
//! - `KeyringStore` (cargo feature `keyring`): the OS keyring.
//!
//! Plus converters for garth's base64 `dumps()` string and python-garminconnect's JSON.

mod file;
mod foreign;
mod garth;
#[cfg(feature = "keyring")]
mod keyring;

pub use file::{write_file_atomic, JsonFileStore};
pub use foreign::{
    export_garminconnect, export_garth_dumps, import_garminconnect, import_garth_dumps,
};
pub use garth::{GarthDirStore, GarthFormat};
#[cfg(feature = "keyring")]
pub use keyring::KeyringStore;

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
}
