//! The HTTP client of the OpenSearch engine: blocking `ureq`, timeouts on connect and read,
//! basic auth from the environment or ~/.netrc, and every failure as one line naming the URL.

use std::time::Duration;

use serde_json::Value;
use ureq::http;

use super::url::EngineUrl;
use crate::error::{Error, Result};

/// Longest response body read (an export page, a composite aggregation page).
const MAX_BODY: u64 = 512 * 1024 * 1024;

pub struct Client {
    agent: ureq::Agent,
    pub url: EngineUrl,
    auth: Option<String>,
}

/// A response: its status and its JSON body (`Null` when empty).
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

impl Client {
    pub fn new(url: EngineUrl) -> Client {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .timeout_recv_body(Some(Duration::from_secs(120)))
            .max_redirects(0)
            .build();
        let auth = url.credentials().map(|(user, password)| {
            format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
        });
        Client {
            agent: ureq::Agent::new_with_config(config),
            url,
            auth,
        }
    }

    /// An error about this engine.
    pub fn error(&self, detail: impl Into<String>) -> Error {
        Error::Remote {
            url: self.url.to_string(),
            detail: detail.into(),
        }
    }

    /// Sends a request and returns the status and JSON body, whatever the status.
    pub fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Reply> {
        let bytes = match body {
            Some(v) => serde_json::to_vec(v).map_err(|e| self.error(e.to_string()))?,
            None => Vec::new(),
        };
        self.send_raw(method, path, bytes, "application/json", body.is_some())
    }

    /// Sends NDJSON (`_bulk`).
    pub fn send_ndjson(&self, path: &str, body: Vec<u8>) -> Result<Reply> {
        self.send_raw("POST", path, body, "application/x-ndjson", true)
    }

    fn send_raw(
        &self,
        method: &str,
        path: &str,
        body: Vec<u8>,
        content_type: &str,
        has_body: bool,
    ) -> Result<Reply> {
        let uri = format!("{}{}", self.url.base(), path);
        let mut builder = http::Request::builder().method(method).uri(&uri);
        if has_body {
            builder = builder.header("Content-Type", content_type);
        }
        if let Some(auth) = &self.auth {
            builder = builder.header("Authorization", auth);
        }
        let request = builder
            .body(body)
            .map_err(|e| self.error(format!("bad request {method} {path}: {e}")))?;
        let mut response = self
            .agent
            .run(request)
            .map_err(|e| self.error(describe(&e)))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|e| {
                self.error(format!(
                    "reading the answer to {method} {path}: {}",
                    describe(&e)
                ))
            })?;
        let body = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).map_err(|e| {
                self.error(format!(
                    "{method} {path} answered with status {status} and malformed JSON ({e})"
                ))
            })?
        };
        if status == 401 || status == 403 {
            return Err(self.error(format!(
                "{method} {path}: status {status} (set LITSEARCH_ENGINE_USER and LITSEARCH_ENGINE_PASSWORD, or a ~/.netrc entry)"
            )));
        }
        Ok(Reply { status, body })
    }

    /// Sends and requires a 2xx answer; else one line with the engine's own reason.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let reply = self.send(method, path, body)?;
        if reply.ok() {
            Ok(reply.body)
        } else {
            Err(self.status_error(method, path, &reply))
        }
    }

    pub fn status_error(&self, method: &str, path: &str, reply: &Reply) -> Error {
        self.error(format!(
            "{method} {path}: status {}{}",
            reply.status,
            reason(&reply.body)
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ))
    }
}

/// The engine's reason for a failure, from its error body.
pub fn reason(body: &Value) -> Option<String> {
    let error = body.get("error")?;
    if let Some(s) = error.as_str() {
        return Some(s.to_owned());
    }
    let root = error
        .get("root_cause")
        .and_then(|r| r.get(0))
        .unwrap_or(error);
    let kind = root.get("type").and_then(Value::as_str).unwrap_or("error");
    let why = root.get("reason").and_then(Value::as_str).unwrap_or("");
    Some(format!("{kind}: {why}"))
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::HostNotFound => "host not found (DNS)".to_owned(),
        ureq::Error::ConnectionFailed => {
            "connection failed (is OpenSearch running there?)".to_owned()
        }
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused (is OpenSearch running there?)".to_owned()
        }
        other => other.to_string(),
    }
}

/// Standard base64 (RFC 4648, padded), for the basic-auth header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("user:pässword", "dXNlcjpww6Rzc3dvcmQ="),
        ] {
            assert_eq!(base64(plain.as_bytes()), coded);
        }
    }
}
