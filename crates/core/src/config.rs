//! Where Garmin is and how to talk to it.

use crate::clock::{Clock, Sleeper, SystemClock, ThreadSleeper};
use crate::error::{Error, Result};
use crate::secret::{ClientSecret, ConsumerSecret};
pub use crate::strategy::MobileApp;
use crate::strategy::{Flow, Strategy};
use crate::urls::parse_url;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Garmin's two SSO domains; an account exists on one of them only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, strum::VariantArray, strum::FromRepr)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[repr(u32)]
pub enum Domain {
    /// `garmin.com`, everywhere but mainland China.
    #[default]
    Com = 0,
    /// `garmin.cn`, accounts in mainland China.
    Cn = 1,
}

impl Domain {
    /// `garmin.com` or `garmin.cn`: the suffix of every Garmin host name, and the value token files
    /// record in [`OAuth1Token::domain`](crate::OAuth1Token::domain).
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Com => "garmin.com",
            Domain::Cn => "garmin.cn",
        }
    }

    /// Parses `garmin.com` or `garmin.cn`; anything else is refused.
    pub fn parse(s: &str) -> Result<Domain> {
        match s.trim().to_ascii_lowercase().as_str() {
            "garmin.com" => Ok(Domain::Com),
            "garmin.cn" => Ok(Domain::Cn),
            _ => Err(Error::InvalidConfig(
                "domain must be garmin.com or garmin.cn".into(),
            )),
        }
    }
}

impl std::str::FromStr for Domain {
    type Err = Error;
    fn from_str(s: &str) -> Result<Domain> {
        Domain::parse(s)
    }
}

impl TryFrom<u32> for Domain {
    type Error = Error;
    fn try_from(v: u32) -> Result<Domain> {
        Domain::from_repr(v)
            .ok_or_else(|| Error::InvalidConfig(format!("{v} is not a domain (0 or 1)")))
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The base URL of every Garmin host the library talks to. Credentials, cookies and tokens are only
/// ever sent to these origins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// `https://sso.{d}`: sign-in pages and JSON sign-in APIs.
    pub sso: Url,
    /// `https://connectapi.{d}`: OAuth service and the Connect API.
    pub connectapi: Url,
    /// `https://connect.{d}`: the web app. The library sends nothing there (the portal flow's
    /// service URL merely names it), but its origin counts as Garmin's.
    pub connect: Url,
    /// `https://diauth.{d}`: DI OAuth2 tokens.
    pub diauth: Url,
    /// `https://services.{d}`: IT tokens.
    pub services: Url,
    /// `https://apis.{d}`: the partner APIs (Health, Activity, Training) that partner tokens
    /// ([`crate::Tokens::Partner`]) call instead of connectapi.
    pub apis: Url,
    /// `https://connect.{d}/oauth2Confirm`: Garmin's page where a person approves a partner app
    /// (docs/partner.md). Only the person's browser goes there.
    pub partner_authorize: Url,
    /// `https://diauth.{d}/di-oauth2-service/oauth/token`: where a partner app exchanges a code and
    /// refreshes its tokens.
    pub partner_token: Url,
    /// Where the public OAuth1 consumer key/secret JSON is fetched from when
    /// [`Config::consumer`] is `None`. Its origin is allowed like the Garmin hosts, although the
    /// public one is garth's S3 bucket, not Garmin's.
    pub consumer_url: Url,
}

/// garth's public copy of the consumer key and secret of Garmin's mobile app: the default
/// [`Endpoints::consumer_url`], fetched by garth and the clients modelled on it too.
pub const PUBLIC_CONSUMER_URL: &str = "https://thegarth.s3.amazonaws.com/oauth_consumer.json";

impl Endpoints {
    /// Garmin's real hosts for `domain`.
    pub fn for_domain(domain: Domain) -> Endpoints {
        let d = domain.as_str();
        let u = |host: &str| parse_base(&format!("https://{host}.{d}")).expect("static URL");
        Endpoints {
            sso: u("sso"),
            connectapi: u("connectapi"),
            connect: u("connect"),
            diauth: u("diauth"),
            services: u("services"),
            apis: u("apis"),
            partner_authorize: parse_url(&format!("https://connect.{d}/oauth2Confirm"))
                .expect("static URL"),
            partner_token: parse_url(&format!("https://diauth.{d}/di-oauth2-service/oauth/token"))
                .expect("static URL"),
            consumer_url: parse_url(PUBLIC_CONSUMER_URL).expect("static URL"),
        }
    }

    /// Every host at one origin, keeping paths (a simulator). The consumer JSON is at
    /// `<base>/oauth_consumer.json`.
    pub fn single_base(base: &str) -> Result<Endpoints> {
        let b = parse_base(base)?;
        let at = |path: &str| {
            crate::urls::join_url(&b, path)
                .map_err(|e| Error::InvalidConfig(format!("base URL: {e}")))
        };
        Ok(Endpoints {
            sso: b.clone(),
            connectapi: b.clone(),
            connect: b.clone(),
            diauth: b.clone(),
            services: b.clone(),
            apis: b.clone(),
            partner_authorize: at("oauth2Confirm")?,
            partner_token: at("di-oauth2-service/oauth/token")?,
            consumer_url: at("oauth_consumer.json")?,
        })
    }

    /// True when `url`'s origin (scheme, host, port) is one of Garmin's configured hosts: the only
    /// places cookies, credentials and tokens may go. The consumer JSON's host is not one of them
    /// (it is garth's S3 bucket, not Garmin): it gets a plain GET and nothing else.
    pub fn allows(&self, url: &Url) -> bool {
        let o = url.origin();
        [
            &self.sso,
            &self.connectapi,
            &self.connect,
            &self.diauth,
            &self.services,
            &self.apis,
            &self.partner_token,
        ]
        .iter()
        .any(|e| e.origin() == o)
    }
}

/// Parses a base URL: absolute http(s), no query, no credentials; a trailing slash is added so that
/// `join` keeps any path prefix.
pub fn parse_base(s: &str) -> Result<Url> {
    // Never quote the URL: it is unbounded input and may carry a password in its userinfo.
    let mut u = parse_url(s.trim())
        .map_err(|e| Error::InvalidConfig(format!("a base URL is not a valid URL ({e})")))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(Error::InvalidConfig(
            "a base URL must be http(s) with a host".into(),
        ));
    }
    if !u.username().is_empty() || u.password().is_some() || u.query().is_some() {
        return Err(Error::InvalidConfig(
            "a base URL must not carry credentials or a query".into(),
        ));
    }
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    Ok(u)
}

/// The OAuth1 consumer of Garmin's mobile app (the legacy exchange signs with it). Serializes in
/// the shape of the consumer JSON, `{"consumer_key": …, "consumer_secret": …}`.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Consumer {
    /// Sent in clear as `oauth_consumer_key` on every legacy OAuth1 request. Must not be empty.
    pub consumer_key: String,
    /// The first half of the HMAC-SHA1 signing key; never sent. Must not be empty.
    pub consumer_secret: ConsumerSecret,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("consumer_key", &self.consumer_key)
            .finish_non_exhaustive()
    }
}

impl TryFrom<u32> for MobileApp {
    type Error = Error;
    fn try_from(v: u32) -> Result<MobileApp> {
        MobileApp::from_repr(v)
            .ok_or_else(|| Error::InvalidConfig(format!("{v} is not a mobile app (0 or 1)")))
    }
}

/// Which Garmin app the JSON and web-view sign-ins present themselves as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPreset {
    /// `clientId` query parameter, e.g. `GCM_ANDROID_DARK`.
    pub client_id: String,
    /// CAS service URL, e.g. `https://mobile.integration.garmin.com/gcm/android`.
    pub service_url: String,
}

impl ClientPreset {
    /// Garmin Connect Mobile for Android: `GCM_ANDROID_DARK`, service
    /// `https://mobile.integration.{d}/gcm/android`. The default mobile preset.
    pub fn android(domain: Domain) -> Self {
        ClientPreset {
            client_id: "GCM_ANDROID_DARK".into(),
            service_url: format!("https://mobile.integration.{}/gcm/android", domain.as_str()),
        }
    }
    /// Garmin Connect Mobile for iOS: `GCM_IOS_DARK`, service
    /// `https://mobile.integration.{d}/gcm/ios`. Garmin rate-limits per client id and account, so
    /// this preset can sign in while the Android one is throttled (docs/protocol.md §0).
    pub fn ios(domain: Domain) -> Self {
        ClientPreset {
            client_id: "GCM_IOS_DARK".into(),
            service_url: format!("https://mobile.integration.{}/gcm/ios", domain.as_str()),
        }
    }

    /// [`ClientPreset::android`] or [`ClientPreset::ios`], for front ends that take a
    /// [`MobileApp`] value.
    pub fn mobile(app: MobileApp, domain: Domain) -> Self {
        match app {
            MobileApp::Android => ClientPreset::android(domain),
            MobileApp::Ios => ClientPreset::ios(domain),
        }
    }
}

/// Which token family a service ticket becomes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    strum::VariantArray,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::Display,
    strum::FromRepr,
)]
#[strum(serialize_all = "snake_case", ascii_case_insensitive)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[repr(u32)]
pub enum TokenPreference {
    /// DI OAuth2; when the DI exchange fails (every DI client id refused, but also a network
    /// error or an odd answer), the legacy OAuth1→OAuth2 exchange with the same ticket.
    #[default]
    Auto = 0,
    /// DI OAuth2 only (docs/protocol.md §5).
    Di = 1,
    /// Legacy OAuth1 → OAuth2 (docs/protocol.md §4). `oauth1` is accepted for this name, which
    /// earlier versions of the CLI and C API used.
    #[strum(serialize = "legacy", serialize = "oauth1")]
    #[cfg_attr(feature = "clap", value(alias = "oauth1"))]
    Legacy = 2,
}

impl TokenPreference {
    /// Every preference, in numeric order.
    pub const ALL: &'static [TokenPreference] = <TokenPreference as strum::VariantArray>::VARIANTS;

    /// The lower-case name every front end uses.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

impl TryFrom<u32> for TokenPreference {
    type Error = Error;
    fn try_from(v: u32) -> Result<TokenPreference> {
        TokenPreference::from_repr(v)
            .ok_or_else(|| Error::InvalidConfig(format!("{v} is not a token preference (0 to 2)")))
    }
}

/// When [`Config::pacing`] waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PacingMode {
    /// Only when the SSO endpoint is one of Garmin's hosts (`*.garmin.com`, `*.garmin.cn`): real
    /// sign-ins wait, sign-ins against a simulator or test server do not.
    #[default]
    Auto,
    /// Always wait, whatever the endpoints (a test of the pacing itself, or a proxy in front of
    /// Garmin under another name).
    Always,
    /// Never wait.
    Never,
}

/// A range a wait is drawn from, uniformly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PauseRange {
    /// The shortest wait.
    pub min: Duration,
    /// The longest wait; not below `min`.
    pub max: Duration,
}

impl PauseRange {
    /// `min..=max` seconds.
    pub const fn secs(min: u64, max: u64) -> PauseRange {
        PauseRange {
            min: Duration::from_secs(min),
            max: Duration::from_secs(max),
        }
    }

    /// The wait at `fraction` (0.0..=1.0) of the way from `min` to `max`.
    fn pick(self, fraction: f64) -> Duration {
        let span = self.max.saturating_sub(self.min);
        self.min + span.mul_f64(fraction.clamp(0.0, 1.0))
    }
}

/// The person-like wait between loading a sign-in page and posting credentials that maintained
/// clients keep since Cloudflare began refusing quick scripted POSTs (docs/protocol.md §0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pacing {
    /// When to wait at all (default [`PacingMode::Auto`]: against Garmin's hosts only).
    pub when: PacingMode,
    /// The wait before the widget's and the mobile flow's credential POST (default 3–8 s).
    pub widget_mobile: PauseRange,
    /// The wait before the portal flow's credential POST (default 10–20 s).
    pub portal: PauseRange,
}

impl Default for Pacing {
    fn default() -> Pacing {
        Pacing {
            when: PacingMode::Auto,
            widget_mobile: PauseRange::secs(3, 8),
            portal: PauseRange::secs(10, 20),
        }
    }
}

/// True for `garmin.com`, `garmin.cn` and their subdomains over https.
fn is_garmin_host(url: &Url) -> bool {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    url.scheme() == "https"
        && ["garmin.com", "garmin.cn"]
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
}

/// A uniform fraction in 0.0..=1.0 from the OS random source (the middle if it fails: pacing is
/// no reason to fail a sign-in).
fn jitter_fraction() -> f64 {
    let mut b = [0u8; 4];
    match getrandom::fill(&mut b) {
        Ok(()) => f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX),
        Err(_) => 0.5,
    }
}

/// The DI client ids Garmin's apps use, newest first: the default [`Config::di_client_ids`].
/// Garmin retires old ids one at a time, so a release may need a new id at the front.
pub const DEFAULT_DI_CLIENT_IDS: [&str; 4] = [
    "GARMIN_CONNECT_MOBILE_ANDROID_DI_2025Q2",
    "GARMIN_CONNECT_MOBILE_ANDROID_DI_2024Q4",
    "GARMIN_CONNECT_MOBILE_ANDROID_DI",
    "GARMIN_CONNECT_MOBILE_IOS_DI",
];

/// The whole configuration of a [`crate::Client`]. Build with [`Config::new`] or
/// [`Config::with_base_url`], then adjust fields (new fields may appear in any release, so the
/// struct cannot be built literally outside this crate).
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// The Garmin the account lives on. [`Config::new`] derives the hosts and presets from it;
    /// assigning it later moves neither (only the DI grant type, [`Config::set_mobile_app`] and
    /// the OAuth1 token domain check follow it), so build a new `Config` instead.
    pub domain: Domain,
    /// Hosts. Overriding them routes every request elsewhere (a simulator); cookies, credentials
    /// and tokens go only to these origins.
    pub endpoints: Endpoints,
    /// Consumer key/secret for the legacy exchange; `None` fetches the public one from
    /// [`Endpoints::consumer_url`] on first need and keeps it for the client's lifetime.
    pub consumer: Option<Consumer>,
    /// User-Agent of the widget and JSON sign-ins (a phone browser's), pages and POSTs alike.
    pub sso_user_agent: String,
    /// User-Agent of the consumer fetch, the legacy OAuth service and Connect API calls with
    /// legacy tokens (Garmin's Android app id).
    pub oauth_user_agent: String,
    /// User-Agent of diauth, the IT token exchange and Connect API calls with DI tokens. When it
    /// reads `GCM-Android-<version>`, that version also goes into `X-Garmin-User-Agent`.
    pub api_user_agent: String,
    /// Time limit of one request and its response, given to the transport; each redirect hop gets
    /// its own. Must not be zero. Default 30 s.
    pub timeout: Duration,
    /// Largest response body accepted; a longer one is [`Error::ResponseTooLarge`]. Must not be
    /// zero. Default 16 MiB.
    pub max_response_bytes: u64,
    /// Sign-in strategies tried in order by [`crate::Client::login`]: (flow, app) pairs, by
    /// default [`Strategy::DEFAULT_CHAIN`] (mobile as iOS, mobile as Android, widget, portal), so a
    /// rate limit on one client id falls through to the next. Must not be empty. A list of
    /// [`Flow`]s can be set with [`Config::set_flows`].
    pub strategies: Vec<Strategy>,
    /// The app the mobile JSON flow and the web-view sign-in present themselves as; their tickets
    /// are bound to its service URL. Switch apps with [`Config::set_mobile_app`].
    pub mobile_client: ClientPreset,
    /// The portal flow's client id (`GarminConnect`) and service URL (`https://connect.{d}/app`).
    pub portal_client: ClientPreset,
    /// The person-like wait between a sign-in page GET and the credential POST (docs/protocol.md
    /// §0): by default 3–8 s for the widget and mobile flows and 10–20 s for the portal flow,
    /// jittered, through [`Config::sleeper`], and only against Garmin's own hosts.
    pub pacing: Pacing,
    /// Which token family tickets become (default [`TokenPreference::Auto`]).
    pub tokens: TokenPreference,
    /// DI client ids to try, in order; the one diauth accepted last is tried first by the same
    /// client. Must not be empty unless `tokens` is [`TokenPreference::Legacy`].
    pub di_client_ids: Vec<String>,
    /// A session refreshes before a call when the access token expires within this margin
    /// (default 300 s), so a call is not sent with a token that dies in flight.
    pub refresh_margin: Duration,
    /// Time source of every expiry check and OAuth1 timestamp; a
    /// [`ManualClock`](crate::ManualClock) lets tests pass an expiry without sleeping.
    pub clock: Arc<dyn Clock>,
    /// How the library waits, e.g. for a token store's lock another process holds.
    pub sleeper: Arc<dyn Sleeper>,
    /// The longest a refresh waits for a token store's lock (default 30 s). A refresh takes a
    /// second or two; a holder that takes longer has hung, and the error says so.
    pub store_lock_timeout: Duration,
    /// The partner app this client signs people in for with OAuth2 + PKCE
    /// ([`crate::Client::partner_authorization`]) and whose secret refreshes partner tokens;
    /// `None` for the password sign-ins only.
    pub partner: Option<PartnerApp>,
}

/// An app registered in Garmin's Connect Developer Program. It never sees the person's password:
/// the person signs in and approves the app on Garmin's page, and the app exchanges the code it
/// gets back with its client secret and a PKCE verifier (docs/partner.md).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PartnerApp {
    /// The client id the developer portal issued.
    pub client_id: String,
    /// The app's client secret; sent only to [`Endpoints::partner_token`].
    pub client_secret: ClientSecret,
    /// Where Garmin sends the browser back with `?code=…&state=…`, exactly as registered. A
    /// loopback `http://127.0.0.1:PORT/…` lets a desktop app catch it itself (RFC 8252).
    pub redirect_uri: String,
    /// Scopes to ask for, space-separated; `None` leaves the choice to the person on Garmin's
    /// consent page.
    pub scope: Option<String>,
}

impl PartnerApp {
    /// Checks what Garmin would refuse later: an empty or odd client id, an empty secret, a
    /// redirect URI that is not an absolute http(s) URL without a fragment.
    pub fn new(
        client_id: &str,
        client_secret: ClientSecret,
        redirect_uri: &str,
    ) -> Result<PartnerApp> {
        let client_id = client_id.trim();
        if client_id.is_empty()
            || client_id.len() > 256
            || !client_id.chars().all(|c| c.is_ascii_graphic())
        {
            return Err(Error::InvalidConfig(
                "a partner client id is 1 to 256 printable ASCII characters".into(),
            ));
        }
        if client_secret.is_empty() {
            return Err(Error::InvalidConfig(
                "the partner client secret is empty".into(),
            ));
        }
        let redirect = parse_url(redirect_uri.trim()).map_err(|e| {
            Error::InvalidConfig(format!("the redirect URI is not a valid URL ({e})"))
        })?;
        if !matches!(redirect.scheme(), "http" | "https")
            || redirect.host_str().is_none()
            || redirect.fragment().is_some()
        {
            return Err(Error::InvalidConfig(
                "the redirect URI must be an absolute http(s) URL without a fragment".into(),
            ));
        }
        Ok(PartnerApp {
            client_id: client_id.to_owned(),
            client_secret,
            redirect_uri: redirect_uri.trim().to_owned(),
            scope: None,
        })
    }

    /// Asks for `scope` (space-separated) instead of leaving the choice to the person.
    pub fn with_scope(mut self, scope: &str) -> PartnerApp {
        let s = scope.trim();
        self.scope = (!s.is_empty()).then(|| s.to_owned());
        self
    }
}

impl Config {
    /// Garmin's real servers on `domain`.
    pub fn new(domain: Domain) -> Config {
        Config {
            domain,
            endpoints: Endpoints::for_domain(domain),
            consumer: None,
            sso_user_agent: "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36".into(),
            oauth_user_agent: "com.garmin.android.apps.connectmobile".into(),
            api_user_agent: "GCM-Android-5.23".into(),
            timeout: Duration::from_secs(30),
            max_response_bytes: 16 << 20,
            strategies: Strategy::DEFAULT_CHAIN.to_vec(),
            mobile_client: ClientPreset::android(domain),
            portal_client: ClientPreset {
                client_id: "GarminConnect".into(),
                service_url: format!("https://connect.{}/app", domain.as_str()),
            },
            pacing: Pacing::default(),
            tokens: TokenPreference::Auto,
            di_client_ids: DEFAULT_DI_CLIENT_IDS.iter().map(|s| s.to_string()).collect(),
            refresh_margin: Duration::from_secs(300),
            clock: Arc::new(SystemClock),
            sleeper: Arc::new(ThreadSleeper),
            store_lock_timeout: Duration::from_secs(30),
            partner: None,
        }
    }

    /// Every host at one origin (a simulator on loopback), keeping Garmin's paths. See
    /// [`Config::set_base_url`].
    pub fn with_base_url(domain: Domain, base: &str) -> Result<Config> {
        let mut c = Config::new(domain);
        c.set_base_url(base)?;
        Ok(c)
    }

    /// Routes every host to one origin, keeping Garmin's paths. Pacing then stays off unless
    /// [`Pacing::when`] is [`PacingMode::Always`]: a simulator has no bot detection worth fooling,
    /// and tests should not wait.
    pub fn set_base_url(&mut self, base: &str) -> Result<()> {
        self.endpoints = Endpoints::single_base(base)?;
        Ok(())
    }

    /// Presents the mobile JSON and web-view sign-ins as `app` (the service URL follows the
    /// domain), and moves the chain's mobile entry for `app` ahead of its other mobile entries,
    /// which stay as fallbacks in other rate-limit buckets.
    pub fn set_mobile_app(&mut self, app: MobileApp) {
        self.mobile_client = ClientPreset::mobile(app, self.domain);
        let mobile_slots: Vec<usize> = (0..self.strategies.len())
            .filter(|&i| self.strategies[i].mobile_app.is_some())
            .collect();
        let mut apps: Vec<Strategy> = mobile_slots.iter().map(|&i| self.strategies[i]).collect();
        // A stable sort: the chosen app first, the others in their configured order.
        apps.sort_by_key(|s| s.mobile_app != Some(app));
        for (slot, s) in mobile_slots.into_iter().zip(apps) {
            self.strategies[slot] = s;
        }
    }

    /// Sets the chain from a list of flows, one entry each; `Flow::Mobile` presents
    /// [`Config::mobile_client`]. The form front ends that take flow lists use.
    pub fn set_flows(&mut self, flows: &[Flow]) {
        self.strategies = flows.iter().copied().map(Strategy::from).collect();
    }

    /// The wait before the credential POST of `flow` (docs/protocol.md §0), jittered within the
    /// flow's range; `None` when pacing is off for these endpoints.
    pub fn pacing_wait(&self, flow: Flow) -> Option<Duration> {
        let on = match self.pacing.when {
            PacingMode::Never => false,
            PacingMode::Always => true,
            PacingMode::Auto => is_garmin_host(&self.endpoints.sso),
        };
        if !on {
            return None;
        }
        let range = match flow {
            Flow::Widget | Flow::Mobile => self.pacing.widget_mobile,
            Flow::Portal => self.pacing.portal,
        };
        let wait = range.pick(jitter_fraction());
        (!wait.is_zero()).then_some(wait)
    }

    /// The service URL a web-view ticket is bound to: the mobile preset's, because
    /// [`crate::Client::browser_sign_in_url`] opens the sign-in page as that app.
    pub fn webview_service_url(&self) -> &str {
        &self.mobile_client.service_url
    }

    /// Refuses values that cannot work: a zero timeout or body cap, no strategy, no DI client id
    /// while DI tokens may be wanted, an empty consumer key or secret. [`crate::Client`] calls it
    /// on construction, so a bad `Config` fails before any request.
    pub fn validate(&self) -> Result<()> {
        if self.timeout.is_zero() {
            return Err(Error::InvalidConfig(
                "timeout must be greater than zero".into(),
            ));
        }
        if self.max_response_bytes == 0 {
            return Err(Error::InvalidConfig(
                "max_response_bytes must be greater than zero".into(),
            ));
        }
        if self.strategies.is_empty() {
            return Err(Error::InvalidConfig(
                "at least one sign-in strategy is needed".into(),
            ));
        }
        if let Some(s) = self
            .strategies
            .iter()
            .find(|s| s.mobile_app.is_some() && s.flow != Flow::Mobile)
        {
            return Err(Error::InvalidConfig(format!(
                "only the mobile flow presents a mobile app ({} names one)",
                s.flow
            )));
        }
        for r in [self.pacing.widget_mobile, self.pacing.portal] {
            if r.min > r.max {
                return Err(Error::InvalidConfig(
                    "a pacing range's minimum exceeds its maximum".into(),
                ));
            }
        }
        if self.di_client_ids.is_empty() && self.tokens != TokenPreference::Legacy {
            return Err(Error::InvalidConfig(
                "DI tokens need at least one DI client id".into(),
            ));
        }
        if let Some(c) = &self.consumer {
            if c.consumer_key.is_empty() || c.consumer_secret.is_empty() {
                return Err(Error::InvalidConfig(
                    "consumer key and secret must not be empty".into(),
                ));
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("domain", &self.domain)
            .field("endpoints", &self.endpoints)
            .field("consumer", &self.consumer)
            .field("timeout", &self.timeout)
            .field("strategies", &self.strategies)
            .field("pacing", &self.pacing)
            .field("tokens", &self.tokens)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn china_uses_garmin_cn_everywhere() {
        let c = Config::new(Domain::parse("garmin.cn").unwrap());
        for u in [
            &c.endpoints.sso,
            &c.endpoints.connectapi,
            &c.endpoints.diauth,
            &c.endpoints.services,
        ] {
            assert!(u.host_str().unwrap().ends_with(".garmin.cn"), "{u}");
        }
        assert_eq!(
            c.mobile_client.service_url,
            "https://mobile.integration.garmin.cn/gcm/android"
        );
        assert_eq!(c.portal_client.service_url, "https://connect.garmin.cn/app");
    }

    #[test]
    fn other_domains_and_bad_base_urls_are_refused() {
        for d in ["garmin.de", "evil.com", "", "garmin.com.evil.com"] {
            assert!(
                matches!(Domain::parse(d), Err(Error::InvalidConfig(_))),
                "{d}"
            );
        }
        assert!(Endpoints::single_base("ftp://127.0.0.1/").is_err());
        assert!(Endpoints::single_base("http://user:pw@127.0.0.1/").is_err());
        assert!(Endpoints::single_base("http://127.0.0.1/?x=1").is_err());
        let e = Endpoints::single_base("http://127.0.0.1:9/prefix").unwrap();
        assert_eq!(
            e.consumer_url.as_str(),
            "http://127.0.0.1:9/prefix/oauth_consumer.json"
        );
    }

    #[test]
    fn only_configured_origins_are_allowed() {
        let e = Endpoints::for_domain(Domain::Com);
        assert!(e.allows(&parse_url("https://sso.garmin.com/sso/signin").unwrap()));
        assert!(
            !e.allows(&parse_url("http://sso.garmin.com/sso/signin").unwrap()),
            "scheme matters"
        );
        assert!(!e.allows(&parse_url("https://sso.garmin.com.evil.com/").unwrap()));
        assert!(
            !e.allows(&parse_url("https://sso.garmin.com:8443/").unwrap()),
            "port matters"
        );
        assert!(
            !e.allows(&e.consumer_url),
            "the consumer JSON's host is not Garmin's: no credentials go there"
        );
    }
}
