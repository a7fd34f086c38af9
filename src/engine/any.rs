//! The engine chosen once per run: `Target` (where the records live, from `--index` or
//! `--engine URL`) opens an `AnyEngine`, which answers the `Engine` trait for whichever it holds.
//!
//! Every engine is named once, by its `Place`, in the `engines!` list at the bottom: `Target`,
//! `AnyEngine`, `AnyCompiled` and the dispatch are generated from it (ripgrep chooses its
//! `PatternMatcher` once in the same way); `from_flags` says which flag names which.

use std::path::{Path, PathBuf};

use super::facets::{FacetCounts, FacetField};
use super::similar::SimilarResults;
use super::{local, opensearch};
use super::{Correction, Engine, MatchMode, MatchedRecord, Page, PageRequest, Place, Plan};
use super::{IngestObserver, IngestOptions, SyncSummary};
use crate::error::{Error, Result};
use crate::record::{Record, StoredRecord};

impl Target {
    /// The target the global flags name: an engine URL (`--engine`, not empty), else the
    /// index directory (`--index`), which also holds an engine's saved searches.
    pub fn from_flags(engine: Option<&str>, index: &Path) -> Result<Target> {
        match engine {
            Some(url) if !url.is_empty() => {
                Ok(Target::OpenSearch(opensearch::Remote::new(url, index)?))
            }
            _ => Ok(Target::local(index)),
        }
    }

    pub fn local(dir: impl Into<PathBuf>) -> Target {
        Target::Local(local::IndexRoot::new(dir))
    }
}

/// A plan compiled by one engine given to another: a bug, reported rather than a panic.
fn mismatch() -> Error {
    Error::Engine("a query compiled for one engine was run on another".to_owned())
}

/// `AnyEngine`, `AnyCompiled` and `impl Engine for AnyEngine` for a list of engines: each
/// method matches once over the list, a compiled plan paired with the engine that compiled it.
macro_rules! engines {
    ($($(#[$doc:meta])* $variant:ident($place:ty)),+ $(,)?) => {
        /// Where the records live, as the global flags name it (`from_flags`).
        #[derive(Debug, Clone)]
        pub enum Target {
            $($(#[$doc])* $variant($place),)+
        }

        impl Target {
            /// The engine, opened for searching.
            pub fn open(&self) -> Result<AnyEngine> {
                match self {
                    $(Target::$variant(place) => Ok(AnyEngine::$variant(place.open()?)),)+
                }
            }

            /// Makes the index hold exactly the records of `paths` (see `IngestOptions`).
            pub fn sync(
                &self,
                paths: &[PathBuf],
                opts: &IngestOptions,
                observer: &mut dyn IngestObserver,
            ) -> Result<SyncSummary> {
                match self {
                    $(Target::$variant(place) => place.sync(paths, opts, observer),)+
                }
            }

            /// The directory of the saved searches (`watches.json`) and of their lock: the
            /// index directory; for an engine, a directory of its own beside the `--index` one.
            pub fn state_dir(&self) -> &Path {
                match self {
                    $(Target::$variant(place) => place.state_dir(),)+
                }
            }
        }

        /// The engine chosen for this run.
        pub enum AnyEngine {
            $($variant(<$place as Place>::Engine),)+
        }

        /// A plan compiled by whichever engine runs.
        pub enum AnyCompiled {
            $($variant(<<$place as Place>::Engine as Engine>::Compiled),)+
        }

        /// Calls the same method on whichever engine this is.
        macro_rules! each {
            ($self:ident, $e:ident => $call:expr) => {
                match $self {
                    $(AnyEngine::$variant($e) => $call,)+
                }
            };
        }

        /// Calls the same method on whichever engine this is with the plan it compiled;
        /// `$otherwise` for a plan of another engine.
        macro_rules! paired {
            ($self:ident, $query:ident, ($e:ident, $q:ident) => $call:expr, $otherwise:expr) => {
                match ($self, $query) {
                    $((AnyEngine::$variant($e), AnyCompiled::$variant($q)) => $call,)+
                    _ => $otherwise,
                }
            };
        }

        impl Engine for AnyEngine {
            type Compiled = AnyCompiled;

            fn compile(&self, plan: &Plan<'_>, mode: MatchMode) -> Result<AnyCompiled> {
                match self {
                    $(AnyEngine::$variant(e) => Ok(AnyCompiled::$variant(e.compile(plan, mode)?)),)+
                }
            }

            fn any_match(&self, query: &AnyCompiled) -> Result<bool> {
                paired!(self, query, (e, q) => e.any_match(q), Err(mismatch()))
            }

            fn mined_synonyms(&self) -> Result<std::sync::Arc<crate::acronyms::Synonyms>> {
                match self {
                    $(AnyEngine::$variant(e) => e.mined_synonyms(),)+
                }
            }

            fn count(&self, query: &AnyCompiled) -> Result<usize> {
                paired!(self, query, (e, q) => e.count(q), Err(mismatch()))
            }

            fn corrections(&self, query: &AnyCompiled) -> Vec<Correction> {
                paired!(self, query, (e, q) => e.corrections(q), Vec::new())
            }

            fn page(&self, query: &AnyCompiled, page: &PageRequest) -> Result<Page> {
                paired!(self, query, (e, q) => e.page(q, page), Err(mismatch()))
            }

            fn page_if_any(&self, query: &AnyCompiled, page: &PageRequest) -> Result<Option<Page>> {
                paired!(self, query, (e, q) => e.page_if_any(q, page), Err(mismatch()))
            }

            fn matching(&self, query: &AnyCompiled) -> Result<Vec<MatchedRecord>> {
                paired!(self, query, (e, q) => e.matching(q), Err(mismatch()))
            }

            fn record_by_id(&self, id: &str) -> Result<Option<StoredRecord>> {
                each!(self, e => e.record_by_id(id))
            }

            fn for_each_record(&self, each: &mut dyn FnMut(StoredRecord) -> Result<()>) -> Result<()> {
                each!(self, e => e.for_each_record(each))
            }

            fn similar(&self, source: &Record, limit: usize) -> Result<SimilarResults> {
                each!(self, e => e.similar(source, limit))
            }

            fn facet_values(&self, fields: &[FacetField]) -> Result<FacetCounts> {
                each!(self, e => e.facet_values(fields))
            }

            fn newest_first_seen(&self) -> Result<Option<i64>> {
                each!(self, e => e.newest_first_seen())
            }

            fn is_stale(&self) -> bool {
                each!(self, e => e.is_stale())
            }

            fn sees_changes(&self) -> bool {
                each!(self, e => e.sees_changes())
            }
        }
    };
}

engines! {
    /// An index directory (`--index`).
    Local(local::IndexRoot),
    /// An OpenSearch cluster and the alias the records live under (`--engine URL`).
    OpenSearch(opensearch::Remote),
}
