//! `garmin_sso_client`: signs in (every strategy, MFA in two calls), finishes web-view sign-ins,
//! and turns stored tokens back into sessions.

use crate::config::{garmin_sso_config, strategies_arg, strategy_from};
use crate::error::FfiError;
use crate::mfa::{garmin_sso_pending_mfa, new_pending};
use crate::panic::{guard, guard_void};
use crate::ptr::{
    free_handle, handle, into_handle, opt_str_arg, out_arg, owned_c_string, str_arg, write_out,
};
use crate::session::{garmin_sso_session, new_session};
use crate::status::garmin_sso_status;
use garmin_sso_core::{Client, LoginOutcome, Secret, Ticket, Tokens};
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
    client: Client,
}

/// Makes a client from a copy of `config` (later changes to the config do not affect it).
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
            None => Client::new(config)?,
        };
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_client, into_handle(garmin_sso_client { client })) };
        Ok(())
    })
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
            let s = new_session(client, tokens)?;
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
                return Err(FfiError::new(
                    garmin_sso_status::MfaRequired,
                    "this account needs an MFA code; pass out_mfa to receive the pending challenge",
                ));
            }
            // SAFETY: checked by the caller.
            unsafe {
                write_out(out_session, std::ptr::null_mut());
                write_out(out_mfa, new_pending(client, pending));
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
) -> Result<(&'a garmin_sso_client, &'a str, Secret), FfiError> {
    // SAFETY: caller contract.
    let c = unsafe { handle(client, "client") }?;
    // SAFETY: caller contract.
    let email = unsafe { str_arg(email, "email") }?;
    // SAFETY: caller contract.
    let password = Secret::new(unsafe { str_arg(password, "password") }?);
    out_arg(out_session, "out_session")?;
    Ok((c, email, password))
}

/// Signs in with email and password, trying the configured strategies in order (wrong credentials,
/// a locked account and MFA stop the chain; rate limits, bot challenges and odd pages fall through to
/// the next strategy).
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

/// Like `garmin_sso_client_login` with an explicit chain of `garmin_sso_strategy` values.
///
/// # Safety
/// As `garmin_sso_client_login`; `strategies` is NULL or points to `count` values.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_client_login_chain(
    client: *const garmin_sso_client,
    strategies: *const u32,
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
        let chain = unsafe { strategies_arg(strategies, count) }?;
        let outcome = c.client.login_chain(&chain, email, &password)?;
        // SAFETY: out pointers checked above.
        unsafe { deliver(&c.client, outcome, out_session, out_mfa) }
    })
}

/// Like `garmin_sso_client_login` with one strategy (a `garmin_sso_strategy` value) and no
/// fallback.
///
/// # Safety
/// As `garmin_sso_client_login`.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_client_login_with(
    client: *const garmin_sso_client,
    strategy: u32,
    email: *const c_char,
    password: *const c_char,
    out_session: *mut *mut garmin_sso_session,
    out_mfa: *mut *mut garmin_sso_pending_mfa,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let (c, email, password) = unsafe { login_args(client, email, password, out_session) }?;
        let strategy = strategy_from(strategy)?;
        let outcome = c.client.login_with(strategy, email, &password)?;
        // SAFETY: out pointers checked above.
        unsafe { deliver(&c.client, outcome, out_session, out_mfa) }
    })
}

/// The URL to open in a browser or web view for a web-view sign-in. When the web view navigates to a
/// URL carrying `ticket=ST-…`, pass that URL (or the page body) to
/// `garmin_sso_client_exchange_webview`. Free the string with `garmin_sso_string_free`.
///
/// # Safety
/// `client` is NULL or live; `out_url` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_client_browser_sign_in_url(
    client: *const garmin_sso_client,
    out_url: *mut *mut c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let c = unsafe { handle(client, "client") }?;
        out_arg(out_url, "out_url")?;
        let url = owned_c_string(c.client.browser_sign_in_url(), "the sign-in URL")?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_url, url) };
        Ok(())
    })
}

/// Finishes a web-view sign-in: finds the service ticket in the navigated URL or the page body and
/// exchanges it for tokens. `GARMIN_SSO_STATUS_TICKET_NOT_FOUND` means this URL/page carries no
/// ticket (keep watching the navigation).
///
/// # Safety
/// `client` is NULL or live; `url_or_body` is NULL or NUL-terminated; `out_session` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_client_exchange_webview(
    client: *const garmin_sso_client,
    url_or_body: *const c_char,
    out_session: *mut *mut garmin_sso_session,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let c = unsafe { handle(client, "client") }?;
        // SAFETY: caller contract.
        let text = unsafe { str_arg(url_or_body, "url_or_body") }?;
        out_arg(out_session, "out_session")?;
        let tokens = c.client.exchange_webview(text)?;
        let s = new_session(&c.client, tokens)?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_session, s) };
        Ok(())
    })
}

/// Exchanges a service ticket (`ST-…`) obtained elsewhere for tokens. `service_url` is the service
/// the ticket was issued for; NULL means the mobile app's (the web-view sign-in's).
///
/// # Safety
/// `client` is NULL or live; strings are NULL or NUL-terminated; `out_session` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_client_exchange_ticket(
    client: *const garmin_sso_client,
    ticket: *const c_char,
    service_url: *const c_char,
    out_session: *mut *mut garmin_sso_session,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let c = unsafe { handle(client, "client") }?;
        // SAFETY: caller contract.
        let ticket = unsafe { str_arg(ticket, "ticket") }?;
        // SAFETY: caller contract.
        let service_url = unsafe { opt_str_arg(service_url, "service_url") }?;
        out_arg(out_session, "out_session")?;
        let service_url = match service_url {
            Some(u) => u.to_owned(),
            None => c.client.config().mobile_client.service_url.clone(),
        };
        let tokens = c.client.exchange_ticket(&Ticket {
            value: Secret::new(ticket),
            service_url,
        })?;
        let s = new_session(&c.client, tokens)?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_session, s) };
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
        let s = new_session(&c.client, Tokens::from_json(json)?)?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_session, s) };
        Ok(())
    })
}

pub(crate) fn client_of(c: &garmin_sso_client) -> &Client {
    &c.client
}
