//! `litsearch export`: records out of the index as JSON lines, JSON or CSV, all of them or
//! those a query and filters select, with the keys of `parse` (so `ingest` reads them back).

use super::query::filters_from_args;
use super::{out_err, stdout, Context};
use crate::cli::ExportArgs;
use crate::error::{exit, Result};
use crate::output::records::write_records;
use crate::output::text::export_relaxation_note;
use crate::record::Record;
use crate::search::lookup::all_records;
use crate::search::{search, unmatched_filters, SearchRequest};

pub fn run(ctx: &Context, args: ExportArgs) -> Result<u8> {
    let query = args.query.join(" ");
    let filters = filters_from_args(&args.filters)?;
    let engine = ctx.open_engine()?;
    let records: Vec<Record> = if query.trim().is_empty() && filters.is_empty() {
        all_records(&engine)?
            .into_iter()
            .map(|r| r.record)
            .collect()
    } else {
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
    };
    let out = stdout();
    write_records(out, args.format, &records).map_err(out_err)?;
    Ok(if records.is_empty() {
        exit::NOTHING_OR_WARNINGS
    } else {
        exit::OK
    })
}
