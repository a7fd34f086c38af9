//! The reader of page exports (the text of a listing page): the entry grammar in `parser`,
//! and its inverse in `render` for tests and generated exports.

mod parser;
mod render;

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

pub use parser::ExportParser;
pub use render::{render_entry, render_export};

use super::{Diagnostic, Event, Merger};
use crate::record::Record;

/// Opens a page export as a streaming parser.
pub fn open(path: &Path) -> std::io::Result<ExportParser<BufReader<File>>> {
    let file = File::open(path)?;
    Ok(ExportParser::new(
        path.display().to_string(),
        BufReader::with_capacity(256 * 1024, file),
    ))
}

/// Parses a whole page export held in a string (tests, small inputs), merging as ingest does.
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
