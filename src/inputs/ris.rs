//! RIS (`.ris`, what Zotero, Mendeley and EndNote export): `TY  - …` starts a record, `ER  - `
//! ends it, one `XX  - value` tag per line, repeated tags for lists. Streamed line by line.
//!
//! Read: `TI`/`T1` title, `AB`/`N2` abstract, `AU`/`A1` authors (`Last, First` → `First Last`),
//! `PY`/`Y1`/`DA` date (`2023`, `2023/09/15`, `2023/09//`), `KW` tags, `DO`, `UR`, `L2` (an
//! arXiv link there is the arXiv id), `ID` (the citation key), `JO`/`JF`/`T2`, `VL`, `IS`, `SP`, `EP` (the venue). Other tags are ignored.

use std::collections::VecDeque;
use std::io::{self, BufReader};

use super::clean::clean_text;
use super::draft::{Citation, Draft, FieldNames, MAX_ABSTRACT_BYTES, MAX_NAMES, MAX_TAGS};
use super::lines::{Line, LineReader, MAX_LINE_BYTES};
use super::source::InputBytes;
use super::Event;
use crate::diagnostic::Diagnostic;
use crate::record::normalize_arxiv;

const RIS_FIELDS: FieldNames = FieldNames {
    authors: "in `AU`",
    fellows: "in `fellows`",
};

/// `XX  - value`: the tag and the value, if the line is a tag line.
fn tag_line(text: &str) -> Option<(&str, &str)> {
    let b = text.as_bytes();
    let tag_ok = b.len() >= 5
        && b[0].is_ascii_uppercase()
        && (b[1].is_ascii_uppercase() || b[1].is_ascii_digit())
        && b[2] == b' '
        && b[3] == b' '
        && b[4] == b'-';
    if !tag_ok {
        return None;
    }
    Some((&text[..2], text[5..].trim()))
}

/// The first tag line decides: a RIS file starts with `TY  - `.
pub fn check(head: &[u8]) -> Result<(), (u64, String)> {
    let text = String::from_utf8_lossy(head);
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}').trim_end();
        if line.trim().is_empty() {
            continue;
        }
        return match tag_line(line) {
            Some(("TY", _)) => Ok(()),
            _ => Err((
                i as u64 + 1,
                "not a RIS file: expected `TY  - TYPE` to start the first record".to_owned(),
            )),
        };
    }
    Ok(())
}

/// One record being read.
#[derive(Default)]
struct Open {
    line: u64,
    title: String,
    abstract_text: String,
    authors: Vec<String>,
    tags: Vec<String>,
    date: String,
    doi: String,
    url: String,
    arxiv: String,
    key: String,
    venue: Vec<String>,
    /// The tag a continuation line belongs to.
    last: Option<String>,
}

pub struct RisReader {
    file: String,
    lines: LineReader<BufReader<InputBytes>>,
    open: Option<Open>,
    pending: VecDeque<Event>,
    done: bool,
}

impl RisReader {
    /// A reader of `bytes`, named `file` in diagnostics.
    pub fn new(file: String, bytes: InputBytes) -> RisReader {
        RisReader {
            file,
            lines: LineReader::new(BufReader::with_capacity(256 * 1024, bytes)),
            open: None,
            pending: VecDeque::new(),
            done: false,
        }
    }

    pub fn bytes_read(&self) -> u64 {
        self.lines.bytes_read()
    }

    fn warn(&mut self, line: u64, message: impl Into<String>) {
        self.pending
            .push_back(Event::Warning(Diagnostic::new(&self.file, line, message)));
    }

    fn feed(&mut self, raw: Line) {
        if let Some(at) = raw.invalid_utf8_at {
            self.warn(
                raw.number,
                format!("invalid UTF-8 at byte offset {at}; replaced with U+FFFD"),
            );
        }
        if raw.truncated {
            self.warn(
                raw.number,
                format!("line longer than {MAX_LINE_BYTES} bytes; cut there"),
            );
        }
        let text = raw.text.trim_end();
        let Some((tag, value)) = tag_line(text) else {
            // A continuation of the previous tag's value (wrapped abstracts).
            if let Some(open) = self.open.as_mut() {
                if let Some(last) = open.last.clone() {
                    append(open, &last, text.trim(), true);
                }
            } else if !text.trim().is_empty() {
                self.warn(
                    raw.number,
                    "text outside a record (before `TY  - ` or after `ER  - `); ignored",
                );
            }
            return;
        };
        match tag {
            "TY" => {
                if let Some(open) = self.open.take() {
                    let at = open.line;
                    self.warn(
                        at,
                        format!(
                            "record has no `ER  - ` before the next `TY  - ` (line {}); ended there",
                            raw.number
                        ),
                    );
                    self.finish(open);
                }
                self.open = Some(Open {
                    line: raw.number,
                    ..Open::default()
                });
            }
            "ER" => match self.open.take() {
                Some(open) => self.finish(open),
                None => self.warn(raw.number, "`ER  - ` without a record; ignored"),
            },
            _ => match self.open.as_mut() {
                Some(open) => {
                    append(open, tag, value, false);
                    open.last = Some(tag.to_owned());
                }
                None => self.warn(
                    raw.number,
                    format!("`{tag}  - ` outside a record (no `TY  - ` before it); ignored"),
                ),
            },
        }
    }

    fn finish(&mut self, open: Open) {
        let line = open.line;
        let venue = open.venue.join(" ");
        let draft = Draft {
            title: clean_text(&open.title),
            abstract_text: clean_text(&open.abstract_text),
            authors: open.authors.iter().map(|a| person(a)).collect(),
            tags: open.tags.iter().map(|t| clean_text(t)).collect(),
            date: ris_date(&open.date),
            doi: open.doi,
            url: open.url,
            arxiv: open.arxiv,
            // A number alone is a reference manager's record number (EndNote), not a key.
            key: if open.key.bytes().all(|b| b.is_ascii_digit()) {
                String::new()
            } else {
                open.key.clone()
            },
            citation: Some(Citation {
                key: open.key,
                venue,
            }),
            ..Draft::default()
        };
        match draft.finish(&self.file, line, &RIS_FIELDS) {
            Ok((record, warnings)) => {
                for (_, w) in warnings {
                    self.warn(line, w);
                }
                self.pending.push_back(Event::Record(record));
            }
            Err(why) => self.pending.push_back(Event::Skipped(Diagnostic::new(
                &self.file,
                line,
                format!("{why}; the record is skipped"),
            ))),
        }
    }
}

/// Adds a tag's value to the record, each text bounded so one endless tag cannot eat memory.
fn append(open: &mut Open, tag: &str, value: &str, continuation: bool) {
    let push_text = |slot: &mut String, value: &str, max: usize| {
        if slot.len() < max {
            if !slot.is_empty() {
                slot.push(' ');
            }
            slot.push_str(value);
        }
    };
    let push_item = |list: &mut Vec<String>, value: &str, max: usize| {
        if continuation {
            if let Some(last) = list.last_mut() {
                last.push(' ');
                last.push_str(value);
                return;
            }
        }
        if list.len() <= max && !value.is_empty() {
            list.push(value.to_owned());
        }
    };
    match tag {
        "TI" | "T1" => push_text(&mut open.title, value, 64 * 1024),
        "AB" | "N2" => push_text(&mut open.abstract_text, value, MAX_ABSTRACT_BYTES + 1),
        "AU" | "A1" => push_item(&mut open.authors, value, MAX_NAMES),
        "KW" => {
            // Some exporters put several keywords on one line, separated by `;`.
            for kw in value.split(';') {
                push_item(&mut open.tags, kw.trim(), MAX_TAGS);
            }
        }
        // `DA` (a full date) wins over a year alone.
        "PY" | "Y1" | "DA" if open.date.is_empty() || tag == "DA" => {
            open.date = value.to_owned();
        }
        "DO" => open.doi = value.to_owned(),
        "UR" | "L2" => {
            let id = normalize_arxiv(value);
            if !id.is_empty() && open.arxiv.is_empty() {
                open.arxiv = id.clone();
            }
            // `L2` (the full text) naming an arXiv paper is its arXiv id, not its URL.
            let arxiv_link = tag == "L2" && !id.is_empty();
            if open.url.is_empty() && !arxiv_link {
                open.url = value.to_owned();
            }
        }
        "ID" => open.key = value.to_owned(),
        "JO" | "JF" | "T2" | "VL" | "IS" | "SP" | "EP" if open.venue.len() < 16 => {
            open.venue.push(value.chars().take(200).collect());
        }
        _ => {}
    }
}

/// `2023/09/15/`, `2023///`, `2023` → `2023-09-15`, `2023`; other forms as written.
fn ris_date(raw: &str) -> String {
    let raw = raw.trim();
    if !raw.contains('/') {
        return raw.to_owned();
    }
    let parts: Vec<&str> = raw.split('/').map(str::trim).collect();
    match parts.as_slice() {
        [y, m, d, ..] if !m.is_empty() && !d.is_empty() => format!("{y}-{m:0>2}-{d:0>2}"),
        [y, m, ..] if !m.is_empty() => format!("{y}-{m:0>2}"),
        [y, ..] => (*y).to_owned(),
        [] => String::new(),
    }
}

/// `Last, First` → `First Last`; `First Last` as it is.
pub(super) fn person(name: &str) -> String {
    let name = clean_text(name);
    match name.split_once(',') {
        Some((last, first)) if !first.trim().is_empty() => {
            format!("{} {}", first.trim(), last.trim())
        }
        Some((last, _)) => last.trim().to_owned(),
        None => name,
    }
}

impl Iterator for RisReader {
    type Item = io::Result<Event>;

    fn next(&mut self) -> Option<io::Result<Event>> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some(Ok(e));
            }
            if self.done {
                return None;
            }
            match self.lines.next_line() {
                Ok(Some(line)) => self.feed(line),
                Ok(None) => {
                    self.done = true;
                    if let Some(open) = self.open.take() {
                        let at = open.line;
                        self.warn(at, "file ends inside a record (no `ER  - `); read as ended");
                        self.finish(open);
                    }
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ris_dates_and_names() {
        assert_eq!(ris_date("2023/09/15/"), "2023-09-15");
        assert_eq!(ris_date("2023/9/5"), "2023-09-05");
        assert_eq!(ris_date("2023///"), "2023");
        assert_eq!(ris_date("2023/09//"), "2023-09");
        assert_eq!(ris_date("2023"), "2023");
        assert_eq!(person("Nanda, Neel"), "Neel Nanda");
        assert_eq!(person("Neel Nanda"), "Neel Nanda");
        assert_eq!(person("OpenAI,"), "OpenAI");
    }
}
