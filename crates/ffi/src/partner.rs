//! Partner OAuth2 with PKCE (docs/partner.md) for apps in Garmin's Connect Developer Program: the
//! person signs in and consents on Garmin's page in a browser, and the app finishes with the URL
//! Garmin redirected the browser to. The app never sees the password; the core owns every rule
//! (verifier and `state`, the checks on the redirect, the code exchange).
//!
//! `garmin_sso_partner_authorization` is one attempt: it keeps the verifier and `state` that must
//! meet the redirect, and a copy of the client it was started from, so finishing needs nothing
//! else and the client may be freed first.

use crate::client::garmin_sso_client;
use crate::config::garmin_sso_config;
use crate::panic::{guard, guard_void};
use crate::ptr::{
    free_handle, handle, into_handle, opt_str_arg, out_arg, owned_c_string, str_arg, write_out,
};
use crate::session::{garmin_sso_session, session_handle};
use crate::status::garmin_sso_status;
use garmin_sso_core::{ClientSecret, PartnerApp, PartnerAuthorization};
use std::ffi::c_char;

/// Makes clients from this config sign people in for a partner app (and refresh partner tokens
/// with its secret): `client_id` and `client_secret` as Garmin's developer portal issued them,
/// `redirect_uri` exactly as registered (a loopback `http://127.0.0.1:PORT/…` lets a desktop app
/// catch the redirect itself), `scope` space-separated or NULL to leave the choice to the person on
/// Garmin's consent page. A session restored from stored partner tokens refreshes only through a
/// client whose config has the same partner app, so set it before `garmin_sso_client_new` on every
/// start, not only for the sign-in.
///
/// The secret is sent only to the partner token endpoint and never appears in a message or a log.
/// A malformed id or redirect URI, or an empty secret, is `GARMIN_SSO_STATUS_INVALID_INPUT`.
///
/// # Safety
/// `config` is NULL or a live config; the strings are NULL (only `scope` may be) or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_partner(
    config: *const garmin_sso_config,
    client_id: *const c_char,
    client_secret: *const c_char,
    redirect_uri: *const c_char,
    scope: *const c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let c = unsafe { handle(config, "config") }?;
        // SAFETY: caller contract.
        let client_id = unsafe { str_arg(client_id, "client_id") }?;
        // SAFETY: caller contract.
        let client_secret = unsafe { str_arg(client_secret, "client_secret") }?;
        // SAFETY: caller contract.
        let redirect_uri = unsafe { str_arg(redirect_uri, "redirect_uri") }?;
        // SAFETY: caller contract.
        let scope = unsafe { opt_str_arg(scope, "scope") }?;
        // The core checks what Garmin would refuse later; its messages never repeat the secret.
        let mut app = PartnerApp::new(client_id, ClientSecret::new(client_secret), redirect_uri)?;
        if let Some(scope) = scope {
            app = app.with_scope(scope);
        }
        c.lock().config.partner = Some(app);
        Ok(())
    })
}

/// One partner authorization request in flight (opaque): the consent page's URL, and the PKCE
/// verifier and `state` the redirect is checked against. Start one per attempt with
/// `garmin_sso_partner_authorization_new`; free it with `garmin_sso_partner_authorization_free`.
///
/// Thread safety: every function may be called from any thread, concurrently. Garmin's code in a
/// redirect works once, so only one finish can succeed.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct garmin_sso_partner_authorization(PartnerAuthorization);

/// Starts a partner sign-in for the partner app of the client's config
/// (`garmin_sso_config_set_partner`; without one, `GARMIN_SSO_STATUS_INVALID_INPUT`). Nothing is
/// sent: the verifier and `state` come from the OS random source. Open
/// `garmin_sso_partner_authorization_url` in the person's browser, then finish with the redirect.
///
/// # Safety
/// `client` is NULL or live; `out_auth` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_partner_authorization_new(
    client: *const garmin_sso_client,
    out_auth: *mut *mut garmin_sso_partner_authorization,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let c = unsafe { handle(client, "client") }?;
        out_arg(out_auth, "out_auth")?;
        let h = into_handle(garmin_sso_partner_authorization(
            c.client.partner_authorization()?,
        ));
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_auth, h) };
        Ok(())
    })
}

/// The consent page's address, to open in the person's browser. It carries the request's `state`:
/// open it, do not log it. Free the string with `garmin_sso_string_free`.
///
/// # Safety
/// `auth` is NULL or live; `out_url` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_partner_authorization_url(
    auth: *const garmin_sso_partner_authorization,
    out_url: *mut *mut c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let a = unsafe { handle(auth, "auth") }?;
        out_arg(out_url, "out_url")?;
        let url = owned_c_string(a.0.url().to_owned(), "the consent page URL")?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_url, url) };
        Ok(())
    })
}

/// Finishes the sign-in with `callback_url`, the whole URL Garmin redirected the browser to (or
/// just its query): the `state` is checked first, then the code is exchanged with the verifier and
/// the app's secret, and `*out_session` receives a session over partner tokens
/// (`GARMIN_SSO_TOKEN_FAMILY_PARTNER`), which calls the partner APIs.
///
/// - `GARMIN_SSO_STATUS_AUTHORIZATION_DECLINED`: the person declined on Garmin's page.
/// - `GARMIN_SSO_STATUS_INVALID_INPUT`: the redirect is not this request's (another `state`, or not
///   at the redirect URI) — ignore it; this request may still be finished with the right one.
/// - `GARMIN_SSO_STATUS_SIGN_IN_NEEDED`: Garmin refused the code (expired or already used): start
///   a new authorization.
/// - `GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE`: the redirect carries neither a code nor an error.
///
/// # Safety
/// `auth` is NULL or live; `callback_url` is NULL or NUL-terminated; `out_session` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_partner_authorization_finish(
    auth: *const garmin_sso_partner_authorization,
    callback_url: *const c_char,
    out_session: *mut *mut garmin_sso_session,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let a = unsafe { handle(auth, "auth") }?;
        // SAFETY: caller contract.
        let callback = unsafe { str_arg(callback_url, "callback_url") }?;
        out_arg(out_session, "out_session")?;
        let s = session_handle(a.0.finish_for_session(callback)?);
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_session, s) };
        Ok(())
    })
}

/// Frees a partner authorization (its verifier is wiped). NULL is ignored. Sessions it gave stay
/// valid.
///
/// # Safety
/// `auth` is NULL or a handle not freed before; no other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_partner_authorization_free(
    auth: *mut garmin_sso_partner_authorization,
) {
    // SAFETY: caller contract.
    guard_void((), || unsafe { free_handle(auth) })
}

#[cfg(all(test, feature = "ureq-transport"))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::client::{garmin_sso_client_free, garmin_sso_client_new};
    use crate::config::{
        garmin_sso_config_free, garmin_sso_config_new, garmin_sso_config_set_base_url,
    };
    use crate::error::last_message;
    use crate::strings::garmin_sso_string_free;
    use std::ffi::{CStr, CString};

    const SECRET: &str = "partner-secret-ffi";

    /// The parts that need no server: config checks, the URL, and the callback checks before any
    /// exchange (port 9 is never contacted); no message repeats the secret.
    #[test]
    fn authorization_without_a_server() {
        let secret = CString::new(SECRET).unwrap();
        // SAFETY: valid arguments; every handle is freed below.
        unsafe {
            let mut config = std::ptr::null_mut();
            assert_eq!(
                garmin_sso_config_new(c"garmin.com".as_ptr(), &mut config),
                garmin_sso_status::Ok
            );
            assert_eq!(
                garmin_sso_config_set_base_url(config, c"http://127.0.0.1:9".as_ptr()),
                garmin_sso_status::Ok
            );
            // No partner app yet: the client says so.
            let mut client = std::ptr::null_mut();
            assert_eq!(
                garmin_sso_client_new(config, &mut client),
                garmin_sso_status::Ok
            );
            let mut auth = std::ptr::null_mut();
            assert_eq!(
                garmin_sso_partner_authorization_new(client, &mut auth),
                garmin_sso_status::InvalidInput
            );
            assert!(auth.is_null());
            garmin_sso_client_free(client);

            assert_eq!(
                garmin_sso_config_set_partner(
                    config,
                    c"app".as_ptr(),
                    secret.as_ptr(),
                    c"not a url".as_ptr(),
                    std::ptr::null()
                ),
                garmin_sso_status::InvalidInput
            );
            assert!(!last_message().contains(SECRET), "{}", last_message());
            assert_eq!(
                garmin_sso_config_set_partner(
                    config,
                    c"app".as_ptr(),
                    std::ptr::null(),
                    c"http://127.0.0.1:8765/cb".as_ptr(),
                    std::ptr::null()
                ),
                garmin_sso_status::NullArgument
            );
            assert_eq!(
                garmin_sso_config_set_partner(
                    config,
                    c"app".as_ptr(),
                    secret.as_ptr(),
                    c"http://127.0.0.1:8765/cb".as_ptr(),
                    c"ACTIVITY_EXPORT".as_ptr()
                ),
                garmin_sso_status::Ok
            );
            let mut client = std::ptr::null_mut();
            assert_eq!(
                garmin_sso_client_new(config, &mut client),
                garmin_sso_status::Ok
            );
            garmin_sso_config_free(config);
            assert_eq!(
                garmin_sso_partner_authorization_new(client, &mut auth),
                garmin_sso_status::Ok
            );
            // The authorization outlives its client.
            garmin_sso_client_free(client);
            let mut url = std::ptr::null_mut();
            assert_eq!(
                garmin_sso_partner_authorization_url(auth, &mut url),
                garmin_sso_status::Ok
            );
            let text = CStr::from_ptr(url).to_str().unwrap().to_owned();
            garmin_sso_string_free(url);
            assert!(text.contains("client_id=app"), "{text}");
            assert!(text.contains("scope=ACTIVITY_EXPORT"), "{text}");
            assert!(!text.contains(SECRET));
            let state = text
                .split(['?', '&'])
                .find_map(|p| p.strip_prefix("state="))
                .unwrap()
                .to_owned();

            let mut session = std::ptr::null_mut();
            let wrong = c"http://127.0.0.1:8765/cb?code=abc&state=other";
            assert_eq!(
                garmin_sso_partner_authorization_finish(auth, wrong.as_ptr(), &mut session),
                garmin_sso_status::InvalidInput
            );
            let declined = CString::new(format!(
                "http://127.0.0.1:8765/cb?error=access_denied&state={state}"
            ))
            .unwrap();
            assert_eq!(
                garmin_sso_partner_authorization_finish(auth, declined.as_ptr(), &mut session),
                garmin_sso_status::AuthorizationDeclined
            );
            assert!(session.is_null());
            assert!(!last_message().contains(SECRET), "{}", last_message());
            assert_eq!(
                garmin_sso_partner_authorization_finish(auth, std::ptr::null(), &mut session),
                garmin_sso_status::NullArgument
            );
            garmin_sso_partner_authorization_free(auth);
            garmin_sso_partner_authorization_free(std::ptr::null_mut());
        }
    }
}
