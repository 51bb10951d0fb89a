//! A small `multipart/form-data` parser (RFC 7578) for the upload route.

use percent_encoding::percent_decode_str;

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

/// The `boundary` parameter of a `multipart/form-data` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params_of(params)
        .into_iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v)
        .filter(|b| !b.is_empty() && b.len() <= 200)
}

/// `k=v; k2="quoted; value"` → pairs (quotes removed, `\"` unescaped).
fn params_of(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        rest = rest.trim_start_matches([';', ' ', '\t']);
        if rest.is_empty() {
            break;
        }
        let Some(eq) = rest.find('=') else { break };
        let key = rest[..eq].trim().to_string();
        rest = &rest[eq + 1..];
        let value;
        if let Some(q) = rest.strip_prefix('"') {
            let mut v = String::new();
            let mut chars = q.char_indices();
            let mut end = q.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, n)) = chars.next() {
                            v.push(n);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => v.push(c),
                }
            }
            value = v;
            rest = &q[end.min(q.len())..];
        } else {
            let end = rest.find(';').unwrap_or(rest.len());
            value = rest[..end].trim().to_string();
            rest = &rest[end..];
        }
        out.push((key, value));
    }
    out
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The next `CRLF--boundary` that really is a delimiter: followed by `--`
/// (close) or by optional blanks and CRLF (RFC 2046 §5.1.1).
fn find_delimiter(body: &[u8], delim: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let p = find(body, delim, at)?;
        let mut rest = &body[p + delim.len()..];
        if rest.starts_with(b"--") {
            return Some(p);
        }
        while let [b' ' | b'\t', tail @ ..] = rest {
            rest = tail;
        }
        if rest.starts_with(b"\r\n") {
            return Some(p);
        }
        at = p + 1;
    }
}

/// Splits a multipart body into its parts.
pub(crate) fn parse(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let b = boundary(content_type).ok_or("no multipart boundary")?;
    let delim = format!("--{b}");
    let delim = delim.as_bytes();
    let mut pos = find(body, delim, 0).ok_or("opening boundary not found")? + delim.len();
    let mut parts = Vec::new();
    loop {
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        // Skip transport padding up to the CRLF after the boundary.
        let line_end = find(body, b"\r\n", pos).ok_or("truncated part")?;
        pos = line_end + 2;
        let header_end = find(body, b"\r\n\r\n", pos)
            .map(|h| (h, h + 4))
            .or_else(|| body[pos..].starts_with(b"\r\n").then_some((pos, pos + 2)))
            .ok_or("part headers not terminated")?;
        let headers = std::str::from_utf8(&body[pos..header_end.0])
            .map_err(|_| "part headers are not UTF-8")?;
        let data_start = header_end.1;
        let mut next_delim = Vec::with_capacity(delim.len() + 2);
        next_delim.extend_from_slice(b"\r\n");
        next_delim.extend_from_slice(delim);
        let data_end =
            find_delimiter(body, &next_delim, data_start).ok_or("closing boundary not found")?;
        let mut part = Part {
            name: String::new(),
            filename: None,
            content_type: None,
            data: body[data_start..data_end].to_vec(),
        };
        for line in headers.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                let (kind, rest) = v.split_once(';').unwrap_or((v, ""));
                if !kind.trim().eq_ignore_ascii_case("form-data") {
                    return Err("part is not form-data".into());
                }
                for (pk, pv) in params_of(rest) {
                    match pk.to_ascii_lowercase().as_str() {
                        "name" => part.name = pv,
                        "filename" if part.filename.is_none() => part.filename = Some(pv),
                        "filename*" => {
                            // RFC 5987: charset'lang'percent-encoded
                            let enc = pv.splitn(3, '\'').nth(2).unwrap_or(&pv);
                            if let Ok(s) = percent_decode_str(enc).decode_utf8() {
                                part.filename = Some(s.into_owned());
                            }
                        }
                        _ => {}
                    }
                }
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                part.content_type = Some(v.trim().to_string());
            }
        }
        parts.push(part);
        pos = data_end + next_delim.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_file_and_fields() {
        let body = b"preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b \\\"c\\\".fit\"\r\nContent-Type: application/octet-stream\r\n\r\n\x0e\x10\r\n--XyZ-\x00.FIT\r\n--XyZ--\r\n";
        let parts = parse("multipart/form-data; boundary=\"XyZ\"", body).expect("parses");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "note");
        assert_eq!(parts[0].data, b"hello");
        assert_eq!(parts[1].name, "file");
        assert_eq!(parts[1].filename.as_deref(), Some("a;b \"c\".fit"));
        assert_eq!(
            parts[1].content_type.as_deref(),
            Some("application/octet-stream")
        );
        assert_eq!(parts[1].data, b"\x0e\x10\r\n--XyZ-\x00.FIT");
    }

    #[test]
    fn rfc5987_filename_and_errors() {
        let body = b"--b\r\nContent-Disposition: form-data; name=file; filename*=UTF-8''%C3%A9t%C3%A9.fit\r\n\r\nX\r\n--b--";
        let parts = parse("multipart/form-data; boundary=b", body).expect("parses");
        assert_eq!(parts[0].filename.as_deref(), Some("été.fit"));
        assert!(parse("application/json", body).is_err());
        assert!(parse(
            "multipart/form-data; boundary=b",
            b"--b\r\nContent-Disposition: form-data; name=file\r\n\r\nunterminated"
        )
        .is_err());
        assert!(parse("multipart/form-data; boundary=zz", body).is_err());
    }
}
