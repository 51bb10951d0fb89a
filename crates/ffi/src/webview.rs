//! Sign-ins that end in a service ticket the app obtained itself: a browser or web view, or a
//! ticket from elsewhere. Which service URL a ticket is bound to is the core's rule
//! (`Config::webview_service_url`).

use crate::client::garmin_sso_client;
use crate::panic::guard;
use crate::ptr::{handle, opt_str_arg, out_arg, owned_c_string, str_arg, write_out};
use crate::session::{garmin_sso_session, session_handle};
use crate::status::garmin_sso_status;
use garmin_sso_core::{ServiceTicket, Session, Ticket};
use std::ffi::c_char;

/// The URL to open in a browser or web view for a web-view sign-in, as the configured mobile app.
/// When the web view navigates to a URL carrying `ticket=ST-…`, pass that URL (or the page body)
/// to `garmin_sso_client_exchange_webview`. Free the string with `garmin_sso_string_free`.
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
/// exchanges it for tokens. `GARMIN_SSO_STATUS_INVALID_INPUT` means this URL or page carries no
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
        let s = session_handle(Session::new(c.client.clone(), tokens));
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_session, s) };
        Ok(())
    })
}

/// Exchanges a service ticket (`ST-…`) obtained elsewhere for tokens. `service_url` is the service
/// the ticket was issued for; NULL means the web-view sign-in's (the configured mobile app's).
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
        let config = c.client.config();
        let tokens = c.client.exchange_ticket(&Ticket {
            value: ServiceTicket::new(ticket),
            service_url: service_url
                .unwrap_or_else(|| config.webview_service_url())
                .to_owned(),
        })?;
        let s = session_handle(Session::new(c.client.clone(), tokens));
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_session, s) };
        Ok(())
    })
}
