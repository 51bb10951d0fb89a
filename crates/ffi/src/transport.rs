//! The host-app transport: the library hands each HTTP request to a C callback, which performs it
//! with the app's own stack (QNetworkAccessManager, libcurl, OkHttp, URLSession) and fills in the
//! response through setter functions.

use crate::error::FfiError;
use crate::panic::guard;
use crate::ptr::{bytes_arg, str_arg};
use crate::status::garmin_sso_status;
use garmin_sso_core::{
    ErrorKind, Request, Response, Transport, TransportError, TransportErrorKind,
};
use std::ffi::{c_char, c_void, CString};

/// A header (or query parameter): a name and a value, both NUL-terminated UTF-8.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct garmin_sso_header {
    /// The name.
    pub name: *const c_char,
    /// The value.
    pub value: *const c_char,
}

/// One HTTP request for the host transport. Every pointer is valid only during the callback.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug)]
pub struct garmin_sso_transport_request {
    /// `"GET"`, `"POST"`, `"PUT"`, `"DELETE"`, `"PATCH"` or `"HEAD"`.
    pub method: *const c_char,
    /// The absolute URL, query included. It may carry a service ticket: never log it.
    pub url: *const c_char,
    /// Headers to send, in order (names may repeat). Values carry cookies and bearer tokens: never
    /// log them.
    pub headers: *const garmin_sso_header,
    /// Number of entries in `headers`.
    pub header_count: usize,
    /// The body (may carry a password), or NULL when `body_len` is 0.
    pub body: *const u8,
    /// Length of `body` in bytes.
    pub body_len: usize,
    /// How long the whole exchange may take, in milliseconds.
    pub timeout_ms: u64,
    /// Stop reading and fail past this many body bytes.
    pub max_response_bytes: u64,
}

/// What the transport callback returns: 0 when it got an HTTP response (whatever its status), or the
/// class of failure when it did not.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::FromRepr)]
pub enum garmin_sso_transport_result {
    /// An HTTP response was received and set on the response handle.
    Ok = 0,
    /// Name resolution or connecting failed.
    Connect = 1,
    /// The exchange took longer than `timeout_ms`.
    Timeout = 2,
    /// TLS handshake or certificate failure.
    Tls = 3,
    /// Reading or writing the connection failed.
    Io = 4,
    /// Any other failure.
    Other = 5,
}

/// The response the transport callback fills in (opaque; valid only during the callback).
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct garmin_sso_transport_response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    max_body: u64,
    error_message: Option<String>,
}

/// Performs one HTTP exchange for the library.
///
/// Contract: do NOT follow redirects (return the 3xx as received), do NOT store or send cookies of
/// your own, do NOT add authentication: the library handles all of that. Decode any
/// Content-Encoding before handing the body over. Any HTTP status, 4xx and 5xx included, is a
/// successful exchange: set it with `garmin_sso_transport_response_set_status` and return 0.
/// On failure return a `garmin_sso_transport_result` value other than 0 and optionally explain with
/// `garmin_sso_transport_response_set_error_message` (no URL, header or body in that text).
///
/// The callback runs synchronously on whichever thread called into the library, possibly on
/// several threads at once; it must not unwind (no C++ exceptions or longjmp out of it).
#[allow(non_camel_case_types)]
pub type garmin_sso_transport_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        request: *const garmin_sso_transport_request,
        response: *mut garmin_sso_transport_response,
    ) -> u32,
>;

pub(crate) struct CallbackTransport {
    callback: garmin_sso_transport_fn,
    user_data: *mut c_void,
}

// SAFETY: the documented contract of garmin_sso_config_set_transport makes the host guarantee that
// the callback and its user data may be used from any thread, concurrently.
unsafe impl Send for CallbackTransport {}
// SAFETY: as above.
unsafe impl Sync for CallbackTransport {}

impl Clone for CallbackTransport {
    fn clone(&self) -> Self {
        CallbackTransport {
            callback: self.callback,
            user_data: self.user_data,
        }
    }
}

impl std::fmt::Debug for CallbackTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallbackTransport")
    }
}

impl CallbackTransport {
    pub(crate) fn new(callback: garmin_sso_transport_fn, user_data: *mut c_void) -> Self {
        CallbackTransport {
            callback,
            user_data,
        }
    }
}

fn c_text(s: &str, what: &str) -> Result<CString, TransportError> {
    CString::new(s).map_err(|_| {
        TransportError::new(
            TransportErrorKind::Other,
            format!("request {what} contains a NUL byte"),
        )
    })
}

impl Transport for CallbackTransport {
    fn send(&self, request: Request) -> Result<Response, TransportError> {
        let method = c_text(request.method.as_str(), "method")?;
        let url = c_text(&request.url, "URL")?;
        let mut names = Vec::with_capacity(request.headers.len());
        let mut values = Vec::with_capacity(request.headers.len());
        for (k, v) in &request.headers {
            names.push(c_text(k, "header name")?);
            values.push(c_text(v, "header value")?);
        }
        let headers: Vec<garmin_sso_header> = names
            .iter()
            .zip(&values)
            .map(|(n, v)| garmin_sso_header {
                name: n.as_ptr(),
                value: v.as_ptr(),
            })
            .collect();
        let body = request.body.into_bytes().map_err(|e| {
            TransportError::new(
                TransportErrorKind::Io,
                format!("reading the request body: {e}"),
            )
        })?;
        let c_request = garmin_sso_transport_request {
            method: method.as_ptr(),
            url: url.as_ptr(),
            headers: if headers.is_empty() {
                std::ptr::null()
            } else {
                headers.as_ptr()
            },
            header_count: headers.len(),
            body: if body.is_empty() {
                std::ptr::null()
            } else {
                body.as_ptr()
            },
            body_len: body.len(),
            timeout_ms: u64::try_from(request.timeout.as_millis()).unwrap_or(u64::MAX),
            max_response_bytes: request.max_response_bytes,
        };
        let mut response = garmin_sso_transport_response {
            status: 0,
            headers: Vec::new(),
            body: Vec::new(),
            max_body: request.max_response_bytes,
            error_message: None,
        };
        let Some(callback) = self.callback else {
            return Err(TransportError::new(
                TransportErrorKind::Other,
                "no transport callback",
            ));
        };
        // SAFETY: the pointers in c_request point into locals that outlive the call; the callback
        // contract is the host's.
        let rc = unsafe { callback(self.user_data, &c_request, &mut response) };
        use garmin_sso_transport_result as R;
        // A value outside the enum is still a failure.
        let kind = match R::from_repr(rc).unwrap_or(R::Other) {
            R::Ok => {
                if response.status == 0 {
                    return Err(TransportError::new(
                        TransportErrorKind::Other,
                        "the host transport returned 0 without setting a response status",
                    ));
                }
                return Ok(Response {
                    status: response.status,
                    headers: response.headers,
                    body: response.body,
                });
            }
            R::Connect => TransportErrorKind::Connect,
            R::Timeout => TransportErrorKind::Timeout,
            R::Tls => TransportErrorKind::Tls,
            R::Io => TransportErrorKind::Io,
            R::Other => TransportErrorKind::Other,
        };
        let message = response
            .error_message
            .unwrap_or_else(|| format!("the host transport reported failure {rc}"));
        Err(TransportError::new(kind, message))
    }
}

/// Sets the HTTP status of the response (100 to 599).
///
/// # Safety
/// `response` is NULL or the handle passed to the running transport callback.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_transport_response_set_status(
    response: *mut garmin_sso_transport_response,
    status: u16,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { response.as_mut() }.ok_or_else(|| FfiError::null("response"))?;
        if !(100..=599).contains(&status) {
            return Err(FfiError::invalid(format!(
                "HTTP status {status} is outside 100..599"
            )));
        }
        r.status = status;
        Ok(())
    })
}

/// Adds a response header (call once per header line; repeated names such as Set-Cookie are kept
/// apart). Surrounding whitespace of the value is trimmed.
///
/// # Safety
/// `response` is NULL or the handle passed to the running transport callback; `name` and `value`
/// are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_transport_response_add_header(
    response: *mut garmin_sso_transport_response,
    name: *const c_char,
    value: *const c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { response.as_mut() }.ok_or_else(|| FfiError::null("response"))?;
        // SAFETY: caller contract.
        let name = unsafe { str_arg(name, "name") }?.trim();
        // SAFETY: caller contract.
        let value = unsafe { str_arg(value, "value") }?.trim();
        if name.is_empty() || name.contains([':', '\r', '\n', ' ']) {
            return Err(FfiError::invalid("header name must be a non-empty token"));
        }
        r.headers.push((name.to_owned(), value.to_owned()));
        Ok(())
    })
}

/// Appends bytes to the response body (call repeatedly to stream, e.g. from a libcurl write
/// callback). Fails with `GARMIN_SSO_STATUS_UNEXPECTED_RESPONSE` past the request's
/// `max_response_bytes`; the transport should then stop reading.
///
/// # Safety
/// `response` is NULL or the handle passed to the running transport callback; `data` is NULL (only
/// with `len` 0) or points to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_transport_response_append_body(
    response: *mut garmin_sso_transport_response,
    data: *const u8,
    len: usize,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { response.as_mut() }.ok_or_else(|| FfiError::null("response"))?;
        // SAFETY: caller contract.
        let data = unsafe { bytes_arg(data, len, "data") }?;
        if (r.body.len() as u64).saturating_add(data.len() as u64) > r.max_body {
            return Err(FfiError::kind(
                ErrorKind::UnexpectedResponse,
                format!("response body exceeds max_response_bytes ({})", r.max_body),
            ));
        }
        r.body.extend_from_slice(data);
        Ok(())
    })
}

/// Explains a transport failure (used when the callback returns non-zero), in at most 200
/// characters (longer text is cut). Must not contain headers or bodies; URL queries are removed.
///
/// # Safety
/// `response` is NULL or the handle passed to the running transport callback; `message` is NULL or
/// NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_transport_response_set_error_message(
    response: *mut garmin_sso_transport_response,
    message: *const c_char,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let r = unsafe { response.as_mut() }.ok_or_else(|| FfiError::null("response"))?;
        // SAFETY: caller contract.
        let m = unsafe { str_arg(message, "message") }?;
        r.error_message = Some(m.chars().take(200).collect());
        Ok(())
    })
}
