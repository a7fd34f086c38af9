//! The boundary between litsearch and the engine that holds the index: a `Plan` (the query
//! AST, filters, restrictions) in; pages of hits, records and facet counts out, as plain data.
//!
//! Two engines answer it: `local` (tantivy, an index directory) and, through the same trait,
//! a remote one. Everything engine-specific lives in its folder; nothing outside `engine/`
//! names tantivy. The relaxation policy (as written → typos → fewer words) is not here but in
//! `search`, above the engines, written once: an engine compiles a plan at one `MatchMode`.
//! The engine is chosen once (`any::Target`, `any::AnyEngine`) and passed down.

pub mod analysis;
pub mod any;
pub mod ast;
pub mod explain;
pub mod facets;
pub mod fields;
pub mod filters;
pub mod keys;
pub mod local;
pub mod opensearch;
pub mod similar;
pub mod snippet;
mod sync;

pub use any::{AnyCompiled, AnyEngine, Target};
#[cfg(test)]
pub(crate) use sync::Quiet;
pub use sync::{source_hash, Change, Diff, IngestObserver, IngestOptions, Known, SyncSummary};

use serde::Serialize;

use std::path::{Path, PathBuf};

use crate::error::{Error, QueryError, Result};
use crate::record::{Record, StoredRecord};
use ast::Node;
use explain::Explanation;
use facets::{FacetCounts, FacetField};
use filters::Filters;
use similar::SimilarResults;
use snippet::Marked;

/// How literally words are matched; typos are tried only when the words as written found
/// nothing (`search::relax`, which may then also drop words: that is a change of the plan, not
/// of the mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchMode {
    /// Every word must match (after stemming and accent folding).
    AllWords,
    /// Every word must match, allowing typos in longer words (`allowed_typos`).
    Typos,
}

/// Typo tolerance: none below 5 letters, 1 edit from 5, 2 from 9; never in words with digits.
/// Both engines expand typos by this rule, so they relax alike.
pub fn allowed_typos(word: &str) -> u8 {
    let letters = word.chars().count();
    if word.chars().any(|c| c.is_numeric()) || letters < 5 {
        0
    } else if letters < 9 {
        1
    } else {
        2
    }
}

/// A short form written in capitals (`SAE`, `RLHF`, `L3D`): matched as written, never
/// stemmed (`MAPS` must not find "map"), in the unstemmed words of prose fields, with its
/// plural (`SAE` finds "SAEs"). Both engines match it alike.
pub fn is_capital_short_form(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    (2..=10).contains(&word.chars().count())
        && letters >= 2
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The unstemmed terms a capital short form matches: itself and its plural, lowercased.
pub fn short_form_terms(word: &str) -> [String; 2] {
    let lower = word.to_ascii_lowercase();
    [format!("{lower}s"), lower]
}

/// A word no record holds as written, and the words of the index it was taken for (within
/// `allowed_typos` edits of the whole word).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Correction {
    pub word: String,
    pub to: Vec<String>,
}

/// Narrowings that are not part of what a user asks, but of why they ask: a saved search
/// looks only at records it has not seen, or re-reads the ones it reported.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Restrictions {
    /// Only these records (ids as numbers, `record::id_to_number`).
    pub ids: Option<Vec<u64>>,
    /// Only records first seen strictly after this moment (unix seconds).
    pub first_seen_after: Option<i64>,
}

/// What to find: the parsed query (none: every record), the filters and the restrictions.
/// None of them takes part in ranking but the query.
#[derive(Debug, Clone, Copy)]
pub struct Plan<'a> {
    pub query: Option<&'a Node>,
    pub filters: &'a Filters,
    pub restrictions: &'a Restrictions,
}

/// Which part of the matches to return, and what to say about them.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
    pub facets: Vec<FacetField>,
    /// Values per facet field, most frequent first; 0 for every value.
    pub facet_limit: usize,
    pub snippet_chars: usize,
    pub explain: bool,
}

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

#[derive(Debug, Clone)]
pub struct Hit {
    pub score: f32,
    pub record: crate::record::Record,
    pub first_seen: i64,
    pub snippet: Marked,
    pub title: Marked,
    /// With `--explain`: the score's parts and the engine's own explanation.
    pub explanation: Option<Explanation>,
    /// Positions in `record.authors` / `record.fellows` of the names the query or a filter
    /// matched, so printers can show them wherever they sit in a long list.
    pub matched_authors: Vec<usize>,
    pub matched_fellows: Vec<usize>,
}

/// One page of matches with the exact total and facet counts over all of them.
#[derive(Debug, Clone)]
pub struct Page {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: FacetCounts,
}

/// A matching record as the engine knows it without loading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchedRecord {
    pub id: u64,
    pub content_hash: u64,
    pub first_seen: i64,
}

/// A search engine holding the records. `Compiled` is a plan made ready at one match mode,
/// so that checking it (`any_match`) and running it (`page`, `page_if_any`) do not build it
/// twice.
pub trait Engine {
    type Compiled;

    /// The plan as this engine's query. An error when the query can match nothing at all
    /// (no letters or digits) and no filter narrows the search (see `search`).
    fn compile(&self, plan: &Plan<'_>, mode: MatchMode) -> Result<Self::Compiled>;

    /// Whether any record matches; stops at the first.
    fn any_match(&self, query: &Self::Compiled) -> Result<bool>;

    /// The short forms and their long forms mined from the records at ingest
    /// (`acronyms::Miner`), stored with the index: empty for an index built before.
    fn mined_synonyms(&self) -> Result<std::sync::Arc<crate::acronyms::Synonyms>>;

    /// How many records match: a word's document frequency, by which relaxation leaves the
    /// least informative words of a question out first.
    fn count(&self, query: &Self::Compiled) -> Result<usize>;

    /// The typo corrections a query compiled at `MatchMode::Typos` made: each word the index
    /// does not hold as written, with the indexed words it now also matches.
    fn corrections(&self, query: &Self::Compiled) -> Vec<Correction>;

    /// One page of the matches, with the total, facets and snippets.
    fn page(&self, query: &Self::Compiled, page: &PageRequest) -> Result<Page>;

    /// The page when anything matches, else None: what relaxing asks of each query it tries,
    /// so that the query that matches is searched once. An engine that learns both from one
    /// search (a remote one) overrides this; the default checks, then pages.
    fn page_if_any(&self, query: &Self::Compiled, page: &PageRequest) -> Result<Option<Page>> {
        if self.any_match(query)? {
            Ok(Some(self.page(query, page)?))
        } else {
            Ok(None)
        }
    }

    /// Every match, unranked, by id.
    fn matching(&self, query: &Self::Compiled) -> Result<Vec<MatchedRecord>>;

    /// The record with this id (16 lowercase hex digits), if any.
    fn record_by_id(&self, id: &str) -> Result<Option<StoredRecord>>;

    /// Every record, newest first, ties by id (the order of `export`), one at a time.
    fn for_each_record(&self, each: &mut dyn FnMut(StoredRecord) -> Result<()>) -> Result<()>;

    /// The `limit` records most like `source` (itself excluded), with the terms that made them so.
    fn similar(&self, source: &Record, limit: usize) -> Result<SimilarResults>;

    /// Every value of these fields over the whole index, with counts.
    fn facet_values(&self, fields: &[FacetField]) -> Result<FacetCounts>;

    /// The newest first_seen of any record (deleted ones included), without a scan.
    fn newest_first_seen(&self) -> Result<Option<i64>>;

    /// Whether an ingest has changed what this engine answers from since it was opened, so
    /// that a long-lived reader (`serve`) should open it afresh. A remote engine always
    /// answers from its live index and is never stale.
    fn is_stale(&self) -> bool {
        false
    }

    /// Whether `is_stale` sees every change, so that answers may be kept until it says so.
    /// A remote index changes under us without a sign.
    fn sees_changes(&self) -> bool {
        false
    }
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

/// Where an engine's records live (an index directory, a cluster and alias): what `Target`
/// holds for it. It opens the engine for searching, syncs it, and names the directory of the
/// saved searches kept for it on this machine.
pub trait Place {
    type Engine: Engine;

    /// The engine, opened for searching.
    fn open(&self) -> Result<Self::Engine>;

    /// Makes the index hold exactly the records of `paths` (through `sync::run`).
    fn sync(
        &self,
        paths: &[PathBuf],
        opts: &IngestOptions,
        observer: &mut dyn IngestObserver,
    ) -> Result<SyncSummary>;

    /// The directory of the saved searches (`watches.json`) and of their lock.
    fn state_dir(&self) -> &Path;
}
