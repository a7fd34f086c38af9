//! The local engine: a tantivy index in a directory. What names tantivy lives here (but the
//! analysis, `engine::analysis`): schema, on-disk layout, sync, queries, top-k, facets.

mod compile;
pub mod docs;
mod facets;
mod filters;
pub mod ingest;
mod lookup;
mod reader_dir;
mod released_maps;
pub mod schema;
mod side_files;
mod similar;
mod snippet;
pub mod store;
#[cfg(test)]
mod tests;
mod top;
mod writer_dir;

pub use docs::from_document;
pub use ingest::ingest;
pub use store::{IndexRoot, OpenIndex};
// Not tantivy's, but where the local index's users have always found them.
// The sync's types are every engine's; re-exported where the local index's users look.

use tantivy::collector::Count;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, EnableScoring, Occur, Query};
use tantivy::{DocId, DocSet, TantivyDocument, TERMINATED};

use crate::engine::ast::Scope;
use crate::engine::facets::{FacetCounts, FacetField};
use crate::engine::similar::SimilarResults;
use crate::engine::{nothing_to_search, Hit};
use crate::engine::{Correction, Engine, MatchMode, MatchedRecord, Page, PageRequest, Plan};
use crate::error::{Error, Result};
use crate::record::{id_from_number, Record, StoredRecord};
use compile::{HighlightTerms, QueryBuilder, ScoredClause};
use schema::{FIRST_SEEN, HASH, ID_NUM};

impl From<tantivy::TantivyError> for Error {
    /// An OS error keeps its file and words (a full disk is a full disk, not "damaged"); the
    /// rest keeps tantivy's words and the advice to rebuild.
    fn from(e: tantivy::TantivyError) -> Self {
        use tantivy::directory::error::{OpenReadError, OpenWriteError};
        use tantivy::TantivyError as T;
        match e {
            T::OpenWriteError(OpenWriteError::IoError { io_error, filepath })
            | T::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
                Error::io(filepath, writer_dir::copy_io_error(&io_error))
            }
            // An OS error (disk full, permissions) is not damage; tantivy also reports bytes
            // that do not decode as io errors, without an OS error code: those are damage.
            T::IoError(io_error) if io_error.raw_os_error().is_some() => {
                Error::EngineIo(io_error.to_string())
            }
            other => Error::Engine(other.to_string()),
        }
    }
}

/// A plan as a tantivy query, with the terms each field should highlight (expansions included).
pub struct Compiled {
    query: Box<dyn Query>,
    highlights: HighlightTerms,
    corrections: Vec<Correction>,
    /// The query's scored clauses with what was typed for each (`--explain`).
    scored: Vec<ScoredClause>,
}

impl Engine for OpenIndex {
    type Compiled = Compiled;

    fn compile(&self, plan: &Plan<'_>, mode: MatchMode) -> Result<Compiled> {
        let searcher = self.searcher();
        let mut filters = filters::filter_queries(plan.filters, &self.fields);
        if let Some(ids) = &plan.restrictions.ids {
            filters.push(ids_query(self, ids.iter().copied()));
        }
        if let Some(t) = plan.restrictions.first_seen_after {
            filters.push(first_seen_after(self, t));
        }
        let mut builder = QueryBuilder::new(&searcher, self.fields);
        // Names a filter asks for are shown and highlighted as the query's are.
        for (names, scope) in [
            (&plan.filters.authors, Scope::Author),
            (&plan.filters.fellows, Scope::Fellow),
        ] {
            for name in names {
                builder.highlight_name(scope, name);
            }
        }
        let main = match plan.query {
            Some(node) => match builder.build(node, mode) {
                Some(q) => Some(q),
                None if plan.filters.is_empty() => return Err(nothing_to_search()),
                None => None,
            },
            None => None,
        };
        Ok(Compiled {
            query: combine(main, filters),
            highlights: builder.highlights,
            corrections: builder.corrections.0,
            scored: builder.scored,
        })
    }

    fn any_match(&self, compiled: &Compiled) -> Result<bool> {
        let searcher = self.searcher();
        let weight = compiled
            .query
            .weight(EnableScoring::disabled_from_searcher(&searcher))?;
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

    fn mined_synonyms(&self) -> Result<std::sync::Arc<crate::acronyms::Synonyms>> {
        if let Some(table) = self.acronyms.get() {
            return Ok(table.clone());
        }
        let table = std::sync::Arc::new(side_files::read_acronyms(&self.generation)?);
        Ok(self.acronyms.get_or_init(|| table).clone())
    }

    fn count(&self, compiled: &Compiled) -> Result<usize> {
        Ok(self
            .searcher()
            .search(&*compiled.query, &tantivy::collector::Count)?)
    }

    fn corrections(&self, compiled: &Compiled) -> Vec<Correction> {
        compiled.corrections.clone()
    }

    fn page(&self, compiled: &Compiled, request: &PageRequest) -> Result<Page> {
        self.page_in(compiled, request, one_pass(&*compiled.query, request))
    }

    fn matching(&self, compiled: &Compiled) -> Result<Vec<MatchedRecord>> {
        let searcher = self.searcher();
        let found = searcher.search(&*compiled.query, &tantivy::collector::DocSetCollector)?;
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

    fn record_by_id(&self, id: &str) -> Result<Option<StoredRecord>> {
        lookup::by_id(self, id)
    }

    fn for_each_record(&self, each: &mut dyn FnMut(StoredRecord) -> Result<()>) -> Result<()> {
        for record in lookup::all_records(self)? {
            each(record)?;
        }
        Ok(())
    }

    fn similar(&self, source: &Record, limit: usize) -> Result<SimilarResults> {
        similar::similar_to(self, source, limit)
    }

    fn facet_values(&self, fields: &[FacetField]) -> Result<FacetCounts> {
        Ok(self.searcher().search(
            &AllQuery,
            &facets::FacetCollector {
                fields: fields.to_vec(),
                limit: 0,
                flat: self.flat_ordinals(),
            },
        )?)
    }

    fn newest_first_seen(&self) -> Result<Option<i64>> {
        let searcher = self.searcher();
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

    fn is_stale(&self) -> bool {
        OpenIndex::is_stale(self)
    }

    /// Every change a local ingest makes renames `CURRENT` or replaces `meta.json`.
    fn sees_changes(&self) -> bool {
        true
    }
}

impl OpenIndex {
    /// A page, found in one scored pass that also counts (`one_pass`) or in two.
    fn page_in(&self, compiled: &Compiled, request: &PageRequest, one_pass: bool) -> Result<Page> {
        let searcher = self.searcher();
        let query = &*compiled.query;
        let facets = (!request.facets.is_empty()).then(|| facets::FacetCollector {
            fields: request.facets.clone(),
            limit: request.facet_limit,
            flat: self.flat_ordinals(),
        });
        let wanted = request.offset.saturating_add(request.limit);
        let (total, facets, top) = if one_pass {
            // The page scores every match anyway: count them (and their facets) there.
            let k = wanted.min(usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX));
            let (top, (total, facets)) =
                top::top_docs_and(&searcher, query, request.sort, k, (Count, facets))?;
            (total, facets.unwrap_or_default(), top)
        } else {
            // One unscored pass counts the matches and their facets; the page is found apart,
            // so that ranking can skip what cannot make it.
            let (total, facets) = match facets {
                None => (searcher.search(query, &Count)?, Vec::new()),
                Some(facets) => searcher.search(query, &(Count, facets))?,
            };
            let top = if request.limit == 0 || request.offset >= total {
                Vec::new()
            } else {
                top::top_docs(&searcher, query, request.sort, wanted.min(total))?
            };
            (total, facets, top)
        };
        let explainer = if request.explain {
            Some(Explainer::new(&searcher, &compiled.scored)?)
        } else {
            None
        };
        let mut hits = Vec::new();
        let empty = Default::default();
        let abstract_terms = compiled
            .highlights
            .for_scope(Scope::Abstract)
            .unwrap_or(&empty);
        let title_terms = compiled
            .highlights
            .for_scope(Scope::Title)
            .unwrap_or(&empty);
        let mut text =
            schema::matching_analyzer(abstract_terms.iter().chain(title_terms).map(String::as_str));
        for (score, address) in top.into_iter().skip(request.offset).take(request.limit) {
            let doc: TantivyDocument = searcher.doc(address)?;
            let stored = from_document(&self.fields, &doc);
            let snippet = snippet::snippet(
                &mut text,
                &stored.record.abstract_text,
                abstract_terms,
                request.snippet_chars,
            );
            let title = snippet::highlight_all(&mut text, &stored.record.title, title_terms);
            let explanation = match &explainer {
                Some(explainer) => Some(explainer.explain(&searcher, query, address)?),
                None => None,
            };
            let matched = |names: &[String], scope| match compiled.highlights.for_scope(scope) {
                Some(terms) => matched_names(names, terms),
                None => Vec::new(),
            };
            let matched_authors = matched(&stored.record.authors, Scope::Author);
            let matched_fellows = matched(&stored.record.fellows, Scope::Fellow);
            hits.push(Hit {
                matched_authors,
                matched_fellows,
                score,
                record: stored.record,
                first_seen: stored.first_seen,
                snippet,
                title,
                explanation,
            });
        }
        Ok(Page {
            total,
            hits,
            facets,
        })
    }
}

/// A hit's score in parts: each scored clause's own score on the hit (the groups above the
/// clauses add their scores, so the parts add up to the hit's), and tantivy's whole tree.
struct Explainer<'a> {
    clauses: Vec<(&'a ScoredClause, Box<dyn tantivy::query::Weight>)>,
}

impl<'a> Explainer<'a> {
    fn new(searcher: &tantivy::Searcher, scored: &'a [ScoredClause]) -> Result<Self> {
        let scoring = EnableScoring::enabled_from_searcher(searcher);
        let mut clauses = Vec::with_capacity(scored.len());
        for clause in scored {
            clauses.push((clause, clause.query.weight(scoring)?));
        }
        Ok(Explainer { clauses })
    }

    fn explain(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        address: tantivy::DocAddress,
    ) -> Result<crate::engine::explain::Explanation> {
        let reader = searcher.segment_reader(address.segment_ord);
        let doc = address.doc_id;
        let mut parts = Vec::new();
        for (clause, weight) in &self.clauses {
            let mut scorer = weight.scorer(reader, 1.0)?;
            // A fresh scorer sits on its first match, which may already be past the hit.
            if scorer.doc() > doc || scorer.seek(doc) != doc {
                continue;
            }
            let mut part = clause.part.clone();
            part.score = scorer.score();
            parts.push(part);
        }
        let raw = serde_json::from_str(&query.explain(searcher, address)?.to_pretty_json())
            .unwrap_or(serde_json::Value::Null);
        Ok(crate::engine::explain::Explanation::new(parts, raw))
    }
}

/// Whether a page of `query` is found in one scored pass that also counts the matches and
/// their facets, rather than an unscored pass and a pruned one: when the query is a group with
/// required clauses, whose scored walk visits every match anyway (a date order reads every
/// match too, yet a union's unscored walk is cheap enough that two passes cost the same).
fn one_pass(query: &dyn Query, request: &PageRequest) -> bool {
    request.limit > 0 && top::scans_every_match(query)
}

/// Matches exactly the records with these ids (numbers, as in `MatchedRecord::id`); scores 0.
fn ids_query(index: &OpenIndex, ids: impl IntoIterator<Item = u64>) -> Box<dyn Query> {
    let terms: Vec<tantivy::Term> = ids
        .into_iter()
        .map(|id| tantivy::Term::from_field_text(index.fields.id, &id_from_number(id)))
        .collect();
    // A term set builds an FST (a fixed cost of a few hundred microseconds); a handful of
    // term lookups is cheaper.
    let query: Box<dyn Query> = if terms.len() <= 64 {
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
        Box::new(BooleanQuery::new(clauses))
    } else {
        Box::new(tantivy::query::TermSetQuery::new(terms))
    };
    Box::new(ConstScoreQuery::new(query, 0.0))
}

/// Matches the records first seen after `t` (unix seconds), through the inverted index: it
/// touches only the postings of newer first_seen values, never the older records (a
/// `RangeQuery` on this fast field would scan its column). Scores 0.
fn first_seen_after(index: &OpenIndex, t: i64) -> Box<dyn Query> {
    let Some(after) = t.checked_add(1) else {
        return Box::new(tantivy::query::EmptyQuery);
    };
    Box::new(ConstScoreQuery::new(
        Box::new(tantivy::query::InvertedIndexRangeQuery::new(
            std::ops::Bound::Included(tantivy::Term::from_field_i64(
                index.fields.first_seen,
                after,
            )),
            std::ops::Bound::Unbounded,
        )),
        0.0,
    ))
}

/// Positions of the names any of whose words is one of `terms` (names are analyzed unstemmed).
fn matched_names(names: &[String], terms: &std::collections::BTreeSet<String>) -> Vec<usize> {
    let mut analyzer = schema::name_analyzer();
    let mut out = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let mut stream = analyzer.token_stream(name);
        let mut hit = false;
        while let Some(t) = stream.next() {
            hit |= terms.contains(&t.text);
        }
        if hit {
            out.push(i);
        }
    }
    out
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

impl crate::engine::Place for IndexRoot {
    type Engine = OpenIndex;

    fn open(&self) -> Result<OpenIndex> {
        IndexRoot::open(self)
    }

    fn sync(
        &self,
        paths: &[std::path::PathBuf],
        opts: &crate::engine::IngestOptions,
        observer: &mut dyn crate::engine::IngestObserver,
    ) -> Result<crate::engine::SyncSummary> {
        ingest(self, paths, opts, observer)
    }

    fn state_dir(&self) -> &std::path::Path {
        &self.dir
    }
}
