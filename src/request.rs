//! A search as typed, from the query flags (`cli::QueryArgs`) or the URL (`serve::params`),
//! checked into the one `SearchRequest`: dates, facets and limits checked here for both.

use crate::cli::{FilterArgs, QueryArgs};
use crate::error::{Error, Result};
use crate::search::{parse_added_since, parse_filter_date, FacetField, Filters, SearchRequest};

/// Hits beyond this are not fetched at once; deeper pages need --offset.
pub const MAX_LIMIT: usize = 10_000;

/// The filter values as typed, from the flags or the URL, before their dates are checked.
#[derive(Debug, Clone, Copy)]
pub struct FilterValues<'a> {
    pub tags: &'a [String],
    pub authors: &'a [String],
    pub fellows: &'a [String],
    pub since: Option<&'a str>,
    pub until: Option<&'a str>,
    pub years: &'a [u32],
    pub featured: bool,
    pub added_since: Option<&'a str>,
}

impl FilterValues<'_> {
    /// The values as library filters, dates checked.
    pub fn check(&self) -> Result<Filters> {
        let date = |flag: &str, v: Option<&str>, end: bool| -> Result<Option<String>> {
            v.map(|s| parse_filter_date(flag, s, end).map_err(|e| Error::Usage(e.to_string())))
                .transpose()
        };
        // A year of fewer digits is a typo for one of these, not a search of the year 25.
        if let Some(&year) = self.years.iter().find(|y| !(1000..=9999).contains(*y)) {
            let forms = if year < 100 {
                format!(": write the four digits, 20{year:02} or 19{year:02}")
            } else {
                ": write the four digits, as 2025".to_owned()
            };
            return Err(Error::Usage(format!("--year {year}: no such year{forms}")));
        }
        let since = date("--since", self.since, false)?;
        let until = date("--until", self.until, true)?;
        // ISO dates compare as strings. An empty range is a mistake, not a search for nothing.
        if let (Some(from), Some(to)) = (&since, &until) {
            if from > to {
                return Err(Error::Usage(format!(
                    "--since {} is after --until {}: no date lies between them (swap them?)",
                    self.since.unwrap_or_default().trim(),
                    self.until.unwrap_or_default().trim()
                )));
            }
        }
        Ok(Filters {
            tags: self.tags.to_vec(),
            authors: self.authors.to_vec(),
            fellows: self.fellows.to_vec(),
            since,
            until,
            years: self.years.to_vec(),
            featured: self.featured,
            added_since: self
                .added_since
                .map(|s| parse_added_since(s, crate::clock::now_unix()))
                .transpose()
                .map_err(|e| Error::Usage(e.to_string()))?,
        })
    }
}

/// The filter flags as library filters, dates checked.
pub fn filters_from_args(args: &FilterArgs) -> Result<Filters> {
    FilterValues {
        tags: &args.tags,
        authors: &args.authors,
        fellows: &args.fellows,
        since: args.since.as_deref(),
        until: args.until.as_deref(),
        years: &args.years,
        featured: args.featured,
        added_since: args.added_since.as_deref(),
    }
    .check()
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
        synonyms: Default::default(),
    })
}
