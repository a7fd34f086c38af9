//! `litsearch parse`: records as JSON lines on stdout, in file order; diagnostics on stderr.

use std::io::{BufRead, BufWriter, Seek, Write};

use super::{inputs_or_default, out_err, stdout, Context};
use crate::cli::ParseArgs;
use crate::diagnostic::Diagnostic;
use crate::error::{exit, Error, Result};
use crate::inputs::{collect_inputs, read_records, ReadError, RecordSink};
use crate::record::Record;

/// A record's place in the inputs: (input number, line).
type Place = (usize, u64);

/// Puts records back in file order. The reader holds featured copies until the end of the
/// input (a later copy of the paper may add to them) and streams the rest, so records arrive
/// in order except the held ones, last. The in-order ones are spilled to a temporary file and
/// the late ones (as many as the featured section) kept in memory, to be merged at the end.
struct InFileOrder {
    files: Vec<String>,
    spill: BufWriter<std::fs::File>,
    last: Option<Place>,
    late: Vec<(Place, Record)>,
}

impl InFileOrder {
    fn place(&self, record: &Record) -> Place {
        let file = self.files.iter().position(|f| *f == record.source.file);
        (file.unwrap_or(usize::MAX), record.source.line)
    }

    /// Writes every record, spilled and late, merged by place.
    fn finish(mut self, out: &mut dyn Write) -> Result<()> {
        let spill_err = |e| Error::io(std::env::temp_dir(), e);
        self.spill.flush().map_err(spill_err)?;
        let mut file = self
            .spill
            .into_inner()
            .map_err(|e| spill_err(e.into_error()))?;
        file.rewind().map_err(spill_err)?;
        self.late.sort_by_key(|(place, _)| *place);
        let mut late = self.late.into_iter().peekable();
        for line in std::io::BufReader::new(file).lines() {
            let line = line.map_err(spill_err)?;
            let (key, json) = line.split_once('\t').unwrap_or(("", &line));
            let place = key
                .split_once(' ')
                .and_then(|(f, l)| Some((f.parse().ok()?, l.parse().ok()?)))
                .unwrap_or((usize::MAX, u64::MAX));
            while let Some((_, record)) = late.next_if(|(p, _)| *p < place) {
                write_json(out, &record)?;
            }
            writeln!(out, "{json}").map_err(out_err)?;
        }
        for (_, record) in late {
            write_json(out, &record)?;
        }
        Ok(())
    }
}

fn write_json(out: &mut dyn Write, record: &Record) -> Result<()> {
    serde_json::to_writer(&mut *out, record).map_err(|e| out_err(e.into()))?;
    out.write_all(b"\n").map_err(out_err)
}

impl RecordSink for InFileOrder {
    type Error = Error;

    fn record(&mut self, record: Record) -> Result<()> {
        let place = self.place(&record);
        if self.last.is_some_and(|last| place < last) {
            self.late.push((place, record));
            return Ok(());
        }
        self.last = Some(place);
        let json = serde_json::to_string(&record).map_err(|e| out_err(e.into()))?;
        writeln!(self.spill, "{} {}\t{json}", place.0, place.1)
            .map_err(|e| Error::io(std::env::temp_dir(), e))
    }

    fn diagnostic(&mut self, d: &Diagnostic) {
        eprintln!("{d}");
    }
}

pub fn run(_ctx: &Context, args: ParseArgs) -> Result<u8> {
    let mut skipped = Vec::new();
    let inputs = collect_inputs(
        &inputs_or_default(args.paths),
        &args.input.choice(),
        &mut skipped,
    )?;
    if args.input.verbose {
        for n in &skipped {
            eprintln!("{n}");
        }
    }
    let spill = tempfile::tempfile().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let mut sink = InFileOrder {
        files: inputs.iter().map(|i| i.name.clone()).collect(),
        spill: BufWriter::new(spill),
        last: None,
        late: Vec::new(),
    };
    let stats = read_records(&inputs, &mut sink).map_err(ReadError::flatten)?;
    let mut out = stdout();
    sink.finish(&mut out)?;
    super::flush(out)?;
    Ok(if stats.warnings > 0 {
        exit::NOTHING_OR_WARNINGS
    } else {
        exit::OK
    })
}
