//! Signed-in sessions: authenticated Connect API calls with either token family, refreshed ahead of
//! expiry and once after a 401 (single flight across threads), FIT upload, profile; and
//! [`resume_or_sign_in`], which turns a token store plus a credentials callback into a session.

mod api;
mod refresh;
mod resume;
mod upload;

pub use api::ApiRequest;
pub use resume::{resume_or_sign_in, CredentialsProvider};
pub use upload::UploadResult;

use crate::answers;
use crate::client::{Client, PartnerAuthorization, PendingMfa};
use crate::error::{Error, Result};
use crate::http::{OutRequest, Page, Reach};
use crate::store::{StoreLock, TokenStore};
use crate::tokens::Tokens;
use crate::transport::{Body, Method, Response};
use refresh::Refresher;
use std::fmt;
use std::fs::File;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use upload::{Multipart, UPLOAD_PATH};
use url::Url;

/// Called after every successful refresh with the new tokens, so the app can persist them (DI
/// refresh tokens rotate: the old one stops working). No other refresh starts, and no thread
/// waiting on this one resumes, until it returns, so saves happen in order; a thread that did not
/// wait may already send API calls with the new access token. It must not call back into the
/// session's refresh (that fails with [`Error::InvalidInput`]).
pub type RefreshListener = Arc<dyn Fn(&Tokens) + Send + Sync>;

/// Who the tokens belong to (`GET /userprofile-service/socialProfile`).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// `displayName`: the id used in many Connect API paths.
    pub display_name: String,
    /// Garmin's numeric profile id, when the answer has one.
    pub profile_id: Option<i64>,
    /// The person's name as entered at Garmin, when set; for display only.
    pub full_name: Option<String>,
    /// Garmin's `userName`, when present; API paths take `display_name` instead.
    pub user_name: Option<String>,
    /// The whole JSON answer.
    pub raw: serde_json::Value,
}

struct Inner {
    client: Client,
    refresher: Refresher,
    listener: RwLock<Option<RefreshListener>>,
    store: RwLock<Option<Arc<dyn TokenStore>>>,
}

/// A signed-in session. Cheap to clone (clones share tokens and refreshes), `Send + Sync`.
#[derive(Clone)]
pub struct Session(Arc<Inner>);

/// Where a request body comes from, first time and after a 401.
enum BodySource<'a> {
    /// Replayable: sent, and cloned again for the retry.
    Replayable(Option<Body>),
    /// Streamed: sent once; no retry.
    Once(Option<Body>),
    /// Rebuilt on demand (a file opened again).
    Rebuild(&'a mut dyn FnMut() -> Result<Body>),
}

impl BodySource<'_> {
    fn from_body(body: Body) -> BodySource<'static> {
        match body.try_clone() {
            Some(_) => BodySource::Replayable(Some(body)),
            None => BodySource::Once(Some(body)),
        }
    }

    fn first(&mut self) -> Result<Body> {
        match self {
            BodySource::Replayable(b) => {
                Ok(b.as_ref().and_then(Body::try_clone).unwrap_or(Body::Empty))
            }
            BodySource::Once(b) => Ok(b.take().unwrap_or(Body::Empty)),
            BodySource::Rebuild(f) => f(),
        }
    }

    fn again(&mut self) -> Result<Option<Body>> {
        match self {
            BodySource::Replayable(b) => Ok(b.take()),
            BodySource::Once(_) => Ok(None),
            BodySource::Rebuild(f) => f().map(Some),
        }
    }
}

impl Session {
    /// A session over `tokens` (from a sign-in or a store).
    pub fn new(client: Client, tokens: Tokens) -> Session {
        Session(Arc::new(Inner {
            client,
            refresher: Refresher::new(tokens),
            listener: RwLock::new(None),
            store: RwLock::new(None),
        }))
    }

    /// The client the session sends through.
    pub fn client(&self) -> &Client {
        &self.0.client
    }

    /// A snapshot of the current tokens.
    pub fn tokens(&self) -> Tokens {
        self.0.refresher.snapshot().0
    }

    /// Replaces the tokens (e.g. after signing in again), without telling the listener.
    pub fn set_tokens(&self, tokens: Tokens) {
        self.0.refresher.replace(tokens);
    }

    /// Sets the function told after every successful refresh (replacing any previous one), or
    /// with `None` stops telling anyone — an app tearing down the object it registered calls that.
    pub fn set_refresh_listener(&self, f: Option<RefreshListener>) {
        *self.0.listener.write().unwrap_or_else(|p| p.into_inner()) = f;
    }

    /// Refreshes through `store` from now on: each refresh takes the store's lock, adopts tokens
    /// another session saved there, or refreshes and saves before releasing it (see
    /// [`TokenStore::try_lock`]). A failed save is logged; the session keeps the new tokens in
    /// memory (the old refresh token is spent).
    pub fn persist_to(&self, store: Arc<dyn TokenStore>) {
        *self.0.store.write().unwrap_or_else(|p| p.into_inner()) = Some(store);
    }

    /// Refreshes now. Joins a refresh already in flight instead of starting a second one.
    ///
    /// Errors: [`Error::SignInNeeded`] when the refresh credential is expired or refused; otherwise
    /// the transport or HTTP error. On failure the session keeps its old tokens.
    pub fn refresh(&self) -> Result<Tokens> {
        let (_, generation) = self.0.refresher.snapshot();
        self.refresh_after(generation).map(|(t, _)| t)
    }

    fn refresh_after(&self, generation: u64) -> Result<(Tokens, u64)> {
        self.0.refresher.refresh_after(
            generation,
            |old| self.refresh_through_store(old),
            |new| self.tell_refreshed(new),
        )
    }

    fn store(&self) -> Option<Arc<dyn TokenStore>> {
        self.0
            .store
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// One refresh, coordinated through the store when the session has one: take the store's lock,
    /// re-read it, adopt tokens another holder saved meanwhile when they are still fresh (no
    /// network), otherwise refresh from the newest tokens and save before the lock is released.
    ///
    /// Only the session that holds the lock spends a refresh token, and it saves the rotated one
    /// before anyone can use it, so sessions in other processes never present a used one. The
    /// window left is a process killed between Garmin's answer and the save's rename: the new
    /// refresh token is then lost, and the old one has been spent.
    fn refresh_through_store(&self, old: &Tokens) -> Result<Tokens> {
        let client = &self.0.client;
        let Some(store) = self.store() else {
            return refresh_tokens(client, old);
        };
        let _lock = self.lock_store(&*store)?;
        let newest = match store.load() {
            Ok(Some(stored)) if stored != *old => {
                log::info!(
                    "the token store holds tokens another session saved; starting from them"
                );
                stored
            }
            Ok(_) => old.clone(),
            Err(e) => {
                log::warn!("cannot re-read the token store before refreshing ({e}); using this session's tokens");
                old.clone()
            }
        };
        if newest != *old && self.fresh(&newest) {
            log::info!("adopted fresh tokens from the store; no refresh needed");
            return Ok(newest);
        }
        let new = refresh_tokens(client, &newest)?;
        if let Err(e) = store.save(&new) {
            // The old refresh token is spent: keeping the new tokens in memory is the only way
            // this session stays signed in.
            log::warn!("refreshed tokens could not be saved: {e}");
        }
        Ok(new)
    }

    /// Waits for the store's lock through the configured sleeper, at most
    /// `config.store_lock_timeout`.
    fn lock_store(&self, store: &dyn TokenStore) -> Result<StoreLock> {
        const POLL: Duration = Duration::from_millis(50);
        let config = self.0.client.config();
        let mut waited = Duration::ZERO;
        loop {
            if let Some(lock) = store.try_lock()? {
                return Ok(lock);
            }
            if waited >= config.store_lock_timeout {
                return Err(Error::Storage(format!(
                    "another process held the token store's lock for over {} s; it may have hung",
                    config.store_lock_timeout.as_secs()
                )));
            }
            config.sleeper.sleep(POLL);
            waited += POLL;
        }
    }

    /// True when `tokens`' access token outlives the refresh margin.
    fn fresh(&self, tokens: &Tokens) -> bool {
        let config = self.0.client.config();
        let margin = i64::try_from(config.refresh_margin.as_secs()).unwrap_or(i64::MAX);
        tokens.expires_at().saturating_sub(margin) > config.clock.now()
    }

    fn tell_refreshed(&self, tokens: &Tokens) {
        let listener = self
            .0
            .listener
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(f) = listener {
            f(tokens);
        }
    }

    /// Tokens good for a request now: refreshed first when they expire within the configured
    /// margin. A refresh that fails while the old access token is still valid leaves it in use.
    fn usable_tokens(&self) -> Result<(Tokens, u64)> {
        let (tokens, generation) = self.0.refresher.snapshot();
        let config = self.0.client.config();
        let now = config.clock.now();
        let margin = i64::try_from(config.refresh_margin.as_secs()).unwrap_or(i64::MAX);
        if tokens.expires_at().saturating_sub(margin) > now {
            return Ok((tokens, generation));
        }
        match self.refresh_after(generation) {
            Ok(fresh) => Ok(fresh),
            Err(e) if tokens.expires_at() > now => {
                log::warn!("refresh ahead of expiry failed ({e}); the current token is still valid, using it");
                Ok((tokens, generation))
            }
            Err(e) => Err(e),
        }
    }

    fn send_once(
        &self,
        method: Method,
        url: &Url,
        extra: &[(String, String)],
        tokens: &Tokens,
        body: Body,
    ) -> Result<Page> {
        let config = self.0.client.config();
        let req = OutRequest {
            method,
            url: url.clone(),
            headers: api::headers(config, tokens, extra)?,
            body,
            reach: Reach::Garmin,
        };
        // No cookie jar: API calls authenticate by the Bearer token alone.
        self.0.client.http().send(req, None)
    }

    /// The request cycle: fresh tokens, send, and on a 401 one refresh and one retry.
    fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        extra: &[(String, String)],
        mut body: BodySource<'_>,
    ) -> Result<Page> {
        let family = self.0.refresher.snapshot().0.family();
        let url = api::url(self.0.client.config(), family, path, query)?;
        let (tokens, generation) = self.usable_tokens()?;
        let page = self.send_once(method, &url, extra, &tokens, body.first()?)?;
        if page.status != 401 {
            return Ok(page);
        }
        log::info!(
            "{method} {} answered 401; refreshing the token once",
            url.path()
        );
        let (fresh, _) = self.refresh_after(generation)?;
        match body.again()? {
            Some(b) => self.send_once(method, &url, extra, &fresh, b),
            None => {
                log::info!(
                    "the request body was streamed and cannot be sent again; returning the 401"
                );
                Ok(page)
            }
        }
    }

    /// Sends a Connect API request with the Bearer token and the app's headers, refreshing ahead of
    /// expiry and once after a 401 (then retrying once, when the body can be sent again). Any HTTP
    /// status is returned as a response.
    pub fn request(&self, req: ApiRequest) -> Result<Response> {
        let ApiRequest {
            method,
            path,
            query,
            headers,
            body,
        } = req;
        self.send(method, &path, &query, &headers, BodySource::from_body(body))
            .map(|p| p.response)
    }

    /// GETs `path` and parses the JSON answer (`null` for an empty body). Non-2xx answers are
    /// errors.
    pub fn get_json(&self, path: &str, query: &[(&str, &str)]) -> Result<serde_json::Value> {
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let page = self.send(
            Method::Get,
            path,
            &query,
            &[],
            BodySource::Replayable(Some(Body::Empty)),
        )?;
        answers::api_success(&page, "connect API")?;
        json_body(&page, "connect API")
    }

    /// GETs `path` and returns the body's bytes (an activity file, say). Non-2xx answers are
    /// errors.
    pub fn download(&self, path: &str) -> Result<Vec<u8>> {
        let extra = [("Accept".to_owned(), "*/*".to_owned())];
        let page = self.send(
            Method::Get,
            path,
            &[],
            &extra,
            BodySource::Replayable(Some(Body::Empty)),
        )?;
        answers::api_success(&page, "download")?;
        Ok(page.response.body)
    }

    /// The signed-in user's social profile.
    pub fn profile(&self) -> Result<Profile> {
        let raw = self.get_json("/userprofile-service/socialProfile", &[])?;
        let display_name = raw
            .get("displayName")
            .and_then(|v| v.as_str())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::unexpected("profile", "answer has no displayName"))?
            .to_owned();
        let text = |k: &str| raw.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        Ok(Profile {
            display_name,
            profile_id: raw.get("profileId").and_then(|v| v.as_i64()),
            full_name: text("fullName"),
            user_name: text("userName"),
            raw,
        })
    }

    /// Uploads an activity file (FIT, GPX, TCX; Garmin goes by the file name's extension).
    ///
    /// A [`Body::Bytes`] is retried after a 401; a [`Body::Reader`] is streamed once. A duplicate
    /// of an activity Garmin already has is [`Error::DuplicateActivity`]; an account that has not
    /// agreed to uploads yet (EU, HTTP 412) is [`Error::UploadConsentRequired`].
    pub fn upload_fit(&self, file_name: &str, data: Body) -> Result<UploadResult> {
        let multipart = Multipart::new(file_name)?;
        let body = match data {
            Body::Empty => return Err(Error::InvalidInput("the activity file is empty".into())),
            Body::Bytes(b) if b.is_empty() => {
                return Err(Error::InvalidInput("the activity file is empty".into()))
            }
            Body::Bytes(b) => BodySource::Replayable(Some(multipart.bytes(&b))),
            Body::Reader { reader, len } => BodySource::Once(Some(multipart.stream(reader, len))),
        };
        self.upload(&multipart, body)
    }

    /// Uploads the file at `path`, streamed from disk (never held in memory whole). After a 401 the
    /// file is opened again for the one retry.
    pub fn upload_fit_path(&self, path: &Path) -> Result<UploadResult> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::InvalidInput(format!("{} has no file name", path.display())))?;
        let multipart = Multipart::new(&name)?;
        let mut open = || -> Result<Body> {
            let file = File::open(path)
                .map_err(|e| Error::InvalidInput(format!("cannot open {}: {e}", path.display())))?;
            let meta = file.metadata().map_err(|e| {
                Error::InvalidInput(format!("cannot inspect {}: {e}", path.display()))
            })?;
            if !meta.is_file() {
                return Err(Error::InvalidInput(format!(
                    "{} is not a regular file",
                    path.display()
                )));
            }
            if meta.len() == 0 {
                return Err(Error::InvalidInput(format!("{} is empty", path.display())));
            }
            Ok(multipart.stream(Box::new(file), Some(meta.len())))
        };
        self.upload(&multipart, BodySource::Rebuild(&mut open))
    }

    fn upload(&self, multipart: &Multipart, body: BodySource<'_>) -> Result<UploadResult> {
        let extra = [("Content-Type".to_owned(), multipart.content_type.clone())];
        let page = self.send(Method::Post, UPLOAD_PATH, &[], &extra, body)?;
        if page.status == 409 {
            return Err(Error::DuplicateActivity {
                response: page.text().into_owned().into(),
            });
        }
        if page.status == 412 {
            return Err(Error::UploadConsentRequired);
        }
        answers::api_success(&page, "upload")?;
        Ok(UploadResult::from_json(json_body(&page, "upload")?))
    }
}

fn json_body(page: &Page, step: &'static str) -> Result<serde_json::Value> {
    if page.response.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Null);
    }
    page.json(step)
}

/// One refresh of either family; a dead refresh credential is [`Error::SignInNeeded`].
fn refresh_tokens(client: &Client, old: &Tokens) -> Result<Tokens> {
    if let Some(at) = old.refresh_expires_at() {
        if at <= client.config().clock.now() {
            return Err(Error::SignInNeeded {
                reason: "the refresh token has expired".into(),
            });
        }
    }
    let t = client.refresh(old).map_err(answers::refresh_failure)?;
    log::info!(
        "refreshed {} tokens; access token valid until {}",
        t.family(),
        t.expires_at()
    );
    Ok(t)
}

impl PartnerAuthorization {
    /// [`PartnerAuthorization::finish`], then a session over the partner tokens on the same
    /// client: what every front end wants.
    pub fn finish_for_session(&self, callback: &str) -> Result<Session> {
        let tokens = self.finish(callback)?;
        Ok(Session::new(self.client().clone(), tokens))
    }
}

impl PendingMfa {
    /// [`PendingMfa::submit`], then a session over the new tokens on the same client: what every
    /// front end wants after the second MFA call.
    pub fn submit_for_session(&self, code: &str) -> Result<Session> {
        let tokens = self.submit(code)?;
        Ok(Session::new(self.client().clone(), tokens))
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (tokens, generation) = self.0.refresher.snapshot();
        f.debug_struct("Session")
            .field("family", &tokens.family())
            .field("expires_at", &tokens.expires_at())
            .field("generation", &generation)
            .finish_non_exhaustive()
    }
}
