//! `garmin_sso_session`: a signed-in session — its tokens, refresh, logout and the simple Connect
//! API calls. General requests are in `api.rs`, uploads in `upload.rs`, the refresh callback in
//! `refresh.rs`, stores in `store.rs` and `resume.rs`.

use crate::client::garmin_sso_client;
use crate::error::FfiError;
use crate::panic::{guard, guard_void};
use crate::ptr::{free_handle, handle, into_handle, out_arg, owned_c_string, str_arg, write_out};
use crate::status::garmin_sso_status;
use crate::strings::bytes_to_c;
use garmin_sso_core::{ErrorKind, Session, Tokens};
use std::ffi::c_char;
use std::sync::RwLock;

/// A signed-in session (opaque). Free with `garmin_sso_session_free`.
///
/// Thread safety: every function may be called from any thread, concurrently on the same session.
/// When several threads find the access token expired, exactly one refresh request is made and the
/// others wait for it. `garmin_sso_session_logout` waits for calls in progress on other threads.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct garmin_sso_session {
    /// `None` after logout.
    session: RwLock<Option<Session>>,
}

impl garmin_sso_session {
    /// The session, unless it was logged out.
    pub(crate) fn current(&self) -> Result<Session, FfiError> {
        self.session
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| {
                FfiError::kind(
                    ErrorKind::SignInNeeded,
                    "the session was logged out; sign in again",
                )
            })
    }
}

/// Hands a session to C.
pub(crate) fn session_handle(session: Session) -> *mut garmin_sso_session {
    into_handle(garmin_sso_session {
        session: RwLock::new(Some(session)),
    })
}

/// Runs `f` with the session behind a handle.
///
/// # Safety
/// `session` is NULL or a live session handle.
pub(crate) unsafe fn with_session(
    session: *const garmin_sso_session,
    f: impl FnOnce(&garmin_sso_session, Session) -> Result<(), FfiError>,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let h = unsafe { handle(session, "session") }?;
        let s = h.current()?;
        f(h, s)
    })
}

/// Frees a session (its tokens are wiped from memory). NULL is ignored.
///
/// # Safety
/// `session` is NULL or a handle not freed before; no other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_free(session: *mut garmin_sso_session) {
    // SAFETY: caller contract.
    guard_void((), || unsafe { free_handle(session) })
}

/// The session's tokens as one versioned JSON document, for the app to keep wherever it keeps
/// secrets (QSettings, Keychain, Keystore-backed preferences); `garmin_sso_session_from_json` reads it
/// back. Contains secrets: never log it. Free with `garmin_sso_string_free`.
///
/// # Safety
/// `session` is NULL or live; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_to_json(
    session: *const garmin_sso_session,
    out_json: *mut *mut c_char,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            out_arg(out_json, "out_json")?;
            let json = owned_c_string(s.tokens().to_json(), "the token JSON")?;
            write_out(out_json, json);
            Ok(())
        })
    }
}

/// The session's token family (a `garmin_sso_token_family` value).
///
/// # Safety
/// `session` is NULL or live; `out_family` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_token_family(
    session: *const garmin_sso_session,
    out_family: *mut u32,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            out_arg(out_family, "out_family")?;
            write_out(out_family, s.tokens().family() as u32);
            Ok(())
        })
    }
}

/// When the access token expires, in Unix seconds (the session refreshes it before then).
///
/// # Safety
/// `session` is NULL or live; `out_unix_seconds` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_expires_at(
    session: *const garmin_sso_session,
    out_unix_seconds: *mut i64,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            out_arg(out_unix_seconds, "out_unix_seconds")?;
            write_out(out_unix_seconds, s.tokens().expires_at());
            Ok(())
        })
    }
}

/// Refreshes the tokens now (requests refresh by themselves when needed; this is for apps that want
/// to refresh at a moment of their choosing). `GARMIN_SSO_STATUS_SIGN_IN_NEEDED` means the refresh
/// credential is dead. On failure the old tokens stay.
///
/// # Safety
/// `session` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_refresh(
    session: *const garmin_sso_session,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            s.refresh()?;
            Ok(())
        })
    }
}

/// Forgets the session's tokens: every later call on it fails with
/// `GARMIN_SSO_STATUS_SIGN_IN_NEEDED`. Tokens the app stored elsewhere are not touched (see
/// `garmin_sso_store_clear`). Calling it twice is fine.
///
/// # Safety
/// `session` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_logout(
    session: *const garmin_sso_session,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let h = unsafe { handle(session, "session") }?;
        *h.session.write().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    })
}

/// Makes a session from tokens exported with `garmin_sso_session_to_json` (any older schema
/// version is read too). No network traffic.
///
/// # Safety
/// `client` is NULL or live; `json` is NULL or NUL-terminated; `out_session` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_from_json(
    client: *const garmin_sso_client,
    json: *const c_char,
    out_session: *mut *mut garmin_sso_session,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let c = unsafe { handle(client, "client") }?;
        // SAFETY: caller contract.
        let json = unsafe { str_arg(json, "json") }?;
        out_arg(out_session, "out_session")?;
        let s = session_handle(Session::new(c.client.clone(), Tokens::from_json(json)?));
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_session, s) };
        Ok(())
    })
}

/// GETs `path` and returns the JSON answer as a string (`"null"` for an empty body). Non-2xx answers
/// are errors (`GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE`, the message names the HTTP status; 401 after
/// a refresh is `GARMIN_SSO_STATUS_SIGN_IN_NEEDED`). Free with `garmin_sso_string_free`.
///
/// # Safety
/// `session` is NULL or live; `path` is NULL or NUL-terminated; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_get_json(
    session: *const garmin_sso_session,
    path: *const c_char,
    out_json: *mut *mut c_char,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            let path = str_arg(path, "path")?;
            out_arg(out_json, "out_json")?;
            let v = s.get_json(path, &[])?;
            write_out(out_json, owned_c_string(v.to_string(), "the JSON answer")?);
            Ok(())
        })
    }
}

/// GETs `path` and returns the body's bytes (an activity file, say). Non-2xx answers are errors.
/// Free with `garmin_sso_bytes_free(*out_data, *out_len)`; an empty body is NULL with length 0.
///
/// # Safety
/// `session` is NULL or live; `path` is NULL or NUL-terminated; out pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_download(
    session: *const garmin_sso_session,
    path: *const c_char,
    out_data: *mut *mut u8,
    out_len: *mut usize,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            let path = str_arg(path, "path")?;
            out_arg(out_data, "out_data")?;
            out_arg(out_len, "out_len")?;
            let (p, n) = bytes_to_c(s.download(path)?);
            write_out(out_data, p);
            write_out(out_len, n);
            Ok(())
        })
    }
}

/// The signed-in user's display name (from the social profile; the id many Connect API paths
/// use). Free with `garmin_sso_string_free`.
///
/// # Safety
/// `session` is NULL or live; `out_name` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_display_name(
    session: *const garmin_sso_session,
    out_name: *mut *mut c_char,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            out_arg(out_name, "out_name")?;
            let p = s.profile()?;
            write_out(
                out_name,
                owned_c_string(p.display_name, "the display name")?,
            );
            Ok(())
        })
    }
}
