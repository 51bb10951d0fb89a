//! Token stores: files on disk (`garmin_sso_store_kind` + path) and `garmin_sso_token_store`, a
//! handle on either a file store or the app's own storage through callbacks, which
//! `garmin_sso_resume_or_sign_in` resumes from.

use crate::client::garmin_sso_client;
use crate::error::FfiError;
use crate::panic::{guard, guard_void};
use crate::ptr::{enum_arg, free_handle, handle, into_handle, out_arg, str_arg, write_out};
use crate::session::{garmin_sso_session, session_handle};
use crate::status::garmin_sso_status;
use crate::strings::lend_secret;
use garmin_sso_core::{
    open_database_store, Error, ErrorKind, GarthDirStore, JsonFileStore, Result, Secret, Session,
    StoreLock, TokenStore, Tokens,
};
use std::ffi::{c_char, c_int, c_void};
use std::sync::Arc;

/// A token store format on disk.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::FromRepr)]
pub enum garmin_sso_store_kind {
    /// One 0600 file holding the versioned token JSON; `path` is the file. Replaced atomically.
    JsonFile = 0,
    /// garth's token folder (`oauth1_token.json` + `oauth2_token.json`) or python-garminconnect's
    /// `garmin_tokens.json`; `path` is the folder. Lets users migrating from those keep their session.
    GarthDir = 1,
}

/// Reads a store kind and path.
///
/// # Safety
/// `path` is NULL or NUL-terminated.
unsafe fn store_arg(
    kind: u32,
    path: *const c_char,
) -> std::result::Result<Arc<dyn TokenStore>, FfiError> {
    // SAFETY: caller contract.
    let path = unsafe { str_arg(path, "path") }?;
    let kind = enum_arg(
        kind,
        "garmin_sso_store_kind",
        garmin_sso_store_kind::from_repr,
    )?;
    if path.is_empty() {
        return Err(FfiError::invalid("path is empty"));
    }
    Ok(match kind {
        garmin_sso_store_kind::JsonFile => Arc::new(JsonFileStore::new(path)),
        garmin_sso_store_kind::GarthDir => Arc::new(GarthDirStore::new(path)),
    })
}

/// Makes a session from tokens stored at `path` (a `garmin_sso_store_kind` value says the format).
/// No network traffic; the session refreshes when first used if needed. Nothing stored there fails
/// with `GARMIN_SSO_STATUS_SIGN_IN_NEEDED`; an unreadable or malformed store with
/// `GARMIN_SSO_STATUS_STORAGE` or `GARMIN_SSO_STATUS_INVALID_INPUT`.
///
/// # Safety
/// `client` is NULL or live; `path` is NULL or NUL-terminated; `out_session` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_load(
    client: *const garmin_sso_client,
    kind: u32,
    path: *const c_char,
    out_session: *mut *mut garmin_sso_session,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let c = unsafe { handle(client, "client") }?;
        // SAFETY: caller contract.
        let store = unsafe { store_arg(kind, path) }?;
        out_arg(out_session, "out_session")?;
        let tokens = store.load()?.ok_or_else(|| {
            FfiError::kind(
                ErrorKind::SignInNeeded,
                "no tokens are stored there; sign in",
            )
        })?;
        let s = session_handle(Session::new(c.client.clone(), tokens));
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_session, s) };
        Ok(())
    })
}

/// Stores the session's current tokens at `path` (replacing what was there; files are 0600 in a
/// 0700 folder).
///
/// # Safety
/// `session` is NULL or live; `path` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_save(
    session: *const garmin_sso_session,
    kind: u32,
    path: *const c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let h = unsafe { handle(session, "session") }?;
        // SAFETY: caller contract.
        let store = unsafe { store_arg(kind, path) }?;
        store.save(&h.current()?.tokens())?;
        Ok(())
    })
}

/// Saves the tokens into `path` after every later refresh, before the refresh callback runs (a
/// failed save is logged; the session keeps working).
///
/// # Safety
/// `session` is NULL or live; `path` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_persist_to(
    session: *const garmin_sso_session,
    kind: u32,
    path: *const c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let h = unsafe { handle(session, "session") }?;
        // SAFETY: caller contract.
        let store = unsafe { store_arg(kind, path) }?;
        h.current()?.persist_to(store);
        Ok(())
    })
}

/// Deletes the tokens stored at `path` (logging out for good). Nothing stored is not an error.
///
/// # Safety
/// `path` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_store_clear(
    kind: u32,
    path: *const c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let store = unsafe { store_arg(kind, path) }?;
        store.clear()?;
        Ok(())
    })
}

/// A token store (opaque): where a session's tokens live between runs. Made from a file
/// (`garmin_sso_token_store_new_file`) or from the app's own storage
/// (`garmin_sso_token_store_new_callbacks`); free with `garmin_sso_token_store_free`. Sessions
/// resumed from it keep their own reference, so the handle may be freed before them.
///
/// Thread safety: every function may be called from any thread, concurrently.
#[allow(non_camel_case_types)]
pub struct garmin_sso_token_store {
    pub(crate) store: Arc<dyn TokenStore>,
}

impl std::fmt::Debug for garmin_sso_token_store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("garmin_sso_token_store")
    }
}

/// The tokens a load callback found (opaque; valid only during the callback).
#[allow(non_camel_case_types)]
#[derive(Debug, Default)]
pub struct garmin_sso_loaded_tokens {
    json: Option<Secret>,
}

/// The app's token storage (a keychain, a settings file, a database), as callbacks. The tokens are
/// one versioned JSON string holding secrets: keep it where you keep passwords. Each callback returns
/// 0 on success and anything else when the storage failed (reported as
/// `GARMIN_SSO_STATUS_STORAGE`).
///
/// The callbacks run on the thread that resumes, and later on whichever thread refreshes a session
/// resumed from the store (to save the rotated tokens), possibly on several threads at once; they
/// must not unwind.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct garmin_sso_token_store_callbacks {
    /// Required. Hands the stored JSON over with `garmin_sso_loaded_tokens_set_json(loaded, json)`
    /// (the library copies it), or does not call it when nothing is stored. Stored JSON that cannot
    /// be read counts as nothing stored: the user signs in again.
    pub load: Option<
        unsafe extern "C" fn(
            user_data: *mut c_void,
            loaded: *mut garmin_sso_loaded_tokens,
        ) -> c_int,
    >,
    /// Required. Stores `tokens_json` (valid only during the call, wiped afterwards), replacing what
    /// was stored.
    pub save:
        Option<unsafe extern "C" fn(user_data: *mut c_void, tokens_json: *const c_char) -> c_int>,
    /// Optional (NULL: `garmin_sso_token_store_clear` fails with `GARMIN_SSO_STATUS_STORAGE`).
    /// Deletes the stored tokens; nothing stored is not a failure.
    pub clear: Option<unsafe extern "C" fn(user_data: *mut c_void) -> c_int>,
}

/// The lock of an app's token store, as callbacks: what makes a refresh single-flight across every
/// session, process and machine sharing the stored tokens (see
/// `garmin_sso_token_store_new_callbacks_with_lock`).
///
/// A refresh runs as: `try_lock` (polled every 50 ms while another holder has it, for at most the
/// config's store lock timeout, then `GARMIN_SSO_STATUS_STORAGE`) → `load` → either adopt the tokens
/// another session saved meanwhile (no network) or refresh and `save` → `unlock`. `unlock` runs on
/// the thread whose `try_lock` took the lock, once per successful `try_lock`.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct garmin_sso_token_store_lock_callbacks {
    /// Required. Tries to take the lock without waiting: sets `*acquired` to 1 when taken, 0 when
    /// someone else holds it, and returns 0; anything else when the storage failed (reported as
    /// `GARMIN_SSO_STATUS_STORAGE`). The lock must exclude every other holder of the same tokens: other
    /// sessions and threads of this process, other processes (an advisory file lock such as
    /// `flock`, a database row or advisory lock), other machines when the tokens are shared between
    /// them; and it must be released by the OS or database when its holder dies, so a crash never
    /// leaves it stuck. It is not re-entrant: the library never takes it twice.
    pub try_lock:
        Option<unsafe extern "C" fn(user_data: *mut c_void, acquired: *mut c_int) -> c_int>,
    /// Required. Releases the lock `try_lock` took.
    pub unlock: Option<unsafe extern "C" fn(user_data: *mut c_void)>,
}

/// A [`TokenStore`] over the app's callbacks; a cheap handle, as sessions keep a copy.
#[derive(Clone)]
struct CallbackStore {
    callbacks: garmin_sso_token_store_callbacks,
    lock: Option<garmin_sso_token_store_lock_callbacks>,
    user_data: *mut c_void,
}

/// A lock taken through the app's `try_lock`; dropping it calls `unlock`.
struct CallbackLock {
    unlock: unsafe extern "C" fn(user_data: *mut c_void),
    user_data: *mut c_void,
}

// SAFETY: as for CallbackStore (the app's callbacks and user_data may be used from any thread).
unsafe impl Send for CallbackLock {}

impl Drop for CallbackLock {
    fn drop(&mut self) {
        // SAFETY: the app's callback contract; called once per lock taken.
        unsafe { (self.unlock)(self.user_data) }
    }
}

// SAFETY: garmin_sso_token_store_new_callbacks' contract makes the app guarantee that the callbacks
// and user_data may be used from any thread, concurrently.
unsafe impl Send for CallbackStore {}
// SAFETY: as above.
unsafe impl Sync for CallbackStore {}

fn storage_failure(callback: &str, rc: c_int) -> Error {
    Error::Storage(format!(
        "the app's {callback} callback failed (it returned {rc})"
    ))
}

impl TokenStore for CallbackStore {
    fn load(&self) -> Result<Option<Tokens>> {
        let Some(load) = self.callbacks.load else {
            return Ok(None);
        };
        let mut loaded = garmin_sso_loaded_tokens::default();
        // SAFETY: the app's callback contract; `loaded` outlives the call.
        let rc = unsafe { load(self.user_data, &mut loaded) };
        if rc != 0 {
            return Err(storage_failure("load", rc));
        }
        loaded
            .json
            .map(|json| Tokens::from_json(json.expose()))
            .transpose()
    }

    fn save(&self, tokens: &Tokens) -> Result<()> {
        let Some(save) = self.callbacks.save else {
            return Err(storage_failure("save", -1));
        };
        // SAFETY: the app's callback contract; the string outlives the call.
        match lend_secret(tokens.to_json(), |json| unsafe {
            save(self.user_data, json)
        }) {
            Some(0) => Ok(()),
            Some(rc) => Err(storage_failure("save", rc)),
            None => Err(Error::Storage("the token JSON contains a NUL byte".into())),
        }
    }

    fn clear(&self) -> Result<()> {
        let Some(clear) = self.callbacks.clear else {
            return Err(Error::Storage(
                "this token store has no clear callback".into(),
            ));
        };
        // SAFETY: the app's callback contract.
        match unsafe { clear(self.user_data) } {
            0 => Ok(()),
            rc => Err(storage_failure("clear", rc)),
        }
    }

    fn try_lock(&self) -> Result<Option<StoreLock>> {
        let Some(lock) = self.lock else {
            // No lock: only this process' sessions are coordinated (each one is single-flight).
            return Ok(Some(StoreLock::unshared()));
        };
        let (Some(try_lock), Some(unlock)) = (lock.try_lock, lock.unlock) else {
            return Err(Error::Storage(
                "this token store's lock callbacks are incomplete".into(),
            ));
        };
        let mut acquired: c_int = 0;
        // SAFETY: the app's callback contract; `acquired` outlives the call.
        let rc = unsafe { try_lock(self.user_data, &mut acquired) };
        if rc != 0 {
            return Err(storage_failure("try_lock", rc));
        }
        if acquired == 0 {
            return Ok(None);
        }
        Ok(Some(StoreLock::new(Box::new(CallbackLock {
            unlock,
            user_data: self.user_data,
        }))))
    }
}

fn new_store(
    store: Arc<dyn TokenStore>,
    out_store: *mut *mut garmin_sso_token_store,
) -> std::result::Result<(), FfiError> {
    // SAFETY: the caller checked `out_store` with out_arg.
    unsafe { write_out(out_store, into_handle(garmin_sso_token_store { store })) };
    Ok(())
}

/// Makes a token store over a file (`kind` is a `garmin_sso_store_kind` value, `path` as for
/// `garmin_sso_session_save`).
///
/// # Safety
/// `path` is NULL or NUL-terminated; `out_store` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_token_store_new_file(
    kind: u32,
    path: *const c_char,
    out_store: *mut *mut garmin_sso_token_store,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let store = unsafe { store_arg(kind, path) }?;
        out_arg(out_store, "out_store")?;
        new_store(store, out_store)
    })
}

/// Makes a token store over one row of a database: `location` is `sqlite:PATH` (a file created
/// 0600 when missing) or `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`, as the CLI's `--store`;
/// `account` is the row's key (the app's user id, or the Garmin email). Tables are created when
/// missing. The store has its lock built in (a transaction on SQLite, a row lock on PostgreSQL), so
/// sessions over it refresh one at a time across threads, processes and, with PostgreSQL,
/// machines. Connects at once: a database that cannot be reached is `GARMIN_SSO_STATUS_STORAGE`,
/// naming the server, never the password.
///
/// The library has these stores only when built with the cargo features `sqlite` / `postgres`;
/// without them the call fails with `GARMIN_SSO_STATUS_INVALID_INPUT` naming the feature.
///
/// # Safety
/// `location` and `account` are NULL or NUL-terminated; `out_store` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_token_store_new_database(
    location: *const c_char,
    account: *const c_char,
    out_store: *mut *mut garmin_sso_token_store,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let location = unsafe { str_arg(location, "location") }?;
        // SAFETY: caller contract.
        let account = unsafe { str_arg(account, "account") }?;
        out_arg(out_store, "out_store")?;
        let db = open_database_store(location, account)?;
        new_store(db.store, out_store)
    })
}

/// Makes a token store over the app's own storage. `callbacks` is copied (it need not outlive the
/// call); `load` and `save` are required. `user_data` is passed to every callback; it must stay
/// valid, and usable from any thread, as long as this store or any session resumed from it exists.
///
/// The store has no lock: sessions sharing these tokens (another client, process or machine) that
/// refresh at once may race, and all but one then need a new sign-in. When the tokens are shared,
/// use `garmin_sso_token_store_new_callbacks_with_lock`.
///
/// # Safety
/// `callbacks` is NULL or readable, its functions follow the `garmin_sso_token_store_callbacks`
/// contract; `out_store` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_token_store_new_callbacks(
    callbacks: *const garmin_sso_token_store_callbacks,
    user_data: *mut c_void,
    out_store: *mut *mut garmin_sso_token_store,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let callbacks = *unsafe { handle(callbacks, "callbacks") }?;
        check_callbacks(&callbacks)?;
        out_arg(out_store, "out_store")?;
        let store = CallbackStore {
            callbacks,
            lock: None,
            user_data,
        };
        new_store(Arc::new(store), out_store)
    })
}

/// Checks the required store callbacks.
fn check_callbacks(
    callbacks: &garmin_sso_token_store_callbacks,
) -> std::result::Result<(), FfiError> {
    if callbacks.load.is_none() {
        return Err(FfiError::null("callbacks->load"));
    }
    if callbacks.save.is_none() {
        return Err(FfiError::null("callbacks->save"));
    }
    Ok(())
}

/// Makes a token store over the app's own storage with the app's lock, as
/// `garmin_sso_token_store_new_callbacks` plus `lock` (copied; `try_lock` and `unlock` required).
/// Use it whenever the stored tokens are shared: several sessions or clients in one process, several
/// processes (an app and its widget or sync service), several machines.
///
/// What the app's store must do, so that a session never dies by accident:
/// - the lock excludes everyone else using the same tokens, and a crash releases it (see
///   `garmin_sso_token_store_lock_callbacks`);
/// - `save` is atomic and durable: a reader sees either the old or the new JSON, never a mix, and
///   once `save` returned 0 the new JSON survives a crash (write a temporary file, fsync, rename;
///   or one database transaction). Garmin spends the old refresh token when it hands out new ones:
///   new tokens that are lost end the session;
/// - `load` returns what the last successful `save` stored.
///
/// Without a lock (`garmin_sso_token_store_new_callbacks`), sessions over the store that refresh at
/// the same time each present the same refresh token: Garmin rotates it on the first refresh and
/// refuses it afterwards, so only one of them survives and the others need a new sign-in.
///
/// # Safety
/// `callbacks` and `lock` are NULL or readable, their functions follow the
/// `garmin_sso_token_store_callbacks` and `garmin_sso_token_store_lock_callbacks` contracts;
/// `out_store` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_token_store_new_callbacks_with_lock(
    callbacks: *const garmin_sso_token_store_callbacks,
    lock: *const garmin_sso_token_store_lock_callbacks,
    user_data: *mut c_void,
    out_store: *mut *mut garmin_sso_token_store,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let callbacks = *unsafe { handle(callbacks, "callbacks") }?;
        check_callbacks(&callbacks)?;
        // SAFETY: caller contract.
        let lock = *unsafe { handle(lock, "lock") }?;
        if lock.try_lock.is_none() {
            return Err(FfiError::null("lock->try_lock"));
        }
        if lock.unlock.is_none() {
            return Err(FfiError::null("lock->unlock"));
        }
        out_arg(out_store, "out_store")?;
        let store = CallbackStore {
            callbacks,
            lock: Some(lock),
            user_data,
        };
        new_store(Arc::new(store), out_store)
    })
}

/// Hands the stored token JSON to the library, from inside a `load` callback. The string is copied.
///
/// # Safety
/// `loaded` is NULL or the handle passed to the running load callback; `tokens_json` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_loaded_tokens_set_json(
    loaded: *mut garmin_sso_loaded_tokens,
    tokens_json: *const c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let l = unsafe { loaded.as_mut() }.ok_or_else(|| FfiError::null("loaded"))?;
        // SAFETY: caller contract.
        let json = unsafe { str_arg(tokens_json, "tokens_json") }?;
        l.json = Some(Secret::new(json));
        Ok(())
    })
}

/// Deletes the tokens in a store (signing out for good): the file(s), or through the `clear`
/// callback. Nothing stored is not an error.
///
/// # Safety
/// `store` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_token_store_clear(
    store: *const garmin_sso_token_store,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        unsafe { handle(store, "store") }?.store.clear()?;
        Ok(())
    })
}

/// Frees a token store. NULL is ignored. Sessions resumed from it keep working (and saving).
///
/// # Safety
/// `store` is NULL or a handle not freed before; no other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_token_store_free(store: *mut garmin_sso_token_store) {
    // SAFETY: caller contract.
    guard_void((), || unsafe { free_handle(store) })
}
