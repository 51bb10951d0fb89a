//! Everything the simulator remembers between requests.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::sync::Mutex;

use crate::account::Account;
use crate::clock::SimClock;
use crate::faults::FaultTable;
use crate::lock;
use crate::random;

/// Fixed settings chosen with the builder.
#[derive(Clone)]
pub(crate) struct Config {
    pub accounts: Vec<Account>,
    pub consumer_key: String,
    pub consumer_secret: String,
    pub legacy_access_ttl: i64,
    pub legacy_refresh_ttl: i64,
    pub di_access_ttl: i64,
    pub di_refresh_ttl: i64,
    pub it_access_ttl: i64,
    pub di_client_ids: Vec<String>,
    pub ticket_ttl: i64,
    pub oauth_timestamp_window: i64,
    pub mfa_max_attempts: u32,
    pub secure_cookies: bool,
    pub randomize_markup: bool,
    pub log_capacity: usize,
    pub partner_clients: Vec<crate::partner::PartnerClient>,
    pub partner_access_ttl: i64,
    pub partner_refresh_ttl: i64,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("accounts", &self.accounts)
            .field("consumer_key", &self.consumer_key)
            .field("di_client_ids", &self.di_client_ids)
            .finish_non_exhaustive()
    }
}

/// The four DI client ids Garmin's apps are known to use, newest first.
pub const KNOWN_DI_CLIENT_IDS: [&str; 4] = [
    "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
    "GARMIN_CONNECT_MOBILE_ANDROID_DI_2024Q4",
    "GARMIN_CONNECT_MOBILE_ANDROID_DI",
    "GARMIN_CONNECT_MOBILE_IOS_DI",
];

impl Default for Config {
    fn default() -> Self {
        Config {
            accounts: Vec::new(),
            consumer_key: "sim-consumer-key".into(),
            consumer_secret: "sim-consumer-secret".into(),
            legacy_access_ttl: 93_600,
            legacy_refresh_ttl: 2_591_999,
            di_access_ttl: 86_400,
            di_refresh_ttl: 2_592_000,
            it_access_ttl: 86_400,
            di_client_ids: KNOWN_DI_CLIENT_IDS.iter().map(|s| s.to_string()).collect(),
            ticket_ttl: 300,
            oauth_timestamp_window: 300,
            mfa_max_attempts: 5,
            secure_cookies: false,
            randomize_markup: false,
            log_capacity: 5_000,
            partner_clients: Vec::new(),
            partner_access_ttl: 86_400,
            // Reported: partner refresh tokens last about three months (docs/protocol.md §9).
            partner_refresh_ttl: 90 * 86_400,
        }
    }
}

/// Which sign-in surface started an MFA challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Widget,
    Json,
    WebView,
}

#[derive(Debug, Clone)]
pub(crate) struct MfaChallenge {
    pub account: usize,
    pub service: String,
    pub attempts: u32,
    /// The code has gone out (automatically, or after an explicit request).
    pub code_sent: bool,
    pub flow: Flow,
}

/// A server-side session, found by the `SESSION` cookie.
#[derive(Debug, Clone, Default)]
pub(crate) struct Session {
    /// The one CSRF value this session will accept next.
    pub csrf: Option<String>,
    pub mfa: Option<MfaChallenge>,
}

#[derive(Debug, Clone)]
pub(crate) struct Ticket {
    pub account: usize,
    pub service: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct LoginToken {
    pub session: String,
    pub account: usize,
    pub service: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct OAuth1Grant {
    pub secret: String,
    pub account: usize,
    pub mfa_token: Option<String>,
    pub exchanges: u64,
}

/// Which grant minted a bearer or refresh token: the Connect API refuses `It` bearers, and a
/// refresh token only works for the family that issued it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Legacy,
    Di,
    It,
    Partner,
}

#[derive(Debug, Clone)]
pub(crate) struct Bearer {
    pub account: usize,
    pub expires_at: i64,
    pub family: Family,
}

#[derive(Debug, Clone)]
pub(crate) struct RefreshGrant {
    pub account: usize,
    pub client_id: String,
    pub expires_at: i64,
    pub used: bool,
    pub family: Family,
}

/// One uploaded activity file.
#[derive(Debug, Clone)]
pub struct Upload {
    /// `detailedImportResult.uploadId`.
    pub upload_id: u64,
    /// `successes[0].internalId`; also the id for the download route.
    pub activity_id: u64,
    /// The multipart file name as sent.
    pub file_name: String,
    /// The file's bytes as received.
    pub bytes: Vec<u8>,
    /// E-mail of the uploading account.
    pub account_email: String,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub sessions: HashMap<String, Session>,
    pub tickets: HashMap<String, Ticket>,
    pub login_tokens: HashMap<String, LoginToken>,
    pub oauth1: HashMap<String, OAuth1Grant>,
    /// (consumer key, nonce, timestamp) → time seen, for replay refusal.
    pub nonces: HashMap<(String, String, i64), i64>,
    pub bearers: HashMap<String, Bearer>,
    pub refresh: HashMap<String, RefreshGrant>,
    pub uploads: Vec<Upload>,
    /// (account, SHA-1 of the content) → activity id.
    pub upload_digests: HashMap<(usize, Vec<u8>), u64>,
    pub next_upload_id: u64,
    pub next_activity_id: u64,
    /// (client id, account) buckets whose credential POSTs get 429.
    pub rate_limited: HashSet<(String, usize)>,
    /// Partner authorization requests waiting on the consent page, by request id.
    pub consents: HashMap<String, crate::partner::PendingConsent>,
    /// Partner authorization codes issued.
    pub codes: HashMap<String, crate::partner::Code>,
}

/// The live counters behind [`Stats`], under their own lock so counting never waits for `Inner`.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub per_route: BTreeMap<String, u64>,
    pub remotes: HashSet<SocketAddr>,
    pub requests_total: u64,
    pub legacy_exchanges: u64,
    pub legacy_refreshes: u64,
    pub preauthorized: u64,
    pub di_token_grants: u64,
    pub di_refreshes: u64,
    pub it_token_grants: u64,
    pub partner_codes: u64,
    pub partner_token_grants: u64,
    pub partner_refreshes: u64,
    pub uploads: u64,
    pub duplicate_uploads: u64,
    pub mfa_code_requests: u64,
    pub tickets_issued: u64,
    pub faults_injected: u64,
}

/// A snapshot of the simulator's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests per route name (see the crate docs for the names).
    pub per_route: BTreeMap<String, u64>,
    /// Distinct client sockets seen (= TCP connections), admin API excluded.
    pub connections: u64,
    /// All requests except the admin API.
    pub requests_total: u64,
    /// Successful `exchange/user/2.0` calls.
    pub legacy_exchanges: u64,
    /// Successful exchanges after the first one for the same OAuth1 token.
    pub legacy_refreshes: u64,
    /// Successful `preauthorized` calls.
    pub preauthorized: u64,
    /// DI tokens issued for a service ticket.
    pub di_token_grants: u64,
    /// DI tokens issued for a refresh token.
    pub di_refreshes: u64,
    /// IT tokens issued (exchange or refresh).
    pub it_token_grants: u64,
    /// Partner authorization codes issued (consent given).
    pub partner_codes: u64,
    /// Partner tokens issued for a code.
    pub partner_token_grants: u64,
    /// Partner tokens issued for a refresh token.
    pub partner_refreshes: u64,
    /// Accepted uploads (202).
    pub uploads: u64,
    /// Refused duplicate uploads (409).
    pub duplicate_uploads: u64,
    /// Explicit MFA code requests (`POST /sso/verifyMFA/mfaCode`).
    pub mfa_code_requests: u64,
    /// Service tickets issued by any flow.
    pub tickets_issued: u64,
    /// Requests answered by an injected fault (delays not counted).
    pub faults_injected: u64,
}

impl Stats {
    /// Requests seen on one route (0 when none).
    pub fn requests(&self, route: &str) -> u64 {
        self.per_route.get(route).copied().unwrap_or(0)
    }
}

/// One request as the simulator received it.
///
/// Its `Debug` output leaves out the body and the values of `Authorization`
/// and `Cookie` headers, so printing it leaks no secret.
#[derive(Clone)]
pub struct RecordedRequest {
    /// The route name it was dispatched to (`not_found` when none).
    pub route: String,
    /// Upper-cased on arrival (`GET`, `POST`, …), so compare against upper case.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// The raw query string (without `?`).
    pub query: String,
    /// Headers in arrival order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
    /// The peer address, one per TCP connection, so it shows keep-alive reuse; `None` when the
    /// server could not tell.
    pub remote: Option<SocketAddr>,
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| {
                let hidden = ["authorization", "cookie", "proxy-authorization"]
                    .iter()
                    .any(|h| k.eq_ignore_ascii_case(h));
                (k.as_str(), if hidden { "<redacted>" } else { v.as_str() })
            })
            .collect();
        f.debug_struct("RecordedRequest")
            .field("route", &self.route)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query_len", &self.query.len())
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .field("remote", &self.remote)
            .finish()
    }
}

impl RecordedRequest {
    /// Names of the cookies sent (values left out).
    pub fn cookie_names(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|c| c.split_once('=').map(|(n, _)| n.trim().to_string()))
            .collect()
    }

    /// The body as (lossy) UTF-8 text.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// First header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Shared by every worker thread.
#[derive(Debug)]
pub(crate) struct Shared {
    pub cfg: Config,
    pub clock: SimClock,
    pub inner: Mutex<Inner>,
    pub faults: FaultTable,
    pub counters: Mutex<Counters>,
    pub log: Mutex<Vec<RecordedRequest>>,
    pub jwt_key: Vec<u8>,
}

impl Shared {
    pub fn new(cfg: Config, clock: SimClock) -> Shared {
        Shared {
            cfg,
            clock,
            inner: Mutex::new(Inner {
                next_upload_id: 212_157_427_938,
                next_activity_id: 12_129_115_726,
                ..Inner::default()
            }),
            faults: FaultTable::default(),
            counters: Mutex::new(Counters::default()),
            log: Mutex::new(Vec::new()),
            jwt_key: random::bytes(32),
        }
    }

    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn count(&self, f: impl FnOnce(&mut Counters)) {
        f(&mut lock(&self.counters));
    }

    pub fn find_account(&self, email: &str) -> Option<usize> {
        self.cfg
            .accounts
            .iter()
            .position(|a| a.email.eq_ignore_ascii_case(email.trim()))
    }

    pub fn account(&self, idx: usize) -> &Account {
        &self.cfg.accounts[idx]
    }

    pub fn profile_id(&self, idx: usize) -> u64 {
        2_591_602 + idx as u64
    }

    /// A `Set-Cookie` value; `Secure` only when configured (the simulator
    /// speaks plain HTTP). Domain attributes are never set (host-only cookies).
    pub fn cookie(&self, name: &str, value: &str, attrs: &str) -> String {
        let mut c = format!("{name}={value}");
        if !attrs.is_empty() {
            c.push_str("; ");
            c.push_str(attrs);
        }
        if self.cfg.secure_cookies {
            c.push_str("; Secure");
        }
        c
    }

    /// The Cloudflare cookies set by the first page of each flow.
    pub fn cloudflare_cookies(&self) -> Vec<String> {
        let exp = crate::timefmt::http_date(self.now() + 1800);
        vec![
            self.cookie(
                "__cf_bm",
                &random::alnum(43),
                &format!("path=/; expires={exp}; HttpOnly; SameSite=None"),
            ),
            self.cookie(
                "__cflb",
                &format!("02DiuJLbVZHipNWxN8xjNziif{}", random::alnum(16)),
                &format!("SameSite=None; path=/; expires={exp}; HttpOnly"),
            ),
            self.cookie(
                "_cfuvid",
                &format!(
                    "{}-{}-0.0.1.1-604800000",
                    random::alnum(43),
                    self.clock.now_millis()
                ),
                "path=/; HttpOnly; SameSite=None",
            ),
        ]
    }

    pub fn locale_cookie(&self) -> String {
        self.cookie(
            "org.springframework.web.servlet.i18n.CookieLocaleResolver.LOCALE",
            "en",
            "Path=/",
        )
    }

    /// Creates a session; returns its id and the cookies that carry it.
    pub fn new_session(&self, path: &str) -> (String, Vec<String>) {
        let id = random::uuid();
        lock(&self.inner)
            .sessions
            .insert(id.clone(), Session::default());
        let cookies = vec![
            self.cookie(
                "SESSION",
                &base64_std(id.as_bytes()),
                &format!("Path={path}; HttpOnly; SameSite=Lax"),
            ),
            self.cookie(
                "__VCAP_ID__",
                &random::hex_lower(16),
                &format!("Path={path}; HttpOnly"),
            ),
        ];
        (id, cookies)
    }

    /// The first `SESSION` cookie value that names a live session.
    pub fn session_of(&self, req: &crate::http::Req) -> Option<String> {
        let inner = lock(&self.inner);
        req.cookies("SESSION")
            .into_iter()
            .filter_map(decode_session_cookie)
            .find(|id| inner.sessions.contains_key(id))
    }

    /// Mints a one-time CSRF value for `session`, replacing the previous one.
    pub fn new_csrf(&self, session: &str) -> String {
        let csrf = random::hex_upper(50);
        if let Some(s) = lock(&self.inner).sessions.get_mut(session) {
            s.csrf = Some(csrf.clone());
        }
        csrf
    }

    /// Checks and consumes the CSRF value of `session`.
    pub fn take_csrf(&self, session: &str, presented: Option<&str>) -> bool {
        let mut inner = lock(&self.inner);
        let Some(s) = inner.sessions.get_mut(session) else {
            return false;
        };
        match (s.csrf.as_deref(), presented) {
            (Some(expected), Some(p))
                if crate::oauth1_verify::ct_eq(expected.as_bytes(), p.as_bytes()) =>
            {
                s.csrf = None;
                true
            }
            _ => false,
        }
    }

    /// Issues a one-time service ticket for `service`.
    pub fn issue_ticket(&self, account: usize, service: &str, suffix: &str) -> String {
        let ticket = format!("ST-{}-{}-{}", random::digits(7), random::alnum(20), suffix);
        let expires_at = self.now() + self.cfg.ticket_ttl;
        lock(&self.inner).tickets.insert(
            ticket.clone(),
            Ticket {
                account,
                service: service.to_string(),
                expires_at,
            },
        );
        self.count(|c| c.tickets_issued += 1);
        ticket
    }

    /// Consumes a ticket; `Some(account)` when it was live and issued for `service`.
    /// A ticket presented with the wrong service is consumed too (CAS does so).
    pub fn redeem_ticket(&self, ticket: &str, service: &str) -> Option<usize> {
        let t = lock(&self.inner).tickets.remove(ticket)?;
        if t.expires_at <= self.now() || t.service != service {
            return None;
        }
        Some(t.account)
    }

    /// Registers a bearer access token, live for `ttl` seconds of the sim clock.
    pub fn add_bearer(&self, token: &str, account: usize, ttl: i64, family: Family) {
        let expires_at = self.now() + ttl;
        lock(&self.inner).bearers.insert(
            token.to_string(),
            Bearer {
                account,
                expires_at,
                family,
            },
        );
    }

    pub fn add_refresh(
        &self,
        token: &str,
        account: usize,
        client_id: &str,
        ttl: i64,
        family: Family,
    ) {
        let expires_at = self.now() + ttl;
        lock(&self.inner).refresh.insert(
            token.to_string(),
            RefreshGrant {
                account,
                client_id: client_id.to_string(),
                expires_at,
                used: false,
                family,
            },
        );
    }

    pub fn record(&self, rec: RecordedRequest) {
        let mut log = lock(&self.log);
        if log.len() >= self.cfg.log_capacity {
            let drop_n = log.len() + 1 - self.cfg.log_capacity;
            log.drain(..drop_n);
        }
        log.push(rec);
    }

    pub fn stats(&self) -> Stats {
        let c = lock(&self.counters);
        Stats {
            per_route: c.per_route.clone(),
            connections: c.remotes.len() as u64,
            requests_total: c.requests_total,
            legacy_exchanges: c.legacy_exchanges,
            legacy_refreshes: c.legacy_refreshes,
            preauthorized: c.preauthorized,
            di_token_grants: c.di_token_grants,
            di_refreshes: c.di_refreshes,
            it_token_grants: c.it_token_grants,
            partner_codes: c.partner_codes,
            partner_token_grants: c.partner_token_grants,
            partner_refreshes: c.partner_refreshes,
            uploads: c.uploads,
            duplicate_uploads: c.duplicate_uploads,
            mfa_code_requests: c.mfa_code_requests,
            tickets_issued: c.tickets_issued,
            faults_injected: c.faults_injected,
        }
    }

    /// With `access`, every bearer (legacy, DI, IT) expires now; with `refresh`, every refresh
    /// token expires and every OAuth1 token is revoked.
    /// Revokes every token issued to account `idx` (bearers, refresh grants, OAuth1 tokens), as a
    /// password change or "sign out everywhere" at Garmin would.
    pub fn revoke_account(&self, idx: usize) {
        let mut inner = lock(&self.inner);
        inner.bearers.retain(|_, b| b.account != idx);
        inner.refresh.retain(|_, r| r.account != idx);
        inner.oauth1.retain(|_, g| g.account != idx);
    }

    pub fn expire_tokens(&self, access: bool, refresh: bool) {
        let now = self.now();
        let mut inner = lock(&self.inner);
        if access {
            for b in inner.bearers.values_mut() {
                b.expires_at = b.expires_at.min(now);
            }
        }
        if refresh {
            for r in inner.refresh.values_mut() {
                r.expires_at = r.expires_at.min(now);
            }
            inner.oauth1.clear();
        }
    }
}

pub(crate) fn base64_std(b: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn decode_session_cookie(v: &str) -> Option<String> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD.decode(v).ok()?;
    String::from_utf8(raw).ok()
}
