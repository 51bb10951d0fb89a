//! Request and response values the handlers work with (independent of tiny_http).

use std::net::SocketAddr;

#[derive(Debug, Clone)]
pub(crate) struct Req {
    pub method: String,
    pub path: String,
    pub raw_query: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub remote: Option<SocketAddr>,
    /// The listening address, used when the request has no Host header.
    pub local: SocketAddr,
}

pub(crate) fn parse_form(s: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(s)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(crate) fn lookup<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl Req {
    pub fn new(method: &str, url: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Req {
        let (path, raw_query) = match url.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (url.to_string(), String::new()),
        };
        let query = parse_form(raw_query.as_bytes());
        Req {
            method: method.to_ascii_uppercase(),
            path,
            raw_query,
            query,
            headers,
            body,
            remote: None,
            local: SocketAddr::from(([127, 0, 0, 1], 0)),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn q(&self, name: &str) -> Option<&str> {
        lookup(&self.query, name)
    }

    /// Every value sent for cookie `name`, in header order.
    pub fn cookies(&self, name: &str) -> Vec<&str> {
        let mut out = Vec::new();
        for (k, v) in &self.headers {
            if !k.eq_ignore_ascii_case("cookie") {
                continue;
            }
            for part in v.split(';') {
                if let Some((n, val)) = part.trim().split_once('=') {
                    if n.trim() == name {
                        out.push(val.trim().trim_matches('"'));
                    }
                }
            }
        }
        out
    }

    pub fn has_cookie(&self, name: &str) -> bool {
        !self.cookies(name).is_empty()
    }

    pub fn content_type(&self) -> String {
        self.header("content-type")
            .unwrap_or("")
            .to_ascii_lowercase()
    }

    /// Form fields of an `application/x-www-form-urlencoded` body (empty otherwise).
    pub fn form(&self) -> Vec<(String, String)> {
        if self
            .content_type()
            .starts_with("application/x-www-form-urlencoded")
        {
            parse_form(&self.body)
        } else {
            Vec::new()
        }
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// `host[:port]` as the client addressed us.
    pub fn host(&self) -> String {
        match self.header("host") {
            Some(h) if !h.is_empty() => h.to_ascii_lowercase(),
            _ => self.local.to_string(),
        }
    }

    /// `http://host[:port]` (the scheme is always http: the simulator has no TLS).
    pub fn origin(&self) -> String {
        format!("http://{}", self.host())
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn new(status: u16) -> Resp {
        Resp {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn html(status: u16, body: impl Into<String>) -> Resp {
        Resp::new(status)
            .header("Content-Type", "text/html;charset=UTF-8")
            .body(body.into().into_bytes())
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Resp {
        Resp::new(status)
            .header("Content-Type", "application/json")
            .body(value.to_string().into_bytes())
    }

    pub fn text(status: u16, body: impl Into<String>) -> Resp {
        Resp::new(status)
            .header("Content-Type", "text/plain;charset=utf-8")
            .body(body.into().into_bytes())
    }

    pub fn redirect(location: &str) -> Resp {
        Resp::new(302).header("Location", location)
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Resp {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn set_cookie(self, cookie: String) -> Resp {
        self.header("Set-Cookie", cookie)
    }

    pub fn cookies(mut self, cookies: Vec<String>) -> Resp {
        for c in cookies {
            self.headers.push(("Set-Cookie".to_string(), c));
        }
        self
    }

    pub fn body(mut self, body: Vec<u8>) -> Resp {
        self.body = body;
        self
    }
}

/// Escapes text for an HTML attribute or element.
pub(crate) fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// Escapes text for a double-quoted JavaScript string the way Garmin's
/// templates do (slashes become `\/`).
pub(crate) fn js_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '/' => o.push_str("\\/"),
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '<' => o.push_str("\\u003C"),
            '>' => o.push_str("\\u003E"),
            '&' => o.push_str("\\u0026"),
            '\n' => o.push_str("\\n"),
            c => o.push(c),
        }
    }
    o
}

/// Percent-encodes a query component (everything but unreserved characters).
pub(crate) fn qenc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_query() {
        let r = Req::new(
            "get",
            "/sso/signin?service=https%3A%2F%2Fx%2Fy&a=1+2",
            vec![
                ("Cookie".into(), "SESSION=abc; __cflb=1".into()),
                ("cookie".into(), "SESSION=def".into()),
            ],
            vec![],
        );
        assert_eq!(r.method, "GET");
        assert_eq!(r.q("service"), Some("https://x/y"));
        assert_eq!(r.q("a"), Some("1 2"));
        assert_eq!(r.cookies("SESSION"), vec!["abc", "def"]);
        assert!(r.has_cookie("__cflb"));
        assert!(!r.has_cookie("_cfuvid"));
    }

    #[test]
    fn escapes() {
        assert_eq!(
            js_escape("https://sso.garmin.com/sso/embed?ticket=ST-1"),
            "https:\\/\\/sso.garmin.com\\/sso\\/embed?ticket=ST-1"
        );
        assert_eq!(html_escape("a&b\"c"), "a&amp;b&quot;c");
    }
}
