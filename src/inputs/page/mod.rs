//! The reader of page exports (the text of a listing page): the entry grammar in `parser`,
//! and its inverse in `render` for tests and generated exports.

mod parser;
mod render;

use std::io::{BufReader, Read};

pub use parser::ExportParser;
pub use render::{render_entry, render_export};

use super::source::InputBytes;
use super::{Diagnostic, Event, Merger};
use crate::record::Record;

/// A page export's bytes as UTF-8: as they are, or transcoded from UTF-16 when the file starts
/// with a UTF-16 byte-order mark (a page saved as "Unicode text" on Windows).
pub type PageBytes = BufReader<Box<dyn Read + Send>>;

/// A streaming parser of the page export `bytes`, named `file` in diagnostics.
pub fn open(file: String, mut bytes: InputBytes) -> std::io::Result<ExportParser<PageBytes>> {
    let mut bom = Vec::with_capacity(2);
    (&mut bytes).take(2).read_to_end(&mut bom)?;
    let n = bom.len();
    let head = std::io::Cursor::new(bom[..n].to_vec());
    let inner: Box<dyn Read + Send> = if is_utf16_bom(&bom[..n]) {
        Box::new(
            encoding_rs_io::DecodeReaderBytesBuilder::new()
                .bom_sniffing(true)
                .build(head.chain(bytes)),
        )
    } else {
        Box::new(head.chain(bytes))
    };
    Ok(ExportParser::new(
        file,
        BufReader::with_capacity(256 * 1024, inner),
    ))
}

/// Whether `head` starts with a UTF-16 (little- or big-endian) byte-order mark.
pub fn is_utf16_bom(head: &[u8]) -> bool {
    head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF")
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
