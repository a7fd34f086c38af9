//! Records in and out as JSON lines, a JSON array or CSV: what `export` writes and what `ingest`
//! reads from other tools. The keys are those of `Record`, i.e. of `litsearch parse`.
//!
//! CSV layout: a header row `id,title,abstract,authors,fellows,tags,date,featured,source_file,
//! source_line`; lists (authors, fellows, tags) joined with `; `; `featured` is `true`/`false`.
//! On import only `title` and `date` are required; `id` is kept when it is 16 hex digits and
//! computed from title and date otherwise; a record's `source` becomes the file and line it was
//! read from (the row's own source columns are accepted and ignored).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;

use serde::Deserialize;

use crate::export::{iso, parse_date, Diagnostic, Event};
use crate::record::{record_id, Record, Source};
use crate::text::{squash_spaces, truncate_at_char};

/// The interchange formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum RecordFormat {
    /// One JSON object per line (the format of `parse`)
    #[default]
    Jsonl,
    /// One JSON array of objects
    Json,
    /// A header row, then one row per record; lists joined with `; `
    Csv,
}

impl RecordFormat {
    /// The format a file's extension names, if any: `.jsonl`/`.ndjson`, `.json`, `.csv`.
    pub fn from_path(path: &Path) -> Option<RecordFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "ndjson" => Some(RecordFormat::Jsonl),
            "json" => Some(RecordFormat::Json),
            "csv" => Some(RecordFormat::Csv),
            _ => None,
        }
    }
}

pub const CSV_HEADER: [&str; 10] = [
    "id",
    "title",
    "abstract",
    "authors",
    "fellows",
    "tags",
    "date",
    "featured",
    "source_file",
    "source_line",
];

/// How lists are joined in a CSV cell; on import any `;` splits.
pub const LIST_SEPARATOR: &str = "; ";

/// Caps on imported text, as for page exports: beyond them text is cut with a warning.
const MAX_TITLE_BYTES: usize = 4_000;
const MAX_ABSTRACT_BYTES: usize = 64 * 1024;
const MAX_LIST_ITEMS: usize = 2_000;
/// Longest JSON line (or JSON array file) read; longer ones are skipped.
const MAX_LINE_BYTES: usize = 1 << 20;
const MAX_JSON_ARRAY_BYTES: u64 = 512 << 20;

// ---------------------------------------------------------------------------------------------
// Writing

/// Writes `records` in `format`. I/O errors come back as `io::Error` so a closed pipe stays quiet.
pub fn write_records<'a, W: Write>(
    mut out: W,
    format: RecordFormat,
    records: impl IntoIterator<Item = &'a Record>,
) -> io::Result<()> {
    match format {
        RecordFormat::Jsonl => {
            for r in records {
                serde_json::to_writer(&mut out, r)?;
                out.write_all(b"\n")?;
            }
        }
        RecordFormat::Json => {
            let all: Vec<&Record> = records.into_iter().collect();
            serde_json::to_writer_pretty(&mut out, &all)?;
            out.write_all(b"\n")?;
        }
        RecordFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(CSV_HEADER)?;
            for r in records {
                w.write_record([
                    r.id.as_str(),
                    &r.title,
                    &r.abstract_text,
                    &r.authors.join(LIST_SEPARATOR),
                    &r.fellows.join(LIST_SEPARATOR),
                    &r.tags.join(LIST_SEPARATOR),
                    &r.date,
                    if r.featured { "true" } else { "false" },
                    &r.source.file,
                    &r.source.line.to_string(),
                ])?;
            }
            w.flush()?;
        }
    }
    out.flush()
}

// ---------------------------------------------------------------------------------------------
// Recognising a records file

/// Checks that a file named `.jsonl`, `.json` or `.csv` holds records, before anything is read
/// for real. The error names the line that gave it away.
pub fn check_content(path: &Path, format: RecordFormat) -> Result<(), (u64, String)> {
    let file = File::open(path).map_err(|e| (0, format!("cannot read: {e}")))?;
    let mut reader = BufReader::new(file);
    match format {
        RecordFormat::Jsonl => {
            let mut number = 0u64;
            loop {
                let Some(line) =
                    read_bounded_line(&mut reader).map_err(|e| (0, format!("cannot read: {e}")))?
                else {
                    return Ok(()); // empty: no records, which ingest reports on its own
                };
                number += 1;
                let text = match &line {
                    Line::Text(bytes) => String::from_utf8_lossy(bytes),
                    Line::TooLong => return Ok(()), // reported when read
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
        RecordFormat::Json => {
            let mut head = Vec::new();
            reader
                .take(4096)
                .read_to_end(&mut head)
                .map_err(|e| (0, format!("cannot read: {e}")))?;
            let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
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
        RecordFormat::Csv => {
            let mut csv = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(reader.take(MAX_LINE_BYTES as u64));
            let header = csv
                .headers()
                .map_err(|e| (1, format!("not a records CSV: {e}")))?;
            let columns = Columns::from_header(header);
            if columns.title.is_none() || columns.date.is_none() {
                let found: Vec<&str> = header.iter().take(12).collect();
                return Err((
                    1,
                    format!(
                        "not a records CSV: the header needs `title` and `date` columns (found: {})",
                        found.join(", ")
                    ),
                ));
            }
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

/// A streaming reader of one records file, yielding the same events as the page parser:
/// records, warnings, and skipped rows (each `file:line: why`).
pub struct RecordReader {
    file: String,
    inner: Inner,
    pending: std::collections::VecDeque<Event>,
    bytes: u64,
}

enum Inner {
    Jsonl {
        reader: BufReader<File>,
        line: u64,
    },
    Json {
        items: std::vec::IntoIter<(u64, Result<serde_json::Value, String>)>,
        finished: bool,
    },
    Csv {
        reader: Box<csv::Reader<BufReader<File>>>,
        columns: Option<Columns>,
    },
}

impl RecordReader {
    pub fn open(path: &Path, format: RecordFormat) -> io::Result<RecordReader> {
        let file_name = path.display().to_string();
        let file = File::open(path)?;
        let mut pending = std::collections::VecDeque::new();
        let inner = match format {
            RecordFormat::Jsonl => Inner::Jsonl {
                reader: BufReader::with_capacity(256 * 1024, file),
                line: 0,
            },
            RecordFormat::Json => {
                let size = file.metadata()?.len();
                if size > MAX_JSON_ARRAY_BYTES {
                    pending.push_back(Event::Skipped(Diagnostic::new(
                        &file_name,
                        0,
                        format!(
                            "a JSON array of {size} bytes is too large to read at once: export it as .jsonl"
                        ),
                    )));
                    Inner::Json {
                        items: Vec::new().into_iter(),
                        finished: true,
                    }
                } else {
                    let mut bytes = Vec::with_capacity(size as usize);
                    BufReader::new(file).read_to_end(&mut bytes)?;
                    Inner::Json {
                        items: split_json_array(&bytes).into_iter(),
                        finished: false,
                    }
                }
            }
            RecordFormat::Csv => Inner::Csv {
                reader: Box::new(
                    csv::ReaderBuilder::new()
                        .flexible(true)
                        .has_headers(false)
                        .from_reader(BufReader::with_capacity(256 * 1024, file)),
                ),
                columns: None,
            },
        };
        Ok(RecordReader {
            file: file_name,
            inner,
            pending,
            bytes: 0,
        })
    }

    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    fn push_draft(&mut self, line: u64, draft: Result<Draft, String>) {
        let file = self.file.clone();
        match draft.and_then(|d| d.into_record(&file, line)) {
            Ok((record, warnings)) => {
                for w in warnings {
                    self.pending
                        .push_back(Event::Warning(Diagnostic::new(&file, line, w)));
                }
                self.pending.push_back(Event::Record(record));
            }
            Err(why) => self.pending.push_back(Event::Skipped(Diagnostic::new(
                &file,
                line,
                format!("{why}; the record is skipped"),
            ))),
        }
    }

    /// Reads until at least one event is pending; false at the end of the file.
    fn fill(&mut self) -> io::Result<bool> {
        match &mut self.inner {
            Inner::Jsonl { reader, line } => {
                loop {
                    let Some(next) = read_bounded_line(reader)? else {
                        return Ok(false);
                    };
                    *line += 1;
                    let number = *line;
                    let bytes = match next {
                        Line::Text(bytes) => bytes,
                        Line::TooLong => {
                            self.bytes += MAX_LINE_BYTES as u64;
                            let file = self.file.clone();
                            self.pending.push_back(Event::Skipped(Diagnostic::new(
                            &file,
                            number,
                            format!("line longer than {MAX_LINE_BYTES} bytes; the record is skipped"),
                        )));
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
                        .and_then(Draft::from_json);
                    self.push_draft(number, draft);
                    return Ok(true);
                }
            }
            Inner::Json { items, finished } => {
                let Some((line, item)) = items.next() else {
                    *finished = true;
                    return Ok(false);
                };
                self.push_draft(line, item.and_then(Draft::from_json));
                Ok(true)
            }
            Inner::Csv { reader, columns } => {
                let mut row = csv::StringRecord::new();
                let read = reader.read_record(&mut row);
                self.bytes = reader.position().byte();
                let line = row.position().map(|p| p.line()).unwrap_or(0);
                match read {
                    Ok(false) => Ok(false),
                    Ok(true) => {
                        match columns {
                            None => {
                                let found = Columns::from_header(&row);
                                let unknown = found.unknown.clone();
                                *columns = Some(found);
                                if !unknown.is_empty() {
                                    let file = self.file.clone();
                                    self.pending.push_back(Event::Warning(Diagnostic::new(
                                        &file,
                                        line,
                                        format!(
                                            "unknown column(s) ignored: {}",
                                            unknown.join(", ")
                                        ),
                                    )));
                                }
                            }
                            Some(cols) => {
                                let draft = cols.draft(&row);
                                self.push_draft(line, draft);
                            }
                        }
                        Ok(true)
                    }
                    Err(e) => match e.kind() {
                        csv::ErrorKind::Io(_) => Err(io::Error::other(e.to_string())),
                        _ => {
                            let line = e.position().map(|p| p.line()).unwrap_or(line);
                            let file = self.file.clone();
                            let message = match e.kind() {
                                csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_owned(),
                                _ => e.to_string(),
                            };
                            self.pending.push_back(Event::Skipped(Diagnostic::new(
                                &file,
                                line,
                                format!("{message}; the row is skipped"),
                            )));
                            Ok(true)
                        }
                    },
                }
            }
        }
    }
}

impl Iterator for RecordReader {
    type Item = io::Result<Event>;

    fn next(&mut self) -> Option<io::Result<Event>> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some(Ok(e));
            }
            match self.fill() {
                Ok(true) => continue,
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

enum Line {
    Text(Vec<u8>),
    TooLong,
}

/// One line without its end, at most `MAX_LINE_BYTES`; a longer line is consumed and reported.
fn read_bounded_line(reader: &mut impl BufRead) -> io::Result<Option<Line>> {
    let mut buf = Vec::new();
    let n = reader
        .by_ref()
        .take(MAX_LINE_BYTES as u64 + 1)
        .read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        return Ok(Some(Line::Text(buf)));
    }
    if buf.len() > MAX_LINE_BYTES {
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
        return Ok(Some(Line::TooLong));
    }
    Ok(Some(Line::Text(buf)))
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

// ---------------------------------------------------------------------------------------------
// From a row or an object to a record

/// A record as another tool may write it: everything but title and date optional.
#[derive(Debug, Default)]
struct Draft {
    id: Option<String>,
    title: String,
    abstract_text: String,
    authors: Vec<String>,
    fellows: Vec<String>,
    tags: Vec<String>,
    date: String,
    featured: bool,
    unknown: Vec<String>,
}

/// The JSON object form, lenient about missing keys and strict about types.
#[derive(Deserialize)]
struct JsonDraft {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default, rename = "abstract")]
    abstract_text: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
    #[serde(default)]
    fellows: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    featured: Option<bool>,
    /// Where the record came from in its own source; replaced by the file being read.
    #[serde(default)]
    #[allow(dead_code)]
    source: Option<serde_json::Value>,
    #[serde(flatten)]
    extra: BTreeMap<String, serde_json::Value>,
}

impl Draft {
    fn from_json(value: serde_json::Value) -> Result<Draft, String> {
        if !value.is_object() {
            return Err("not a record: expected a JSON object".to_owned());
        }
        let j: JsonDraft = serde_json::from_value(value).map_err(|e| format!("bad record: {e}"))?;
        Ok(Draft {
            id: j.id,
            title: j.title.unwrap_or_default(),
            abstract_text: j.abstract_text.unwrap_or_default(),
            authors: j.authors,
            fellows: j.fellows,
            tags: j.tags,
            date: j.date.unwrap_or_default(),
            featured: j.featured.unwrap_or(false),
            unknown: j.extra.into_keys().collect(),
        })
    }

    /// Checks and normalises the draft the way the page parser normalises entries.
    fn into_record(self, file: &str, line: u64) -> Result<(Record, Vec<String>), String> {
        let mut warnings = Vec::new();
        if !self.unknown.is_empty() {
            warnings.push(format!(
                "unknown key(s) ignored: {}",
                self.unknown.join(", ")
            ));
        }
        let mut title = clean(&self.title);
        if title.is_empty() {
            return Err("no title".to_owned());
        }
        if truncate_at_char(&mut title, MAX_TITLE_BYTES) {
            warnings.push(format!("title cut to {MAX_TITLE_BYTES} bytes"));
        }
        let raw_date = self.date.trim();
        if raw_date.is_empty() {
            return Err(format!("\"{title}\" has no date"));
        }
        let date = parse_date(raw_date).map(iso).map_err(|_| {
            format!("date \"{raw_date}\" is not a date (expected 2025-03-01 or Mar 1, 2025)")
        })?;
        let mut abstract_text = clean(&self.abstract_text);
        if truncate_at_char(&mut abstract_text, MAX_ABSTRACT_BYTES) {
            warnings.push(format!("abstract cut to {MAX_ABSTRACT_BYTES} bytes"));
        }
        let mut list = |name: &str, items: Vec<String>| {
            let mut out: Vec<String> = items
                .iter()
                .map(|s| clean(s))
                .filter(|s| !s.is_empty())
                .collect();
            if out.len() > MAX_LIST_ITEMS {
                out.truncate(MAX_LIST_ITEMS);
                warnings.push(format!("{name} cut to {MAX_LIST_ITEMS}"));
            }
            out
        };
        let authors = list("authors", self.authors);
        let fellows = list("fellows", self.fellows);
        let tags = list("tags", self.tags);
        let id = match self.id.as_deref().map(str::trim) {
            Some(id) if is_valid_id(id) => id.to_ascii_lowercase(),
            Some(id) if !id.is_empty() => {
                warnings.push(format!(
                    "id \"{id}\" is not 16 hex digits; using one computed from title and date"
                ));
                record_id(&title, &date)
            }
            _ => record_id(&title, &date),
        };
        Ok((
            Record {
                id,
                title,
                abstract_text,
                authors,
                fellows,
                tags,
                date,
                featured: self.featured,
                source: Source {
                    file: file.to_owned(),
                    line,
                },
            },
            warnings,
        ))
    }
}

fn is_valid_id(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Control characters become spaces and runs of whitespace one space, as in page exports.
fn clean(s: &str) -> String {
    let no_controls: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    squash_spaces(&no_controls)
}

/// Where each known column sits in a CSV header.
#[derive(Debug, Default, Clone)]
struct Columns {
    id: Option<usize>,
    title: Option<usize>,
    abstract_text: Option<usize>,
    authors: Option<usize>,
    fellows: Option<usize>,
    tags: Option<usize>,
    date: Option<usize>,
    featured: Option<usize>,
    unknown: Vec<String>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Columns {
        let mut c = Columns::default();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim_start_matches('\u{feff}').trim().to_lowercase();
            let slot = match name.as_str() {
                "id" => &mut c.id,
                "title" => &mut c.title,
                "abstract" => &mut c.abstract_text,
                "authors" => &mut c.authors,
                "fellows" => &mut c.fellows,
                "tags" => &mut c.tags,
                "date" => &mut c.date,
                "featured" => &mut c.featured,
                "source_file" | "source_line" | "source" => continue,
                _ => {
                    c.unknown.push(name);
                    continue;
                }
            };
            slot.get_or_insert(i);
        }
        c
    }

    fn draft(&self, row: &csv::StringRecord) -> Result<Draft, String> {
        let cell = |col: Option<usize>| col.and_then(|i| row.get(i)).unwrap_or("").to_owned();
        let list = |col: Option<usize>| -> Vec<String> {
            cell(col)
                .split(';')
                .map(str::to_owned)
                .filter(|s| !s.trim().is_empty())
                .collect()
        };
        let featured = match cell(self.featured).trim().to_ascii_lowercase().as_str() {
            "" | "false" | "0" | "no" => false,
            "true" | "1" | "yes" => true,
            other => return Err(format!("featured \"{other}\" is not true or false")),
        };
        let id = cell(self.id);
        Ok(Draft {
            id: (!id.trim().is_empty()).then_some(id),
            title: cell(self.title),
            abstract_text: cell(self.abstract_text),
            authors: list(self.authors),
            fellows: list(self.fellows),
            tags: list(self.tags),
            date: cell(self.date),
            featured,
            unknown: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Record {
        Record {
            id: record_id("A \"quoted\", title", "2024-12-09"),
            title: "A \"quoted\", title".into(),
            abstract_text: "Line one; with a semicolon, commas and \"quotes\".".into(),
            authors: vec!["Iván Arcuschin".into(), "Neel Nanda".into()],
            fellows: vec!["Iván Arcuschin".into()],
            tags: vec!["Interpretability".into(), "Scheming and Deception".into()],
            date: "2024-12-09".into(),
            featured: true,
            source: Source {
                file: "corpus/x.txt".into(),
                line: 7,
            },
        }
    }

    fn read_all(name: &str, bytes: &[u8]) -> (Vec<Record>, Vec<Diagnostic>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let format = RecordFormat::from_path(&path).unwrap();
        let mut records = Vec::new();
        let mut diags = Vec::new();
        for e in RecordReader::open(&path, format).unwrap() {
            match e.unwrap() {
                Event::Record(r) => records.push(r),
                Event::Warning(d) | Event::Skipped(d) => diags.push(d),
            }
        }
        (records, diags)
    }

    fn without_source(mut r: Record) -> Record {
        r.source = Source::default();
        r
    }

    #[test]
    fn every_format_round_trips_a_record_except_its_source() {
        for (name, format) in [
            ("a.jsonl", RecordFormat::Jsonl),
            ("a.json", RecordFormat::Json),
            ("a.csv", RecordFormat::Csv),
        ] {
            let mut bytes = Vec::new();
            write_records(&mut bytes, format, [&sample(), &sample()]).unwrap();
            let (records, diags) = read_all(name, &bytes);
            assert!(diags.is_empty(), "{name}: {diags:?}");
            assert_eq!(records.len(), 2, "{name}");
            assert_eq!(without_source(records[0].clone()), without_source(sample()));
            assert!(records[0].source.file.ends_with(name));
        }
    }

    #[test]
    fn csv_header_is_documented_and_lists_use_semicolons() {
        let mut bytes = Vec::new();
        write_records(&mut bytes, RecordFormat::Csv, [&sample()]).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(
            "id,title,abstract,authors,fellows,tags,date,featured,source_file,source_line\n"
        ));
        assert!(text.contains("Iván Arcuschin; Neel Nanda"));
    }

    #[test]
    fn bad_rows_are_skipped_with_file_and_line() {
        let jsonl = b"{\"title\":\"Good\",\"date\":\"Mar 1, 2025\"}\n\nnot json\n{\"title\":\"No date\"}\n{\"title\":\"T\",\"date\":\"2025-02-30\"}\n{\"title\":\"X\",\"date\":\"2025-01-01\",\"id\":\"zz\",\"colour\":1}\n";
        let (records, diags) = read_all("r.jsonl", jsonl);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].date, "2025-03-01");
        assert_eq!(records[0].id, record_id("Good", "2025-03-01"));
        assert_eq!(records[1].id, record_id("X", "2025-01-01"));
        let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(lines[0].contains("r.jsonl:3: not JSON"), "{lines:?}");
        assert!(
            lines[1].contains("r.jsonl:4: \"No date\" has no date"),
            "{lines:?}"
        );
        assert!(
            lines[2].contains("r.jsonl:5: date \"2025-02-30\""),
            "{lines:?}"
        );
        assert!(
            lines[3].contains("r.jsonl:6: unknown key(s) ignored: colour"),
            "{lines:?}"
        );
        assert!(lines[4].contains("r.jsonl:6: id \"zz\""), "{lines:?}");
    }

    #[test]
    fn csv_rows_report_their_line_even_after_multiline_cells() {
        let csv = "title,date,featured,extra\n\"Two\nlines\",2025-01-01,true,x\nNo date,,false,\nBad flag,2025-01-02,maybe,\n";
        let (records, diags) = read_all("r.csv", csv.as_bytes());
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].title, "Two lines");
        assert!(records[0].featured);
        let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(
            lines[0].contains("/r.csv:1: unknown column(s) ignored: extra"),
            "{lines:?}"
        );
        assert!(
            lines[1].contains("/r.csv:4: \"No date\" has no date"),
            "{lines:?}"
        );
        assert!(
            lines[2].contains("/r.csv:5: featured \"maybe\""),
            "{lines:?}"
        );
    }

    #[test]
    fn json_array_elements_report_their_line() {
        let json = b"[\n  {\"title\":\"A\",\"date\":\"2025-01-01\"},\n  {\"title\":\"\",\"date\":\"2025-01-01\"},\n  3\n]\n";
        let (records, diags) = read_all("r.json", json);
        assert_eq!(records.len(), 1);
        let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(lines[0].contains("/r.json:3: no title"), "{lines:?}");
        assert!(lines[1].contains("/r.json:4: not a record"), "{lines:?}");
    }

    #[test]
    fn content_checks_name_the_offending_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jsonl");
        std::fs::write(&p, "\n[1,2]\n").unwrap();
        let err = check_content(&p, RecordFormat::Jsonl).unwrap_err();
        assert_eq!(err.0, 2);
        let p = dir.path().join("x.csv");
        std::fs::write(&p, "name,when\na,b\n").unwrap();
        let err = check_content(&p, RecordFormat::Csv).unwrap_err();
        assert_eq!(err.0, 1);
        assert!(err.1.contains("found: name, when"), "{}", err.1);
        let p = dir.path().join("x.json");
        std::fs::write(&p, "{\"title\":\"a\"}").unwrap();
        assert!(check_content(&p, RecordFormat::Json).is_err());
    }
}
