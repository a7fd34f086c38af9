//! A search's state as URL parameters (`q`, `tag`, `author`, … as `query`'s flags), parsed,
//! bounded and checked into the `SearchRequest` that `query` builds from its flags (`request`).

use crate::error::Result;
use crate::request::{parse_facets, FilterValues, MAX_LIMIT as MAX_REQUEST_LIMIT};
use crate::search::{SearchRequest, Sort};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1_000;
/// Most hits per request.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset: results further down are not worth a page.
pub const MAX_OFFSET: usize = 10_000;
/// Most values per facet field.
pub const MAX_FACET_LIMIT: usize = 1_000;
/// Most values of one repeatable filter (`tag`, `author`, `fellow`, `year`).
pub const MAX_FILTER_VALUES: usize = 20;
/// Longest filter value, in characters.
pub const MAX_VALUE_CHARS: usize = 200;
/// The facets `query` counts unless told otherwise.
pub const DEFAULT_FACETS: &str = "tags,year,fellows,authors";

/// The parameters of `/api/search` and of the search page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchParams {
    pub q: String,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub fellows: Vec<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub years: Vec<u32>,
    pub featured: bool,
    pub added_since: Option<String>,
    pub sort: Option<Sort>,
    pub limit: Option<usize>,
    pub offset: usize,
    pub facets: Option<String>,
    pub facet_limit: Option<usize>,
    pub exact: bool,
}

/// A refused parameter: what and why, said as a user can act on it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamError(pub String);

/// The name=value pairs of a raw query string, decoded.
pub fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Checks a free-text value's length.
fn bounded(name: &str, value: String, max: usize) -> Result<String, ParamError> {
    let n = value.chars().count();
    if n > max {
        return Err(ParamError(format!(
            "{name}: {n} characters; at most {max} are accepted"
        )));
    }
    Ok(value)
}

fn number(name: &str, value: &str, max: usize) -> Result<usize, ParamError> {
    let n: usize = value.trim().parse().map_err(|_| {
        ParamError(format!(
            "{name}: expected a whole number, found \"{}\"",
            shorten(value)
        ))
    })?;
    if n > max {
        return Err(ParamError(format!(
            "{name}: {n} is above the maximum {max}"
        )));
    }
    Ok(n)
}

fn flag(name: &str, value: &str) -> Result<bool, ParamError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "on" | "yes" => Ok(true),
        "0" | "false" | "off" | "no" => Ok(false),
        _ => Err(ParamError(format!(
            "{name}: expected true or false, found \"{}\"",
            shorten(value)
        ))),
    }
}

/// A value quoted back in an error, cut short.
fn shorten(value: &str) -> String {
    let mut s: String = value.chars().take(40).collect();
    if value.chars().count() > 40 {
        s.push('…');
    }
    s.escape_debug().to_string()
}

impl SearchParams {
    /// Parses the parameters. `strict` (the API) refuses a name it does not know; the page
    /// ignores them. An empty value means the parameter is absent (what a form sends).
    pub fn parse(pairs: &[(String, String)], strict: bool) -> Result<SearchParams, ParamError> {
        let mut p = SearchParams::default();
        let push = |list: &mut Vec<String>, name: &str, v: &str| -> Result<(), ParamError> {
            if list.len() >= MAX_FILTER_VALUES {
                return Err(ParamError(format!(
                    "{name}: at most {MAX_FILTER_VALUES} values are accepted"
                )));
            }
            let v = bounded(name, v.to_owned(), MAX_VALUE_CHARS)?;
            if !list.contains(&v) {
                list.push(v);
            }
            Ok(())
        };
        for (name, value) in pairs {
            let v = value.as_str();
            if v.is_empty() && name != "featured" && name != "exact" {
                continue;
            }
            match name.as_str() {
                "q" => p.q = bounded("q", v.to_owned(), MAX_QUERY_CHARS)?,
                "tag" => push(&mut p.tags, "tag", v)?,
                "author" => push(&mut p.authors, "author", v)?,
                "fellow" => push(&mut p.fellows, "fellow", v)?,
                "since" => p.since = Some(bounded("since", v.to_owned(), 40)?),
                "until" => p.until = Some(bounded("until", v.to_owned(), 40)?),
                "added_since" => p.added_since = Some(bounded("added_since", v.to_owned(), 40)?),
                "year" => {
                    let y = number("year", v, 9999)? as u32;
                    if p.years.len() >= MAX_FILTER_VALUES {
                        return Err(ParamError(format!(
                            "year: at most {MAX_FILTER_VALUES} values are accepted"
                        )));
                    }
                    if !p.years.contains(&y) {
                        p.years.push(y);
                    }
                }
                "featured" => p.featured = flag("featured", v)?,
                "exact" => p.exact = flag("exact", v)?,
                "sort" => {
                    p.sort = Some(
                        <Sort as clap::ValueEnum>::from_str(v.trim(), true).map_err(|_| {
                            ParamError(format!(
                                "sort: expected relevance, newest, oldest or added, found \"{}\"",
                                shorten(v)
                            ))
                        })?,
                    )
                }
                "limit" => {
                    let n = number("limit", v, MAX_LIMIT)?;
                    p.limit = Some(n);
                }
                "offset" => p.offset = number("offset", v, MAX_OFFSET)?,
                "facets" => p.facets = Some(bounded("facets", v.to_owned(), 100)?),
                "facet_limit" => {
                    let n = number("facet_limit", v, MAX_FACET_LIMIT)?;
                    if n == 0 {
                        return Err(ParamError(format!(
                            "facet_limit: 0 (every value) is not served; give 1 to {MAX_FACET_LIMIT}"
                        )));
                    }
                    p.facet_limit = Some(n);
                }
                other if strict => {
                    return Err(ParamError(format!(
                        "unknown parameter \"{}\"; expected q, tag, author, fellow, since, until, \
                         year, featured, added_since, sort, limit, offset, facets, facet_limit, exact",
                        shorten(other)
                    )))
                }
                _ => {}
            }
        }
        Ok(p)
    }

    /// No query and no filter: nothing to search for yet.
    pub fn is_blank(&self) -> bool {
        self.q.trim().is_empty()
            && self.tags.is_empty()
            && self.authors.is_empty()
            && self.fellows.is_empty()
            && self.since.is_none()
            && self.until.is_none()
            && self.years.is_empty()
            && !self.featured
            && self.added_since.is_none()
    }

    /// The request `litsearch query --json` runs for the same search; `limit` and
    /// `facet_limit` when the parameters give none.
    pub fn to_request(&self, limit: usize, facet_limit: usize) -> Result<SearchRequest> {
        let filters = FilterValues {
            tags: &self.tags,
            authors: &self.authors,
            fellows: &self.fellows,
            since: self.since.as_deref(),
            until: self.until.as_deref(),
            years: &self.years,
            featured: self.featured,
            added_since: self.added_since.as_deref(),
        };
        Ok(SearchRequest {
            query: self.q.clone(),
            filters: filters.check()?,
            sort: self.sort,
            limit: self.limit.unwrap_or(limit).min(MAX_REQUEST_LIMIT),
            offset: self.offset,
            exact: self.exact,
            facets: parse_facets(self.facets.as_deref().unwrap_or(DEFAULT_FACETS))?,
            facet_limit: self.facet_limit.unwrap_or(facet_limit),
            explain: false,
            snippet_chars: 200,
            synonyms: Default::default(),
        })
    }

    /// The parameters as a query string (without `?`), defaults left out: the URL of this state.
    pub fn to_query_string(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            s.append_pair("q", &self.q);
        }
        for t in &self.tags {
            s.append_pair("tag", t);
        }
        for a in &self.authors {
            s.append_pair("author", a);
        }
        for f in &self.fellows {
            s.append_pair("fellow", f);
        }
        for y in &self.years {
            s.append_pair("year", &y.to_string());
        }
        if let Some(v) = &self.since {
            s.append_pair("since", v);
        }
        if let Some(v) = &self.until {
            s.append_pair("until", v);
        }
        if self.featured {
            s.append_pair("featured", "1");
        }
        if let Some(v) = &self.added_since {
            s.append_pair("added_since", v);
        }
        if let Some(sort) = self.sort {
            s.append_pair("sort", sort_name(sort));
        }
        if let Some(l) = self.limit {
            s.append_pair("limit", &l.to_string());
        }
        if self.offset > 0 {
            s.append_pair("offset", &self.offset.to_string());
        }
        if let Some(f) = &self.facets {
            s.append_pair("facets", f);
        }
        if let Some(f) = self.facet_limit {
            s.append_pair("facet_limit", &f.to_string());
        }
        if self.exact {
            s.append_pair("exact", "1");
        }
        s.finish()
    }
}

pub fn sort_name(sort: Sort) -> &'static str {
    match sort {
        Sort::Relevance => "relevance",
        Sort::Newest => "newest",
        Sort::Oldest => "oldest",
        Sort::Added => "added",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::DEFAULT_FACET_LIMIT;

    fn parse(raw: &str) -> Result<SearchParams, ParamError> {
        SearchParams::parse(&pairs(Some(raw)), true)
    }

    #[test]
    fn repeated_filters_and_round_trip() {
        let p =
            parse("q=sparse+autoencoder&tag=A%26B&tag=C&year=2024&featured=1&offset=10").unwrap();
        assert_eq!(p.tags, ["A&B", "C"]);
        assert_eq!(p.years, [2024]);
        assert!(p.featured);
        assert_eq!(parse(&p.to_query_string()).unwrap(), p);
        let request = p.to_request(10, DEFAULT_FACET_LIMIT).unwrap();
        assert_eq!(request.query, "sparse autoencoder");
        assert_eq!(request.facets, crate::search::FacetField::ALL);
    }

    #[test]
    fn bounds_and_unknown_names_are_refused() {
        assert!(parse("limit=101").unwrap_err().0.contains("maximum 100"));
        assert!(parse("offset=10001").is_err());
        assert!(parse("limit=x").unwrap_err().0.contains("whole number"));
        assert!(parse(&format!("q={}", "a".repeat(MAX_QUERY_CHARS + 1))).is_err());
        assert!(parse("facet_limit=0").is_err());
        assert!(parse("sort=sideways").is_err());
        assert!(parse("bogus=1")
            .unwrap_err()
            .0
            .contains("unknown parameter"));
        assert!(SearchParams::parse(&pairs(Some("bogus=1")), false).is_ok());
    }

    #[test]
    fn empty_values_are_absent() {
        let p = parse("q=&since=&until=&sort=&tag=").unwrap();
        assert!(p.is_blank());
        assert_eq!(p.sort, None);
    }
}
