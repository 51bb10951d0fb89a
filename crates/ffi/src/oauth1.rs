//! The standalone OAuth1 (RFC 5849 HMAC-SHA1) signer, for apps that sign their own requests.

use crate::error::FfiError;
use crate::panic::guard;
use crate::ptr::{opt_str_arg, out_arg, owned_c_string, str_arg, write_out};
use garmin_sso_core::oauth1::{authorization_header, Credentials};
use std::ffi::{c_char, c_int};

/// Builds the `Authorization` header value (`OAuth oauth_consumer_key="…", …`) for one request.
///
/// `form_body` is the request's `application/x-www-form-urlencoded` body, whose parameters are
/// signed too, or NULL. `token` and `token_secret` are both NULL (consumer-only signing) or both
/// set. `nonce` must be non-empty and `timestamp` (Unix seconds) non-negative.
///
/// Returns 0 and a new string in `*out_header` (free it with `garmin_sso_string_free`), or a
/// non-zero `garmin_sso_status` value on any bad argument, leaving `*out_header` untouched.
/// Pure function: safe from any thread.
///
/// # Safety
/// Every string is NULL or NUL-terminated; `out_header` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_oauth1_authorization(
    method: *const c_char,
    url: *const c_char,
    form_body: *const c_char,
    consumer_key: *const c_char,
    consumer_secret: *const c_char,
    token: *const c_char,
    token_secret: *const c_char,
    nonce: *const c_char,
    timestamp: i64,
    out_header: *mut *mut c_char,
) -> c_int {
    let status = guard(|| {
        // SAFETY (all reads below): caller contract.
        let method = unsafe { str_arg(method, "method") }?;
        let url = unsafe { str_arg(url, "url") }?;
        let form_body = unsafe { opt_str_arg(form_body, "form_body") }?;
        let consumer_key = unsafe { str_arg(consumer_key, "consumer_key") }?;
        let consumer_secret = unsafe { str_arg(consumer_secret, "consumer_secret") }?;
        let token = unsafe { opt_str_arg(token, "token") }?;
        let token_secret = unsafe { opt_str_arg(token_secret, "token_secret") }?;
        let nonce = unsafe { str_arg(nonce, "nonce") }?;
        out_arg(out_header, "out_header")?;
        let token = match (token, token_secret) {
            (Some(t), Some(s)) => Some((t, s)),
            (None, None) => None,
            _ => {
                return Err(FfiError::invalid(
                    "token and token_secret must both be given or both be NULL",
                ))
            }
        };
        let creds = Credentials {
            consumer_key,
            consumer_secret,
            token,
        };
        let header = authorization_header(method, url, form_body, &creds, nonce, timestamp)?;
        let c = owned_c_string(header.expose().to_owned(), "the header")?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_header, c) };
        Ok(())
    });
    status as c_int
}
