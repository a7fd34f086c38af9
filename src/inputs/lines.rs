//! Reads an input line by line with bounded memory: `LineReader` (page exports) cuts a long line
//! and reports where bytes are not UTF-8; `read_bounded_line` (JSON lines) skips a long line.

use std::io::{self, BufRead};

pub const MAX_LINE_BYTES: usize = 1 << 20;

/// One line of an export, without its line end (`\n` or `\r\n`) or a leading BOM.
pub struct Line {
    pub number: u64,
    pub text: String,
    /// Byte offset (in the file) of the first invalid UTF-8 sequence, if any.
    pub invalid_utf8_at: Option<u64>,
    pub had_nul: bool,
    pub truncated: bool,
}

pub struct LineReader<R> {
    inner: R,
    number: u64,
    offset: u64,
    buf: Vec<u8>,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(inner: R) -> Self {
        LineReader {
            inner,
            number: 0,
            offset: 0,
            buf: Vec::new(),
        }
    }

    /// Bytes consumed so far, for progress reporting.
    pub fn bytes_read(&self) -> u64 {
        self.offset
    }

    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        self.buf.clear();
        let start = self.offset;
        let mut truncated = false;
        let mut saw_any = false;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            saw_any = true;
            let (chunk, consumed, done) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..i], i + 1, true),
                None => (available, available.len(), false),
            };
            let room = MAX_LINE_BYTES.saturating_sub(self.buf.len());
            if chunk.len() > room {
                truncated = true;
                self.buf.extend_from_slice(&chunk[..room]);
            } else {
                self.buf.extend_from_slice(chunk);
            }
            self.inner.consume(consumed);
            self.offset += consumed as u64;
            if done {
                break;
            }
        }
        if !saw_any {
            return Ok(None);
        }
        self.number += 1;
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        let mut bytes: &[u8] = &self.buf;
        let mut text_offset = start;
        if self.number == 1 && bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes = &bytes[3..];
            text_offset += 3;
        }
        let had_nul = bytes.contains(&0);
        let (text, invalid_utf8_at) = match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_owned(), None),
            Err(e) => {
                // A line cut at MAX_LINE_BYTES may end inside a character: that is not bad input.
                let at_cut = truncated && e.error_len().is_none();
                let text = String::from_utf8_lossy(bytes).into_owned();
                (
                    text,
                    (!at_cut).then_some(text_offset + e.valid_up_to() as u64),
                )
            }
        };
        let text = if had_nul {
            text.replace('\0', " ")
        } else {
            text
        };
        Ok(Some(Line {
            number: self.number,
            text,
            invalid_utf8_at,
            had_nul,
            truncated,
        }))
    }
}

/// One line of a line-oriented records file: its bytes, or word that it was too long.
pub enum BoundedLine {
    Text(Vec<u8>),
    TooLong,
}

/// One line without its end, at most `max` bytes; a longer line is consumed (not buffered) and
/// reported as `TooLong`.
pub fn read_bounded_line(reader: &mut impl BufRead, max: usize) -> io::Result<Option<BoundedLine>> {
    use std::io::Read;
    let mut buf = Vec::new();
    let n = reader
        .by_ref()
        .take(max as u64 + 1)
        .read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(Some(BoundedLine::Text(buf)));
    }
    if buf.len() > max {
        // Discard the rest of the line.
        let mut sink = Vec::new();
        loop {
            sink.clear();
            let n = reader
                .by_ref()
                .take(64 * 1024)
                .read_until(b'\n', &mut sink)?;
            if n == 0 || sink.last() == Some(&b'\n') {
                break;
            }
        }
        return Ok(Some(BoundedLine::TooLong));
    }
    Ok(Some(BoundedLine::Text(buf)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8]) -> Vec<Line> {
        let mut r = LineReader::new(input);
        let mut out = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            out.push(l);
        }
        out
    }

    #[test]
    fn strips_bom_and_crlf() {
        let l = lines(b"\xEF\xBB\xBFTitle\r\nNext\r\n");
        assert_eq!(l.len(), 2);
        assert_eq!(l[0].text, "Title");
        assert_eq!(l[1].text, "Next");
        assert_eq!(l[1].number, 2);
    }

    #[test]
    fn reports_invalid_utf8_offset() {
        let l = lines(b"ok\nab\xffcd\n");
        assert_eq!(l[0].invalid_utf8_at, None);
        assert_eq!(l[1].invalid_utf8_at, Some(5));
        assert_eq!(l[1].text, "ab\u{fffd}cd");
    }

    #[test]
    fn caps_long_lines() {
        let mut input = vec![b'x'; MAX_LINE_BYTES + 10];
        input.extend_from_slice(b"\nnext\n");
        let l = lines(&input);
        assert_eq!(l.len(), 2);
        assert!(l[0].truncated);
        assert_eq!(l[0].text.len(), MAX_LINE_BYTES);
        assert_eq!(l[1].text, "next");
    }
}
