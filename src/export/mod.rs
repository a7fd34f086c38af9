//! Page exports → records: reading files and directories, the entry grammar, text clean-up,
//! and merging a paper listed twice. Knows nothing of the index.

mod clean;
mod date;
mod lines;
mod merge;
mod parser;
mod render;

use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

pub use clean::clean_text;
pub use date::{iso, parse_date, DateError};
pub use merge::Merger;
pub use parser::{Event, ExportParser};
pub use render::{render_entry, render_export};

use crate::record::Record;

/// A problem with one place in one input, printed as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: u64,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: &str, line: u64, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

/// Errors that stop reading inputs altogether.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: {why}")]
    NotAnExport { path: String, why: String },
    #[error("{path}: cannot read: {source}")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
}

/// The kind of input a file holds, judged by extension and then by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    PageExport,
    /// Records as JSON lines, a JSON array or CSV (see `records_io`), judged by extension.
    Records(crate::records_io::RecordFormat),
}

/// One input file and what it holds.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    pub kind: InputKind,
    pub size: u64,
}

/// Expands the paths given on the command line into input files, in a stable order.
/// Files in a directory that are not exports are skipped with a note; a file named explicitly
/// that is not an export is an error-level note too, but does not stop the others.
pub fn collect_inputs(
    paths: &[PathBuf],
    notes: &mut Vec<Diagnostic>,
) -> Result<Vec<Input>, InputError> {
    let mut inputs = Vec::new();
    for path in paths {
        let display = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => InputError::NotFound {
                path: display.clone(),
            },
            _ => InputError::Unreadable {
                path: display.clone(),
                source: e,
            },
        })?;
        if meta.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| InputError::Unreadable {
                    path: display.clone(),
                    source: e,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for entry in entries {
                let name = entry.display().to_string();
                if entry
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                    || entry.is_dir()
                {
                    continue;
                }
                match classify(&entry) {
                    Ok(kind) => inputs.push(Input {
                        size: file_size(&entry),
                        path: entry,
                        kind,
                    }),
                    Err((line, why)) => {
                        notes.push(Diagnostic::new(&name, line, format!("skipped: {why}")))
                    }
                }
            }
        } else {
            match classify(path) {
                Ok(kind) => inputs.push(Input {
                    path: path.clone(),
                    kind,
                    size: meta.len(),
                }),
                // A file named on the command line must be readable as an export: refusing
                // it beats syncing the index with the others as if it had been empty.
                Err((line, why)) => {
                    let path = if line > 0 {
                        format!("{display}:{line}")
                    } else {
                        display
                    };
                    return Err(InputError::NotAnExport { path, why });
                }
            }
        }
    }
    Ok(inputs)
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Decides what a file is: records files by extension, checked by content; otherwise page
/// exports, which are text. The error names the line that gave it away (0: the whole file).
fn classify(path: &Path) -> Result<InputKind, (u64, String)> {
    if let Some(format) = crate::records_io::RecordFormat::from_path(path) {
        crate::records_io::check_content(path, format)?;
        return Ok(InputKind::Records(format));
    }
    classify_text(path).map_err(|why| (0, why))
}

fn classify_text(path: &Path) -> Result<InputKind, String> {
    let mut head = Vec::with_capacity(4096);
    File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|e| format!("cannot read: {e}"))?;
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &body[i..])
        .unwrap_or(&[]);
    let what = if start.starts_with(b"%PDF") {
        Some("a PDF")
    } else if start.starts_with(b"<") {
        Some("HTML or XML")
    } else if start.starts_with(b"{") || start.starts_with(b"[") {
        Some("JSON")
    } else if looks_binary(body) {
        Some("binary data")
    } else {
        None
    };
    match what {
        Some(what) => Err(format!(
            "not a page export: it looks like {what}; expected the text of a listing page (title, abstract, `Authors:`, `Fellows:`, `Date:` per entry)"
        )),
        None => Ok(InputKind::PageExport),
    }
}

/// More than 5% control bytes (other than whitespace and ESC) or invalid UTF-8 in the first
/// kilobytes: text exports may carry a stray NUL or escape sequence, binaries are full of them.
fn looks_binary(head: &[u8]) -> bool {
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        .count();
    let invalid = String::from_utf8_lossy(head).matches('\u{fffd}').count();
    (controls + invalid) * 20 > head.len()
}

/// Opens an input as a streaming parser.
pub fn open_export(input: &Input) -> Result<ExportParser<BufReader<File>>, InputError> {
    let display = input.path.display().to_string();
    let file = File::open(&input.path).map_err(|e| InputError::Unreadable {
        path: display.clone(),
        source: e,
    })?;
    Ok(ExportParser::new(
        display,
        BufReader::with_capacity(256 * 1024, file),
    ))
}

/// What `read_records` reads events from: a page export or a records file.
enum EventSource {
    Page(ExportParser<BufReader<File>>),
    Records(crate::records_io::RecordReader),
}

impl EventSource {
    fn open(input: &Input) -> Result<EventSource, InputError> {
        match input.kind {
            InputKind::PageExport => open_export(input).map(EventSource::Page),
            InputKind::Records(format) => {
                crate::records_io::RecordReader::open(&input.path, format)
                    .map(EventSource::Records)
                    .map_err(|e| InputError::Unreadable {
                        path: input.path.display().to_string(),
                        source: e,
                    })
            }
        }
    }

    fn bytes_read(&self) -> u64 {
        match self {
            EventSource::Page(p) => p.bytes_read(),
            EventSource::Records(r) => r.bytes_read(),
        }
    }
}

impl Iterator for EventSource {
    type Item = std::io::Result<Event>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            EventSource::Page(p) => p.next(),
            EventSource::Records(r) => r.next(),
        }
    }
}

/// Counts of one read over all inputs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ReadStats {
    /// Entries read, before merging duplicates.
    pub entries: u64,
    /// Records produced (after merging).
    pub records: u64,
    /// Entries folded into another copy of the same paper.
    pub merged: u64,
    /// Entries that could not be read and were skipped.
    pub skipped: u64,
    /// Warnings of any kind, skipped entries included.
    pub warnings: u64,
}

/// Callbacks of a read: records as they become final, diagnostics, progress in bytes.
pub trait RecordSink {
    fn record(&mut self, record: Record) -> crate::error::Result<()>;
    fn diagnostic(&mut self, diagnostic: &Diagnostic);
    fn progress(&mut self, _bytes_done: u64) {}
}

/// Streams every record of `inputs` into `sink`, merging papers listed twice.
pub fn read_records(
    inputs: &[Input],
    sink: &mut dyn RecordSink,
) -> crate::error::Result<ReadStats> {
    let mut stats = ReadStats::default();
    let mut merger = Merger::default();
    let mut done_before = 0u64;
    for input in inputs {
        let mut parser = EventSource::open(input)?;
        let mut events = 0u32;
        let entries_before = stats.entries + stats.skipped;
        while let Some(event) = parser.next() {
            let event = event.map_err(|e| InputError::Unreadable {
                path: input.path.display().to_string(),
                source: e,
            })?;
            match event {
                Event::Record(record) => {
                    stats.entries += 1;
                    if let Some(record) = merger.push(record) {
                        stats.records += 1;
                        sink.record(record)?;
                    }
                }
                Event::Warning(d) => {
                    stats.warnings += 1;
                    sink.diagnostic(&d);
                }
                Event::Skipped(d) => {
                    stats.warnings += 1;
                    stats.skipped += 1;
                    sink.diagnostic(&d);
                }
            }
            events = events.wrapping_add(1);
            if events.is_multiple_of(256) {
                sink.progress(done_before + parser.bytes_read());
            }
        }
        if stats.entries + stats.skipped == entries_before {
            let what = if parser.bytes_read() == 0 {
                "empty file"
            } else {
                "no entries found"
            };
            stats.warnings += 1;
            sink.diagnostic(&Diagnostic::new(
                &input.path.display().to_string(),
                0,
                format!("{what}; expected a listing page export (title, abstract, `Authors:`, `Fellows:`, `Date:` per entry)"),
            ));
        }
        done_before += parser.bytes_read();
        sink.progress(done_before);
    }
    for record in merger.finish() {
        stats.records += 1;
        sink.record(record)?;
    }
    for d in merger.take_diagnostics() {
        stats.warnings += 1;
        sink.diagnostic(&d);
    }
    stats.merged = merger.merged();
    Ok(stats)
}

/// Parses a whole string (tests, small inputs).
pub fn parse_str(file: &str, text: &str) -> (Vec<Record>, Vec<Diagnostic>) {
    let mut merger = Merger::default();
    let mut records = Vec::new();
    let mut diags = Vec::new();
    for event in ExportParser::new(file, text.as_bytes()) {
        match event {
            Ok(Event::Record(r)) => {
                if let Some(r) = merger.push(r) {
                    records.push(r);
                }
            }
            Ok(Event::Warning(d)) | Ok(Event::Skipped(d)) => diags.push(d),
            Err(e) => diags.push(Diagnostic::new(file, 0, e.to_string())),
        }
    }
    records.extend(merger.finish());
    diags.extend(merger.take_diagnostics());
    (records, diags)
}
