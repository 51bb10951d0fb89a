//! FIT upload: a `multipart/form-data` body with one part, field `file`, keeping the file name
//! (Garmin picks the importer by its extension). Streamed bodies are a chain of readers — preamble,
//! file, epilogue — so a large file is never held in memory.

use crate::error::{Error, Result};
use crate::transport::Body;
use std::io::{Cursor, Read};

/// `POST` target of activity uploads (docs/protocol.md §6).
pub(super) const UPLOAD_PATH: &str = "/upload-service/upload";

/// What Garmin answered to an upload (`detailedImportResult`).
#[derive(Debug, Clone, PartialEq)]
pub struct UploadResult {
    /// Garmin's id of this upload (sent as a number or a string), when it gave one. Not the
    /// activity id: that is the `internalId` inside `successes`.
    pub upload_id: Option<i64>,
    /// `successes`: the activities created.
    pub successes: Vec<serde_json::Value>,
    /// `failures`: the activities refused, with Garmin's messages.
    pub failures: Vec<serde_json::Value>,
    /// The whole JSON answer.
    pub raw: serde_json::Value,
}

impl UploadResult {
    pub(super) fn from_json(raw: serde_json::Value) -> UploadResult {
        let result = raw
            .get("detailedImportResult")
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        let list = |name: &str| {
            result
                .get(name)
                .and_then(|v| v.as_array())
                .cloned()
                .unwrap_or_default()
        };
        let upload_id = result.get("uploadId").and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        });
        UploadResult {
            upload_id,
            successes: list("successes"),
            failures: list("failures"),
            raw,
        }
    }
}

/// The parts of one multipart body around the file's bytes.
pub(super) struct Multipart {
    pub content_type: String,
    preamble: Vec<u8>,
    epilogue: Vec<u8>,
}

impl Multipart {
    pub(super) fn new(file_name: &str) -> Result<Multipart> {
        let name = clean_file_name(file_name)?;
        let mut b = [0u8; 12];
        getrandom::fill(&mut b)
            .map_err(|e| Error::InvalidConfig(format!("OS random source failed: {e}")))?;
        let boundary = format!(
            "----garminsso{}",
            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
        );
        let preamble = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        );
        Ok(Multipart {
            content_type: format!("multipart/form-data; boundary={boundary}"),
            preamble: preamble.into_bytes(),
            epilogue: format!("\r\n--{boundary}--\r\n").into_bytes(),
        })
    }

    /// The whole body in memory (replayable) around bytes already in memory.
    pub(super) fn bytes(&self, data: &[u8]) -> Body {
        let mut v = Vec::with_capacity(self.preamble.len() + data.len() + self.epilogue.len());
        v.extend_from_slice(&self.preamble);
        v.extend_from_slice(data);
        v.extend_from_slice(&self.epilogue);
        Body::Bytes(v)
    }

    /// A streamed body around `reader`; its length is known when the file's is.
    pub(super) fn stream(&self, reader: Box<dyn Read + Send>, len: Option<u64>) -> Body {
        let framing = (self.preamble.len() + self.epilogue.len()) as u64;
        let chained = Cursor::new(self.preamble.clone())
            .chain(reader)
            .chain(Cursor::new(self.epilogue.clone()));
        Body::Reader {
            reader: Box::new(chained),
            len: len.map(|n| n + framing),
        }
    }
}

/// The last path component, with the characters that would break the header replaced.
fn clean_file_name(file_name: &str) -> Result<String> {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.is_empty() {
        return Err(Error::InvalidInput("upload file name is empty".into()));
    }
    Ok(base
        .chars()
        .map(|c| if c == '"' || c.is_control() { '_' } else { c })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_and_bytes_are_identical_and_length_is_exact() {
        let m = Multipart::new("dir/My \"ride\".fit").unwrap();
        let Body::Bytes(mem) = m.bytes(b"FITDATA") else {
            panic!("bytes expected")
        };
        let Body::Reader { mut reader, len } =
            m.stream(Box::new(Cursor::new(b"FITDATA".to_vec())), Some(7))
        else {
            panic!("reader expected")
        };
        let mut streamed = Vec::new();
        reader.read_to_end(&mut streamed).unwrap();
        assert_eq!(streamed, mem);
        assert_eq!(len, Some(mem.len() as u64));
        let text = String::from_utf8(mem).unwrap();
        assert!(
            text.contains("name=\"file\"; filename=\"My _ride_.fit\""),
            "{text}"
        );
        assert!(text.contains("\r\n\r\nFITDATA\r\n--"), "{text}");
        assert!(m
            .content_type
            .starts_with("multipart/form-data; boundary=----garminsso"));
    }

    #[test]
    fn upload_result_reads_garmin_json() {
        let raw = serde_json::json!({"detailedImportResult": {"uploadId": 212157427938_i64, "successes": [{"internalId": 1}], "failures": []}});
        let r = UploadResult::from_json(raw);
        assert_eq!(r.upload_id, Some(212_157_427_938));
        assert_eq!(r.successes.len(), 1);
        assert!(r.failures.is_empty());
        assert!(clean_file_name(" / ").is_err());
    }
}
