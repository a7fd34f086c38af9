//! The query flags (`cli::QueryArgs`, `cli::FilterArgs`) as a `SearchRequest`: the one
//! conversion shared by `query`, `export`, `watch`, `facets` and `serve`'s `/api/search`.

use crate::cli::{FilterArgs, QueryArgs};
use crate::error::{Error, Result};
use crate::search::{parse_added_since, parse_filter_date, FacetField, Filters, SearchRequest};

/// Hits beyond this are not fetched at once; deeper pages need --offset.
pub const MAX_LIMIT: usize = 10_000;

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

/// `--facets`: a comma list of fields, or `none`.
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

/// The request `query` runs for these arguments; `count_facets` is false for formats that
/// print no facets (ndjson, csv), which then skip counting them.
pub fn request_from_args(args: &QueryArgs, count_facets: bool) -> Result<SearchRequest> {
    Ok(SearchRequest {
        query: args.query.join(" "),
        filters: filters_from_args(&args.filters)?,
        sort: args.sort,
        limit: if args.all {
            usize::MAX
        } else {
            args.limit.min(MAX_LIMIT)
        },
        offset: args.offset,
        exact: args.exact,
        facets: if count_facets {
            parse_facets(&args.facets)?
        } else {
            Vec::new()
        },
        facet_limit: args.facet_limit,
        explain: args.explain,
        snippet_chars: 200,
    })
}
