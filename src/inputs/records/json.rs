//! Records as one JSON array of objects (and the JSON object form shared with JSON lines).
//! The array is read whole (up to a cap); each element reports its own line when it is bad.

use std::collections::BTreeMap;
use std::io::{self, Read};

use serde::Deserialize;

use super::Pending;
use crate::inputs::draft::Draft;
use crate::inputs::source::InputBytes;

/// Largest JSON array file read (it is read whole); larger ones should be JSON lines.
const MAX_JSON_ARRAY_BYTES: u64 = 512 << 20;

/// The input's head must start with `[` (after a BOM and blanks).
pub(super) fn check(head: &[u8]) -> Result<(), (u64, String)> {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    match body.iter().position(|b| !b.is_ascii_whitespace()) {
        Some(i) if body[i] == b'[' => Ok(()),
        None => Ok(()),
        Some(i) => Err((
            1 + body[..i].iter().filter(|&&b| b == b'\n').count() as u64,
            "not a JSON records file: expected an array of record objects \
             (for one object per line, name the file .jsonl)"
                .to_owned(),
        )),
    }
}

pub(super) struct JsonArrayReader {
    items: std::vec::IntoIter<(u64, Result<serde_json::Value, String>)>,
    size: u64,
    done: bool,
    /// The items are CSL-JSON's (`inputs::csl`), not litsearch's records.
    csl: bool,
}

impl JsonArrayReader {
    /// `size`: the input's length when known before reading (a plain file's); a stream
    /// (compressed, piped) is read up to the cap and refused if it goes past it.
    pub(super) fn new(
        input: InputBytes,
        size: Option<u64>,
        pending: &mut Pending,
        csl: bool,
    ) -> io::Result<Self> {
        let too_large = |pending: &mut Pending, size: String| {
            pending.skip(
                0,
                format!(
                    "a JSON array of {size} bytes is too large to read at once: export it as .jsonl"
                ),
            );
            JsonArrayReader {
                items: Vec::new().into_iter(),
                size: 0,
                done: true,
                csl,
            }
        };
        if let Some(size) = size.filter(|&size| size > MAX_JSON_ARRAY_BYTES) {
            return Ok(too_large(pending, size.to_string()));
        }
        let mut bytes = Vec::with_capacity(size.unwrap_or(0) as usize);
        input
            .take(MAX_JSON_ARRAY_BYTES + 1)
            .read_to_end(&mut bytes)?;
        if bytes.len() as u64 > MAX_JSON_ARRAY_BYTES {
            return Ok(too_large(
                pending,
                format!("more than {MAX_JSON_ARRAY_BYTES}"),
            ));
        }
        Ok(JsonArrayReader {
            items: split_json_array(&bytes).into_iter(),
            size: bytes.len() as u64,
            done: false,
            csl,
        })
    }

    /// The whole file once it is read through (it was read at once).
    pub(super) fn bytes_read(&self) -> u64 {
        if self.done {
            self.size
        } else {
            0
        }
    }

    /// The next element as a record or a skipped entry; false after the last.
    pub(super) fn fill(&mut self, pending: &mut Pending) -> bool {
        let Some((line, item)) = self.items.next() else {
            self.done = true;
            return false;
        };
        let draft = if self.csl {
            item.and_then(crate::inputs::csl::draft_from_csl)
        } else {
            item.and_then(|v| draft_from_json(v, pending, line))
        };
        pending.push_draft(line, draft);
        true
    }
}

/// The elements of a JSON array with the line each starts on, so a bad one is reported as
/// `file:line` and the others still read.
fn split_json_array(bytes: &[u8]) -> Vec<(u64, Result<serde_json::Value, String>)> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let offset = bytes.len() - body.len();
    let line_at = |pos: usize| 1 + bytes[..pos].iter().filter(|&&b| b == b'\n').count() as u64;
    let skip_ws = |mut pos: usize| {
        while pos < body.len() && body[pos].is_ascii_whitespace() {
            pos += 1;
        }
        pos
    };
    let mut out = Vec::new();
    let mut pos = skip_ws(0);
    if pos >= body.len() {
        return out;
    }
    if body[pos] != b'[' {
        out.push((
            line_at(offset + pos),
            Err("expected a JSON array".to_owned()),
        ));
        return out;
    }
    pos = skip_ws(pos + 1);
    if body.get(pos) == Some(&b']') {
        return out;
    }
    loop {
        let start = pos;
        let mut stream =
            serde_json::Deserializer::from_slice(&body[start..]).into_iter::<serde_json::Value>();
        match stream.next() {
            Some(Ok(v)) => {
                out.push((line_at(offset + start), Ok(v)));
                pos = skip_ws(start + stream.byte_offset());
            }
            Some(Err(e)) => {
                let line = line_at(offset + start) + e.line().saturating_sub(1) as u64;
                out.push((
                    line,
                    Err(format!("not JSON: {e}; the rest of the file is skipped")),
                ));
                return out;
            }
            None => {
                out.push((
                    line_at(offset + start),
                    Err("unfinished JSON array".to_owned()),
                ));
                return out;
            }
        }
        match body.get(pos) {
            Some(b',') => pos = skip_ws(pos + 1),
            Some(b']') => return out,
            _ => {
                out.push((
                    line_at(offset + pos.min(body.len())),
                    Err(
                        "expected `,` or `]` after a record; the rest of the file is skipped"
                            .to_owned(),
                    ),
                ));
                return out;
            }
        }
    }
}

/// The JSON object form, lenient about missing keys and strict about types.
#[derive(Deserialize)]
struct JsonDraft {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default, rename = "abstract")]
    abstract_text: Option<String>,
    /// Lists: an array of strings, or one string joined with `;` (as other tools write them,
    /// and as CSV cells are read).
    #[serde(default)]
    authors: Option<serde_json::Value>,
    #[serde(default)]
    fellows: Option<serde_json::Value>,
    #[serde(default)]
    tags: Option<serde_json::Value>,
    /// A string (an ISO date-time keeps its date) or an integer year.
    #[serde(default)]
    date: Option<serde_json::Value>,
    /// Other tools' `year` (string or integer), read when there is no `date`.
    #[serde(default)]
    year: Option<serde_json::Value>,
    #[serde(default)]
    featured: Option<bool>,
    #[serde(default)]
    doi: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    arxiv: Option<String>,
    /// Where the record came from in its own source; replaced by the file being read.
    #[serde(default)]
    #[allow(dead_code)]
    source: Option<serde_json::Value>,
    #[serde(flatten)]
    extra: BTreeMap<String, serde_json::Value>,
}

/// A JSON object as a draft; keys it does not know are reported as a warning at `line`.
pub(super) fn draft_from_json(
    value: serde_json::Value,
    pending: &mut Pending,
    line: u64,
) -> Result<Draft, String> {
    if !value.is_object() {
        return Err("not a record: expected a JSON object".to_owned());
    }
    let j: JsonDraft = serde_json::from_value(value).map_err(|e| format!("bad record: {e}"))?;
    if !j.extra.is_empty() {
        let unknown: Vec<&str> = j.extra.keys().map(String::as_str).collect();
        pending.warn(
            line,
            format!("unknown key(s) ignored: {}", unknown.join(", ")),
        );
    }
    let date = match (&j.date, &j.year) {
        (Some(d), _) if !d.is_null() => date_of(d, "date")?,
        (_, Some(y)) => date_of(y, "year")?,
        _ => String::new(),
    };
    Ok(Draft {
        id: j.id,
        title: j.title.unwrap_or_default(),
        abstract_text: j.abstract_text.unwrap_or_default(),
        authors: list_of(j.authors, "authors", "names")?,
        fellows: list_of(j.fellows, "fellows", "names")?,
        tags: list_of(j.tags, "tags", "tags")?,
        date,
        featured: j.featured.unwrap_or(false),
        doi: j.doi.unwrap_or_default(),
        url: j.url.unwrap_or_default(),
        arxiv: j.arxiv.unwrap_or_default(),
        citation: None,
        key: j.key.unwrap_or_default(),
    })
}

/// A list as other tools write it: an array of strings or one `;`-joined string.
fn list_of(
    value: Option<serde_json::Value>,
    key: &str,
    items: &str,
) -> Result<Vec<String>, String> {
    use serde_json::Value;
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split(';')
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()),
        Some(Value::Array(a)) => a
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(format!("{key} must be a list of {items} or a string")),
            })
            .collect(),
        Some(_) => Err(format!("{key} must be a list of {items} or a string")),
    }
}

/// A date as other tools write it: a string (an ISO date-time's date is kept:
/// `2023-05-01T12:00:00Z` → `2023-05-01`) or an integer year.
fn date_of(value: &serde_json::Value, key: &str) -> Result<String, String> {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            let s = s.trim();
            let b = s.as_bytes();
            let iso_date = b.len() > 10
                && b[..10].iter().enumerate().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        *c == b'-'
                    } else {
                        c.is_ascii_digit()
                    }
                })
                && matches!(b[10], b'T' | b't' | b' ');
            Ok(if iso_date { &s[..10] } else { s }.to_owned())
        }
        Value::Number(n) if n.is_u64() => Ok(n.to_string()),
        _ => Err(format!(
            "{key} must be a string (2025-03-01, 2025) or a year as a number"
        )),
    }
}
