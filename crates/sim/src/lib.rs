//! # garmin-sso-sim — a stand-in for Garmin's servers on 127.0.0.1
//!
//! One plain-HTTP origin serves every Garmin host (`sso`, `connectapi`,
//! `diauth`, `services`, the consumer JSON); their paths do not collide.
//! Page shapes, titles, status codes, cookies and JSON shapes follow
//! recorded real traffic (garth 0.4.46 / 0.8.0 cassettes) and
//! `docs/protocol.md`. It behaves like Garmin, not like any particular client.
//!
//! ```
//! use garmin_sso_sim::{Account, Fault, MfaMethod, Simulator, Target, Times};
//!
//! let sim = Simulator::builder()
//!     .account(Account::new("runner@example.com", "hunter22"))
//!     .account(Account::new("mfa@example.com", "pw").with_mfa("123456", MfaMethod::Email))
//!     .start()
//!     .expect("simulator starts");
//! let base = sim.base_url(); // "http://127.0.0.1:PORT" — route every Garmin host here
//! sim.inject(Target::MobileLogin, Fault::RateLimit { retry_after: Some(30) }, Times::Once);
//! // ... run the client against `base` ...
//! assert_eq!(sim.stats().requests("mobile_login"), 0);
//! sim.clock().advance(86_400);
//! ```
//!
//! ## Public API
//! * [`Simulator::builder`] → [`SimulatorBuilder`]: `account`, `consumer`
//!   (default `sim-consumer-key` / `sim-consumer-secret`), `listen` (default
//!   `127.0.0.1:0`), `clock_start` (default real now), `legacy_ttl`, `di_ttl`,
//!   `di_client_ids` (default: all four known ids), `mfa_max_attempts`
//!   (default 5), `oauth_timestamp_window` (default 300 s), `secure_cookies`
//!   (default off), `randomize_markup` (default off), `start`.
//! * [`Simulator`]: `base_url`, `addr`, `clock`, `stats`, `requests`,
//!   `clear_requests`, `uploads`, `inject`, `clear_faults`, `rate_limit`, `clear_rate_limits`,
//!   `expire_access_tokens`, `expire_refresh_tokens`, `shutdown` (also on drop).
//! * [`Account`]: `new(email, password)`, `with_mfa(code, MfaMethod)`,
//!   `code_sent_automatically(bool)`, `locked(bool)`, `child(bool)`,
//!   `display_name(name)`, `china(bool)`, `upload_consent(bool)`.
//! * [`SimClock`] (Clone + Send + Sync): `now`, `now_millis`, `advance`, `set`.
//!   It ticks with real time; `advance`/`set` shift it.
//!
//! ## Routes (names used by [`Stats::requests`])
//! | name | request | fault target |
//! |---|---|---|
//! | `sso_embed` | `GET /sso/embed` | `widget_page` |
//! | `sso_signin_page` | `GET /sso/signin` | `widget_page` |
//! | `sso_signin_post` | `POST /sso/signin` | `widget_login` |
//! | `sso_mfa_page` | `GET /sso/verifyMFA/loginEnterMfaCode` | `widget_page` |
//! | `sso_mfa_post` | `POST /sso/verifyMFA/loginEnterMfaCode` | `widget_login` |
//! | `sso_mfa_code_request` | `POST /sso/verifyMFA/mfaCode` | `widget_login` |
//! | `sso_login` | `GET /sso/login?logintoken=` | `widget_page` |
//! | `mobile_signin_page` | `GET /mobile/sso/{locale}/sign-in` | `mobile_page` |
//! | `mobile_webview_post` | `POST /mobile/sso/{locale}/sign-in` (plain form) | `mobile_login` |
//! | `mobile_login` | `POST /mobile/api/login` | `mobile_login` |
//! | `mobile_mfa_verify` | `POST /mobile/api/mfa/verifyCode` | `mobile_login` |
//! | `portal_signin_page` | `GET /portal/sso/{locale}/sign-in` | `portal_page` |
//! | `portal_embed` | `GET /portal/sso/embed` | `portal_page` |
//! | `portal_login` | `POST /portal/api/login` | `portal_login` |
//! | `portal_mfa_verify` | `POST /portal/api/mfa/verifyCode` | `portal_login` |
//! | `consumer` | `GET /oauth_consumer.json` | `consumer` |
//! | `preauthorized` | `GET /oauth-service/oauth/preauthorized` | `preauthorized` |
//! | `exchange` | `POST /oauth-service/oauth/exchange/user/2.0` | `exchange` |
//! | `di_token` | `POST /di-oauth2-service/oauth/token` | `di_token` |
//! | `it_token` | `POST /api/oauth/token` | `it_token` |
//! | `partner_authorize` | `GET /oauth2Confirm` (consent page) | `partner` |
//! | `partner_consent` | `POST /oauth2Confirm` (sign-in and decision) | `partner` |
//! | `partner_user_id` | `GET /wellness-api/rest/user/id` (partner tokens only) | `api` |
//! | `social_profile` | `GET /userprofile-service/socialProfile` | `api` |
//! | `user_settings` | `GET /userprofile-service/userprofile/user-settings` | `api` |
//! | `upload` | `POST /upload-service/upload[/.fit]` | `api` |
//! | `download` | `GET /download-service/files/activity/{id}` | `api` |
//! | `calendar` | `GET /calendar-service/year/{y}/month/{m0}` | `api` |
//! | `workout` | `GET /workout-service/workout/{id}` | `api` |
//! | `workouts` | `GET /workout-service/workouts` | `api` |
//! | `not_found` | anything else (404 JSON) | `any` only |
//!
//! ## Behaviour a client must know
//! **Cookies.** Cookies are host-only (no `Domain`) and, because the
//! simulator speaks plain HTTP, carry no `Secure` flag unless
//! [`SimulatorBuilder::secure_cookies`] is on. `GET /sso/embed` sets the
//! locale cookie, `__cf_bm`, `__cflb`, `_cfuvid`. `GET /sso/signin` sets
//! `SESSION` and `__VCAP_ID__` (`Path=/sso`). The widget POSTs
//! (`/sso/signin`, `/sso/verifyMFA/loginEnterMfaCode`) **require** `SESSION`
//! *and* the `__cflb` load-balancer cookie from `/sso/embed`; without either,
//! the request "lands on another backend" and is refused like a bad CSRF
//! value (403). The JSON flows' `SESSION` has `Path=/`; their cookie GET is
//! required (a cold login POST gets 429), and the MFA step needs the same
//! `SESSION` cookie.
//!
//! **CSRF.** Each rendered sign-in/MFA page mints a new `_csrf` value for the
//! session, replacing the previous one; a POST must carry the latest one and
//! consumes it. Stale, reused, made-up or missing → HTTP 403 with Spring's
//! "Whitelabel Error Page" (no `<title>`; text `Invalid CSRF Token` or
//! `Could not verify the provided CSRF token because your session was not
//! found.`). Sign-in page input: `<input type="hidden" name="_csrf" value="…" />`;
//! MFA page: `name="_csrf"            value="…"`; `randomize_markup` picks among
//! several attribute orders / quote styles / line breaks.
//!
//! **Widget outcomes.** Wrong password → 401, sign-in page again with
//! `var status = "FAIL";` and `<div id="status" class="error">Invalid sign in.…`.
//! Locked → 200 `<title>Account Locked</title>`. Child → 200
//! `<title>Unable to sign in</title>`. MFA → 302 to
//! `{origin}/sso/verifyMFA/loginEnterMfaCode?{same query}`; that page (title
//! `Enter MFA code for login`) carries `var customerGuid`, `var mfaMethod`
//! (`email`/`sms`/`totp`), `var clientId`, `var codeSentTo`. **"No code was
//! sent" is signalled by `var codeSentTo = "";` with `mfaMethod` `email` or
//! `sms`** (plus a visible `<span id="codeNotSent">`). Then the client must
//! `POST /sso/verifyMFA/mfaCode?clientId=…` with JSON
//! `{customerGuid, mfaMethod, locale}` (200 JSON with
//! `responseStatus.type = "SUCCESSFUL"` and `codeSentTo`); before that, even the
//! right code is rejected. Right code → 302 to
//! `{origin}/sso/login?logintoken=…&service=…&…` → 200 `<title>Success</title>`.
//! Wrong code → 200 MFA page with `<div id="invalidCode" class="error">` and a
//! fresh CSRF; the `mfa_max_attempts`-th wrong code ends the challenge: 401
//! sign-in page saying `Maximum number of logins exceeded`. A POST without
//! a live challenge, or `GET` of the MFA page, redirects (302) to `/sso/signin`.
//! The success page carries the ticket as
//! `var response_url = "https:\/\/sso.garmin.com\/sso\/embed?ticket=ST-…-cas";`
//! (the `service` value as given, JS-escaped), and sets `CASTGC`, `GARMIN-SSO*`.
//!
//! **Tickets.** `ST-<7 digits>-<20 alnum>-cas` (widget) or `…-sso` (JSON
//! flows, web view), one-time, valid 300 s on the sim clock, bound to the
//! service they were issued for. `preauthorized`'s `login-url` and DI's
//! `service_url` must equal it. A ticket presented with the wrong service is
//! consumed anyway.
//!
//! **What Garmin refuses** (each refusal reaches no handler state):
//! * `clientId` must be Garmin's: `GCM_ANDROID_DARK` or `GCM_IOS_DARK` on `/mobile/*`,
//!   `GarminConnect` on `/portal/*`; anything else → 400 (`INVALID_CLIENT` on the JSON APIs, an
//!   error page on the pages).
//! * `service` (and DI's `service_url`) must be Garmin-owned: `https://` on `garmin.com` /
//!   `garmin.cn` or a subdomain, no user info, no port — or the simulator's own origin, which
//!   stands in for `sso.garmin.com` (the widget's `<sso>/sso/embed`). Otherwise 400 and no ticket.
//! * A JSON login POST, or the web-view form POST, without the `SESSION` cookie of the sign-in
//!   page GET is "cold" → Cloudflare's 429 `error code: 1015`, as real Garmin answers.
//! * Rate limits are keyed on (client id, account) ([`Simulator::rate_limit`]): a limited bucket's
//!   credential POSTs get 429 while the account's other client ids (and the widget's
//!   `gauth-widget` bucket) still sign in.
//! * `Connection: upgrade` (libcurl's `Upgrade: h2c` over http) is ignored: the request is
//!   answered over HTTP/1.1 at once (only its `Content-Length` body is read) and the connection
//!   closed.
//! * DI tokens: an account built with [`Account::china`] gets them only for the `.cn` grant type,
//!   and is refused (`400 invalid_grant`, `User doesn't exist in DB`) by a token endpoint
//!   addressed as `diauth.garmin.com`; the addressed host is `X-Forwarded-Host` when present (a
//!   test transport routing Garmin's real host names here), else `Host`.
//! * Uploads of an account built with `upload_consent(false)` get 412 (EU accounts before the
//!   upload consent).
//!
//! **JSON flows** (`/mobile/api/*`, `/portal/api/*`), shapes as recorded by
//! garth 0.8.0: `SUCCESSFUL` (200, `serviceTicketId`), `MFA_REQUIRED` (200,
//! `customerMfaInfo.mfaLastMethodUsed`), `INVALID_USERNAME_PASSWORD` (401),
//! `CAPTCHA_REQUIRED` (200, fault only), `ACCOUNT_LOCKED` (401),
//! `APPLICATION_SECURITY_POLICY_LOGIN_DENIED` (403, child account). MFA verify:
//! right → `SUCCESSFUL`; wrong → 400 `INVALID_MFA_CODE` (challenge still open);
//! the last allowed wrong attempt, or no challenge → 401 `SESSION_EXPIRED`.
//! A challenge begun on `/mobile` may be finished on `/portal` (same
//! `SESSION`). Codes count as sent on these flows.
//! [`Fault::RateLimitInBody`] answers 200 with
//! `{"error":{"status-code":"429","status-message":"Too Many Requests"}}`.
//!
//! **Web view.** `GET /mobile/sso/en_US/sign-in?clientId=…&service=…` serves the
//! app shell with a plain HTML form (`username`, `password`, then `mfa-code`)
//! posting back to the same URL; success answers 302 to
//! `<service>?ticket=ST-…-sso`, so a real web view can be tested end to end.
//!
//! **OAuth1** (`preauthorized`, `exchange`): verified per RFC 5849 with this
//! crate's own verifier; base URI = `http://{Host header}{path}`. Refusals are
//! 401 `text/plain` `oauth_problem=…`: `parameter_absent`,
//! `signature_method_rejected`, `consumer_key_unknown`, `timestamp_refused`
//! (more than `oauth_timestamp_window` seconds off the **sim clock**),
//! `nonce_used` (same consumer+nonce+timestamp), `token_rejected`,
//! `signature_invalid`; a bad ticket, or an exchange of an MFA account's token
//! without its `mfa_token`, → 401 `oauth_problem=permission_denied…`.
//! `preauthorized` answers `text/plain` form-encoded
//! `oauth_token=…&oauth_token_secret=…[&mfa_token=MFA-…-cas&mfa_expiration_timestamp=2024-08-03 23:53:05.000]`
//! (the timestamp's space is not encoded, as recorded). `exchange` answers
//! `{scope, jti, access_token, token_type: "Bearer", refresh_token, expires_in,
//! refresh_token_expires_in}`; every exchange after the first for one OAuth1
//! token counts as a legacy refresh. If the client's clock is not the sim
//! clock, prefer [`Simulator::expire_access_tokens`] over moving the clock.
//!
//! **DI** (`POST /di-oauth2-service/oauth/token`): `Authorization: Basic
//! base64("<client_id>:")` must name the form's `client_id`; ids outside
//! `di_client_ids` → 401 `{"error":"invalid_client"}` (the ticket is not
//! consumed, so the client can try the next id). Grants:
//! `https://connectapi.garmin.com/di-oauth2-service/oauth/grant/service_ticket`
//! (or `.cn`) with `service_ticket`, `service_url`; and `refresh_token` with
//! `refresh_token`. Refresh tokens rotate and are single-use: reuse, expiry,
//! or another client id → 400 `{"error":"invalid_grant"}`. The access token is
//! an HS256 JWT whose payload has `client_id`, `exp`, `iat`, `sub`,
//! `garmin_guid`, `iss`, `scope`, `jti`.
//!
//! **IT** (`POST /api/oauth/token`): `grant_type=connect2_exchange` (query or
//! form), form `client_id` (`GARMIN_CONNECT_MOBILE_ANDROID_2025Q2`,
//! `…_2024Q4`, `GARMIN_CONNECT_MOBILE_ANDROID`, `GARMIN_CONNECT_MOBILE_IOS`) and
//! `connect_access_token=<DI access token>` → `{access_token, token_type,
//! expires_in, scope, refresh_token, customerId}`; `grant_type=refresh_token`
//! rotates like DI. IT tokens are not accepted by the Connect API routes.
//!
//! **Connect API.** `Authorization: Bearer <legacy or DI access token>`;
//! unknown/expired → 401 JSON `{"error":"invalid_token",…}`. Upload: multipart
//! field `file` with a filename (content-length or chunked) → 202 +
//! `detailedImportResult` with one success `{internalId, externalId, messages}`
//! and a `Location` header; the same bytes again from the same account → 409,
//! `failures[0].messages[0] = {"code":202,"content":"Duplicate Activity."}`.
//! Download returns a zip (`application/x-zip-compressed`) holding
//! `{id}_ACTIVITY.fit`. Scheduled workouts: `calendar` (month 0-based) lists
//! one `itemType: "workout"` item dated today (sim clock) whose `workoutId`
//! `workout` returns.
//!
//! ## Faults
//! [`Simulator::inject`]`(Target, Fault, Times)`; all delays that match add
//! up, then the first other matching fault answers. Admin equivalents below.
//!
//! ## Admin API (never faulted, recorded or counted as Garmin traffic)
//! * `POST /__sim/fault?target=<target>&kind=<kind>[&times=N|always][&retry_after=S][&ms=MS][&code=5xx]`
//!   — kinds: `429`, `429_body`, `cloudflare` (403), `500`/`502`/`503`/`5xx`,
//!   `delay` (`ms`), `malformed`, `captcha`. `times` defaults to 1.
//! * `POST /__sim/clear` — clear faults.
//! * `POST /__sim/ratelimit?client_id=<id>&email=<e-mail>` — rate-limit one (client id, account)
//!   bucket ([`Simulator::rate_limit`]); `POST /__sim/ratelimit/clear` lifts them all.
//! * `POST /__sim/revoke?email=<e-mail>` — revoke every token of one account ([`Simulator::revoke`]).
//! * `POST /__sim/clock/advance?secs=N`, `POST /__sim/clock/set?unix=T`, `GET /__sim/clock`.
//! * `POST /__sim/expire?what=access|refresh|all` — expire issued tokens now.
//! * `GET /__sim/stats` — JSON: `requests` (per route), `connections`,
//!   `legacy_exchanges`, `legacy_refreshes`, `di_token_grants`, `di_refreshes`,
//!   `it_token_grants`, `partner_codes`, `partner_token_grants`, `partner_refreshes`, `uploads`, `duplicate_uploads`, `mfa_code_requests`, …
//! * `GET /__sim/requests` (log as JSON), `POST /__sim/requests/clear`, `GET /__sim/routes`.
//!
//! The simulator logs (via `log`) method, path and outcome only — never
//! queries, bodies, cookies, passwords, codes, tickets or tokens.

#![recursion_limit = "256"]

mod account;
mod admin;
mod clock;
mod connect_api;
mod diauth;
mod faults;
mod http;
mod json_login;
mod jwt;
mod multipart;
mod oauth1_verify;
mod oauth_service;
mod pages;
mod partner;
mod random;
mod router;
mod rules;
mod server;
mod state;
mod timefmt;
mod widget;

#[cfg(test)]
mod tests;

use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

pub use account::{Account, MfaMethod};
pub use clock::SimClock;
pub use faults::{Fault, Target, Times};
pub use partner::PartnerClient;
pub use state::{RecordedRequest, Stats, Upload, KNOWN_DI_CLIENT_IDS};

use state::{Config, Shared};

/// Locks a mutex, ignoring poisoning (a panicked handler must not wedge the server).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Configures and starts a [`Simulator`].
#[derive(Clone)]
pub struct SimulatorBuilder {
    cfg: Config,
    listen: String,
    clock_start: Option<i64>,
}

impl fmt::Debug for SimulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorBuilder")
            .field("listen", &self.listen)
            .field("accounts", &self.cfg.accounts)
            .field("consumer_key", &self.cfg.consumer_key)
            .field("di_client_ids", &self.cfg.di_client_ids)
            .field("clock_start", &self.clock_start)
            .finish_non_exhaustive()
    }
}

impl SimulatorBuilder {
    /// Adds an account. Sign-ins match the e-mail case-insensitively and take the first account
    /// added with it, so a duplicate is never reached.
    pub fn account(mut self, a: Account) -> Self {
        self.cfg.accounts.push(a);
        self
    }

    /// The OAuth1 consumer served by `/oauth_consumer.json` and required on
    /// signed requests (default `sim-consumer-key` / `sim-consumer-secret`).
    pub fn consumer(mut self, key: &str, secret: &str) -> Self {
        self.cfg.consumer_key = key.to_string();
        self.cfg.consumer_secret = secret.to_string();
        self
    }

    /// Address to bind (default `127.0.0.1:0`, any free port).
    pub fn listen(mut self, addr: &str) -> Self {
        self.listen = addr.to_string();
        self
    }

    /// What the clock reads at start (default: real now).
    pub fn clock_start(mut self, unix_secs: i64) -> Self {
        self.clock_start = Some(unix_secs);
        self
    }

    /// Lifetimes of legacy OAuth2 tokens from `exchange` (default 93 600 s / 2 591 999 s).
    pub fn legacy_ttl(mut self, access_secs: i64, refresh_secs: i64) -> Self {
        self.cfg.legacy_access_ttl = access_secs;
        self.cfg.legacy_refresh_ttl = refresh_secs;
        self
    }

    /// Lifetimes of DI tokens (default 86 400 s / 2 592 000 s). IT access tokens
    /// get the same access lifetime.
    pub fn di_ttl(mut self, access_secs: i64, refresh_secs: i64) -> Self {
        self.cfg.di_access_ttl = access_secs;
        self.cfg.di_refresh_ttl = refresh_secs;
        self.cfg.it_access_ttl = access_secs;
        self
    }

    /// DI client ids the token endpoint accepts (default: [`KNOWN_DI_CLIENT_IDS`]).
    /// Registers a partner app for OAuth2 + PKCE (docs/partner.md): its consent page, code
    /// exchange and refresh at the diauth token endpoint. None by default.
    pub fn partner_client(mut self, c: PartnerClient) -> Self {
        self.cfg.partner_clients.push(c);
        self
    }

    pub fn di_client_ids(mut self, ids: &[&str]) -> Self {
        self.cfg.di_client_ids = ids.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Wrong MFA codes allowed before the challenge ends (default 5).
    pub fn mfa_max_attempts(mut self, n: u32) -> Self {
        self.cfg.mfa_max_attempts = n.max(1);
        self
    }

    /// How far an OAuth1 timestamp may be from the sim clock (default 300 s).
    pub fn oauth_timestamp_window(mut self, secs: i64) -> Self {
        self.cfg.oauth_timestamp_window = secs;
        self
    }

    /// Adds `Secure` to every cookie, as on the real HTTPS hosts (default off:
    /// conforming cookie jars do not return `Secure` cookies over plain HTTP).
    pub fn secure_cookies(mut self, yes: bool) -> Self {
        self.cfg.secure_cookies = yes;
        self
    }

    /// Writes each page's `_csrf` input in a randomly chosen realistic form
    /// (attribute order, quotes, line breaks) instead of the recorded one.
    pub fn randomize_markup(mut self, yes: bool) -> Self {
        self.cfg.randomize_markup = yes;
        self
    }

    /// Binds and starts serving. The listener is bound before this returns, so requests can go
    /// out at once; an address that cannot be bound is the `Err`.
    pub fn start(self) -> std::io::Result<Simulator> {
        let clock = SimClock::starting_at(self.clock_start);
        let shared = Arc::new(Shared::new(self.cfg, clock));
        let running = server::start(Arc::clone(&shared), &self.listen)?;
        log::info!("Garmin simulator listening on http://{}", running.addr);
        Ok(Simulator {
            shared,
            running: Some(running),
        })
    }
}

/// A running simulator. Stops (and joins its threads) on drop or [`Simulator::shutdown`].
pub struct Simulator {
    shared: Arc<Shared>,
    running: Option<server::Running>,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.base_url())
            .field("accounts", &self.shared.cfg.accounts.len())
            .finish()
    }
}

impl Simulator {
    /// A builder with the defaults listed in the crate docs.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder {
            cfg: Config::default(),
            listen: "127.0.0.1:0".to_string(),
            clock_start: None,
        }
    }

    /// The address actually bound, with the real port when `listen` asked for port 0.
    pub fn addr(&self) -> SocketAddr {
        self.running
            .as_ref()
            .map(|r| r.addr)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// `http://` plus [`Simulator::addr`]: the one base URL every Garmin host of the client
    /// under test is pointed at.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// The simulator's clock (shared; clones move together).
    pub fn clock(&self) -> SimClock {
        self.shared.clock.clone()
    }

    /// The counters as of now; the copy does not change as more requests arrive.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// Requests received so far (admin API excluded), oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.log).clone()
    }

    /// Forgets the recorded requests (counters are kept).
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Files accepted by the upload route, oldest first; refused duplicates (409) are not here.
    pub fn uploads(&self) -> Vec<Upload> {
        lock(&self.shared.inner).uploads.clone()
    }

    /// Arms a fault for requests on `target`. Armed faults stack: every matching delay applies,
    /// then the earliest armed other fault answers (see the crate docs).
    pub fn inject(&self, target: Target, fault: Fault, times: Times) {
        self.shared.faults.inject(target, fault, times);
    }

    /// Disarms every fault.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Rate-limits one (client id, account) bucket, as Garmin does (docs/protocol.md §0): every
    /// credential POST of `email`'s account presenting `client_id` gets Cloudflare's 429 until
    /// [`Simulator::clear_rate_limits`], while other client ids of the same account still sign
    /// in. Client ids: `GCM_ANDROID_DARK`, `GCM_IOS_DARK` (mobile), `GarminConnect` (portal),
    /// `gauth-widget` (widget). Returns `false` when no account has that e-mail.
    pub fn rate_limit(&self, client_id: &str, email: &str) -> bool {
        let Some(idx) = self.shared.find_account(email) else {
            return false;
        };
        lock(&self.shared.inner)
            .rate_limited
            .insert((client_id.to_string(), idx));
        true
    }

    /// Revokes every token issued to `email`'s account, as Garmin does after a password change:
    /// its API calls get 401 and its refreshes fail. Returns `false` when no account has that e-mail.
    pub fn revoke(&self, email: &str) -> bool {
        let Some(idx) = self.shared.find_account(email) else {
            return false;
        };
        self.shared.revoke_account(idx);
        true
    }

    /// Lifts every rate limit set with [`Simulator::rate_limit`].
    pub fn clear_rate_limits(&self) {
        lock(&self.shared.inner).rate_limited.clear();
    }

    /// Makes every access token issued so far (legacy, DI, IT) expired now,
    /// without moving the clock.
    pub fn expire_access_tokens(&self) {
        self.shared.expire_tokens(true, false);
    }

    /// Makes every refresh token expired and revokes every OAuth1 token, so the
    /// next refresh of any kind fails and a new sign-in is needed.
    pub fn expire_refresh_tokens(&self) {
        self.shared.expire_tokens(false, true);
    }

    /// Stops serving and joins the worker threads.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(mut r) = self.running.take() {
            r.stop();
            log::info!("Garmin simulator on http://{} stopped", r.addr);
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.stop();
    }
}
