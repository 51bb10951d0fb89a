//! `garmin_sso_config`: everything a client is built from. A config is a builder: change it, make
//! clients from it; a client copies it, so changing or freeing the config later never affects
//! existing clients.

use crate::enums::flows_arg;
use crate::error::FfiError;
use crate::panic::{guard, guard_void};
use crate::ptr::{
    enum_arg, free_handle, handle, into_handle, out_arg, slice_arg, str_arg, write_out,
};
use crate::status::garmin_sso_status;
use crate::transport::{garmin_sso_transport_fn, CallbackTransport};
use garmin_sso_core::{
    Config, Consumer, ConsumerSecret, Domain, Endpoints, MobileApp, TokenPreference,
};
use std::ffi::{c_char, c_void};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// One of Garmin's hosts, for `garmin_sso_config_set_endpoint`.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::FromRepr)]
pub enum garmin_sso_endpoint {
    /// `https://sso.{domain}`: sign-in pages and JSON sign-in APIs.
    Sso = 0,
    /// `https://connectapi.{domain}`: OAuth service and the Connect API.
    Connectapi = 1,
    /// `https://connect.{domain}`: the web app.
    Connect = 2,
    /// `https://diauth.{domain}`: DI OAuth2 tokens.
    Diauth = 3,
    /// `https://services.{domain}`: IT tokens.
    Services = 4,
    /// The full URL of the public OAuth consumer JSON.
    ConsumerUrl = 5,
}

/// Which requests a User-Agent applies to, for `garmin_sso_config_set_user_agent`.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::FromRepr)]
pub enum garmin_sso_user_agent {
    /// SSO pages (a browser-like value).
    Sso = 0,
    /// The OAuth service (Garmin's Android app id).
    Oauth = 1,
    /// Connect API calls.
    Api = 2,
}

/// What a config holds: the core configuration plus the host's transport, if any.
pub(crate) struct ConfigState {
    pub config: Config,
    pub transport: Option<CallbackTransport>,
}

/// Client configuration (opaque). Create with `garmin_sso_config_new`, free with
/// `garmin_sso_config_free`.
///
/// Thread safety: every function may be called concurrently on the same config (calls are
/// serialized internally); a client copies the config when it is made.
#[allow(non_camel_case_types)]
pub struct garmin_sso_config {
    state: Mutex<ConfigState>,
}

impl std::fmt::Debug for garmin_sso_config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("garmin_sso_config")
            .field("config", &self.lock().config)
            .finish_non_exhaustive()
    }
}

impl garmin_sso_config {
    pub(crate) fn lock(&self) -> MutexGuard<'_, ConfigState> {
        // Setters leave the state consistent at every step, so a poisoned lock holds usable data.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Runs `f` on a config handle's state.
///
/// # Safety
/// `config` is NULL or a live config handle.
unsafe fn with_config(
    config: *const garmin_sso_config,
    f: impl FnOnce(&mut ConfigState) -> Result<(), FfiError>,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: forwarded contract.
        let c = unsafe { handle(config, "config") }?;
        f(&mut c.lock())
    })
}

/// Creates a configuration for Garmin's real servers on `domain` (`"garmin.com"`, or `"garmin.cn"`
/// for accounts in mainland China). Defaults: the chain mobile as Garmin's iOS app, mobile as its
/// Android app, widget, portal (each app is a separate rate-limit bucket at Garmin); the web view
/// as the Android app; token preference auto; 30 s timeout; the library's own HTTPS transport.
///
/// On success `*out_config` receives a new config; on failure it is left untouched.
///
/// # Safety
/// `domain` is NULL or a NUL-terminated string; `out_config` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_new(
    domain: *const c_char,
    out_config: *mut *mut garmin_sso_config,
) -> garmin_sso_status {
    guard(|| {
        // SAFETY: caller contract.
        let domain = unsafe { str_arg(domain, "domain") }?;
        out_arg(out_config, "out_config")?;
        let config = Config::new(Domain::parse(domain)?);
        let h = garmin_sso_config {
            state: Mutex::new(ConfigState {
                config,
                transport: None,
            }),
        };
        // SAFETY: checked by out_arg.
        unsafe { write_out(out_config, into_handle(h)) };
        Ok(())
    })
}

/// Frees a config. NULL is ignored. Clients made from it stay valid.
///
/// # Safety
/// `config` is NULL or a config handle not freed before; no other thread uses it during the call.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_free(config: *mut garmin_sso_config) {
    // SAFETY: caller contract.
    guard_void((), || unsafe { free_handle(config) })
}

/// Sends every request to one origin (a simulator or a proxy), keeping Garmin's paths; the public
/// consumer JSON is then fetched from `<base_url>/oauth_consumer.json`. The core's rules apply: the
/// portal flow's pause before posting credentials is dropped, and `base_url` must be http(s) with
/// no query or credentials.
///
/// # Safety
/// `config` is NULL or a live config; `base_url` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_base_url(
    config: *const garmin_sso_config,
    base_url: *const c_char,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_config(config, |s| {
            s.config.set_base_url(str_arg(base_url, "base_url")?)?;
            Ok(())
        })
    }
}

/// Overrides one Garmin host (`endpoint` is a `garmin_sso_endpoint` value). Credentials and tokens
/// are only ever sent to the configured endpoints.
///
/// # Safety
/// `config` is NULL or a live config; `url` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_endpoint(
    config: *const garmin_sso_config,
    endpoint: u32,
    url: *const c_char,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_config(config, |s| {
            let url = str_arg(url, "url")?;
            let which = enum_arg(
                endpoint,
                "garmin_sso_endpoint",
                garmin_sso_endpoint::from_repr,
            )?;
            // The core's base-URL rules (http(s), no query or credentials, trailing slash).
            let mut base = Endpoints::single_base(url)?.sso;
            use garmin_sso_endpoint as E;
            if which == E::ConsumerUrl {
                // A document, not a base: keep its path as given.
                let path = base.path().trim_end_matches('/').to_owned();
                base.set_path(&path);
            }
            let e = &mut s.config.endpoints;
            *match which {
                E::Sso => &mut e.sso,
                E::Connectapi => &mut e.connectapi,
                E::Connect => &mut e.connect,
                E::Diauth => &mut e.diauth,
                E::Services => &mut e.services,
                E::ConsumerUrl => &mut e.consumer_url,
            } = base;
            Ok(())
        })
    }
}

/// Sets the OAuth1 consumer key and secret used by the legacy exchange, instead of fetching the
/// public ones. Both must be non-empty.
///
/// # Safety
/// `config` is NULL or a live config; the strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_consumer(
    config: *const garmin_sso_config,
    consumer_key: *const c_char,
    consumer_secret: *const c_char,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_config(config, |s| {
            let key = str_arg(consumer_key, "consumer_key")?;
            let secret = str_arg(consumer_secret, "consumer_secret")?;
            if key.is_empty() || secret.is_empty() {
                return Err(FfiError::invalid(
                    "consumer key and secret must not be empty",
                ));
            }
            s.config.consumer = Some(Consumer {
                consumer_key: key.to_owned(),
                consumer_secret: ConsumerSecret::new(secret),
            });
            Ok(())
        })
    }
}

/// Sets how long one HTTP exchange may take, in milliseconds (greater than zero).
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_timeout_ms(
    config: *const garmin_sso_config,
    timeout_ms: u64,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_config(config, |s| {
            if timeout_ms == 0 {
                return Err(FfiError::invalid("timeout_ms must be greater than zero"));
            }
            s.config.timeout = Duration::from_millis(timeout_ms);
            Ok(())
        })
    }
}

/// Sets the largest response body accepted, in bytes (greater than zero; default 16 MiB).
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_max_response_bytes(
    config: *const garmin_sso_config,
    max_bytes: u64,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_config(config, |s| {
            if max_bytes == 0 {
                return Err(FfiError::invalid("max_bytes must be greater than zero"));
            }
            s.config.max_response_bytes = max_bytes;
            Ok(())
        })
    }
}

/// Sets how long before the access token expires a session refreshes it, in seconds (default 300).
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_refresh_margin_seconds(
    config: *const garmin_sso_config,
    seconds: u64,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_config(config, |s| {
            s.config.refresh_margin = Duration::from_secs(seconds);
            Ok(())
        })
    }
}

/// Sets a User-Agent (`which` is a `garmin_sso_user_agent` value). Must be non-empty.
///
/// # Safety
/// `config` is NULL or a live config; `user_agent` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_user_agent(
    config: *const garmin_sso_config,
    which: u32,
    user_agent: *const c_char,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_config(config, |s| {
            let ua = str_arg(user_agent, "user_agent")?;
            if ua.trim().is_empty() || ua.contains(['\r', '\n']) {
                return Err(FfiError::invalid("user_agent must be one non-empty line"));
            }
            use garmin_sso_user_agent as U;
            *match enum_arg(which, "garmin_sso_user_agent", U::from_repr)? {
                U::Sso => &mut s.config.sso_user_agent,
                U::Oauth => &mut s.config.oauth_user_agent,
                U::Api => &mut s.config.api_user_agent,
            } = ua.to_owned();
            Ok(())
        })
    }
}

/// Sets the flows `garmin_sso_client_login` tries, in order (`garmin_sso_flow` values; at least
/// one). `GARMIN_SSO_FLOW_MOBILE` then presents the configured mobile app only.
///
/// # Safety
/// `config` is NULL or a live config; `flows` is NULL or points to `count` values.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_flows(
    config: *const garmin_sso_config,
    flows: *const u32,
    count: usize,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_config(config, |s| {
            s.config.set_flows(&flows_arg(flows, count)?);
            Ok(())
        })
    }
}

/// Sets which token family service tickets become (a `garmin_sso_token_preference` value).
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_token_preference(
    config: *const garmin_sso_config,
    preference: u32,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_config(config, |s| {
            s.config.tokens = enum_arg(
                preference,
                "garmin_sso_token_preference",
                TokenPreference::from_repr,
            )?;
            Ok(())
        })
    }
}

/// Sets which of Garmin's phone apps the mobile flow and the web-view sign-in present themselves as
/// (a `garmin_sso_mobile_app` value; default Android): its client id, and the service URL web-view
/// tickets are bound to. Garmin rate-limits per app and account, so `GARMIN_SSO_MOBILE_APP_IOS` can
/// get past a limit the Android app met. The chosen app's mobile entry also goes first in the
/// chain, the other app right after it.
///
/// # Safety
/// `config` is NULL or a live config.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_mobile_app(
    config: *const garmin_sso_config,
    app: u32,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_config(config, |s| {
            let app = enum_arg(app, "garmin_sso_mobile_app", MobileApp::from_repr)?;
            s.config.set_mobile_app(app);
            Ok(())
        })
    }
}

/// Sets the DI client ids tried in order by the DI exchange (at least one, none empty).
///
/// # Safety
/// `config` is NULL or a live config; `client_ids` is NULL or points to `count` string pointers.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_di_client_ids(
    config: *const garmin_sso_config,
    client_ids: *const *const c_char,
    count: usize,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_config(config, |s| {
            let ptrs = slice_arg(client_ids, count, "client_ids")?;
            if ptrs.is_empty() {
                return Err(FfiError::invalid("at least one DI client id is needed"));
            }
            let mut ids = Vec::with_capacity(ptrs.len());
            for (i, &p) in ptrs.iter().enumerate() {
                let id = str_arg(p, &format!("client_ids[{i}]"))?;
                if id.trim().is_empty() {
                    return Err(FfiError::invalid(format!("client_ids[{i}] is empty")));
                }
                ids.push(id.to_owned());
            }
            s.config.di_client_ids = ids;
            Ok(())
        })
    }
}

/// Routes every HTTP request of clients made from this config through `callback` (see
/// `garmin_sso_transport_fn`); NULL restores the library's own HTTPS transport. `user_data` is
/// passed to every call and must stay valid, and safe to use from any thread, for as long as a
/// client made from this config exists.
///
/// # Safety
/// `config` is NULL or a live config; `callback` is NULL or a function following the
/// `garmin_sso_transport_fn` contract.
#[no_mangle]
pub unsafe extern "C" fn garmin_sso_config_set_transport(
    config: *const garmin_sso_config,
    callback: garmin_sso_transport_fn,
    user_data: *mut c_void,
) -> garmin_sso_status {
    // SAFETY: caller contract.
    unsafe {
        with_config(config, |s| {
            s.transport = callback
                .is_some()
                .then(|| CallbackTransport::new(callback, user_data));
            Ok(())
        })
    }
}
