//! `litsearch query`: search, then print hits in the chosen format.

use std::io::Write;

use super::{out_err, stdout, Context};
use crate::cli::QueryArgs;
use crate::error::{exit, Error, Result};
use crate::output::{csv_out, json, text, Format, Style};
use crate::request::request_from_args;
pub use crate::request::{filters_from_args, parse_facets};
use crate::search::{search, unmatched_filters};

pub fn run(ctx: &Context, args: QueryArgs) -> Result<u8> {
    let query = args.query.join(" ");
    let format = if args.json {
        Format::Json
    } else {
        args.format.unwrap_or(Format::Text)
    };
    if args.explain && format == Format::Csv {
        return Err(Error::Usage(
            "--explain is not supported with --format csv (a row has no place for a score's \
             parts): use --format json or ndjson (`score_parts`), or the text output"
                .to_owned(),
        ));
    }
    let mut request = request_from_args(&args, !matches!(format, Format::Ndjson | Format::Csv))?;
    request.synonyms = ctx.user_synonyms(args.synonyms.as_deref())?;
    let engine = ctx.open_engine()?;
    let results = search(&engine, &request)?;
    // Said whatever the format: a script reading JSON gets it in `corrected`/`dropped` too,
    // its user on stderr.
    let notes = [
        text::expansion_note(&results.relaxed),
        text::relaxation_note(&results.relaxed),
    ];
    for note in notes.into_iter().flatten() {
        if !ctx.quiet {
            eprintln!("{note}");
        }
    }
    // A filter no record matches is most likely misspelt: name it, and what is there.
    if results.total == 0 && !ctx.quiet {
        for unmatched in unmatched_filters(&engine, &request.filters)? {
            eprintln!("note: {unmatched}");
        }
    }
    let mut out = stdout();
    match format {
        Format::Text => {
            let style = Style::resolve(ctx.color);
            text::write_results(&mut out, style, &query, &results, args.offset).map_err(out_err)?;
        }
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &json::ResultsJson::new(&query, &results))
                .map_err(|e| out_err(e.into()))?;
            out.write_all(b"\n").map_err(out_err)?;
        }
        Format::Ndjson => {
            for hit in &results.hits {
                serde_json::to_writer(&mut out, &json::HitJson::new(hit))
                    .map_err(|e| out_err(e.into()))?;
                out.write_all(b"\n").map_err(out_err)?;
            }
        }
        Format::Csv => {
            csv_out::write_hits(&mut out, &results.hits).map_err(|e| out_err(e.into()))?
        }
    }
    super::flush(out)?;
    // Rows for scripts carry no total: say what a page left out, and how to get it.
    let shown = results.hits.len();
    let left_out = results.total.saturating_sub(args.offset + shown);
    if matches!(format, Format::Csv | Format::Ndjson) && left_out > 0 && !ctx.quiet {
        eprintln!(
            "note: {shown} of {} written, {left_out} left out: --limit {} or --all for every one",
            crate::output::plural(results.total as u64, "hit", "hits"),
            results.total.saturating_sub(args.offset),
        );
    }
    // The process ends here: unmapping the index's files one by one (dozens at 1M records,
    // each a TLB shootdown across the search threads) costs more than a selective query.
    // The kernel drops them all at once on exit.
    std::mem::forget(engine);
    Ok(if results.total > 0 {
        exit::OK
    } else {
        exit::NOTHING_OR_WARNINGS
    })
}
