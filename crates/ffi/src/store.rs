//! Token stores on disk: load a session, save it, keep saving it after every refresh, delete it.

use crate::client::{client_of, garmin_sso_client};
use crate::error::FfiError;
use crate::panic::guard;
use crate::ptr::{handle, out_arg, str_arg, write_out};
use crate::session::{garmin_sso_session, new_session, session_of};
use crate::status::garmin_sso_status;
use garmin_sso_core::store::{GarthDirStore, JsonFileStore, TokenStore};
use std::ffi::c_char;
use std::sync::Arc;

/// A token store format on disk.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
unsafe fn store_arg(kind: u32, path: *const c_char) -> Result<Arc<dyn TokenStore>, FfiError> {
    // SAFETY: caller contract.
    let path = unsafe { str_arg(path, "path") }?;
    if path.is_empty() {
        return Err(FfiError::invalid("path is empty"));
    }
    Ok(match kind {
        x if x == garmin_sso_store_kind::JsonFile as u32 => Arc::new(JsonFileStore::new(path)),
        x if x == garmin_sso_store_kind::GarthDir as u32 => Arc::new(GarthDirStore::new(path)),
        other => {
            return Err(FfiError::invalid(format!(
                "{other} is not a garmin_sso_store_kind value"
            )))
        }
    })
}

/// Makes a session from tokens stored at `path` (a `garmin_sso_store_kind` value says the format).
/// No network traffic; the session refreshes when first used if needed. Nothing stored there fails
/// with `GARMIN_SSO_STATUS_SIGN_IN_NEEDED`; an unreadable or malformed store with
/// `GARMIN_SSO_STATUS_STORAGE` or `GARMIN_SSO_STATUS_INVALID_ARGUMENT`.
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
            FfiError::new(
                garmin_sso_status::SignInNeeded,
                "no tokens are stored there; sign in",
            )
        })?;
        let s = new_session(client_of(c), tokens)?;
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
        let s = session_of(h)?;
        store.save(&s.tokens())?;
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
        session_of(h)?.persist_to(store);
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
