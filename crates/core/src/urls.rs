//! The one door through which text becomes a [`Url`].
//!
//! The core builds `url` with idna's ASCII-only adapter (`idna_adapter = "=1.0.0"`, see
//! docs/size.md): a host label holding anything non-ASCII is refused, which is right for a client
//! whose every host is Garmin's. That adapter debug-asserts that the label text it is handed holds
//! no ASCII capital, and idna hands it the capital just before the first non-ASCII character, so a
//! host such as `Gä.example` — or `G%C3%A4.example`, percent-decoded first — panics in any build
//! with debug assertions (every Rust app's dev profile, the fuzzers) instead of being refused. A
//! hostile `Location` header is enough to reach it.
//!
//! So text that could name a non-ASCII host is first parsed in a form without capitals: the host
//! question it decides is the same (ASCII case never makes a host valid or invalid), and when that
//! parse fails the original is never handed to idna. The root `clippy.toml` forbids
//! `Url::parse` and `Url::join` everywhere else.

use url::{ParseError, Url};

/// Parses an absolute URL.
#[allow(clippy::disallowed_methods)]
pub fn parse_url(s: &str) -> Result<Url, ParseError> {
    if could_name_non_ascii_host(s) {
        Url::parse(&without_capitals(s))?;
    }
    Url::parse(s)
}

/// Resolves `reference` (absolute, scheme-relative or relative) against `base`.
#[allow(clippy::disallowed_methods)]
pub fn join_url(base: &Url, reference: &str) -> Result<Url, ParseError> {
    if could_name_non_ascii_host(reference) {
        base.join(&without_capitals(reference))?;
    }
    base.join(reference)
}

/// Only non-ASCII text or a percent escape can put a non-ASCII character into a host.
fn could_name_non_ascii_host(s: &str) -> bool {
    !s.is_ascii() || s.contains('%')
}

/// `s` with every ASCII capital lowered, written plainly or as a percent escape (`%41`..`%5A`,
/// which the host parser decodes before idna sees it). Only ASCII bytes change and an escape
/// becomes one ASCII byte, so the result stays UTF-8.
fn without_capitals(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let decoded = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(c) = decoded.filter(u8::is_ascii_uppercase) {
                out.push(c.to_ascii_lowercase());
                i += 3;
                continue;
            }
        }
        out.push(b[i].to_ascii_lowercase());
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each of these panicked inside idna_adapter under debug assertions (the first two are the
    /// fuzzers' own findings, through a redirect and the OAuth1 signer).
    const CAPITAL_BESIDE_NON_ASCII: &[&str] = &[
        "https://GGGGG\u{f9}\u{f9}evi/",
        "https://connectapi.gar=S\u{fffd}-1&login-url=https://sso.gps://connectapi.",
        "https://G\u{e4}.example/",
        "https://\u{e4}G.example/",
        "https://G%C3%A4.example/",
        "https://%47%C3%A4.example/",
        "https://%47%c3%a4.example/",
        "http://sso.garmin.com.X\u{1F600}/",
    ];

    #[test]
    fn a_capital_beside_a_non_ascii_host_character_is_refused_not_a_panic() {
        for s in CAPITAL_BESIDE_NON_ASCII {
            assert!(parse_url(s).is_err(), "{s} parsed");
            let base = parse_url("https://sso.garmin.com/sso/signin").unwrap();
            let scheme_relative = s.trim_start_matches("https:").trim_start_matches("http:");
            assert!(join_url(&base, s).is_err(), "{s} joined");
            assert!(
                join_url(&base, scheme_relative).is_err(),
                "{scheme_relative} joined"
            );
        }
    }

    #[test]
    fn ordinary_urls_parse_exactly_as_url_parses_them() {
        #[allow(clippy::disallowed_methods)]
        for s in [
            "https://SSO.Garmin.com/sso/SignIn?service=https%3A%2F%2FConnect.garmin.com%2F&X=%41",
            "https://sso.garmin.com/p%C3%A4th/\u{e4}?q=\u{e4}#Fr%41g",
            "http://127.0.0.1:8080/a/./b/../C",
            "HTTPS://[::1]:1/%zz%4",
        ] {
            assert_eq!(parse_url(s).unwrap(), Url::parse(s).unwrap());
            let base = Url::parse("https://sso.garmin.com/sso/").unwrap();
            assert_eq!(join_url(&base, s).unwrap(), base.join(s).unwrap());
            assert_eq!(
                join_url(&base, "../M%C3%A4P?x=%41").unwrap(),
                base.join("../M%C3%A4P?x=%41").unwrap()
            );
        }
    }

    #[test]
    fn escapes_of_capitals_are_lowered_and_the_rest_kept() {
        assert_eq!(without_capitals("%41%5a%5B%zz%4"), "az%5b%zz%4");
        assert_eq!(without_capitals("Ä%C3%84"), "Ä%c3%84");
    }
}
