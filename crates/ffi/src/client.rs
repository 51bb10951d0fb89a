//! `garmin_sso_client`: signs in with email and password (any flow or chain of flows, MFA in two
//! calls). Web-view sign-ins are in `webview.rs`, stored sessions in `session.rs` and `resume.rs`.

use crate::config::garmin_sso_config;
use crate::enums::{flow_arg, flows_arg};
use crate::error::FfiError;
use crate::mfa::{garmin_sso_pending_mfa, pending_handle};
use crate::panic::{guard, guard_void};
use crate::ptr::{free_handle, handle, into_handle, out_arg, str_arg, write_out};
use crate::session::{garmin_sso_session, session_handle};
use crate::status::garmin_sso_status;
use garmin_sso_core::{Client, ErrorKind, LoginOutcome, Password, Session};
use std::ffi::c_char;
use std::sync::Arc;

/// A configured client (opaque). Create with `garmin_sso_client_new`, free with
/// `garmin_sso_client_free`. Sessions and pending MFA handles made from it keep what they need, so
/// the client may be freed before them.
///
/// Thread safety: every function may be called from any thread, concurrently on the same client;
/// each sign-in keeps its own cookies, so concurrent sign-ins never mix.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct garmin_sso_client {
    pub(crate) client: Client,
}

/// Makes a client from a copy of `config` (later changes to the config do not affect it). A library
/// built without its own HTTP stack (`--no-default-features`) refuses a config without
/// `garmin_sso_config_set_transport` with `GARMIN_SSO_STATUS_INVALID_INPUT`.
///
/// # Safety
/// `config` is NULL or a live config; `out_client` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_client_new(
    config: *const garmin_sso_config,
    out_client: *mut *mut garmin_sso_client,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let c = unsafe { handle(config, "config") }?;
        out_arg(out_client, "out_client")?;
        let (config, transport) = {
            let s = c.lock();
            (s.config.clone(), s.transport.clone())
        };
        let client = match transport {
            Some(t) => Client::with_transport(config, Arc::new(t))?,
            None => default_transport_client(config)?,
        };
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_client, into_handle(garmin_sso_client { client })) };
        Ok(())
    })
}

/// A client over the built-in transport (ureq + rustls).
#[cfg(feature = "ureq-transport")]
fn default_transport_client(config: garmin_sso_core::Config) -> Result<Client, FfiError> {
    Ok(Client::new(config)?)
}

/// This build has no transport of its own (cargo feature `ureq-transport` off): the host must
/// bring one, and saying so beats any later failure.
#[cfg(not(feature = "ureq-transport"))]
fn default_transport_client(_config: garmin_sso_core::Config) -> Result<Client, FfiError> {
    Err(FfiError::invalid(
        "this libgarmin_sso was built without an HTTP transport (cargo feature `ureq-transport` off): \
         set one with garmin_sso_config_set_transport before garmin_sso_client_new",
    ))
}

/// Frees a client. NULL is ignored.
///
/// # Safety
/// `client` is NULL or a handle not freed before; no other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_client_free(client: *mut garmin_sso_client) {
    // SAFETY: caller contract.
    guard_void((), || unsafe { free_handle(client) })
}

/// Hands a sign-in's outcome to the caller: a session, or a pending MFA challenge when the caller can
/// take one.
///
/// # Safety
/// Both out pointers passed `out_arg` (or `out_mfa` is NULL).
unsafe fn deliver(
    client: &Client,
    outcome: LoginOutcome,
    out_session: *mut *mut garmin_sso_session,
    out_mfa: *mut *mut garmin_sso_pending_mfa,
) -> Result<(), FfiError> {
    match outcome {
        LoginOutcome::Complete(tokens) => {
            let s = session_handle(Session::new(client.clone(), tokens));
            // SAFETY: checked by the caller.
            unsafe {
                write_out(out_session, s);
                if !out_mfa.is_null() {
                    write_out(out_mfa, std::ptr::null_mut());
                }
            }
        }
        LoginOutcome::MfaRequired(pending) => {
            if out_mfa.is_null() {
                return Err(FfiError::kind(
                    ErrorKind::MfaRequired,
                    "this account needs an MFA code; pass out_mfa to receive the pending challenge",
                ));
            }
            // SAFETY: checked by the caller.
            unsafe {
                write_out(out_session, std::ptr::null_mut());
                write_out(out_mfa, pending_handle(pending));
            }
        }
    }
    Ok(())
}

/// Arguments every password sign-in shares.
///
/// # Safety
/// As the entry points.
unsafe fn login_args<'a>(
    client: *const garmin_sso_client,
    email: *const c_char,
    password: *const c_char,
    out_session: *mut *mut garmin_sso_session,
) -> Result<(&'a garmin_sso_client, &'a str, Password), FfiError> {
    // SAFETY: caller contract.
    let c = unsafe { handle(client, "client") }?;
    // SAFETY: caller contract.
    let email = unsafe { str_arg(email, "email") }?;
    // SAFETY: caller contract.
    let password = Password::new(unsafe { str_arg(password, "password") }?);
    out_arg(out_session, "out_session")?;
    Ok((c, email, password))
}

/// Signs in with email and password, trying the configured flows in order (wrong credentials, an
/// unusable account and MFA stop the chain; rate limits, bot challenges and odd pages fall through
/// to the next flow; when every flow fails, the status is what the failures have in common, and the
/// message lists each flow and why).
///
/// Outcome on `GARMIN_SSO_STATUS_OK` — exactly one of:
/// - `*out_session` is a signed-in session and `*out_mfa` (if given) is NULL;
/// - `*out_session` is NULL and `*out_mfa` is a pending MFA challenge: ask the user for the code and
///   call `garmin_sso_pending_mfa_submit` (from any thread, any time later).
///
/// `out_mfa` may be NULL when the caller cannot do MFA: an account that needs it then fails with
/// `GARMIN_SSO_STATUS_MFA_REQUIRED`. On failure neither out-parameter is touched.
///
/// # Safety
/// `client` is NULL or live; strings are NULL or NUL-terminated; out pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_client_login(
    client: *const garmin_sso_client,
    email: *const c_char,
    password: *const c_char,
    out_session: *mut *mut garmin_sso_session,
    out_mfa: *mut *mut garmin_sso_pending_mfa,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let (c, email, password) = unsafe { login_args(client, email, password, out_session) }?;
        let outcome = c.client.login(email, &password)?;
        // SAFETY: out pointers checked above.
        unsafe { deliver(&c.client, outcome, out_session, out_mfa) }
    })
}

/// Like `garmin_sso_client_login` with an explicit chain of `garmin_sso_flow` values.
///
/// # Safety
/// As `garmin_sso_client_login`; `flows` is NULL or points to `count` values.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_client_login_chain(
    client: *const garmin_sso_client,
    flows: *const u32,
    count: usize,
    email: *const c_char,
    password: *const c_char,
    out_session: *mut *mut garmin_sso_session,
    out_mfa: *mut *mut garmin_sso_pending_mfa,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let (c, email, password) = unsafe { login_args(client, email, password, out_session) }?;
        // SAFETY: caller contract.
        let chain = unsafe { flows_arg(flows, count) }?;
        let outcome = c.client.login_chain(&chain, email, &password)?;
        // SAFETY: out pointers checked above.
        unsafe { deliver(&c.client, outcome, out_session, out_mfa) }
    })
}

/// Like `garmin_sso_client_login` with one flow (a `garmin_sso_flow` value) and no fallback.
///
/// # Safety
/// As `garmin_sso_client_login`.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_client_login_with(
    client: *const garmin_sso_client,
    flow: u32,
    email: *const c_char,
    password: *const c_char,
    out_session: *mut *mut garmin_sso_session,
    out_mfa: *mut *mut garmin_sso_pending_mfa,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let (c, email, password) = unsafe { login_args(client, email, password, out_session) }?;
        let outcome = c.client.login_with(flow_arg(flow)?, email, &password)?;
        // SAFETY: out pointers checked above.
        unsafe { deliver(&c.client, outcome, out_session, out_mfa) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{garmin_sso_config_free, garmin_sso_config_new};
    use crate::error::{garmin_sso_last_error_message, garmin_sso_last_error_status};
    use std::ffi::CStr;

    /// Without a transport callback the client uses the built-in one, or, in a build without it,
    /// refuses with a message that says what to do.
    #[test]
    fn client_without_a_transport_callback() {
        let mut config = std::ptr::null_mut();
        // SAFETY: valid arguments; every handle is freed below.
        unsafe {
            assert_eq!(
                garmin_sso_config_new(c"garmin.com".as_ptr(), &mut config),
                garmin_sso_status::Ok
            );
            let mut client = std::ptr::null_mut();
            let status = garmin_sso_client_new(config, &mut client);
            if cfg!(feature = "ureq-transport") {
                assert_eq!(status, garmin_sso_status::Ok);
                assert!(!client.is_null());
            } else {
                assert_eq!(status, garmin_sso_status::InvalidInput);
                assert_eq!(
                    garmin_sso_last_error_status(),
                    garmin_sso_status::InvalidInput
                );
                assert!(client.is_null());
                let message = CStr::from_ptr(garmin_sso_last_error_message())
                    .to_str()
                    .unwrap();
                assert!(
                    message.contains("garmin_sso_config_set_transport"),
                    "{message}"
                );
            }
            garmin_sso_client_free(client);
            garmin_sso_config_free(config);
        }
    }
}
