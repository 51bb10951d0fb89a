//! The client configuration as a record: every field optional, defaults from the core.

use crate::error::{GarminError, Result, SignInStrategy};
use garmin_sso_core as core;
use std::fmt;
use std::time::Duration;

/// Garmin's two SSO domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum GarminDomain {
    /// `garmin.com`, everywhere but mainland China.
    Com,
    /// `garmin.cn`, accounts in mainland China.
    Cn,
}

/// Which token family a sign-in produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum TokenFamily {
    /// DI OAuth2, falling back to the legacy exchange when DI refuses.
    Auto,
    /// DI OAuth2 only.
    Di,
    /// Legacy OAuth1 → OAuth2 only.
    Legacy,
}

/// Which Garmin Connect app the sign-in presents itself as (and whose service URL a web-view ticket
/// is bound to).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AppPlatform {
    /// Garmin Connect Mobile for Android.
    Android,
    /// Garmin Connect Mobile for iOS.
    Ios,
}

/// How to reach Garmin. `GarminConfig()` with no arguments means Garmin's real servers on garmin.com.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct GarminConfig {
    /// `Com` (default) or `Cn`.
    #[uniffi(default = None)]
    pub domain: Option<GarminDomain>,
    /// Send every request to this one origin instead (a simulator), e.g. `http://127.0.0.1:8080`.
    #[uniffi(default = None)]
    pub base_url: Option<String>,
    /// Which token family a sign-in produces (default `Auto`).
    #[uniffi(default = None)]
    pub token_family: Option<TokenFamily>,
    /// Sign-in strategies tried in order (default mobile, widget, portal).
    #[uniffi(default = None)]
    pub strategies: Option<Vec<SignInStrategy>>,
    /// Which app to present as (default Android).
    #[uniffi(default = None)]
    pub platform: Option<AppPlatform>,
    /// Timeout of one HTTP exchange in seconds (default 30).
    #[uniffi(default = None)]
    pub timeout_seconds: Option<u64>,
    /// Refresh this many seconds before the access token expires (default 300).
    #[uniffi(default = None)]
    pub refresh_margin_seconds: Option<u64>,
    /// DI client ids to try, in order (default: Garmin's current ones).
    #[uniffi(default = None)]
    pub di_client_ids: Option<Vec<String>>,
    /// OAuth1 consumer key for the legacy exchange (default: fetched once from the public location).
    #[uniffi(default = None)]
    pub consumer_key: Option<String>,
    /// OAuth1 consumer secret, with `consumer_key`.
    #[uniffi(default = None)]
    pub consumer_secret: Option<String>,
}

impl fmt::Debug for GarminConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GarminConfig")
            .field("domain", &self.domain)
            .field("base_url", &self.base_url)
            .field("token_family", &self.token_family)
            .field("strategies", &self.strategies)
            .field("platform", &self.platform)
            .field("consumer_key", &self.consumer_key)
            .finish_non_exhaustive()
    }
}

impl GarminConfig {
    /// The core configuration; refuses half-given consumers and zero durations with a message naming
    /// the field.
    pub(crate) fn to_core(&self) -> Result<core::Config> {
        let domain = match self.domain.unwrap_or(GarminDomain::Com) {
            GarminDomain::Com => core::Domain::Com,
            GarminDomain::Cn => core::Domain::Cn,
        };
        let mut c = match &self.base_url {
            Some(base) => core::Config::with_base_url(domain, base)?,
            None => core::Config::new(domain),
        };
        if let Some(f) = self.token_family {
            c.tokens = match f {
                TokenFamily::Auto => core::TokenPreference::Auto,
                TokenFamily::Di => core::TokenPreference::Di,
                TokenFamily::Legacy => core::TokenPreference::OAuth1,
            };
        }
        if let Some(s) = &self.strategies {
            c.strategies = s.iter().map(|&s| s.into()).collect();
        }
        if let Some(p) = self.platform {
            c.mobile_client = match p {
                AppPlatform::Android => core::ClientPreset::android(domain),
                AppPlatform::Ios => core::ClientPreset::ios(domain),
            };
        }
        if let Some(t) = self.timeout_seconds {
            c.timeout = Duration::from_secs(t);
        }
        if let Some(m) = self.refresh_margin_seconds {
            c.refresh_margin = Duration::from_secs(m);
        }
        if let Some(ids) = &self.di_client_ids {
            c.di_client_ids = ids.clone();
        }
        c.consumer = match (&self.consumer_key, &self.consumer_secret) {
            (Some(key), Some(secret)) => Some(core::Consumer {
                consumer_key: key.clone(),
                consumer_secret: core::Secret::new(secret.as_str()),
            }),
            (None, None) => None,
            _ => {
                return Err(GarminError::InvalidConfig {
                    message: "consumer_key and consumer_secret must be given together".into(),
                })
            }
        };
        c.validate()?;
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty() -> GarminConfig {
        GarminConfig {
            domain: None,
            base_url: None,
            token_family: None,
            strategies: None,
            platform: None,
            timeout_seconds: None,
            refresh_margin_seconds: None,
            di_client_ids: None,
            consumer_key: None,
            consumer_secret: None,
        }
    }

    #[test]
    fn fields_reach_the_core_config() {
        let c = GarminConfig {
            domain: Some(GarminDomain::Cn),
            base_url: Some("http://127.0.0.1:9/prefix".into()),
            token_family: Some(TokenFamily::Legacy),
            strategies: Some(vec![SignInStrategy::Widget]),
            platform: Some(AppPlatform::Ios),
            timeout_seconds: Some(7),
            ..empty()
        }
        .to_core()
        .expect("valid");
        assert_eq!(c.domain, core::Domain::Cn);
        assert_eq!(c.endpoints.sso.as_str(), "http://127.0.0.1:9/prefix/");
        assert_eq!(c.tokens, core::TokenPreference::OAuth1);
        assert_eq!(c.strategies, vec![core::Strategy::Widget]);
        assert_eq!(c.mobile_client.client_id, "GCM_IOS_DARK");
        assert_eq!(c.timeout, Duration::from_secs(7));
    }

    #[test]
    fn bad_values_are_refused_with_a_reason() {
        let e = GarminConfig {
            timeout_seconds: Some(0),
            ..empty()
        }
        .to_core()
        .expect_err("zero timeout");
        assert!(
            matches!(&e, GarminError::InvalidConfig { message } if message.contains("timeout")),
            "{e:?}"
        );
        let e = GarminConfig {
            consumer_key: Some("k".into()),
            ..empty()
        }
        .to_core()
        .expect_err("half consumer");
        assert!(
            matches!(&e, GarminError::InvalidConfig { message } if message.contains("together")),
            "{e:?}"
        );
        let e = GarminConfig {
            base_url: Some("ftp://x".into()),
            ..empty()
        }
        .to_core()
        .expect_err("bad url");
        assert!(matches!(e, GarminError::InvalidConfig { .. }), "{e:?}");
        let secret = GarminConfig {
            consumer_key: Some("k".into()),
            consumer_secret: Some("CONSUMERSECRET".into()),
            ..empty()
        };
        assert!(!format!("{secret:?}").contains("CONSUMERSECRET"));
    }
}
