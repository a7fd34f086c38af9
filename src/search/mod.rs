//! Search: query language, filters, relaxation, ranking, facets and snippets → plain `Hit`s.
//! Nothing here formats output; printers in `output/` do.

mod build;
pub mod facets;
pub mod filters;
pub mod lookup;
pub mod similar;
pub mod snippet;
pub mod syntax;
mod top;

use std::time::Instant;

use serde::Serialize;
use tantivy::collector::Count;
use tantivy::query::{AllQuery, BooleanQuery, EnableScoring, Occur, Query};
use tantivy::{DocId, DocSet, TantivyDocument, TERMINATED};

pub use build::{allowed_typos, MatchMode};
pub use facets::{FacetCount, FacetCounts, FacetField, FieldCounts};
pub use filters::{parse_added_since, parse_filter_date, FilterError, Filters};
pub use snippet::Marked;
pub use syntax::{parse_query, Node, QueryError, Scope};

use crate::error::{Error, Result};
use crate::index::schema::{text_analyzer, FIRST_SEEN, HASH, ID_NUM};
use crate::index::{from_document, OpenIndex};
use build::{HighlightTerms, QueryBuilder};
use top::top_docs;

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

/// Runs a search against an open index.
pub fn search(index: &OpenIndex, request: &SearchRequest) -> Result<SearchResults> {
    search_within(index, request, &[])
}

/// Runs a search further restricted by `within`: each of those queries must match too (a set
/// of ids, say). They take no part in ranking.
pub fn search_within(
    index: &OpenIndex,
    request: &SearchRequest,
    within: &[Box<dyn Query>],
) -> Result<SearchResults> {
    let started = Instant::now();
    let searcher = index.searcher();
    let fields = index.fields;
    let Plan {
        query,
        relaxed,
        highlights,
        sort,
    } = plan(&searcher, fields, request, within)?;
    // One unscored pass counts the matches and their facets; the page is found apart, so
    // that ranking can skip what cannot make it.
    let (total, facets) = if request.facets.is_empty() {
        (searcher.search(&*query, &Count)?, Vec::new())
    } else {
        searcher.search(
            &*query,
            &(
                Count,
                facets::FacetCollector {
                    fields: request.facets.clone(),
                    limit: request.facet_limit,
                },
            ),
        )?
    };
    let window = request
        .offset
        .saturating_add(request.limit)
        .min(total.max(1));
    let top = if request.limit == 0 || request.offset >= total {
        Vec::new()
    } else {
        top_docs(&searcher, &*query, sort, window)?
    };
    let mut hits = Vec::new();
    let mut text = text_analyzer();
    for (score, address) in top.into_iter().skip(request.offset) {
        let doc: TantivyDocument = searcher.doc(address)?;
        let stored = from_document(&fields, &doc);
        let empty = Default::default();
        let abstract_terms = highlights.for_scope(Scope::Abstract).unwrap_or(&empty);
        let title_terms = highlights.for_scope(Scope::Title).unwrap_or(&empty);
        let snippet = snippet::snippet(
            &mut text,
            &stored.record.abstract_text,
            abstract_terms,
            request.snippet_chars,
        );
        let title = snippet::highlight_all(&mut text, &stored.record.title, title_terms);
        let explanation = if request.explain {
            Some(query.explain(&searcher, address)?.to_pretty_json())
        } else {
            None
        };
        hits.push(Hit {
            score,
            record: stored.record,
            first_seen: stored.first_seen,
            snippet,
            title,
            explanation,
        });
    }
    Ok(SearchResults {
        total,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        relaxed,
        hits,
        facets,
    })
}

/// The query a request runs, after relaxation, with what it found.
struct Plan {
    query: Box<dyn Query>,
    relaxed: Option<Relaxation>,
    highlights: HighlightTerms,
    sort: Sort,
}

fn plan(
    searcher: &tantivy::Searcher,
    fields: crate::index::schema::Fields,
    request: &SearchRequest,
    within: &[Box<dyn Query>],
) -> Result<Plan> {
    let parsed = parse_query(&request.query)?;
    let mut filters = request.filters.build(&fields);
    filters.extend(within.iter().map(|q| {
        Box::new(tantivy::query::ConstScoreQuery::new(q.box_clone(), 0.0)) as Box<dyn Query>
    }));
    let has_words = parsed.as_ref().is_some_and(Node::has_positive);
    if parsed.is_none() && request.filters.is_empty() {
        return Err(Error::Query(QueryError::new(
            0,
            "empty query",
            Some("give words to search for, or filters such as --tag, --author, --since"),
        )));
    }
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
    for (step, &mode) in modes.iter().enumerate() {
        let mut builder = QueryBuilder::new(searcher, fields);
        let main = match &parsed {
            Some(node) => match builder.build(node, mode) {
                Some(q) => Some(q),
                None if request.filters.is_empty() => {
                    return Err(Error::Query(QueryError::new(
                        0,
                        "nothing to search for: the query has no letters or digits",
                        Some("search for words, or use filters such as --tag"),
                    )))
                }
                None => None,
            },
            None => None,
        };
        let query = combine(main, filters.iter().map(|f| f.box_clone()).collect());
        let found = any_match(searcher, &*query)?;
        let last = step + 1 == modes.len();
        if found || last {
            let relaxed = match mode {
                MatchMode::AllWords => None,
                MatchMode::Typos => Some(Relaxation::Typos),
                MatchMode::AnyWord => Some(Relaxation::Any),
            };
            // Report the relaxation only if it found something; otherwise the query as written stands.
            let relaxed = if found { relaxed } else { None };
            return Ok(Plan {
                query,
                relaxed,
                highlights: builder.highlights,
                sort,
            });
        }
    }
    unreachable!("the last mode always returns")
}

/// Whether any live record matches: stops at the first, where counting would visit them all.
fn any_match(searcher: &tantivy::Searcher, query: &dyn Query) -> Result<bool> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    for reader in searcher.segment_readers() {
        let mut scorer = weight.scorer(reader, 1.0)?;
        let alive = reader.alive_bitset();
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                return Ok(true);
            }
            doc = scorer.advance();
        }
    }
    Ok(false)
}

/// A record matched by `matching_records`: what the index knows of it without loading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchedRecord {
    pub id: u64,
    pub content_hash: u64,
    pub first_seen: i64,
}

/// Every record matching `request` (and `within`), unranked and without loading documents:
/// ids, content hashes and first_seen from the fast fields.
pub fn matching_records(
    index: &OpenIndex,
    request: &SearchRequest,
    within: &[Box<dyn Query>],
) -> Result<Vec<MatchedRecord>> {
    let searcher = index.searcher();
    let Plan { query, .. } = plan(&searcher, index.fields, request, within)?;
    let found = searcher.search(&*query, &tantivy::collector::DocSetCollector)?;
    let total = found.len();
    let mut by_segment: Vec<Vec<DocId>> = vec![Vec::new(); searcher.segment_readers().len()];
    for address in found {
        by_segment[address.segment_ord as usize].push(address.doc_id);
    }
    let mut out = Vec::with_capacity(total);
    for (segment, docs) in searcher.segment_readers().iter().zip(by_segment) {
        if docs.is_empty() {
            continue;
        }
        let ff = segment.fast_fields();
        let (ids, hashes, first) = (ff.u64(ID_NUM)?, ff.u64(HASH)?, ff.i64(FIRST_SEEN)?);
        for doc in docs {
            out.push(MatchedRecord {
                id: ids.first(doc).unwrap_or_default(),
                content_hash: hashes.first(doc).unwrap_or_default(),
                first_seen: first.first(doc).unwrap_or_default(),
            });
        }
    }
    out.sort_unstable_by_key(|m| m.id);
    Ok(out)
}

/// Matches exactly the records with these ids (numbers, as in `MatchedRecord::id`).
pub fn ids_query(index: &OpenIndex, ids: impl IntoIterator<Item = u64>) -> Box<dyn Query> {
    let terms: Vec<tantivy::Term> = ids
        .into_iter()
        .map(|id| tantivy::Term::from_field_text(index.fields.id, &format!("{id:016x}")))
        .collect();
    // A term set builds an FST (a fixed cost of a few hundred microseconds); a handful of
    // term lookups is cheaper.
    if terms.len() <= 64 {
        let clauses = terms
            .into_iter()
            .map(|t| {
                let q: Box<dyn Query> = Box::new(tantivy::query::TermQuery::new(
                    t,
                    tantivy::schema::IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        return Box::new(BooleanQuery::new(clauses));
    }
    Box::new(tantivy::query::TermSetQuery::new(terms))
}

/// Matches the records first seen after `t` (unix seconds), through the inverted index: it
/// touches only the postings of newer first_seen values, never the older records (a
/// `RangeQuery` on this fast field would scan its column).
pub fn first_seen_after(index: &OpenIndex, t: i64) -> Box<dyn Query> {
    let Some(after) = t.checked_add(1) else {
        return Box::new(tantivy::query::EmptyQuery);
    };
    Box::new(tantivy::query::InvertedIndexRangeQuery::new(
        std::ops::Bound::Included(tantivy::Term::from_field_i64(
            index.fields.first_seen,
            after,
        )),
        std::ops::Bound::Unbounded,
    ))
}

/// The newest first_seen in the index (deleted documents included), without a scan.
pub fn newest_first_seen(index: &OpenIndex) -> Result<Option<i64>> {
    let searcher = index.searcher();
    let mut newest = None;
    for segment in searcher.segment_readers() {
        if segment.num_docs() == 0 {
            continue;
        }
        let column = segment.fast_fields().i64(FIRST_SEEN)?;
        newest = newest.max(Some(column.max_value()));
    }
    Ok(newest)
}

/// The words of a query as highlight terms, for callers that search by other means.
pub fn highlight_terms_for(index: &OpenIndex, query: &str) -> Result<HighlightTerms> {
    let searcher = index.searcher();
    let mut builder = QueryBuilder::new(&searcher, index.fields);
    if let Some(node) = parse_query(query)? {
        let _ = builder.build(&node, MatchMode::AllWords);
    }
    Ok(builder.highlights)
}

fn combine(main: Option<Box<dyn Query>>, filters: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if filters.is_empty() {
        return main.unwrap_or_else(|| Box::new(AllQuery));
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        filters.into_iter().map(|f| (Occur::Must, f)).collect();
    if let Some(main) = main {
        clauses.push((Occur::Must, main));
    }
    Box::new(BooleanQuery::new(clauses))
}
