//! OAuth 1.0a request signing, RFC 5849 HMAC-SHA1.
//!
//! Building the header is pure: method, URL, form body, credentials, nonce and timestamp in, header
//! out. That makes signatures testable against published vectors; callers signing real requests
//! take the nonce from [`nonce`] (the OS CSPRNG) and the timestamp from the configured
//! [`Clock`](crate::Clock).

use crate::error::{Error, Result};
use crate::secret::Secret;
use base64::Engine;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha1::Sha1;
use url::Url;

/// RFC 3986 §2.3: everything but ALPHA / DIGIT / "-" / "." / "_" / "~" is encoded (RFC 5849 §3.6).
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes per RFC 5849 §3.6 (UTF-8, upper-case hex, unreserved set only).
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// Credentials used to sign one request. Borrowed, so the signer never holds a copy of a secret;
/// `Debug` shows only the consumer key.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// The consumer key (client identifier).
    pub consumer_key: &'a str,
    /// The first half of the HMAC-SHA1 key; never sent.
    pub consumer_secret: &'a str,
    /// `(oauth_token, oauth_token_secret)` when signing for a user; `None` for the
    /// `preauthorized` step, which has no token yet.
    pub token: Option<(&'a str, &'a str)>,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &"[redacted]")
            .field("token", &self.token.map(|_| "[redacted]"))
            .finish()
    }
}

/// The RFC 5849 §3.4.1 signature base string.
///
/// `params` must hold every query, form-body and `oauth_*` parameter (decoded, without
/// `oauth_signature`); they are encoded, sorted by name then value, and joined here.
pub fn signature_base_string(method: &str, url: &Url, params: &[(String, String)]) -> String {
    base_string_for_path(method, url, url.path(), params)
}

/// [`signature_base_string`] with the path as the request sends it: the URL parser resolves dot
/// segments (`/a/./b` → `/a/b`), but a server signs the path it received.
fn base_string_for_path(
    method: &str,
    url: &Url,
    path: &str,
    params: &[(String, String)],
) -> String {
    let mut encoded: Vec<(String, String)> =
        params.iter().map(|(k, v)| (encode(k), encode(v))).collect();
    encoded.sort();
    let normalized = encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        encode(&base_uri(url, path)),
        encode(&normalized)
    )
}

/// RFC 5849 §3.4.1.2: scheme and host lower-case, default port dropped, no query or fragment.
fn base_uri(url: &Url, path: &str) -> String {
    let scheme = url.scheme().to_ascii_lowercase();
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    let path = if path.is_empty() { "/" } else { path };
    match url.port() {
        Some(p) => format!("{scheme}://{host}:{p}{path}"),
        None => format!("{scheme}://{host}{path}"),
    }
}

/// The path of an absolute URL exactly as written: after the authority, before `?` or `#`.
fn raw_path(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    let from_path = after_scheme
        .find(['/', '?', '#'])
        .map_or("", |i| &after_scheme[i..]);
    let end = from_path.find(['?', '#']).unwrap_or(from_path.len());
    &from_path[..end]
}

/// HMAC-SHA1 of the base string, base64.
pub fn sign(base_string: &str, consumer_secret: &str, token_secret: Option<&str>) -> String {
    let key = format!(
        "{}&{}",
        encode(consumer_secret),
        encode(token_secret.unwrap_or(""))
    );
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    mac.update(base_string.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The `Authorization` header value (`OAuth …`) for a request.
///
/// `form_body` is the `application/x-www-form-urlencoded` body when the request has one: its
/// parameters are part of the signature (RFC 5849 §3.4.1.3.1).
pub fn authorization_header(
    method: &str,
    url: &str,
    form_body: Option<&str>,
    creds: &Credentials<'_>,
    nonce: &str,
    timestamp: i64,
) -> Result<Secret> {
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Error::InvalidInput(
            "OAuth1: method must be an HTTP method name".into(),
        ));
    }
    let path = raw_path(url.trim()).to_owned();
    let url = crate::urls::parse_url(url)
        .map_err(|e| Error::InvalidInput(format!("OAuth1: URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::InvalidInput(
            "OAuth1: URL must be http or https".into(),
        ));
    }
    if creds.consumer_key.is_empty() {
        return Err(Error::InvalidInput("OAuth1: consumer key is empty".into()));
    }
    if nonce.is_empty() {
        return Err(Error::InvalidInput("OAuth1: nonce is empty".into()));
    }
    if timestamp < 0 {
        return Err(Error::InvalidInput("OAuth1: timestamp is negative".into()));
    }
    let mut oauth: Vec<(String, String)> = vec![
        ("oauth_consumer_key".into(), creds.consumer_key.into()),
        ("oauth_nonce".into(), nonce.into()),
        ("oauth_signature_method".into(), "HMAC-SHA1".into()),
        ("oauth_timestamp".into(), timestamp.to_string()),
        ("oauth_version".into(), "1.0".into()),
    ];
    if let Some((token, _)) = creds.token {
        oauth.push(("oauth_token".into(), token.into()));
    }
    let mut params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    if let Some(body) = form_body {
        params.extend(form_urlencoded::parse(body.as_bytes()).into_owned());
    }
    params.extend(oauth.iter().cloned());
    let base = base_string_for_path(method, &url, &path, &params);
    let signature = sign(&base, creds.consumer_secret, creds.token.map(|(_, s)| s));
    oauth.push(("oauth_signature".into(), signature));
    let fields = oauth
        .iter()
        .map(|(k, v)| format!("{}=\"{}\"", encode(k), encode(v)))
        .collect::<Vec<_>>();
    Ok(Secret::new(format!("OAuth {}", fields.join(", "))))
}

/// A fresh nonce: 16 bytes from the OS CSPRNG, hex.
pub fn nonce() -> Result<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| Error::InvalidConfig(format!("OS random source failed: {e}")))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_is_signed_as_given_dot_segments_included() {
        assert_eq!(raw_path("https://h.example/a/./b?x=1#f"), "/a/./b");
        assert_eq!(raw_path("https://h.example"), "");
        assert_eq!(raw_path("https://h.example?x=1"), "");
        assert_eq!(raw_path("http://h.example:8080/a/b/."), "/a/b/.");
        let creds = Credentials {
            consumer_key: "ck",
            consumer_secret: "cs",
            token: None,
        };
        let as_given =
            authorization_header("GET", "https://h.example/a/./b", None, &creds, "n", 1).unwrap();
        let resolved =
            authorization_header("GET", "https://h.example/a/b", None, &creds, "n", 1).unwrap();
        assert_ne!(
            as_given.expose(),
            resolved.expose(),
            "/a/./b was signed as /a/b"
        );
        let url = crate::urls::parse_url("https://h.example/a/b").unwrap();
        let params = [("oauth_nonce".to_owned(), "n".to_owned())];
        assert_eq!(
            base_string_for_path("GET", &url, "/a/./b", &params),
            "GET&https%3A%2F%2Fh.example%2Fa%2F.%2Fb&oauth_nonce%3Dn"
        );
    }

    #[test]
    fn credentials_debug_shows_no_secret() {
        let c = Credentials {
            consumer_key: "ck",
            consumer_secret: "cs-SECRET",
            token: Some(("tok-SECRET", "ts-SECRET")),
        };
        let shown = format!("{c:?}");
        assert!(shown.contains("ck"), "{shown}");
        assert!(!shown.contains("SECRET"), "{shown}");
    }

    /// RFC 5849 §3.4.1.1's worked example: the base string and, with the secrets of §1.2's style
    /// example, its signature.
    #[test]
    fn rfc5849_section_3_4_1_base_string() {
        let url =
            crate::urls::parse_url("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b")
                .unwrap();
        let mut params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        params.extend(form_urlencoded::parse(b"c2&a3=2+q").into_owned());
        for (k, v) in [
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
        ] {
            params.push((k.into(), v.into()));
        }
        let base = signature_base_string("POST", &url, &params);
        assert_eq!(
            base,
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
        );
    }

    /// RFC 5849 §1.2: the photos.example.net request, signature `MdpQcU8iPSUjWoN/UDMsK2sui9I=`.
    #[test]
    fn rfc5849_section_1_2_photos_example() {
        let h = authorization_header(
            "GET",
            "http://photos.example.net/photos?file=vacation.jpg&size=original",
            None,
            &Credentials {
                consumer_key: "dpf43f3p2l4k3l03",
                consumer_secret: "kd94hf93k423kf44",
                token: Some(("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00")),
            },
            "chapoH",
            137131202,
        )
        .unwrap();
        // RFC 5849's example omits oauth_version; the widely published variant with it (as every
        // client sends) signs to this value.
        assert!(h.expose().contains("oauth_signature=\""), "{}", h.expose());
        let sig_without_version = {
            let url = crate::urls::parse_url(
                "http://photos.example.net/photos?file=vacation.jpg&size=original",
            )
            .unwrap();
            let mut p: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            for (k, v) in [
                ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
                ("oauth_token", "nnch734d00sl2jdk"),
                ("oauth_signature_method", "HMAC-SHA1"),
                ("oauth_timestamp", "137131202"),
                ("oauth_nonce", "chapoH"),
            ] {
                p.push((k.into(), v.into()));
            }
            sign(
                &signature_base_string("GET", &url, &p),
                "kd94hf93k423kf44",
                Some("pfkkdhi9sl3r4s00"),
            )
        };
        assert_eq!(sig_without_version, "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
    }

    /// The OAuth 1.0a (pre-RFC) spec's Appendix A example, which includes oauth_version=1.0:
    /// signature `tR3+Ty81lMeYAr/Fid0kMTYa/WM=`.
    #[test]
    fn oauth_core_1_0a_appendix_a() {
        let h = authorization_header(
            "GET",
            "http://photos.example.net/photos?file=vacation.jpg&size=original",
            None,
            &Credentials {
                consumer_key: "dpf43f3p2l4k3l03",
                consumer_secret: "kd94hf93k423kf44",
                token: Some(("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00")),
            },
            "kllo9940pd9333jh",
            1191242096,
        )
        .unwrap();
        assert!(
            h.expose()
                .contains("oauth_signature=\"tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D\""),
            "{}",
            h.expose()
        );
    }

    /// Twitter's published "Creating a signature" walkthrough: form body, unicode-free but with
    /// reserved characters; expected `hCtSmYh+iHYCEqBWrE7C7hYmtUk=`.
    #[test]
    fn twitter_signature_example_with_form_body() {
        let h = authorization_header(
            "POST",
            "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
            Some("status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21"),
            &Credentials {
                consumer_key: "xvz1evFS4wEEPTGEFPHBog",
                consumer_secret: "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                token: Some((
                    "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                    "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
                )),
            },
            "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
            1318622958,
        )
        .unwrap();
        assert!(
            h.expose()
                .contains("oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\""),
            "{}",
            h.expose()
        );
    }

    #[test]
    fn encoding_is_rfc3986_unreserved_only() {
        assert_eq!(encode("Ladies + Gentlemen"), "Ladies%20%2B%20Gentlemen");
        assert_eq!(encode("An encoded string!"), "An%20encoded%20string%21");
        assert_eq!(encode("Dogs, Cats & Mice"), "Dogs%2C%20Cats%20%26%20Mice");
        assert_eq!(encode("☃"), "%E2%98%83");
        assert_eq!(encode("-._~"), "-._~");
    }

    #[test]
    fn repeated_keys_and_empty_values_sort_by_value() {
        let url = crate::urls::parse_url("https://h.example/p?a=2&a=1&b=").unwrap();
        let p: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let base = signature_base_string("get", &url, &p);
        assert_eq!(base, "GET&https%3A%2F%2Fh.example%2Fp&a%3D1%26a%3D2%26b%3D");
    }

    #[test]
    fn bad_arguments_are_typed_errors() {
        let c = Credentials {
            consumer_key: "k",
            consumer_secret: "s",
            token: None,
        };
        assert!(authorization_header("", "https://x/", None, &c, "n", 1).is_err());
        assert!(authorization_header("GET", "not a url", None, &c, "n", 1).is_err());
        assert!(authorization_header("GET", "ftp://x/", None, &c, "n", 1).is_err());
        assert!(authorization_header("GET", "https://x/", None, &c, "", 1).is_err());
        let empty = Credentials {
            consumer_key: "",
            consumer_secret: "s",
            token: None,
        };
        assert!(authorization_header("GET", "https://x/", None, &empty, "n", 1).is_err());
    }

    #[test]
    fn nonces_differ() {
        assert_ne!(nonce().unwrap(), nonce().unwrap());
        assert_eq!(nonce().unwrap().len(), 32);
    }
}
