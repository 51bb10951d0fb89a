//! A Connect API request of any method, and `garmin_sso_api_response`, its answer.

use crate::error::FfiError;
use crate::panic::{guard, guard_void};
use crate::ptr::{
    bytes_arg, free_handle, handle, into_handle, out_arg, shown, slice_arg, str_arg, write_out,
};
use crate::session::{garmin_sso_session, with_session};
use crate::status::garmin_sso_status;
use crate::transport::garmin_sso_header;
use garmin_sso_core::{ApiRequest, Body, Method, Response};
use std::ffi::{c_char, CString};

/// The answer to a Connect API request (opaque): status, headers, body. Free with
/// `garmin_sso_api_response_free`. Read-only: safe to read from several threads at once.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct garmin_sso_api_response {
    status: u16,
    headers: Vec<(String, CString)>,
    body: Vec<u8>,
}

impl garmin_sso_api_response {
    fn from_core(r: Response) -> Self {
        // Header values that are not representable as C strings are dropped, not truncated.
        let headers = r
            .headers
            .into_iter()
            .filter_map(|(k, v)| CString::new(v).ok().map(|v| (k, v)))
            .collect();
        garmin_sso_api_response {
            status: r.status,
            headers,
            body: r.body,
        }
    }
}

/// Reads a `garmin_sso_header` array into owned pairs.
///
/// # Safety
/// `p` is NULL or points to `len` entries whose strings are NULL or NUL-terminated.
unsafe fn pairs_arg(
    p: *const garmin_sso_header,
    len: usize,
    name: &str,
) -> Result<Vec<(String, String)>, FfiError> {
    // SAFETY: caller contract.
    let items = unsafe { slice_arg(p, len, name) }?;
    let mut out = Vec::with_capacity(items.len());
    for (i, h) in items.iter().enumerate() {
        // SAFETY: caller contract.
        let k = unsafe { str_arg(h.name, &format!("{name}[{i}].name")) }?;
        // SAFETY: caller contract.
        let v = unsafe { str_arg(h.value, &format!("{name}[{i}].value")) }?;
        out.push((k.to_owned(), v.to_owned()));
    }
    Ok(out)
}

/// Sends a Connect API request: `method` (`"GET"`, `"POST"`, …), `path` relative to the Connect API
/// (e.g. `"/userprofile-service/socialProfile"`), query parameters and extra headers as
/// name/value arrays (NULL with a count of 0 for none), and an optional body (NULL with length 0).
/// The Bearer token and the app's headers are added; the token is refreshed ahead of expiry and once
/// after a 401, then the request is retried once.
///
/// Any HTTP status is a successful call: `*out_response` receives the answer; check its status.
///
/// # Safety
/// `session` is NULL or live; strings are NULL or NUL-terminated; arrays are NULL or hold their
/// count of entries; `body` is NULL or holds `body_len` bytes; `out_response` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_request(
    session: *const garmin_sso_session,
    method: *const c_char,
    path: *const c_char,
    query: *const garmin_sso_header,
    query_count: usize,
    headers: *const garmin_sso_header,
    header_count: usize,
    body: *const u8,
    body_len: usize,
    out_response: *mut *mut garmin_sso_api_response,
) -> garmin_sso_status {
    // SAFETY: caller contract (all argument reads below).
    unsafe {
        with_session(session, |_, s| {
            let method_name = str_arg(method, "method")?;
            let method = Method::parse(method_name).ok_or_else(|| {
                FfiError::invalid(format!(
                    "{} is not a supported HTTP method",
                    shown(method_name)
                ))
            })?;
            let path = str_arg(path, "path")?;
            let query = pairs_arg(query, query_count, "query")?;
            let headers = pairs_arg(headers, header_count, "headers")?;
            let body = bytes_arg(body, body_len, "body")?;
            out_arg(out_response, "out_response")?;
            let mut req = ApiRequest::new(method, path);
            req.query = query;
            req.headers = headers;
            if !body.is_empty() {
                req.body = Body::Bytes(body.to_vec());
            }
            let resp = s.request(req)?;
            write_out(
                out_response,
                into_handle(garmin_sso_api_response::from_core(resp)),
            );
            Ok(())
        })
    }
}

/// The HTTP status of an API response.
///
/// # Safety
/// `response` is NULL or live; `out_status` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_api_response_status(
    response: *const garmin_sso_api_response,
    out_status: *mut u16,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { handle(response, "response") }?;
        out_arg(out_status, "out_status")?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_status, r.status) };
        Ok(())
    })
}

/// The body of an API response: `*out_data` points into the response (valid until it is freed; NULL
/// for an empty body) and `*out_len` is its length.
///
/// # Safety
/// `response` is NULL or live; out pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_api_response_body(
    response: *const garmin_sso_api_response,
    out_data: *mut *const u8,
    out_len: *mut usize,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { handle(response, "response") }?;
        out_arg(out_data, "out_data")?;
        out_arg(out_len, "out_len")?;
        let p = if r.body.is_empty() {
            std::ptr::null()
        } else {
            r.body.as_ptr()
        };
        // SAFETY: checked by out_arg.
        unsafe {
            write_out(out_data, p);
            write_out(out_len, r.body.len());
        }
        Ok(())
    })
}

/// The first value of a response header (name compared case-insensitively): `*out_value` points
/// into the response (valid until it is freed), or is NULL when the header is absent.
///
/// # Safety
/// `response` is NULL or live; `name` is NULL or NUL-terminated; `out_value` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_api_response_header(
    response: *const garmin_sso_api_response,
    name: *const c_char,
    out_value: *mut *const c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { handle(response, "response") }?;
        // SAFETY: caller contract.
        let name = unsafe { str_arg(name, "name") }?;
        out_arg(out_value, "out_value")?;
        let v = r
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map_or(std::ptr::null(), |(_, v)| v.as_ptr());
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_value, v) };
        Ok(())
    })
}

/// Frees an API response. NULL is ignored.
///
/// # Safety
/// `response` is NULL or a handle not freed before; no other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_api_response_free(response: *mut garmin_sso_api_response) {
    // SAFETY: caller contract.
    guard_void((), || unsafe { free_handle(response) })
}
