//! Records as other tools (and `litsearch export`) write them: JSON lines, a JSON array or CSV.
//! This file holds the format (its extensions, CSV columns) and the reader over the three.
//!
//! CSV layout: a header row `id,title,abstract,authors,fellows,tags,date,featured,source_file,
//! source_line,doi,url,arxiv,key`; lists (authors, fellows, tags) joined with `; `; `featured` is `true`/`false`.
//! On import only `title` and `date` are required; `id` is kept when it is 16 hex digits and
//! computed from title and date otherwise; a record's `source` becomes the file and line it was
//! read from (the row's own source columns are accepted and ignored). The writer of the same
//! formats is `output::records`.

mod csv;
mod json;
mod jsonl;

use std::collections::VecDeque;
use std::io;
use std::path::Path;

use super::draft::{Draft, FieldNames};
use super::source::{Head, InputBytes};
use super::Event;
use crate::diagnostic::Diagnostic;
use crate::text::squash_spaces;

/// The interchange formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum RecordFormat {
    /// One JSON object per line (the format of `parse`), also named ndjson
    #[default]
    #[value(alias = "ndjson")]
    Jsonl,
    /// One JSON array of objects
    Json,
    /// A header row, then one row per record; lists joined with `; `
    Csv,
}

impl RecordFormat {
    /// The format a file's extension names, if any: `.jsonl`/`.ndjson`, `.json`, `.csv`.
    pub fn from_path(path: &Path) -> Option<RecordFormat> {
        RecordFormat::from_extension(&path.extension()?.to_str()?.to_ascii_lowercase())
    }

    /// The format an extension (lowercase, without its dot) names, if any.
    pub fn from_extension(ext: &str) -> Option<RecordFormat> {
        match ext {
            "jsonl" | "ndjson" => Some(RecordFormat::Jsonl),
            "json" => Some(RecordFormat::Json),
            "csv" => Some(RecordFormat::Csv),
            _ => None,
        }
    }
}

/// The columns `export` writes. `doi`, `url`, `arxiv` and `key` come last, so readers of the
/// first ten columns by position keep working.
pub const CSV_HEADER: [&str; 14] = [
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
    "doi",
    "url",
    "arxiv",
    "key",
];

/// How lists are joined in a CSV cell; on import any `;` splits.
pub const LIST_SEPARATOR: &str = "; ";

/// Longest JSON line read; longer lines are skipped.
const MAX_LINE_BYTES: usize = 1 << 20;

/// How warnings name a records file's fields.
const RECORD_FIELDS: FieldNames = FieldNames {
    authors: "in `authors`",
    fellows: "in `fellows`",
};

/// Checks that an input named `.jsonl`, `.json` or `.csv` (or said to be one) holds records,
/// from its head, before anything is read for real. The error names the line that gave it away.
pub fn check_content(head: &Head, format: RecordFormat) -> Result<(), (u64, String)> {
    match format {
        RecordFormat::Jsonl => jsonl::check(head.whole_lines()),
        RecordFormat::Json => json::check(&head.bytes),
        // A header row longer than the head is read (and judged) for real.
        RecordFormat::Csv if head.whole_lines().is_empty() && !head.complete => Ok(()),
        RecordFormat::Csv => csv::check(head.whole_lines()),
    }
}

/// Events waiting to be handed out, and the file they are about.
struct Pending {
    file: String,
    events: VecDeque<Event>,
}

impl Pending {
    fn warn(&mut self, line: u64, message: impl Into<String>) {
        self.events
            .push_back(Event::Warning(Diagnostic::new(&self.file, line, message)));
    }

    fn skip(&mut self, line: u64, message: impl Into<String>) {
        self.events
            .push_back(Event::Skipped(Diagnostic::new(&self.file, line, message)));
    }

    /// Finishes a draft read at `line` (or reports why it cannot be a record).
    fn push_draft(&mut self, line: u64, draft: Result<Draft, String>) {
        match draft.and_then(|d| clean_draft(d).finish(&self.file, line, &RECORD_FIELDS)) {
            Ok((record, warnings)) => {
                for (_, w) in warnings {
                    self.warn(line, w);
                }
                self.events.push_back(Event::Record(record));
            }
            Err(why) => self.skip(line, format!("{why}; the record is skipped")),
        }
    }
}

/// A streaming reader of one records file, yielding the same events as the page parser:
/// records, warnings, and skipped rows (each `file:line: why`).
pub struct RecordReader {
    inner: Inner,
    pending: Pending,
}

enum Inner {
    Jsonl(jsonl::JsonlReader),
    Json(json::JsonArrayReader),
    Csv(csv::CsvReader),
}

impl RecordReader {
    /// A reader of `bytes`, named `file` in diagnostics; `size`: their length when known
    /// before reading (a plain file's), so a JSON array too large is refused unread.
    pub fn new(
        file: String,
        bytes: InputBytes,
        size: Option<u64>,
        format: RecordFormat,
    ) -> io::Result<RecordReader> {
        Self::new_as(file, bytes, size, format, false)
    }

    /// A CSL-JSON input (`inputs::csl`): a JSON array, read as one, of CSL items.
    pub fn new_csl(file: String, bytes: InputBytes, size: Option<u64>) -> io::Result<RecordReader> {
        Self::new_as(file, bytes, size, RecordFormat::Json, true)
    }

    fn new_as(
        file: String,
        bytes: InputBytes,
        size: Option<u64>,
        format: RecordFormat,
        csl: bool,
    ) -> io::Result<RecordReader> {
        let mut pending = Pending {
            file,
            events: VecDeque::new(),
        };
        let inner = match format {
            RecordFormat::Jsonl => Inner::Jsonl(jsonl::JsonlReader::new(bytes)),
            RecordFormat::Json => {
                Inner::Json(json::JsonArrayReader::new(bytes, size, &mut pending, csl)?)
            }
            RecordFormat::Csv => Inner::Csv(csv::CsvReader::new(bytes)),
        };
        Ok(RecordReader { inner, pending })
    }

    /// The format read (for the warning about a file without records).
    pub fn format(&self) -> RecordFormat {
        match &self.inner {
            Inner::Jsonl(_) => RecordFormat::Jsonl,
            Inner::Json(_) => RecordFormat::Json,
            Inner::Csv(_) => RecordFormat::Csv,
        }
    }

    pub fn bytes_read(&self) -> u64 {
        match &self.inner {
            Inner::Jsonl(r) => r.bytes_read(),
            Inner::Json(r) => r.bytes_read(),
            Inner::Csv(r) => r.bytes_read(),
        }
    }

    /// Reads until at least one event is pending; false at the end of the file.
    fn fill(&mut self) -> io::Result<bool> {
        match &mut self.inner {
            Inner::Jsonl(r) => r.fill(&mut self.pending),
            Inner::Json(r) => Ok(r.fill(&mut self.pending)),
            Inner::Csv(r) => r.fill(&mut self.pending),
        }
    }
}

impl Iterator for RecordReader {
    type Item = io::Result<Event>;

    fn next(&mut self) -> Option<io::Result<Event>> {
        loop {
            if let Some(e) = self.pending.events.pop_front() {
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

/// Control characters become spaces and runs of whitespace one space, as in page exports.
fn clean(s: &str) -> String {
    let no_controls: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    squash_spaces(&no_controls)
}

/// A draft's text as another tool wrote it, cleaned of control characters and extra spaces.
fn clean_draft(d: Draft) -> Draft {
    let list = |items: Vec<String>| -> Vec<String> {
        items
            .iter()
            .map(|s| clean(s))
            .filter(|s| !s.is_empty())
            .collect()
    };
    Draft {
        title: clean(&d.title),
        abstract_text: clean(&d.abstract_text),
        authors: list(d.authors),
        fellows: list(d.fellows),
        tags: list(d.tags),
        ..d
    }
}
