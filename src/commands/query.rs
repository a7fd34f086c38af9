//! `litsearch query`: search, then print hits in the chosen format.

use std::io::Write;

use super::{out_err, stdout, Context};
use crate::cli::{FilterArgs, QueryArgs};
use crate::error::{exit, Error, Result};
use crate::output::{csv_out, json, text, Format, Style};
use crate::search::{
    parse_added_since, parse_filter_date, search, unmatched_filters, FacetField, Filters,
    SearchRequest,
};

/// The filter flags as library filters, dates checked.
pub fn filters_from_args(args: &FilterArgs) -> Result<Filters> {
    let date = |flag: &str, v: &Option<String>, end: bool| -> Result<Option<String>> {
        v.as_deref()
            .map(|s| parse_filter_date(flag, s, end).map_err(|e| Error::Usage(e.to_string())))
            .transpose()
    };
    Ok(Filters {
        tags: args.tags.clone(),
        authors: args.authors.clone(),
        fellows: args.fellows.clone(),
        since: date("--since", &args.since, false)?,
        until: date("--until", &args.until, true)?,
        years: args.years.clone(),
        featured: args.featured,
        added_since: args
            .added_since
            .as_deref()
            .map(|s| parse_added_since(s, crate::clock::now_unix()))
            .transpose()
            .map_err(|e| Error::Usage(e.to_string()))?,
    })
}

pub fn parse_facets(list: &str) -> Result<Vec<FacetField>> {
    if list.trim().eq_ignore_ascii_case("none") || list.trim().is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for part in list.split(',') {
        let f: FacetField = part
            .parse()
            .map_err(|e: String| Error::Usage(format!("--facets: {e}")))?;
        if !out.contains(&f) {
            out.push(f);
        }
    }
    Ok(out)
}

/// Hits beyond this are not fetched at once; deeper pages need --offset.
const MAX_LIMIT: usize = 10_000;

pub fn run(ctx: &Context, args: QueryArgs) -> Result<u8> {
    let query = args.query.join(" ");
    let format = if args.json {
        Format::Json
    } else {
        args.format.unwrap_or(Format::Text)
    };
    let request = SearchRequest {
        query: query.clone(),
        filters: filters_from_args(&args.filters)?,
        sort: args.sort,
        limit: if args.all {
            usize::MAX
        } else {
            args.limit.min(MAX_LIMIT)
        },
        offset: args.offset,
        exact: args.exact,
        facets: if format == Format::Ndjson || format == Format::Csv {
            Vec::new()
        } else {
            parse_facets(&args.facets)?
        },
        facet_limit: args.facet_limit,
        explain: args.explain,
        snippet_chars: 200,
    };
    let engine = ctx.open_engine()?;
    let results = search(&engine, &request)?;
    // Said whatever the format: a script reading JSON gets it in `corrected`/`dropped` too,
    // its user on stderr.
    if let Some(note) = text::relaxation_note(&results.relaxed) {
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
            "note: {shown} of {} hits written, {left_out} left out: --limit {} or --all for every one",
            results.total,
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
