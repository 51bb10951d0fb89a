//! OAuth 1.0a (RFC 5849) HMAC-SHA1 signature verification, written for the
//! simulator independently of any client-side signer.
//!
//! Steps (RFC 5849 §3.4.1): parse the `Authorization: OAuth ...` parameters,
//! collect query parameters, form-body parameters (only for
//! `application/x-www-form-urlencoded` bodies) and the `oauth_*` protocol
//! parameters except `oauth_signature` and `realm`; percent-encode names and
//! values with the RFC 3986 unreserved set; sort by name, then value; join;
//! build `METHOD&enc(base URI)&enc(params)`; sign with HMAC-SHA1 keyed by
//! `enc(consumer_secret)&enc(token_secret)`; compare in constant time.

use hmac::{Hmac, Mac};
use percent_encoding::percent_decode_str;
use sha1::Sha1;

/// Why a request was refused (the `oauth_problem` value sent back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    /// No or unparsable `Authorization: OAuth` header.
    ParameterAbsent,
    SignatureMethodRejected,
    VersionRejected,
    ConsumerKeyUnknown,
    TimestampRefused,
    NonceUsed,
    TokenRejected,
    SignatureInvalid,
}

impl Problem {
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::ParameterAbsent => "parameter_absent",
            Problem::SignatureMethodRejected => "signature_method_rejected",
            Problem::VersionRejected => "version_rejected",
            Problem::ConsumerKeyUnknown => "consumer_key_unknown",
            Problem::TimestampRefused => "timestamp_refused",
            Problem::NonceUsed => "nonce_used",
            Problem::TokenRejected => "token_rejected",
            Problem::SignatureInvalid => "signature_invalid",
        }
    }
}

/// RFC 3986 §2.3 percent-encoding: everything except `ALPHA DIGIT - . _ ~`.
pub(crate) fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Parses `OAuth k="v", k2="v2"` into decoded pairs (RFC 5849 §3.5.1).
pub(crate) fn parse_authorization(header: &str) -> Option<Vec<(String, String)>> {
    let h = header.trim();
    let (scheme, rest) = h.split_at(h.find(char::is_whitespace).unwrap_or(h.len()));
    if !scheme.eq_ignore_ascii_case("oauth") {
        return None;
    }
    let mut out = Vec::new();
    for part in rest.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part.split_once('=')?;
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|x| x.strip_suffix('"'))
            .unwrap_or(v);
        let k = percent_decode_str(k.trim())
            .decode_utf8()
            .ok()?
            .into_owned();
        let v = percent_decode_str(v).decode_utf8().ok()?.into_owned();
        out.push((k, v));
    }
    Some(out)
}

/// The normalized parameter string (RFC 5849 §3.4.1.3.2).
pub(crate) fn normalize(params: &[(String, String)]) -> String {
    let mut enc_pairs: Vec<(String, String)> =
        params.iter().map(|(k, v)| (enc(k), enc(v))).collect();
    enc_pairs.sort();
    enc_pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signature base string (RFC 5849 §3.4.1.1).
pub(crate) fn base_string(method: &str, base_uri: &str, params: &[(String, String)]) -> String {
    format!(
        "{}&{}&{}",
        enc(&method.to_ascii_uppercase()),
        enc(base_uri),
        enc(&normalize(params))
    )
}

/// The base string URI (RFC 5849 §3.4.1.2): lower-case scheme and host,
/// default port dropped, no query.
pub(crate) fn base_uri(scheme: &str, host: &str, path: &str) -> String {
    let scheme = scheme.to_ascii_lowercase();
    let mut host = host.to_ascii_lowercase();
    let default = if scheme == "https" { ":443" } else { ":80" };
    if host.ends_with(default) {
        host.truncate(host.len() - default.len());
    }
    let path = if path.is_empty() { "/" } else { path };
    format!("{scheme}://{host}{path}")
}

/// HMAC-SHA1 signature, base64 encoded.
pub(crate) fn sign(base: &str, consumer_secret: &str, token_secret: &str) -> String {
    use base64::Engine;
    let key = format!("{}&{}", enc(consumer_secret), enc(token_secret));
    let mut mac =
        <Hmac<Sha1> as Mac>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(base.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Constant-time equality of two byte strings (length is not secret).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The parts of a request the verifier needs.
#[derive(Debug)]
pub(crate) struct SignedRequest<'a> {
    pub method: &'a str,
    /// Base string URI, see [`base_uri`].
    pub base_uri: String,
    pub authorization: Option<&'a str>,
    /// Decoded query parameters.
    pub query: &'a [(String, String)],
    /// Decoded form-body parameters (empty unless the body is a form).
    pub form: &'a [(String, String)],
}

/// The protocol parameters of a request that passed verification.
#[derive(Debug, Clone)]
pub(crate) struct Verified {
    pub token: Option<String>,
}

/// The checks that need the simulator's state.
pub(crate) trait Authority {
    fn consumer_secret(&self, key: &str) -> Option<String>;
    /// `Some(secret)` for a live token.
    fn token_secret(&self, token: &str) -> Option<String>;
    fn now(&self) -> i64;
    fn window(&self) -> i64;
    /// Records the nonce; `false` when (consumer, nonce, timestamp) was seen
    /// within the window.
    fn fresh_nonce(&self, consumer: &str, nonce: &str, timestamp: i64) -> bool;
}

/// Verifies an OAuth1 HMAC-SHA1 signed request. `require_token` says
/// whether an `oauth_token` must be present.
pub(crate) fn verify(
    req: &SignedRequest<'_>,
    auth: &dyn Authority,
    require_token: bool,
) -> Result<Verified, Problem> {
    let oauth = req
        .authorization
        .and_then(parse_authorization)
        .ok_or(Problem::ParameterAbsent)?;
    let get = |name: &str| {
        oauth
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let consumer_key = get("oauth_consumer_key").ok_or(Problem::ParameterAbsent)?;
    let signature = get("oauth_signature").ok_or(Problem::ParameterAbsent)?;
    let method = get("oauth_signature_method").ok_or(Problem::ParameterAbsent)?;
    let timestamp = get("oauth_timestamp").ok_or(Problem::ParameterAbsent)?;
    let nonce = get("oauth_nonce").ok_or(Problem::ParameterAbsent)?;
    if method != "HMAC-SHA1" {
        return Err(Problem::SignatureMethodRejected);
    }
    if let Some(v) = get("oauth_version") {
        if v != "1.0" {
            return Err(Problem::VersionRejected);
        }
    }
    let token = get("oauth_token").filter(|t| !t.is_empty());
    let consumer_secret = auth
        .consumer_secret(consumer_key)
        .ok_or(Problem::ConsumerKeyUnknown)?;
    let token_secret = match token {
        Some(t) => auth.token_secret(t).ok_or(Problem::TokenRejected)?,
        None if require_token => return Err(Problem::TokenRejected),
        None => String::new(),
    };
    let ts: i64 = timestamp.parse().map_err(|_| Problem::TimestampRefused)?;
    if (ts - auth.now()).abs() > auth.window() {
        return Err(Problem::TimestampRefused);
    }

    let mut params: Vec<(String, String)> = Vec::new();
    params.extend(req.query.iter().cloned());
    params.extend(req.form.iter().cloned());
    params.extend(
        oauth
            .iter()
            .filter(|(k, _)| k != "oauth_signature" && k != "realm")
            .cloned(),
    );
    let base = base_string(req.method, &req.base_uri, &params);
    let expected = sign(&base, &consumer_secret, &token_secret);
    if !ct_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(Problem::SignatureInvalid);
    }
    if !auth.fresh_nonce(consumer_key, nonce, ts) {
        return Err(Problem::NonceUsed);
    }
    Ok(Verified {
        token: token.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::parse_form;
    use std::cell::RefCell;
    use std::collections::HashSet;

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    struct Fixed {
        consumer: (&'static str, &'static str),
        token: Option<(&'static str, &'static str)>,
        now: i64,
        seen: RefCell<HashSet<(String, String, i64)>>,
    }

    impl Authority for Fixed {
        fn consumer_secret(&self, key: &str) -> Option<String> {
            (key == self.consumer.0).then(|| self.consumer.1.to_string())
        }
        fn token_secret(&self, token: &str) -> Option<String> {
            self.token
                .filter(|(t, _)| *t == token)
                .map(|(_, s)| s.to_string())
        }
        fn now(&self) -> i64 {
            self.now
        }
        fn window(&self) -> i64 {
            300
        }
        fn fresh_nonce(&self, c: &str, n: &str, t: i64) -> bool {
            self.seen
                .borrow_mut()
                .insert((c.to_string(), n.to_string(), t))
        }
    }

    #[test]
    fn rfc5849_section_3_4_1_base_string() {
        // RFC 5849 §3.4.1.1: the worked example's exact signature base string.
        let query = parse_form(b"b5=%3D%253D&a3=a&c%40=&a2=r%20b");
        let form = parse_form(b"c2&a3=2+q");
        let header = r#"OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D""#;
        let oauth = parse_authorization(header).expect("parses");
        let mut params = query;
        params.extend(form);
        params.extend(
            oauth
                .into_iter()
                .filter(|(k, _)| k != "oauth_signature" && k != "realm"),
        );
        let base = base_string(
            "POST",
            &base_uri("http", "example.com", "/request"),
            &params,
        );
        assert_eq!(
            base,
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q\
             %26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_\
             key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m\
             ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk\
             9d7dh3k39sjv7"
        );
    }

    #[test]
    fn rfc5849_section_1_2_photos_example_verifies() {
        // RFC 5849 §1.2: GET http://photos.example.net/photos?file=vacation.jpg&size=original
        let header = r#"OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_token="nnch734d00sl2jdk", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131202", oauth_nonce="chapoH", oauth_signature="MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D""#;
        let query = parse_form(b"file=vacation.jpg&size=original");
        let auth = Fixed {
            consumer: ("dpf43f3p2l4k3l03", "kd94hf93k423kf44"),
            token: Some(("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00")),
            now: 137_131_202,
            seen: RefCell::default(),
        };
        let req = SignedRequest {
            method: "GET",
            base_uri: base_uri("http", "photos.example.net", "/photos"),
            authorization: Some(header),
            query: &query,
            form: &[],
        };
        let v = verify(&req, &auth, true).expect("RFC example verifies");
        assert_eq!(v.token.as_deref(), Some("nnch734d00sl2jdk"));
        assert_eq!(
            sign(
                "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%3Dnnch734d00sl2jdk%26size%3Doriginal",
                "kd94hf93k423kf44",
                "pfkkdhi9sl3r4s00"
            ),
            "MdpQcU8iPSUjWoN/UDMsK2sui9I="
        );
        // The same request again is a replay.
        assert_eq!(verify(&req, &auth, true).err(), Some(Problem::NonceUsed));
    }

    #[test]
    fn twitter_documented_vector() {
        // Twitter's published "Creating a signature" example (POST with a form body).
        let header = r#"OAuth oauth_consumer_key="xvz1evFS4wEEPTGEFPHBog", oauth_nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg", oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1318622958", oauth_token="370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb", oauth_version="1.0""#;
        let query = parse_form(b"include_entities=true");
        let form = parse_form(
            b"status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21",
        );
        let auth = Fixed {
            consumer: (
                "xvz1evFS4wEEPTGEFPHBog",
                "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
            ),
            token: Some((
                "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
            )),
            now: 1_318_622_958,
            seen: RefCell::default(),
        };
        let req = SignedRequest {
            method: "POST",
            base_uri: base_uri("https", "api.twitter.com:443", "/1.1/statuses/update.json"),
            authorization: Some(header),
            query: &query,
            form: &form,
        };
        assert!(verify(&req, &auth, true).is_ok());
    }

    fn own_request(auth: &Fixed, ts: i64, nonce: &str, tamper: bool) -> Result<Verified, Problem> {
        signed_as(auth, auth.consumer, ts, nonce, tamper)
    }

    fn signed_as(
        auth: &Fixed,
        consumer: (&str, &str),
        ts: i64,
        nonce: &str,
        tamper: bool,
    ) -> Result<Verified, Problem> {
        let query = parse_form(b"ticket=ST-1-abc-cas&login-url=https://sso.garmin.com/sso/embed");
        let uri = base_uri(
            "http",
            "127.0.0.1:8080",
            "/oauth-service/oauth/preauthorized",
        );
        let mut params = query.clone();
        let oauth = [
            p("oauth_consumer_key", consumer.0),
            p("oauth_nonce", nonce),
            p("oauth_signature_method", "HMAC-SHA1"),
            p("oauth_timestamp", &ts.to_string()),
            p("oauth_version", "1.0"),
        ];
        params.extend(oauth.iter().cloned());
        let good = sign(&base_string("GET", &uri, &params), consumer.1, "");
        let sig = if tamper {
            let first = if good.starts_with('A') { "B" } else { "A" };
            format!("{first}{}", &good[1..])
        } else {
            good
        };
        let header = format!(
            "OAuth {}, oauth_signature=\"{}\"",
            oauth
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", enc(v)))
                .collect::<Vec<_>>()
                .join(", "),
            enc(&sig)
        );
        let req = SignedRequest {
            method: "GET",
            base_uri: uri,
            authorization: Some(&header),
            query: &query,
            form: &[],
        };
        verify(&req, auth, false)
    }

    #[test]
    fn refuses_stale_timestamps_replays_and_bad_signatures() {
        let auth = Fixed {
            consumer: ("ck", "cs"),
            token: None,
            now: 1_700_000_000,
            seen: RefCell::default(),
        };
        assert!(own_request(&auth, 1_700_000_000, "n1", false).is_ok());
        assert_eq!(
            own_request(&auth, 1_700_000_000, "n1", false).err(),
            Some(Problem::NonceUsed)
        );
        assert!(own_request(&auth, 1_700_000_001, "n1", false).is_ok());
        assert_eq!(
            own_request(&auth, 1_700_000_000 - 301, "n2", false).err(),
            Some(Problem::TimestampRefused)
        );
        assert_eq!(
            own_request(&auth, 1_700_000_000 + 301, "n3", false).err(),
            Some(Problem::TimestampRefused)
        );
        assert_eq!(
            own_request(&auth, 1_700_000_000, "n4", true).err(),
            Some(Problem::SignatureInvalid)
        );
        // A refused signature does not burn the nonce.
        assert!(own_request(&auth, 1_700_000_000, "n4", false).is_ok());
        // Unknown consumer key; known key signed with the wrong secret.
        assert_eq!(
            signed_as(&auth, ("other", "cs"), 1_700_000_000, "n5", false).err(),
            Some(Problem::ConsumerKeyUnknown)
        );
        assert_eq!(
            signed_as(&auth, ("ck", "not-cs"), 1_700_000_000, "n6", false).err(),
            Some(Problem::SignatureInvalid)
        );
    }

    #[test]
    fn encoding_and_header_parsing() {
        assert_eq!(enc("a b+c/~é"), "a%20b%2Bc%2F~%C3%A9");
        let h = parse_authorization("OAuth oauth_nonce=\"a%20b\",oauth_token=\"\"").expect("ok");
        assert_eq!(h, vec![p("oauth_nonce", "a b"), p("oauth_token", "")]);
        assert!(parse_authorization("Bearer xyz").is_none());
        assert_eq!(
            base_uri("HTTP", "Example.COM:80", "/r"),
            "http://example.com/r"
        );
        assert_eq!(
            base_uri("http", "example.com:8080", "/r"),
            "http://example.com:8080/r"
        );
    }
}
