//! The exported session: Connect API calls, refresh, upload, profile, and the tokens as one JSON
//! string for the app to store.

use crate::error::{GarminError, Result};
use crate::transport::HttpHeader;
use garmin_sso_core::{self as core, TokenFamily};
use std::fmt;
use std::sync::Arc;

/// Told after every refresh (ahead of expiry, after a 401, or explicit), so the app can store the
/// new tokens. Called on the thread that refreshed; keep it short.
#[uniffi::export(foreign)]
pub trait RefreshListener: Send + Sync {
    /// `tokens_json` is what `Session.tokens_json()` would return now. Contains secrets: store it
    /// like a password. Throwing is logged; the session keeps the new tokens either way.
    fn on_refresh(&self, tokens_json: String) -> Result<(), GarminError>;
}

/// What the app may show about the tokens (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TokenSummary {
    /// `Legacy` (OAuth1 → OAuth2), `Di` (DI OAuth2) or `Partner` (partner OAuth2 with PKCE).
    pub family: TokenFamily,
    /// Unix seconds when the access token expires.
    pub expires_at: i64,
    /// Unix seconds when the refresh credential expires, when known.
    pub refresh_expires_at: Option<i64>,
}

impl TokenSummary {
    fn of(t: &core::Tokens) -> Self {
        TokenSummary {
            family: t.family(),
            expires_at: t.expires_at(),
            refresh_expires_at: t.refresh_expires_at(),
        }
    }
}

/// A Connect API request. `path` is relative to connectapi (e.g. `/userprofile-service/socialProfile`).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct ApiRequest {
    /// `GET` (default), `POST`, `PUT`, `DELETE`, `PATCH` or `HEAD`.
    #[uniffi(default = "GET")]
    pub method: String,
    /// The path, starting with `/`.
    pub path: String,
    /// Query parameters, in order.
    #[uniffi(default)]
    pub query: Vec<HttpHeader>,
    /// Extra headers (Authorization and the app headers are added by the library).
    #[uniffi(default)]
    pub headers: Vec<HttpHeader>,
    /// The body, if any.
    #[uniffi(default = None)]
    pub body: Option<Vec<u8>>,
}

impl fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers)
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .finish_non_exhaustive()
    }
}

/// A Connect API response, any status.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct ApiResponse {
    /// The status code.
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<HttpHeader>,
    /// The body.
    pub body: Vec<u8>,
}

impl fmt::Debug for ApiResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Garmin's answer to a FIT upload.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct UploadResult {
    /// The upload id, when Garmin gave one.
    pub upload_id: Option<i64>,
    /// Activities created (Garmin's `successes` entries as JSON).
    pub successes: Vec<String>,
    /// Activities refused (Garmin's `failures` entries as JSON).
    pub failures: Vec<String>,
    /// Garmin's whole JSON answer.
    pub raw: String,
}

/// The signed-in user's social profile.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Profile {
    /// The display name (used in many Connect API paths).
    pub display_name: String,
    /// The numeric profile id, when given.
    pub profile_id: Option<i64>,
    /// The full name, when set.
    pub full_name: Option<String>,
    /// The user name, when given.
    pub user_name: Option<String>,
    /// Garmin's whole JSON answer.
    pub raw: String,
}

/// A signed-in session. Thread-safe; refreshes itself ahead of expiry and once on a 401.
#[derive(Debug, uniffi::Object)]
pub struct Session {
    session: core::Session,
}

impl Session {
    pub(crate) fn from_core(session: core::Session) -> Arc<Self> {
        Arc::new(Session { session })
    }
}

#[uniffi::export]
impl Session {
    /// The tokens as one versioned JSON string, for the app to store (like a password) and pass to
    /// `GarminClient.restore_session` later.
    pub fn tokens_json(&self) -> String {
        self.session.tokens().to_json()
    }

    /// Token family and expiries, without secrets.
    pub fn token_summary(&self) -> TokenSummary {
        TokenSummary::of(&self.session.tokens())
    }

    /// Sets (or with `None` removes) the listener told after every refresh.
    pub fn set_refresh_listener(&self, listener: Option<Arc<dyn RefreshListener>>) {
        self.session.set_refresh_listener(listener.map(|l| {
            Arc::new(move |t: &core::Tokens| {
                // The app's message is not logged: it may quote the tokens it failed to store.
                if l.on_refresh(t.to_json()).is_err() {
                    log::warn!("the refresh listener failed; the session keeps the new tokens");
                }
            }) as core::RefreshListener
        }));
    }

    /// Refreshes the tokens now and returns their new summary.
    pub fn refresh(&self) -> Result<TokenSummary> {
        Ok(TokenSummary::of(&self.session.refresh()?))
    }

    /// Calls the Connect API.
    pub fn request(&self, request: ApiRequest) -> Result<ApiResponse> {
        let method = core::Method::parse(&request.method).ok_or_else(|| {
            core::Error::InvalidInput(format!(
                "HTTP method {:?} is not one of GET, POST, PUT, DELETE, PATCH, HEAD",
                request.method
            ))
        })?;
        let r = self.session.request(core::ApiRequest {
            method,
            path: request.path,
            query: request
                .query
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect(),
            headers: request
                .headers
                .into_iter()
                .map(|h| (h.name, h.value))
                .collect(),
            body: request
                .body
                .map(core::Body::Bytes)
                .unwrap_or(core::Body::Empty),
        })?;
        Ok(ApiResponse {
            status: r.status,
            headers: r
                .headers
                .into_iter()
                .map(|(name, value)| HttpHeader { name, value })
                .collect(),
            body: r.body,
        })
    }

    /// GETs `path` with `query` and returns the JSON text (an error for non-2xx answers).
    #[uniffi::method(default(query = []))]
    pub fn get_json(&self, path: String, query: Vec<HttpHeader>) -> Result<String> {
        let query: Vec<(&str, &str)> = query
            .iter()
            .map(|q| (q.name.as_str(), q.value.as_str()))
            .collect();
        Ok(self.session.get_json(&path, &query)?.to_string())
    }

    /// GETs `path` and returns the body bytes (an error for non-2xx answers).
    pub fn download(&self, path: String) -> Result<Vec<u8>> {
        Ok(self.session.download(&path)?)
    }

    /// The signed-in user's profile.
    pub fn profile(&self) -> Result<Profile> {
        let p = self.session.profile()?;
        Ok(Profile {
            display_name: p.display_name,
            profile_id: p.profile_id,
            full_name: p.full_name,
            user_name: p.user_name,
            raw: p.raw.to_string(),
        })
    }

    /// Uploads a FIT file held in memory. A repeated file fails with `GarminError.DuplicateActivity`.
    pub fn upload_fit(&self, file_name: String, data: Vec<u8>) -> Result<UploadResult> {
        Ok(upload_result(
            self.session
                .upload_fit(&file_name, core::Body::Bytes(data))?,
        ))
    }

    /// Uploads a FIT file from disk (streamed, not loaded twice).
    pub fn upload_fit_path(&self, path: String) -> Result<UploadResult> {
        Ok(upload_result(
            self.session.upload_fit_path(std::path::Path::new(&path))?,
        ))
    }
}

fn upload_result(r: core::UploadResult) -> UploadResult {
    UploadResult {
        upload_id: r.upload_id,
        successes: r.successes.iter().map(|v| v.to_string()).collect(),
        failures: r.failures.iter().map(|v| v.to_string()).collect(),
        raw: r.raw.to_string(),
    }
}
