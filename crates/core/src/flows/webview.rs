//! Web-view sign-in, docs/protocol.md §7: the user signs in inside a real browser; the app watches
//! the navigation to the service URL and hands the `ticket=ST-…` it carries to the library.

use crate::config::{ClientPreset, Config};
use crate::secret::ServiceTicket;
use regex_lite::Regex;
use std::sync::LazyLock;

/// Longest ticket accepted; real ones are about 40 characters.
const MAX_TICKET_LEN: usize = 256;

/// The URL to open in a browser or web view for `preset`:
/// `<sso>/mobile/sso/en_US/sign-in?clientId=…&service=…`, query values form-encoded.
pub fn sign_in_url(config: &Config, preset: &ClientPreset) -> String {
    let mut url = crate::urls::join_url(&config.endpoints.sso, "mobile/sso/en_US/sign-in")
        .expect("a relative path joins onto a validated base URL");
    url.query_pairs_mut()
        .append_pair("clientId", &preset.client_id)
        .append_pair("service", &preset.service_url);
    url.to_string()
}

/// True when `s` is a whole CAS service ticket: `ST-` then letters, digits and dashes.
pub(crate) fn is_ticket(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("ST-") else {
        return false;
    };
    s.len() <= MAX_TICKET_LEN
        && rest.chars().any(|c| c.is_ascii_alphanumeric())
        && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

// `ticket=` must not be the tail of a longer name (`service_ticket=`, `loginticket=`). Both raw and
// percent-encoded forms occur: a service URL nested in another URL's query is encoded once.
static BODY_TICKET_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[^A-Za-z0-9_])ticket(?:=|%3[Dd])(ST-[A-Za-z0-9-]+)|(?:%3[Ff]|%26)ticket%3[Dd](ST-[A-Za-z0-9-]+)|"serviceTicketId"\s*:\s*"(ST-[A-Za-z0-9-]+)""#)
        .expect("static regex")
});

/// Finds a service ticket in a navigated URL (`…/gcm/android?ticket=ST-…`), a page body (inline JS
/// with escaped slashes, `response_url = "…embed?ticket=ST-…"`, or a JSON sign-in answer), or a
/// bare ticket. Returns `None` when there is none or it contains characters a ticket never has.
pub fn extract_ticket(url_or_body: &str) -> Option<ServiceTicket> {
    let input = url_or_body.trim();
    if is_ticket(input) {
        return Some(ServiceTicket::new(input));
    }
    if let Ok(url) = crate::urls::parse_url(input) {
        if !input.contains(char::is_whitespace) {
            let found = url
                .query_pairs()
                .find(|(k, _)| k == "ticket")
                .map(|(_, v)| v.into_owned());
            if let Some(v) = found {
                // A URL's own ticket parameter decides: a malformed one is not rescued by a
                // ticket-looking string elsewhere in the URL.
                return is_ticket(&v).then(|| ServiceTicket::new(v));
            }
        }
    }
    BODY_TICKET_RE.captures_iter(input).find_map(|c| {
        let m = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))?;
        is_ticket(m.as_str()).then(|| ServiceTicket::new(m.as_str()))
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::config::Domain;

    fn t(s: &str) -> Option<String> {
        extract_ticket(s).map(|s| s.expose().to_owned())
    }

    #[test]
    fn sign_in_url_for_presets() {
        let c = Config::new(Domain::Com);
        assert_eq!(
            sign_in_url(&c, &ClientPreset::android(Domain::Com)),
            "https://sso.garmin.com/mobile/sso/en_US/sign-in?clientId=GCM_ANDROID_DARK&service=https%3A%2F%2Fmobile.integration.garmin.com%2Fgcm%2Fandroid"
        );
        let cn = Config::new(Domain::Cn);
        assert_eq!(
            sign_in_url(&cn, &ClientPreset::ios(Domain::Cn)),
            "https://sso.garmin.cn/mobile/sso/en_US/sign-in?clientId=GCM_IOS_DARK&service=https%3A%2F%2Fmobile.integration.garmin.cn%2Fgcm%2Fios"
        );
        let odd = ClientPreset {
            client_id: "A B&C".into(),
            service_url: "https://x.garmin.com/p?q=1&r=2".into(),
        };
        let u = crate::urls::parse_url(&sign_in_url(&c, &odd)).unwrap();
        let q: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        assert_eq!(
            q,
            vec![
                ("clientId".into(), "A B&C".into()),
                ("service".into(), "https://x.garmin.com/p?q=1&r=2".into())
            ]
        );
    }

    #[test]
    fn sign_in_url_keeps_a_base_path() {
        let c = Config::with_base_url(Domain::Com, "http://127.0.0.1:9999/prefix").unwrap();
        assert!(sign_in_url(&c, &c.mobile_client)
            .starts_with("http://127.0.0.1:9999/prefix/mobile/sso/en_US/sign-in?"));
    }

    #[test]
    fn service_url_navigations() {
        assert_eq!(
            t("https://mobile.integration.garmin.com/gcm/android?ticket=ST-0172640-s7YMrcqSIs9rr46AGPLK-sso").as_deref(),
            Some("ST-0172640-s7YMrcqSIs9rr46AGPLK-sso")
        );
        assert_eq!(
            t("https://mobile.integration.garmin.cn/gcm/ios?foo=bar&ticket=ST-097904-maMLPBSRdODkj7WJmO8o-sso#x").as_deref(),
            Some("ST-097904-maMLPBSRdODkj7WJmO8o-sso")
        );
        assert_eq!(
            t("https://connect.garmin.com/app?ticket=ST-2459533-YeWiAbCdEf0123456789-cas")
                .as_deref(),
            Some("ST-2459533-YeWiAbCdEf0123456789-cas")
        );
        assert_eq!(
            t("  https://sso.garmin.com/sso/embed?ticket=ST-1-a-cas\n").as_deref(),
            Some("ST-1-a-cas")
        );
    }

    #[test]
    fn page_bodies() {
        let js = r#"<script type="text/javascript">
            var redirectAfterAccountLoginUrl = "https:\/\/sso.garmin.com\/sso\/embed";
            response_url                    = "https:\/\/sso.garmin.com\/sso\/embed?ticket=ST-2459533-YeWiQWERTYuiop12345-cas";
            parent.postMessage(...)
        </script>"#;
        assert_eq!(t(js).as_deref(), Some("ST-2459533-YeWiQWERTYuiop12345-cas"));
        let html = r#"<a href="https://mobile.integration.garmin.com/gcm/android?lang=en&amp;ticket=ST-55-Zz9-sso">go</a>"#;
        assert_eq!(t(html).as_deref(), Some("ST-55-Zz9-sso"));
        let json = r#"{"serviceURL": "https://mobile.integration.garmin.com/gcm/android", "serviceTicketId": "ST-097904-maMLPBSRdODkj7WJmO8o-sso", "responseStatus": {"type": "SUCCESSFUL"}}"#;
        assert_eq!(
            t(json).as_deref(),
            Some("ST-097904-maMLPBSRdODkj7WJmO8o-sso")
        );
        let nested = "https://sso.garmin.com/sso/logout?service=https%3A%2F%2Fconnect.garmin.com%2Fapp%3Fticket%3DST-77-abc-cas";
        assert_eq!(t(nested).as_deref(), Some("ST-77-abc-cas"));
        assert_eq!(
            t("ST-0172640-s7YMrcqSIs9rr46AGPLK-sso").as_deref(),
            Some("ST-0172640-s7YMrcqSIs9rr46AGPLK-sso")
        );
    }

    #[test]
    fn refuses_non_tickets() {
        assert_eq!(t(""), None);
        assert_eq!(t("https://mobile.integration.garmin.com/gcm/android"), None);
        assert_eq!(
            t("https://mobile.integration.garmin.com/gcm/android?ticket="),
            None
        );
        assert_eq!(
            t("https://mobile.integration.garmin.com/gcm/android?ticket=TGT-123-abc"),
            None
        );
        // A bad character makes the URL's ticket invalid rather than truncated.
        assert_eq!(
            t("https://mobile.integration.garmin.com/gcm/android?ticket=ST-12%3Cscript%3E"),
            None
        );
        assert_eq!(t("https://x.garmin.com/?ticket=ST-"), None);
        assert_eq!(t("https://x.garmin.com/?ticket=ST----"), None);
        assert_eq!(t(&format!("ticket=ST-{}", "a".repeat(300))), None);
        assert_eq!(t(r#"var service_ticket="x"; loginticket=ST-1-abc"#), None);
        assert_eq!(t("<html><title>Sign In</title></html>"), None);
    }

    #[test]
    fn found_ticket_does_not_print() {
        let s = extract_ticket(
            "https://mobile.integration.garmin.com/gcm/android?ticket=ST-1-secretpart-sso",
        )
        .unwrap();
        assert!(!format!("{s:?} {s}").contains("secretpart"));
    }
}
