//! Search above the engines: the request a command makes, the relaxation policy (all words →
//! typos → any word, written once for every engine), and the plain `Hit`s that come back.
//! Nothing here names an engine's types or formats output; `engine/` and `output/` do.

pub mod facets;
pub mod filters;
pub mod lookup;
pub mod similar;
pub mod snippet;
pub mod syntax;

use std::time::Instant;

use serde::Serialize;

pub use crate::engine::{allowed_typos, MatchMode, MatchedRecord, Restrictions};
pub use facets::{FacetCount, FacetCounts, FacetField, FieldCounts};
pub use filters::{parse_added_since, parse_filter_date, FilterError, Filters};
pub use snippet::Marked;
pub use syntax::{parse_query, Node, QueryError, Scope};

use crate::engine::{Engine, PageRequest, Plan};
use crate::error::{Error, Result};

/// Result order. Ties always fall back to newer date, then id, so pages are stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    Oldest,
    /// Most recently added to the index first.
    Added,
}

/// Facet values returned per field unless a request says otherwise.
pub const DEFAULT_FACET_LIMIT: usize = 10;

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    /// `None`: relevance with a query, newest without one.
    pub sort: Option<Sort>,
    pub limit: usize,
    pub offset: usize,
    /// No typo tolerance and no any-word fallback.
    pub exact: bool,
    pub facets: Vec<FacetField>,
    /// Values per facet field, most frequent first; 0 for every value.
    pub facet_limit: usize,
    pub explain: bool,
    pub snippet_chars: usize,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            filters: Filters::default(),
            sort: None,
            limit: 10,
            offset: 0,
            exact: false,
            facets: FacetField::ALL.to_vec(),
            facet_limit: DEFAULT_FACET_LIMIT,
            explain: false,
            snippet_chars: 200,
        }
    }
}

/// Which relaxation found the results, when the query as written found none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relaxation {
    /// Words matched allowing typos.
    Typos,
    /// Any word instead of all words.
    Any,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub score: f32,
    pub record: crate::record::Record,
    pub first_seen: i64,
    pub snippet: Marked,
    pub title: Marked,
    pub explanation: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SearchResults {
    pub total: usize,
    pub took_ms: f64,
    pub relaxed: Option<Relaxation>,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
}

/// Runs a search on an engine.
pub fn search<E: Engine>(engine: &E, request: &SearchRequest) -> Result<SearchResults> {
    search_restricted(engine, request, &Restrictions::default())
}

/// Runs a search further narrowed by `restrictions` (a set of ids, say), which take no part
/// in ranking.
pub fn search_restricted<E: Engine>(
    engine: &E,
    request: &SearchRequest,
    restrictions: &Restrictions,
) -> Result<SearchResults> {
    let started = Instant::now();
    let parsed = parse_query(&request.query)?;
    let plan = Plan {
        query: parsed.as_ref(),
        filters: &request.filters,
        restrictions,
    };
    let relaxed = relax(engine, request, &plan)?;
    let page = engine.page(
        &relaxed.query,
        &PageRequest {
            sort: relaxed.sort,
            limit: request.limit,
            offset: request.offset,
            facets: request.facets.clone(),
            facet_limit: request.facet_limit,
            snippet_chars: request.snippet_chars,
            explain: request.explain,
        },
    )?;
    Ok(SearchResults {
        total: page.total,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        relaxed: relaxed.relaxation,
        hits: page.hits,
        facets: page.facets,
    })
}

/// Every record matching `request` (and `restrictions`), unranked, by id: what the engine
/// knows of each without loading it.
pub fn matching_records<E: Engine>(
    engine: &E,
    request: &SearchRequest,
    restrictions: &Restrictions,
) -> Result<Vec<MatchedRecord>> {
    let parsed = parse_query(&request.query)?;
    let plan = Plan {
        query: parsed.as_ref(),
        filters: &request.filters,
        restrictions,
    };
    let relaxed = relax(engine, request, &plan)?;
    engine.matching(&relaxed.query)
}

/// The query a request runs, after relaxation, with what it took.
struct Relaxed<Q> {
    query: Q,
    relaxation: Option<Relaxation>,
    sort: Sort,
}

/// The relaxation policy: the words as written; if nothing matches (and the request allows
/// it), with typos; then any word. The first step that finds something stands; if none does,
/// the query as written stands and no relaxation is reported.
fn relax<E: Engine>(
    engine: &E,
    request: &SearchRequest,
    plan: &Plan<'_>,
) -> Result<Relaxed<E::Compiled>> {
    if plan.query.is_none() && request.filters.is_empty() {
        return Err(Error::Query(QueryError::new(
            0,
            "empty query",
            Some("give words to search for, or filters such as --tag, --author, --since"),
        )));
    }
    let has_words = plan.query.is_some_and(Node::has_positive);
    let sort = request.sort.unwrap_or(if has_words {
        Sort::Relevance
    } else {
        Sort::Newest
    });
    let modes: &[MatchMode] = if request.exact || !has_words {
        &[MatchMode::AllWords]
    } else {
        &[MatchMode::AllWords, MatchMode::Typos, MatchMode::AnyWord]
    };
    for &mode in modes {
        let query = engine.compile(plan, mode)?;
        let found = engine.any_match(&query)?;
        if found || mode == modes[modes.len() - 1] {
            // Report a relaxation only if it found something; else the query as written stands.
            let relaxation = match mode {
                _ if !found => None,
                MatchMode::AllWords => None,
                MatchMode::Typos => Some(Relaxation::Typos),
                MatchMode::AnyWord => Some(Relaxation::Any),
            };
            return Ok(Relaxed {
                query,
                relaxation,
                sort,
            });
        }
    }
    unreachable!("the last mode always returns")
}

/// The error for a query with nothing an engine could look up (only punctuation, say) and no
/// filter: engines raise it while compiling, since only analysis tells.
pub fn nothing_to_search() -> Error {
    Error::Query(QueryError::new(
        0,
        "nothing to search for: the query has no letters or digits",
        Some("search for words, or use filters such as --tag"),
    ))
}
