//! `garmin_sso_session`: a signed-in session. Connect API requests, FIT upload, refresh, export,
//! logout.

use crate::config::garmin_sso_token_family;
use crate::error::FfiError;
use crate::panic::{guard, guard_void};
use crate::ptr::{
    bytes_arg, free_handle, handle, into_handle, kept_c_string, out_arg, owned_c_string, slice_arg,
    str_arg, write_out,
};
use crate::status::garmin_sso_status;
use crate::strings::bytes_to_c;
use crate::transport::garmin_sso_header;
use garmin_sso_core::session::{ApiRequest, Session, UploadResult};
use garmin_sso_core::{Body, Client, Method, Response, Tokens};
use std::ffi::{c_char, c_void, CString};
use std::path::Path;
use std::sync::{Arc, RwLock};

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
    fn current(&self) -> Result<Session, FfiError> {
        self.session
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .ok_or_else(|| {
                FfiError::new(
                    garmin_sso_status::SignInNeeded,
                    "the session was logged out; sign in again",
                )
            })
    }
}

pub(crate) fn new_session(
    client: &Client,
    tokens: Tokens,
) -> Result<*mut garmin_sso_session, FfiError> {
    let session = Session::new(client.clone(), tokens);
    Ok(into_handle(garmin_sso_session {
        session: RwLock::new(Some(session)),
    }))
}

/// Runs `f` with the session behind a handle.
///
/// # Safety
/// `session` is NULL or a live session handle.
unsafe fn with_session(
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

/// The session's token family: `GARMIN_SSO_TOKEN_FAMILY_DI` or `GARMIN_SSO_TOKEN_FAMILY_OAUTH1`.
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
            let f = match s.tokens() {
                Tokens::Di { .. } => garmin_sso_token_family::Di,
                Tokens::Legacy { .. } => garmin_sso_token_family::Oauth1,
            };
            write_out(out_family, f as u32);
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

/// Told after every successful refresh, with the new tokens as `garmin_sso_session_to_json` would
/// give them (valid only during the call), so the app can store them: DI refresh tokens rotate and
/// the old ones stop working. Runs on the thread that refreshed, before other threads use the new
/// tokens; must not call back into this session and must not unwind.
#[allow(non_camel_case_types)]
pub type garmin_sso_refresh_fn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, tokens_json: *const c_char)>;

struct RefreshSink {
    callback: garmin_sso_refresh_fn,
    user_data: *mut c_void,
}

// SAFETY: garmin_sso_session_set_refresh_callback's contract makes the host guarantee the callback
// and its user data may be used from any thread.
unsafe impl Send for RefreshSink {}
// SAFETY: as above.
unsafe impl Sync for RefreshSink {}

/// Sets the function told after every refresh (replacing the previous one); NULL turns it off.
/// `user_data` must stay valid, and usable from any thread, while the session exists or until
/// replaced.
///
/// # Safety
/// `session` is NULL or live; `callback` is NULL or follows the `garmin_sso_refresh_fn` contract.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_set_refresh_callback(
    session: *const garmin_sso_session,
    callback: garmin_sso_refresh_fn,
    user_data: *mut c_void,
) -> garmin_sso_status {
    let listener: garmin_sso_core::session::RefreshListener = match callback {
        Some(_) => {
            let sink = RefreshSink {
                callback,
                user_data,
            };
            Arc::new(move |tokens: &Tokens| {
                let sink = &sink;
                if let (Some(cb), Ok(json)) = (sink.callback, CString::new(tokens.to_json())) {
                    // SAFETY: the host's callback contract; `json` outlives the call.
                    unsafe { cb(sink.user_data, json.as_ptr()) };
                }
            })
        }
        None => Arc::new(|_: &Tokens| {}),
    };
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            s.set_refresh_listener(listener);
            Ok(())
        })
    }
}

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
                FfiError::invalid(format!("{method_name:?} is not a supported HTTP method"))
            })?;
            let path = str_arg(path, "path")?;
            let query = pairs_arg(query, query_count, "query")?;
            let headers = pairs_arg(headers, header_count, "headers")?;
            let body = bytes_arg(body, body_len, "body")?;
            out_arg(out_response, "out_response")?;
            let req = ApiRequest {
                method,
                path: path.to_owned(),
                query,
                headers,
                body: if body.is_empty() {
                    Body::Empty
                } else {
                    Body::Bytes(body.to_vec())
                },
            };
            let resp = s.request(req)?;
            write_out(
                out_response,
                into_handle(garmin_sso_api_response::from_core(resp)),
            );
            Ok(())
        })
    }
}

/// GETs `path` and returns the JSON answer as a string (`"null"` for an empty body). Non-2xx answers
/// are errors (`GARMIN_SSO_STATUS_HTTP_STATUS`). Free with `garmin_sso_string_free`.
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

/// The outcome of a FIT upload (opaque). Free with `garmin_sso_upload_result_free`. Read-only: safe to
/// read from several threads at once.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct garmin_sso_upload_result {
    upload_id: Option<i64>,
    successes: usize,
    failures: usize,
    json: CString,
}

fn upload_handle(r: UploadResult) -> Result<*mut garmin_sso_upload_result, FfiError> {
    let json = kept_c_string(&r.raw.to_string(), "the upload answer")?;
    Ok(into_handle(garmin_sso_upload_result {
        upload_id: r.upload_id,
        successes: r.successes.len(),
        failures: r.failures.len(),
        json,
    }))
}

/// Uploads an activity file held in memory. `file_name` (e.g. `"ride.fit"`) is sent as the
/// multipart file name; Garmin goes by its extension. A file Garmin already has fails with
/// `GARMIN_SSO_STATUS_DUPLICATE_ACTIVITY`.
///
/// # Safety
/// `session` is NULL or live; `file_name` is NULL or NUL-terminated; `data` is NULL or holds `len`
/// bytes; `out_result` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_upload_fit(
    session: *const garmin_sso_session,
    file_name: *const c_char,
    data: *const u8,
    len: usize,
    out_result: *mut *mut garmin_sso_upload_result,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            let name = str_arg(file_name, "file_name")?;
            let data = bytes_arg(data, len, "data")?;
            out_arg(out_result, "out_result")?;
            let r = s.upload_fit(name, Body::Bytes(data.to_vec()))?;
            write_out(out_result, upload_handle(r)?);
            Ok(())
        })
    }
}

/// Uploads the activity file at `path`, streamed from disk (never held in memory whole); the file
/// name part of the path is sent as the multipart file name.
///
/// # Safety
/// `session` is NULL or live; `path` is NULL or NUL-terminated; `out_result` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_session_upload_fit_path(
    session: *const garmin_sso_session,
    path: *const c_char,
    out_result: *mut *mut garmin_sso_upload_result,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_session(session, |_, s| {
            let path = str_arg(path, "path")?;
            out_arg(out_result, "out_result")?;
            let r = s.upload_fit_path(Path::new(path))?;
            write_out(out_result, upload_handle(r)?);
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

/// The upload id Garmin assigned, or -1 when its answer had none.
///
/// # Safety
/// `result` is NULL or live; `out_upload_id` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_upload_result_upload_id(
    result: *const garmin_sso_upload_result,
    out_upload_id: *mut i64,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { handle(result, "result") }?;
        out_arg(out_upload_id, "out_upload_id")?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_upload_id, r.upload_id.unwrap_or(-1)) };
        Ok(())
    })
}

/// How many activities Garmin imported (`successes`) and refused (`failures`).
///
/// # Safety
/// `result` is NULL or live; out pointers are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_upload_result_counts(
    result: *const garmin_sso_upload_result,
    out_successes: *mut usize,
    out_failures: *mut usize,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { handle(result, "result") }?;
        out_arg(out_successes, "out_successes")?;
        out_arg(out_failures, "out_failures")?;
        // SAFETY: checked by out_arg.
        unsafe {
            write_out(out_successes, r.successes);
            write_out(out_failures, r.failures);
        }
        Ok(())
    })
}

/// Garmin's whole JSON answer: `*out_json` points into the result (valid until it is freed).
///
/// # Safety
/// `result` is NULL or live; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_upload_result_json(
    result: *const garmin_sso_upload_result,
    out_json: *mut *const c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { handle(result, "result") }?;
        out_arg(out_json, "out_json")?;
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_json, r.json.as_ptr()) };
        Ok(())
    })
}

/// Frees an upload result. NULL is ignored.
///
/// # Safety
/// `result` is NULL or a handle not freed before; no other thread uses it during or after the call.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_upload_result_free(result: *mut garmin_sso_upload_result) {
    // SAFETY: caller contract.
    guard_void((), || unsafe { free_handle(result) })
}

pub(crate) fn session_of(s: &garmin_sso_session) -> Result<Session, FfiError> {
    s.current()
}
