//! Search above the engines: the request a command makes, the relaxation policy (as written →
//! typos → fewer words, written once for every engine), and what a search reports.
//! The seam's plain types (`Hit`, `Sort`, facets, snippets) are `engine`'s, re-exported here.

pub mod common_words;
pub mod expand;
pub mod filters;
pub mod lookup;
pub mod similar;
pub mod syntax;

use std::time::Instant;

use serde::Serialize;

pub use crate::engine::explain::{self, Explanation, MatchKind, ScorePart};
pub use crate::engine::facets::{self, FacetCount, FacetCounts, FacetField, FieldCounts};
pub use crate::engine::snippet::{self, Marked};
pub use crate::engine::{allowed_typos, nothing_to_search, Correction, Hit, MatchMode};
pub use crate::engine::{MatchedRecord, Restrictions, Sort};
pub use filters::{parse_added_since, parse_filter_date, FilterError, Filters, UnmatchedFilter};
pub use syntax::{parse_query, parse_query_droppable, Node, QueryError, Scope};

use crate::acronyms::Synonyms;
use crate::engine::{Engine, PageRequest, Plan};
use crate::error::Result;
pub use expand::Expansion;

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
    /// No relaxation at all: no typo tolerance, no word dropped.
    pub exact: bool,
    pub facets: Vec<FacetField>,
    /// Values per facet field, most frequent first; 0 for every value.
    pub facet_limit: usize,
    pub explain: bool,
    pub snippet_chars: usize,
    /// A user's synonym groups (`--synonyms FILE`, `synonyms.txt`), used with the short forms
    /// mined at ingest (`Engine::mined_synonyms`).
    pub synonyms: std::sync::Arc<Synonyms>,
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
            synonyms: Default::default(),
        }
    }
}

/// Which relaxation found the results, when the query as written found none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Relaxation {
    /// Words the index does not hold were matched allowing typos (`Relaxed::corrections`).
    Typos,
    /// Plain words were left out (`Relaxed::dropped`), typos allowed in the rest.
    Dropped,
}

/// What a relaxation did, exactly: each corrected word and each word left out. Empty when the
/// query as written stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RelaxReport {
    pub relaxed: Option<Relaxation>,
    pub corrections: Vec<Correction>,
    /// Words of the query (as typed) that no longer had to match.
    pub dropped: Vec<String>,
    /// Function words of a question (`common_words`), searched without: never a relaxation,
    /// since they are left out before the query as written is tried.
    pub ignored: Vec<String>,
    /// Short forms and long forms that also found their synonyms (`expand`).
    pub expanded: Vec<Expansion>,
}

#[derive(Debug, Clone)]
pub struct SearchResults {
    pub total: usize,
    pub took_ms: f64,
    pub relaxed: RelaxReport,
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
    let (parsed, request) = parse_request(request)?;
    let request = request.as_ref();
    let (parsed, ignored, expanded) = searched_words(engine, parsed, request)?;
    let page_request = PageRequest {
        sort: result_sort(request, parsed.as_ref()),
        limit: request.limit,
        offset: request.offset,
        facets: request.facets.clone(),
        facet_limit: request.facet_limit,
        snippet_chars: request.snippet_chars,
        explain: request.explain,
    };
    // Each query relaxing tries is paged at once when it matches: the page comes from the
    // search that found it (one request to a remote engine, not a probe and then the page).
    let relaxed = relax(
        engine,
        request,
        parsed.as_ref(),
        restrictions,
        &mut |query| engine.page_if_any(query, &page_request),
    )?;
    let page = match relaxed.found {
        Some(page) => page,
        None => engine.page(&relaxed.query, &page_request)?,
    };
    Ok(SearchResults {
        total: page.total,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        relaxed: RelaxReport {
            ignored,
            expanded,
            ..relaxed.report
        },
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
    let (parsed, request) = parse_request(request)?;
    let request = request.as_ref();
    let (parsed, _, _) = searched_words(engine, parsed, request)?;
    let relaxed = relax(
        engine,
        request,
        parsed.as_ref(),
        restrictions,
        &mut |query| Ok(engine.any_match(query)?.then_some(())),
    )?;
    engine.matching(&relaxed.query)
}

/// A parsed query with the top-level items relaxation may drop.
type Droppable = (Node, Vec<usize>);

/// The query of a request parsed, and the request with the `year:`/`date:` filters written in
/// the query added to its filters (the Plan every engine gets carries them).
fn parse_request(
    request: &SearchRequest,
) -> Result<(Option<Droppable>, std::borrow::Cow<'_, SearchRequest>)> {
    let parsed = syntax::parse_query_full(&request.query)?;
    if parsed.filters.is_empty() {
        return Ok((parsed.node, std::borrow::Cow::Borrowed(request)));
    }
    let filters = filters::with_query_filters(&request.filters, &parsed.filters)?;
    Ok((
        parsed.node,
        std::borrow::Cow::Owned(SearchRequest {
            filters,
            ..request.clone()
        }),
    ))
}

/// The words a request searches for: short forms and long forms expanded by the synonyms
/// (mined at ingest and the user's), then without the function words of a question — unless
/// it asks for the words exactly as written (`--exact`). Also what was left out and expanded.
fn searched_words<E: Engine>(
    engine: &E,
    parsed: Option<Droppable>,
    request: &SearchRequest,
) -> Result<(Option<Droppable>, Vec<String>, Vec<Expansion>)> {
    let Some(parsed) = parsed else {
        return Ok((None, Vec::new(), Vec::new()));
    };
    if request.exact {
        return Ok((Some(parsed), Vec::new(), Vec::new()));
    }
    // Both tables are looked up, the mined one first: never merged, so a search copies neither.
    let mined = engine.mined_synonyms()?;
    let tables: Vec<&Synonyms> = [&*mined, &*request.synonyms]
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect();
    let (parsed, expanded) = if tables.is_empty() {
        (parsed, Vec::new())
    } else {
        expand::expand(parsed, &tables)
    };
    let (parsed, ignored) = common_words::without_common_words(parsed);
    Ok((Some(parsed), ignored, expanded))
}

/// The query a request runs, after relaxation, with what it took.
struct Relaxed<Q, T> {
    query: Q,
    report: RelaxReport,
    /// What trying `query` gave, when relaxing tried it and it matched (the page itself);
    /// None when it was not tried (no relaxing asked for) or nothing matches.
    found: Option<T>,
}

/// The order of the results: as asked, else relevance with words to rank by and newest
/// without.
fn result_sort(request: &SearchRequest, parsed: Option<&(Node, Vec<usize>)>) -> Sort {
    let has_words = parsed.is_some_and(|(node, _)| node.has_positive());
    request.sort.unwrap_or(if has_words {
        Sort::Relevance
    } else {
        Sort::Newest
    })
}

/// The relaxation policy, for every engine. The words as written; if nothing matches (and the
/// request allows relaxing), words no record holds are matched allowing typos; if still
/// nothing, plain words are left out one at a time — first those matching nothing on their
/// own, then the least informative: the one most records hold (ties: the last typed) — until
/// something matches. The words left out still rank (`Node::Optional`): a record holding more
/// of them comes first. Only plain words of the top-level
/// implicit AND are ever left out: never a field scope, a phrase, a group, an explicit AND or a
/// NOT, and never a filter. If nothing helps, the query as written stands, unrelaxed. No
/// query and no filter lists everything.
///
/// `attempt` is asked of each query that could stand: what it gives when the query matches
/// (a page), None when nothing does. The word-by-word checks that order the drops only ask
/// `any_match`.
fn relax<E: Engine, T>(
    engine: &E,
    request: &SearchRequest,
    parsed: Option<&(Node, Vec<usize>)>,
    restrictions: &Restrictions,
    attempt: &mut dyn FnMut(&E::Compiled) -> Result<Option<T>>,
) -> Result<Relaxed<E::Compiled, T>> {
    let root = parsed.map(|(node, _)| node);
    fn plan<'a>(
        query: Option<&'a Node>,
        request: &'a SearchRequest,
        restrictions: &'a Restrictions,
    ) -> Plan<'a> {
        Plan {
            query,
            filters: &request.filters,
            restrictions,
        }
    }
    let has_words = root.is_some_and(Node::has_positive);
    let as_written = engine.compile(&plan(root, request, restrictions), MatchMode::AllWords)?;
    let unrelaxed = |query, found| Relaxed {
        query,
        report: RelaxReport::default(),
        found,
    };
    if request.exact || !has_words {
        return Ok(unrelaxed(as_written, None));
    }
    if let Some(found) = attempt(&as_written)? {
        return Ok(unrelaxed(as_written, Some(found)));
    }
    let typos = engine.compile(&plan(root, request, restrictions), MatchMode::Typos)?;
    let corrections = engine.corrections(&typos);
    if !corrections.is_empty() {
        if let Some(found) = attempt(&typos)? {
            return Ok(Relaxed {
                query: typos,
                report: RelaxReport {
                    relaxed: Some(Relaxation::Typos),
                    corrections,
                    dropped: Vec::new(),
                    ..RelaxReport::default()
                },
                found: Some(found),
            });
        }
    }
    let Some((Node::And(items), droppable)) = parsed else {
        return Ok(unrelaxed(as_written, None));
    };
    // The order to leave words out in: those that find nothing even alone, then by how many
    // records hold each (document frequency, with the same filters), most first.
    let mut held_by = Vec::with_capacity(droppable.len());
    for &i in droppable {
        let alone = engine.compile(
            &plan(Some(&items[i]), request, restrictions),
            MatchMode::Typos,
        )?;
        held_by.push((i, engine.count(&alone)?));
    }
    let order = drop_order(held_by);
    let mut dropped: Vec<usize> = Vec::new();
    for i in order {
        dropped.push(i);
        let kept: Vec<Node> = (0..items.len())
            .filter(|k| !dropped.contains(k))
            .map(|k| items[k].clone())
            .collect();
        if !kept.iter().any(Node::has_positive) {
            break;
        }
        let node = Node::And(
            kept.into_iter()
                .chain(
                    dropped
                        .iter()
                        .map(|&k| Node::Optional(Box::new(items[k].clone()))),
                )
                .collect(),
        );
        let query = engine.compile(&plan(Some(&node), request, restrictions), MatchMode::Typos)?;
        if let Some(found) = attempt(&query)? {
            let corrections = engine.corrections(&query);
            dropped.sort_unstable();
            return Ok(Relaxed {
                report: RelaxReport {
                    relaxed: Some(Relaxation::Dropped),
                    corrections,
                    dropped: dropped.iter().map(|&k| word_text(&items[k])).collect(),
                    ..RelaxReport::default()
                },
                query,
                found: Some(found),
            });
        }
    }
    Ok(unrelaxed(as_written, None))
}

/// The order relaxation leaves words out in, from each word's index and the number of records
/// holding it: first the words no record holds (as typed), then the most frequent; among
/// equals the last typed first.
fn drop_order(mut held_by: Vec<(usize, usize)>) -> Vec<usize> {
    held_by.sort_by(|(i, n), (j, m)| {
        let (unheld_a, unheld_b) = (*n == 0, *m == 0);
        unheld_b.cmp(&unheld_a).then_with(|| {
            if unheld_a {
                i.cmp(j)
            } else {
                m.cmp(n).then(j.cmp(i))
            }
        })
    });
    held_by.into_iter().map(|(i, _)| i).collect()
}

/// A dropped word as the user typed it.
fn word_text(node: &Node) -> String {
    match node {
        Node::Word { text, .. } | Node::Phrase { text, .. } => text.clone(),
        _ => expand::typed_words(node).unwrap_or_default(),
    }
}

/// The `--tag`, `--author` and `--fellow` values that match no record of the whole index, each
/// with the nearest values it holds: why a filtered search found nothing, and what was meant.
pub fn unmatched_filters<E: Engine>(engine: &E, filters: &Filters) -> Result<Vec<UnmatchedFilter>> {
    let mut out = Vec::new();
    let none = Restrictions::default();
    let mut values: Option<FacetCounts> = None;
    for (field, facet, list) in [
        ("tag", FacetField::Tags, &filters.tags),
        ("author", FacetField::Authors, &filters.authors),
        ("fellow", FacetField::Fellows, &filters.fellows),
    ] {
        for value in list {
            let alone = match field {
                "tag" => Filters {
                    tags: vec![value.clone()],
                    ..Filters::default()
                },
                "author" => Filters {
                    authors: vec![value.clone()],
                    ..Filters::default()
                },
                _ => Filters {
                    fellows: vec![value.clone()],
                    ..Filters::default()
                },
            };
            let plan = Plan {
                query: None,
                filters: &alone,
                restrictions: &none,
            };
            if engine.any_match(&engine.compile(&plan, MatchMode::AllWords)?)? {
                continue;
            }
            let all = match &values {
                Some(v) => v,
                None => values.insert(engine.facet_values(&[
                    FacetField::Tags,
                    FacetField::Authors,
                    FacetField::Fellows,
                ])?),
            };
            let candidates = all
                .iter()
                .filter(|c| c.field == facet)
                .flat_map(|c| c.values.iter())
                .map(|v| (v.value.as_str(), v.count));
            out.push(UnmatchedFilter {
                field,
                value: value.clone(),
                suggestions: filters::nearest_values(value, candidates, 3),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    //! The relaxation policy against an engine that notes what it is asked: the query that
    //! stands is paged by the same call that found it matching, never probed and paged again.

    use std::cell::RefCell;

    use super::*;
    use crate::engine::{Page, Plan};
    use crate::record::{Record, StoredRecord};
    use crate::search::similar::SimilarResults;

    /// Holds the words `held`, each in as many records as `frequency` says (else one); a typo
    /// query also matches `typo` → `meant`.
    struct Noting {
        held: &'static [&'static str],
        frequency: &'static [(&'static str, usize)],
        /// The most words a record holds together.
        most_together: usize,
        typo: (&'static str, &'static str),
        calls: RefCell<Vec<String>>,
    }

    struct Query {
        words: Vec<String>,
        /// Words that only rank (`Node::Optional`), shown `+word`.
        optional: Vec<String>,
        mode: MatchMode,
    }

    impl Query {
        fn text(&self) -> String {
            let mark = if self.mode == MatchMode::Typos {
                "~"
            } else {
                ""
            };
            let optional: String = self.optional.iter().map(|w| format!(" +{w}")).collect();
            format!("{}{mark}{optional}", self.words.join(" "))
        }
    }

    fn words(node: &Node, out: &mut Vec<String>, optional: &mut Vec<String>) {
        match node {
            Node::And(c) | Node::Or(c) => c.iter().for_each(|n| words(n, out, optional)),
            Node::Not(_) => {}
            Node::Optional(inner) => words(inner, optional, &mut Vec::new()),
            Node::Weighted(inner, _) => words(inner, out, optional),
            Node::Word { text, .. } | Node::Phrase { text, .. } => out.push(text.clone()),
        }
    }

    impl Noting {
        fn new(held: &'static [&'static str]) -> Noting {
            Noting {
                held,
                frequency: &[],
                most_together: usize::MAX,
                typo: ("sycophnacy", "sycophancy"),
                calls: RefCell::new(Vec::new()),
            }
        }

        fn matches(&self, q: &Query) -> bool {
            q.words.len() <= self.most_together
                && q.words.iter().all(|w| {
                    self.held.contains(&w.as_str())
                        || q.mode == MatchMode::Typos
                            && w == self.typo.0
                            && self.held.contains(&self.typo.1)
                })
        }

        fn note(&self, what: &str, q: &Query) {
            self.calls.borrow_mut().push(format!("{what} {}", q.text()));
        }

        fn calls(&self) -> Vec<String> {
            self.calls.take()
        }
    }

    impl Engine for Noting {
        type Compiled = Query;

        fn compile(&self, plan: &Plan<'_>, mode: MatchMode) -> Result<Query> {
            let (mut out, mut optional) = (Vec::new(), Vec::new());
            if let Some(node) = plan.query {
                words(node, &mut out, &mut optional);
            }
            Ok(Query {
                words: out,
                optional,
                mode,
            })
        }

        fn any_match(&self, q: &Query) -> Result<bool> {
            self.note("any_match", q);
            Ok(self.matches(q))
        }

        fn mined_synonyms(&self) -> Result<std::sync::Arc<Synonyms>> {
            Ok(Default::default())
        }

        fn count(&self, q: &Query) -> Result<usize> {
            self.note("count", q);
            if !self.matches(q) {
                return Ok(0);
            }
            let of = |w: &String| {
                let found = self.frequency.iter().find(|(f, _)| f == w);
                found.map_or(1, |&(_, n)| n)
            };
            Ok(q.words.iter().map(of).min().unwrap_or(0))
        }

        fn corrections(&self, q: &Query) -> Vec<Correction> {
            let (typo, meant) = self.typo;
            if q.mode == MatchMode::Typos && q.words.iter().any(|w| w == typo) {
                vec![Correction {
                    word: typo.to_owned(),
                    to: vec![meant.to_owned()],
                }]
            } else {
                Vec::new()
            }
        }

        fn page(&self, q: &Query, _: &PageRequest) -> Result<Page> {
            self.note("page", q);
            Ok(Page {
                total: usize::from(self.matches(q)),
                hits: Vec::new(),
                facets: Vec::new(),
            })
        }

        fn page_if_any(&self, q: &Query, _: &PageRequest) -> Result<Option<Page>> {
            self.note("page_if_any", q);
            Ok(self.matches(q).then_some(Page {
                total: 1,
                hits: Vec::new(),
                facets: Vec::new(),
            }))
        }

        fn matching(&self, q: &Query) -> Result<Vec<MatchedRecord>> {
            self.note("matching", q);
            Ok(Vec::new())
        }

        fn record_by_id(&self, _: &str) -> Result<Option<StoredRecord>> {
            unimplemented!()
        }

        fn for_each_record(&self, _: &mut dyn FnMut(StoredRecord) -> Result<()>) -> Result<()> {
            unimplemented!()
        }

        fn similar(&self, _: &Record, _: usize) -> Result<SimilarResults> {
            unimplemented!()
        }

        fn facet_values(&self, _: &[FacetField]) -> Result<FacetCounts> {
            unimplemented!()
        }

        fn newest_first_seen(&self) -> Result<Option<i64>> {
            unimplemented!()
        }
    }

    fn searched(engine: &Noting, query: &str, exact: bool) -> (usize, Vec<String>) {
        let request = SearchRequest {
            query: query.to_owned(),
            exact,
            ..SearchRequest::default()
        };
        let results = search(engine, &request).expect("search");
        (results.total, engine.calls())
    }

    #[test]
    fn a_query_that_matches_is_searched_once() {
        let engine = Noting::new(&["sparse", "autoencoders"]);
        assert_eq!(
            searched(&engine, "sparse autoencoders", false),
            (1, vec!["page_if_any sparse autoencoders".to_owned()])
        );
    }

    #[test]
    fn unrelaxed_requests_are_paged_without_a_check() {
        let engine = Noting::new(&["sparse"]);
        assert_eq!(
            searched(&engine, "sparse", true),
            (1, vec!["page sparse".to_owned()])
        );
        // No query: every record, listed without a check.
        assert_eq!(searched(&engine, "", false), (1, vec!["page ".to_owned()]));
    }

    #[test]
    fn a_relaxed_query_is_paged_by_the_try_that_found_it() {
        let engine = Noting::new(&["sycophancy", "sparse"]);
        assert_eq!(
            searched(&engine, "sycophnacy", false),
            (
                1,
                vec![
                    "page_if_any sycophnacy".to_owned(),
                    "page_if_any sycophnacy~".to_owned()
                ]
            )
        );
        // No typo to correct; `bananas` alone matches nothing, so it is dropped first.
        assert_eq!(
            searched(&engine, "sparse bananas", false),
            (
                1,
                vec![
                    "page_if_any sparse bananas".to_owned(),
                    "count sparse~".to_owned(),
                    "count bananas~".to_owned(),
                    "page_if_any sparse~ +bananas".to_owned()
                ]
            )
        );
    }

    #[test]
    fn nothing_found_pages_the_query_as_written() {
        let engine = Noting::new(&["sparse"]);
        let (total, calls) = searched(&engine, "zzzyqqx", false);
        assert_eq!(total, 0);
        assert_eq!(
            calls,
            vec!["page_if_any zzzyqqx".to_owned(), "page zzzyqqx".to_owned()]
        );
    }

    #[test]
    fn matching_records_only_check() {
        let engine = Noting::new(&["sparse"]);
        let request = SearchRequest {
            query: "sparse bananas".to_owned(),
            ..SearchRequest::default()
        };
        matching_records(&engine, &request, &Restrictions::default()).expect("matching");
        assert_eq!(
            engine.calls(),
            vec![
                "any_match sparse bananas",
                "count sparse~",
                "count bananas~",
                "any_match sparse~ +bananas",
                "matching sparse~ +bananas"
            ]
        );
    }

    #[test]
    fn the_most_frequent_word_is_left_out_first_and_still_ranks() {
        // Every word is held, never all three together; `models` is in the most records.
        let engine = Noting {
            frequency: &[("steering", 3), ("language", 40), ("models", 90)],
            most_together: 2,
            ..Noting::new(&["steering", "language", "models"])
        };
        let request = SearchRequest {
            query: "models steering language".to_owned(),
            ..SearchRequest::default()
        };
        let results = search(&engine, &request).expect("search");
        assert_eq!(results.relaxed.relaxed, Some(Relaxation::Dropped));
        assert_eq!(results.relaxed.dropped, ["models"]);
        assert_eq!(
            engine.calls(),
            [
                "page_if_any models steering language",
                "count models~",
                "count steering~",
                "count language~",
                "page_if_any steering language~ +models"
            ]
        );
    }

    #[test]
    fn drop_order_puts_unheld_words_first_then_the_most_frequent() {
        // (index, records holding it)
        assert_eq!(
            drop_order(vec![(0, 90), (1, 0), (2, 3), (3, 40)]),
            [1, 0, 3, 2]
        );
        // Unheld words in the order typed; equally frequent ones from the last typed.
        assert_eq!(
            drop_order(vec![(0, 0), (1, 5), (2, 0), (3, 5)]),
            [0, 2, 3, 1]
        );
    }

    #[test]
    fn function_words_are_never_required_and_are_reported() {
        let engine = Noting::new(&["python", "library", "http"]);
        let request = SearchRequest {
            query: "a python library for http".to_owned(),
            ..SearchRequest::default()
        };
        let results = search(&engine, &request).expect("search");
        assert_eq!(results.total, 1);
        assert_eq!(results.relaxed.ignored, ["a", "for"]);
        assert_eq!(results.relaxed.relaxed, None);
        assert_eq!(engine.calls(), ["page_if_any python library http"]);
        // --exact searches every word as written.
        let exact = SearchRequest {
            exact: true,
            ..request
        };
        assert_eq!(search(&engine, &exact).expect("search").total, 0);
        assert_eq!(engine.calls(), ["page a python library for http"]);
    }
}
