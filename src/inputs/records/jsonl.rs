//! JSON-lines records: one object per line, streamed line by line with bounded memory.
//! A line that is not an object is skipped as `file:line: why`; the rest are read.

use std::io::{self, BufReader};

use super::json::draft_from_json;
use super::{Pending, MAX_LINE_BYTES};
use crate::inputs::lines::{read_bounded_line, BoundedLine};
use crate::inputs::source::InputBytes;

/// The first non-blank line of `head` (whole lines) must be an object with a `title`: anything
/// else is not a records file, whatever its name says.
pub(super) fn check(head: &[u8]) -> Result<(), (u64, String)> {
    let mut reader = head;
    let mut number = 0u64;
    loop {
        let Some(line) = read_bounded_line(&mut reader, MAX_LINE_BYTES)
            .map_err(|e| (0, format!("cannot read: {e}")))?
        else {
            // Empty (no records, which ingest reports on its own), or a first line longer than
            // the head (judged when read).
            return Ok(());
        };
        number += 1;
        let text = match &line {
            BoundedLine::Text(bytes) => String::from_utf8_lossy(bytes),
            BoundedLine::TooLong => return Ok(()), // reported when read
        };
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        return match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(m)) if m.contains_key("title") => Ok(()),
            _ => Err((
                number,
                "not a JSON-lines records file: expected one JSON object with at least \
                 `title` and `date` per line, as `litsearch parse` writes"
                    .to_owned(),
            )),
        };
    }
}

pub(super) struct JsonlReader {
    reader: BufReader<InputBytes>,
    line: u64,
    bytes: u64,
}

impl JsonlReader {
    pub(super) fn new(bytes: InputBytes) -> Self {
        JsonlReader {
            reader: BufReader::with_capacity(256 * 1024, bytes),
            line: 0,
            bytes: 0,
        }
    }

    pub(super) fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// Reads up to the next non-blank line; false at the end of the file.
    pub(super) fn fill(&mut self, pending: &mut Pending) -> io::Result<bool> {
        loop {
            let Some(next) = read_bounded_line(&mut self.reader, MAX_LINE_BYTES)? else {
                return Ok(false);
            };
            self.line += 1;
            let number = self.line;
            let bytes = match next {
                BoundedLine::Text(bytes) => bytes,
                BoundedLine::TooLong => {
                    self.bytes += MAX_LINE_BYTES as u64;
                    pending.skip(
                        number,
                        format!("line longer than {MAX_LINE_BYTES} bytes; the record is skipped"),
                    );
                    return Ok(true);
                }
            };
            self.bytes += bytes.len() as u64 + 1;
            let text = String::from_utf8_lossy(&bytes);
            let text = text.trim_start_matches('\u{feff}').trim();
            if text.is_empty() {
                continue;
            }
            let draft = serde_json::from_str::<serde_json::Value>(text)
                .map_err(|e| format!("not JSON: {e}"))
                .and_then(|v| draft_from_json(v, pending, number));
            pending.push_draft(number, draft);
            return Ok(true);
        }
    }
}
