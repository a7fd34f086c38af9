//! `litsearch parse`: records as JSON lines on stdout, diagnostics on stderr.

use std::io::Write;

use super::{inputs_or_default, out_err, stdout, Context};
use crate::cli::ParseArgs;
use crate::diagnostic::Diagnostic;
use crate::error::{exit, Result};
use crate::inputs::{collect_inputs, read_records, ReadError, RecordSink};
use crate::record::Record;

struct JsonLines<W: Write> {
    out: W,
}

impl<W: Write> RecordSink for JsonLines<W> {
    type Error = crate::error::Error;

    fn record(&mut self, record: Record) -> Result<()> {
        serde_json::to_writer(&mut self.out, &record).map_err(|e| out_err(e.into()))?;
        self.out.write_all(b"\n").map_err(out_err)
    }

    fn diagnostic(&mut self, d: &Diagnostic) {
        eprintln!("{d}");
    }
}

pub fn run(_ctx: &Context, args: ParseArgs) -> Result<u8> {
    let mut notes = Vec::new();
    let inputs = collect_inputs(&inputs_or_default(args.paths), &mut notes)?;
    for n in &notes {
        eprintln!("{n}");
    }
    let mut sink = JsonLines { out: stdout() };
    let stats = read_records(&inputs, &mut sink).map_err(ReadError::flatten)?;
    super::flush(sink.out)?;
    Ok(if stats.warnings > 0 || !notes.is_empty() {
        exit::NOTHING_OR_WARNINGS
    } else {
        exit::OK
    })
}
