//! Inputs → records: finding the input files, one reader per format, one draft → `Record` step
//! with one set of size caps, and merging a paper listed twice. Knows nothing of the index.
//!
//! Every reader yields the same `Event`s (a record, a warning, a skipped entry, each with its
//! `file:line`); `read_records` streams them from every input into a `RecordSink`, whose errors
//! are its own (`ReadError::Sink`), so this layer never needs the application's error type.

pub mod arxiv;
pub mod bibtex;
mod clean;
pub mod csl;
mod detect;
pub mod draft;
mod lines;
mod merge;
pub mod page;
pub mod records;
pub mod ris;
mod source;

pub use crate::diagnostic::Diagnostic;
pub use clean::clean_text;
pub use detect::{
    collect_inputs, Input, InputChoice, InputError, InputFormat, InputKind, Origin, STDIN_NAME,
};
pub use merge::Merger;
pub use page::{parse_str, render_entry, render_export, ExportParser};
pub use source::Head;

use crate::record::Record;

/// What a reader produces, in file order.
// Records are nearly every event: boxing them would add an allocation per record for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Event {
    Record(Record),
    /// Something odd was read around; the entry is still indexed.
    Warning(Diagnostic),
    /// An entry that could not be read at all and is not indexed.
    Skipped(Diagnostic),
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
/// `Error` is the sink's own (an index writer's, an output pipe's), passed back untouched.
pub trait RecordSink {
    type Error;
    fn record(&mut self, record: Record) -> Result<(), Self::Error>;
    fn diagnostic(&mut self, diagnostic: &Diagnostic);
    fn progress(&mut self, _bytes_done: u64) {}
}

/// Why `read_records` stopped: an input could not be read, or the sink refused a record.
#[derive(Debug)]
pub enum ReadError<E> {
    Input(InputError),
    Sink(E),
}

impl<E: From<InputError>> ReadError<E> {
    /// One error of the sink's type, for callers whose error type also covers inputs.
    pub fn flatten(self) -> E {
        match self {
            ReadError::Input(e) => E::from(e),
            ReadError::Sink(e) => e,
        }
    }
}

/// What `read_records` reads events from: one reader per format.
enum Reader {
    Page(ExportParser<page::PageBytes>),
    Records(records::RecordReader),
    Bibtex(Box<bibtex::BibReader>),
    Ris(ris::RisReader),
    Arxiv(arxiv::ArxivReader),
}

impl Reader {
    fn open(input: &Input) -> Result<Reader, InputError> {
        let unreadable = |e| InputError::Unreadable {
            path: input.name.clone(),
            source: e,
        };
        let bytes = input.open().map_err(unreadable)?;
        let name = input.name.clone();
        Ok(match input.kind {
            InputKind::PageExport => Reader::Page(page::open(name, bytes).map_err(unreadable)?),
            InputKind::Records(format) => Reader::Records(
                records::RecordReader::new(name, bytes, input.size, format).map_err(unreadable)?,
            ),
            InputKind::Bibtex => Reader::Bibtex(Box::new(bibtex::BibReader::new(name, bytes))),
            InputKind::Ris => Reader::Ris(ris::RisReader::new(name, bytes)),
            InputKind::Arxiv => Reader::Arxiv(arxiv::ArxivReader::new(name, bytes)),
            InputKind::Csl => Reader::Records(
                records::RecordReader::new_csl(name, bytes, input.size).map_err(unreadable)?,
            ),
        })
    }

    fn bytes_read(&self) -> u64 {
        match self {
            Reader::Page(p) => p.bytes_read(),
            Reader::Records(r) => r.bytes_read(),
            Reader::Bibtex(r) => r.bytes_read(),
            Reader::Ris(r) => r.bytes_read(),
            Reader::Arxiv(r) => r.bytes_read(),
        }
    }

    /// What a file without entries was expected to hold, for the warning that says so.
    fn expected(&self) -> &'static str {
        match self {
            Reader::Page(_) => {
                "expected a listing page export (title, abstract, `Authors:`, `Fellows:`, `Date:` per entry)"
            }
            Reader::Records(r) => match r.format() {
                records::RecordFormat::Jsonl => {
                    "expected records, one JSON object per line with at least `title` and `date`"
                }
                records::RecordFormat::Json => {
                    "expected records, a JSON array of objects with at least `title` and `date`"
                }
                records::RecordFormat::Csv => {
                    "expected records, a header row naming `title` and `date`, then a row per record"
                }
            },
            Reader::Bibtex(_) => "expected BibTeX entries (`@article{key, title = {…}, …}`)",
            Reader::Ris(_) => "expected RIS records (`TY  - JOUR` … `ER  - `)",
            Reader::Arxiv(_) => "expected arXiv metadata, one JSON object per line",
        }
    }
}

impl Iterator for Reader {
    type Item = std::io::Result<Event>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Reader::Page(p) => p.next(),
            Reader::Records(r) => r.next(),
            Reader::Bibtex(r) => r.next(),
            Reader::Ris(r) => r.next(),
            Reader::Arxiv(r) => r.next(),
        }
    }
}

/// Streams every record of `inputs` into `sink`, merging papers listed twice.
pub fn read_records<S: RecordSink + ?Sized>(
    inputs: &[Input],
    sink: &mut S,
) -> Result<ReadStats, ReadError<S::Error>> {
    let mut stats = ReadStats::default();
    let mut merger = Merger::default();
    let mut done_before = 0u64;
    for input in inputs {
        let mut reader = Reader::open(input).map_err(ReadError::Input)?;
        let mut events = 0u32;
        let entries_before = stats.entries + stats.skipped;
        while let Some(event) = reader.next() {
            let event = event.map_err(|e| {
                ReadError::Input(InputError::Unreadable {
                    path: input.name.clone(),
                    source: e,
                })
            })?;
            match event {
                Event::Record(record) => {
                    stats.entries += 1;
                    if let Some(record) = merger.push(record) {
                        stats.records += 1;
                        sink.record(record).map_err(ReadError::Sink)?;
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
                sink.progress(done_before + reader.bytes_read());
            }
        }
        if stats.entries + stats.skipped == entries_before {
            let what = if reader.bytes_read() == 0 {
                "empty file"
            } else {
                "no entries found"
            };
            stats.warnings += 1;
            sink.diagnostic(&Diagnostic::new(
                &input.name,
                0,
                format!("{what}; {}", reader.expected()),
            ));
        }
        done_before += reader.bytes_read();
        sink.progress(done_before);
    }
    for record in merger.finish() {
        stats.records += 1;
        sink.record(record).map_err(ReadError::Sink)?;
    }
    for d in merger.take_diagnostics() {
        stats.warnings += 1;
        sink.diagnostic(&d);
    }
    stats.merged = merger.merged();
    Ok(stats)
}
