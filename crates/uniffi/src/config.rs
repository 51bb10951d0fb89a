//! The client configuration as a record: every field optional; each one given is handed to the
//! core's `Config` (its constructors, setters and fields), which owns every default and rule.

use crate::error::Result;
use garmin_sso_core::{self as core, Domain, Flow, MobileApp, TokenPreference};
use std::fmt;
use std::time::Duration;

/// Per-host overrides of Garmin's endpoints, applied after `base_url`. Each host is a base URL
/// (http(s), no query, no credentials; Garmin's paths are appended); `consumer_url` is the address
/// of the OAuth consumer JSON itself. Credentials and tokens are only ever sent to these hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct Endpoints {
    /// `https://sso.garmin.com`: sign-in pages and JSON sign-in APIs.
    #[uniffi(default = None)]
    pub sso: Option<String>,
    /// `https://connectapi.garmin.com`: OAuth service and the Connect API.
    #[uniffi(default = None)]
    pub connectapi: Option<String>,
    /// `https://connect.garmin.com`: the web app (service URL of the portal flow).
    #[uniffi(default = None)]
    pub connect: Option<String>,
    /// `https://diauth.garmin.com`: DI OAuth2 tokens.
    #[uniffi(default = None)]
    pub diauth: Option<String>,
    /// `https://services.garmin.com`: IT tokens.
    #[uniffi(default = None)]
    pub services: Option<String>,
    /// Where the public OAuth1 consumer JSON is fetched from.
    #[uniffi(default = None)]
    pub consumer_url: Option<String>,
    /// `https://apis.garmin.com`: the partner APIs that partner tokens call.
    #[uniffi(default = None)]
    pub apis: Option<String>,
    /// The partner consent page (default `https://connect.garmin.com/oauth2Confirm`).
    #[uniffi(default = None)]
    pub partner_authorize: Option<String>,
    /// The partner token endpoint (default
    /// `https://diauth.garmin.com/di-oauth2-service/oauth/token`).
    #[uniffi(default = None)]
    pub partner_token: Option<String>,
}

/// An app registered in Garmin's Connect Developer Program, for `GarminClient.partner_authorization`
/// (OAuth2 with PKCE: the person consents on Garmin's page, the app never sees a password).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct PartnerApp {
    /// The client id the developer portal issued.
    pub client_id: String,
    /// The app's client secret.
    pub client_secret: String,
    /// Where Garmin sends the browser back, exactly as registered.
    pub redirect_uri: String,
    /// Scopes to ask for, space-separated (default: the person chooses on the consent page).
    #[uniffi(default = None)]
    pub scope: Option<String>,
}

impl fmt::Debug for PartnerApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PartnerApp")
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// The OAuth1 consumer the legacy exchange signs with, instead of the public one fetched once.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct Consumer {
    /// `consumer_key`.
    pub consumer_key: String,
    /// `consumer_secret`.
    pub consumer_secret: String,
}

impl fmt::Debug for Consumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Consumer")
            .field("consumer_key", &self.consumer_key)
            .finish_non_exhaustive()
    }
}

/// How to reach Garmin. `GarminConfig()` with no arguments means Garmin's real servers on garmin.com
/// with the core's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct GarminConfig {
    /// `Com` (default) or `Cn`.
    #[uniffi(default = None)]
    pub domain: Option<Domain>,
    /// Every host at this one origin (a simulator), e.g. `http://127.0.0.1:8080`.
    #[uniffi(default = None)]
    pub base_url: Option<String>,
    /// Hosts to override one by one (after `base_url`).
    #[uniffi(default = None)]
    pub endpoints: Option<Endpoints>,
    /// Which token family a sign-in produces (default `Auto`).
    #[uniffi(default = None)]
    pub tokens: Option<TokenPreference>,
    /// Sign-in flows tried in order by `login` (default: mobile as the iOS app, mobile as the
    /// Android app, widget, portal; `Mobile` here presents `mobile_app` only).
    #[uniffi(default = None)]
    pub strategies: Option<Vec<Flow>>,
    /// Which Garmin phone app the mobile and web-view sign-ins present as (default `Android`).
    #[uniffi(default = None)]
    pub mobile_app: Option<MobileApp>,
    /// User-Agent of the SSO pages (browser-like).
    #[uniffi(default = None)]
    pub sso_user_agent: Option<String>,
    /// User-Agent of the OAuth service (legacy exchange).
    #[uniffi(default = None)]
    pub oauth_user_agent: Option<String>,
    /// User-Agent of Connect API calls.
    #[uniffi(default = None)]
    pub api_user_agent: Option<String>,
    /// Timeout of one HTTP exchange in seconds (default 30).
    #[uniffi(default = None)]
    pub timeout_seconds: Option<u64>,
    /// Cap on one response body in bytes (default 16 MiB).
    #[uniffi(default = None)]
    pub max_response_bytes: Option<u64>,
    /// Refresh this many seconds before the access token expires (default 300).
    #[uniffi(default = None)]
    pub refresh_margin_seconds: Option<u64>,
    /// DI client ids to try, in order (default: Garmin's current ones).
    #[uniffi(default = None)]
    pub di_client_ids: Option<Vec<String>>,
    /// OAuth1 consumer for the legacy exchange (default: fetched once from the public location).
    #[uniffi(default = None)]
    pub consumer: Option<Consumer>,
    /// The partner app whose people sign in with `partner_authorization` and whose secret
    /// refreshes partner tokens.
    #[uniffi(default = None)]
    pub partner: Option<PartnerApp>,
}

impl GarminConfig {
    /// The core configuration. The core checks it when the client is built.
    pub(crate) fn to_core(&self) -> Result<core::Config> {
        let mut c = core::Config::new(self.domain.unwrap_or_default());
        if let Some(base) = &self.base_url {
            c.set_base_url(base)?;
        }
        if let Some(e) = &self.endpoints {
            e.apply(&mut c.endpoints)?;
        }
        if let Some(tokens) = self.tokens {
            c.tokens = tokens;
        }
        if let Some(strategies) = &self.strategies {
            c.set_flows(strategies);
        }
        if let Some(app) = self.mobile_app {
            c.set_mobile_app(app);
        }
        set(&mut c.sso_user_agent, &self.sso_user_agent);
        set(&mut c.oauth_user_agent, &self.oauth_user_agent);
        set(&mut c.api_user_agent, &self.api_user_agent);
        if let Some(t) = self.timeout_seconds {
            c.timeout = Duration::from_secs(t);
        }
        set(&mut c.max_response_bytes, &self.max_response_bytes);
        if let Some(m) = self.refresh_margin_seconds {
            c.refresh_margin = Duration::from_secs(m);
        }
        set(&mut c.di_client_ids, &self.di_client_ids);
        if let Some(k) = &self.consumer {
            c.consumer = Some(core::Consumer {
                consumer_key: k.consumer_key.clone(),
                consumer_secret: core::ConsumerSecret::new(k.consumer_secret.as_str()),
            });
        }
        if let Some(p) = &self.partner {
            let app = core::PartnerApp::new(
                &p.client_id,
                core::ClientSecret::new(p.client_secret.as_str()),
                &p.redirect_uri,
            )?;
            c.partner = Some(match &p.scope {
                Some(scope) => app.with_scope(scope),
                None => app,
            });
        }
        Ok(c)
    }
}

fn set<T: Clone>(field: &mut T, value: &Option<T>) {
    if let Some(v) = value {
        *field = v.clone();
    }
}

impl Endpoints {
    fn apply(&self, e: &mut core::Endpoints) -> Result<()> {
        // A host's base URL, by the core's rules for base URLs.
        let base = |s: &str| Ok::<_, core::Error>(core::Endpoints::single_base(s)?.sso);
        for (slot, value) in [
            (&mut e.sso, &self.sso),
            (&mut e.connectapi, &self.connectapi),
            (&mut e.connect, &self.connect),
            (&mut e.diauth, &self.diauth),
            (&mut e.services, &self.services),
            (&mut e.apis, &self.apis),
        ] {
            if let Some(v) = value {
                *slot = base(v)?;
            }
        }
        for (name, slot, value) in [
            ("consumer_url", &mut e.consumer_url, &self.consumer_url),
            (
                "partner_authorize",
                &mut e.partner_authorize,
                &self.partner_authorize,
            ),
            ("partner_token", &mut e.partner_token, &self.partner_token),
        ] {
            if let Some(v) = value {
                // A document, not a base: the core's base-URL rules (http(s), a host, no
                // credentials, no query) decide, and the address is kept as given.
                base(v)?;
                *slot = core::parse_url(v.trim()).map_err(|err| {
                    core::Error::InvalidConfig(format!("{name} is not a valid URL ({err})"))
                })?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_reach_the_core_config() {
        let c = GarminConfig {
            domain: Some(Domain::Cn),
            base_url: Some("http://127.0.0.1:9/prefix".into()),
            endpoints: Some(Endpoints {
                connectapi: Some("http://127.0.0.2:7".into()),
                consumer_url: Some("http://127.0.0.3/c.json".into()),
                ..Endpoints::default()
            }),
            tokens: Some(TokenPreference::Legacy),
            strategies: Some(vec![Flow::Widget]),
            mobile_app: Some(MobileApp::Ios),
            api_user_agent: Some("my-app/1.0".into()),
            timeout_seconds: Some(7),
            ..GarminConfig::default()
        }
        .to_core()
        .expect("valid");
        assert_eq!(c.domain, Domain::Cn);
        assert_eq!(c.endpoints.sso.as_str(), "http://127.0.0.1:9/prefix/");
        assert_eq!(c.endpoints.connectapi.as_str(), "http://127.0.0.2:7/");
        assert_eq!(c.endpoints.consumer_url.as_str(), "http://127.0.0.3/c.json");
        assert_eq!(c.tokens, TokenPreference::Legacy);
        assert_eq!(c.strategies, vec![garmin_sso_core::Strategy::WIDGET]);
        assert_eq!(c.mobile_client.client_id, "GCM_IOS_DARK");
        assert_eq!(
            c.webview_service_url(),
            "https://mobile.integration.garmin.cn/gcm/ios"
        );
        assert_eq!(c.api_user_agent, "my-app/1.0");
        assert_eq!(c.timeout, Duration::from_secs(7));
        assert_eq!(
            c.pacing_wait(Flow::Portal),
            None,
            "the core's base-URL rule applies: no pacing against a simulator"
        );
    }

    #[test]
    fn bad_urls_are_refused_and_secrets_do_not_print() {
        for bad in [
            GarminConfig {
                base_url: Some("ftp://x".into()),
                ..GarminConfig::default()
            },
            GarminConfig {
                endpoints: Some(Endpoints {
                    diauth: Some("http://user:pw@127.0.0.1/".into()),
                    ..Endpoints::default()
                }),
                ..GarminConfig::default()
            },
            GarminConfig {
                endpoints: Some(Endpoints {
                    consumer_url: Some("http://127.0.0.1/c.json?x=1".into()),
                    ..Endpoints::default()
                }),
                ..GarminConfig::default()
            },
        ] {
            let e = bad.to_core().expect_err("refused");
            assert_eq!(e.kind(), core::ErrorKind::InvalidInput, "{e:?}");
        }
        let secret = GarminConfig {
            consumer: Some(Consumer {
                consumer_key: "k".into(),
                consumer_secret: "CONSUMERSECRET".into(),
            }),
            ..GarminConfig::default()
        };
        assert!(!format!("{secret:?}").contains("CONSUMERSECRET"));
    }
}
