//! `litsearch export`: records out of the index as JSON lines, JSON or CSV (the keys of
//! `parse`, so `ingest` reads them back) or as a bibliography (BibTeX, BibLaTeX, RIS,
//! CSL-JSON): all of them, those a query and filters select, or those of some citation keys.

use std::io::Read;

use super::query::filters_from_args;
use super::{out_err, stdout, Context};
use crate::citations::{keys_in_aux, keys_in_text, Cited};
use crate::cli::ExportArgs;
use crate::error::{exit, Error, Result};
use crate::output::bib::write_bibliography;
use crate::output::records::write_records;
use crate::output::text::export_relaxation_note;
use crate::output::ExportWriter;
use crate::record::Record;
use crate::search::lookup::{all_records, by_keys};
use crate::search::{search, unmatched_filters, SearchRequest};

pub fn run(ctx: &Context, args: ExportArgs) -> Result<u8> {
    let query = args.query.join(" ");
    let filters = filters_from_args(&args.filters)?;
    let cited = cited(&args)?;
    if cited.is_some() && !(query.trim().is_empty() && filters.is_empty()) {
        return Err(Error::Usage(
            "export takes --keys/--aux or a query and filters, not both".to_owned(),
        ));
    }
    let engine = ctx.open_engine()?;
    let mut status = exit::OK;
    let records: Vec<Record> = match cited {
        Some(Cited::Keys(keys)) => {
            let (found, unknown) = by_keys(&engine, &keys)?;
            for u in &unknown {
                let near = if u.nearest.is_empty() {
                    String::new()
                } else {
                    format!(" (nearest: {})", u.nearest.join(", "))
                };
                eprintln!("litsearch: no paper has the key \"{}\"{near}", u.key);
                status = exit::NOTHING_OR_WARNINGS;
            }
            found.into_iter().map(|r| r.record).collect()
        }
        Some(Cited::All) => all_records(&engine)?
            .into_iter()
            .map(|r| r.record)
            .collect(),
        None if query.trim().is_empty() && filters.is_empty() => all_records(&engine)?
            .into_iter()
            .map(|r| r.record)
            .collect(),
        None => {
            // Export never relaxes: what it writes is what the query says, or nothing.
            let request = SearchRequest {
                query,
                filters,
                limit: usize::MAX,
                exact: true,
                facets: Vec::new(),
                snippet_chars: 0,
                ..SearchRequest::default()
            };
            let results = search(&engine, &request)?;
            if results.total == 0 && !ctx.quiet {
                // What `query` would have said: the typo it would correct, the word it would drop.
                let relaxed = search(
                    &engine,
                    &SearchRequest {
                        exact: false,
                        limit: 0,
                        ..request.clone()
                    },
                )?;
                if let Some(note) = export_relaxation_note(&relaxed.relaxed, relaxed.total) {
                    eprintln!("{note}");
                }
                for unmatched in unmatched_filters(&engine, &request.filters)? {
                    eprintln!("note: {unmatched}");
                }
            }
            results.hits.into_iter().map(|h| h.record).collect()
        }
    };
    let out = stdout();
    match args.format.writer() {
        ExportWriter::Records(format) => write_records(out, format, &records),
        ExportWriter::Bibliography(format) => write_bibliography(out, format, args.ascii, &records),
    }
    .map_err(out_err)?;
    Ok(if records.is_empty() {
        exit::NOTHING_OR_WARNINGS
    } else {
        status
    })
}

/// The keys `--keys` or `--aux` name, if either is given.
fn cited(args: &ExportArgs) -> Result<Option<Cited>> {
    if let Some(path) = &args.aux {
        let text = std::fs::read(path).map_err(|e| Error::io(path.display().to_string(), e))?;
        return Ok(Some(keys_in_aux(&String::from_utf8_lossy(&text))));
    }
    match args.keys.as_deref() {
        None => Ok(None),
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Error::io("stdin", e))?;
            Ok(Some(keys_in_text(&text)))
        }
        Some(list) => Ok(Some(keys_in_text(list))),
    }
}
