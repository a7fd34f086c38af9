//! litsearch's machine output read back strictly: one struct per documented JSON shape, each
//! `deny_unknown_fields`, every key the binary always writes required, so a key the binary adds,
//! renames or drops fails a test instead of passing an untyped `v["key"]` (ripgrep's
//! `tests/json.rs` reads its JSON the same way). Written from README.md and the serde structs of
//! `src/output/json.rs`, `src/output/paper.rs`, `src/output/digest.rs`, `src/watch/state.rs`,
//! `src/engine/sync.rs` (`SyncSummary`) and `src/serve/api.rs`, not imported from them: the
//! tests hold the public shape, the binary must keep to it.
//! Keys the binary leaves out when empty (`doi`, `url`, `arxiv`, a record's `key` in `parse`; `explain` and `score_parts`
//! without `--explain`) are `#[serde(default)]`; everything else must be present.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// `text` as a `T`, or a panic naming the shape and showing the text.
pub fn strict<T: DeserializeOwned>(text: &str) -> T {
    serde_json::from_str(text).unwrap_or_else(|e| {
        panic!(
            "output is not a {} ({e}):\n{text}",
            std::any::type_name::<T>()
        )
    })
}

/// Every line of NDJSON / JSON-lines output as a `T`.
pub fn strict_lines<T: DeserializeOwned>(text: &str) -> Vec<T> {
    text.lines().map(strict).collect()
}

/// A JSON object whose keys are data (facet fields, facet values), in the order written.
#[derive(Debug, Clone, PartialEq)]
pub struct Ordered<V>(pub Vec<(String, V)>);

impl<V> Ordered<V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
    pub fn keys(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).collect()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V_<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V_<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered<V>, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V_(PhantomData))
    }
}

/// Facet counts, `{field: {value: count}}`, fields in request order and values in count order:
/// `facets` in `query --json`, `facets --json`, `GET /api/facets`.
pub type Facets = Ordered<Ordered<u64>>;

/// Where a record's entry starts.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub file: String,
    pub line: u64,
}

/// A record: a line of `parse` / `export --format jsonl`, an element of `export --format json`,
/// `show --json`, `GET /api/paper/{id}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub id: String,
    /// Always in `show --json` and `export` (every indexed record has a key); in `parse`
    /// output only when the source gave one.
    #[serde(default)]
    pub key: Option<String>,
    pub title: String,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub authors: Vec<String>,
    pub fellows: Vec<String>,
    pub tags: Vec<String>,
    pub date: String,
    pub featured: bool,
    #[serde(default)]
    pub doi: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub arxiv: Option<String>,
    pub source: Source,
}

/// `query --json`: `{query, total, took_ms, relaxed, corrected, dropped, ignored, expanded,
/// hits, facets, facets_truncated}` (also `GET /api/search`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    pub query: String,
    pub total: u64,
    pub took_ms: f64,
    /// `null`, `"typos"` or `"dropped"`.
    pub relaxed: Option<String>,
    pub corrected: Vec<Correction>,
    pub dropped: Vec<String>,
    pub ignored: Vec<String>,
    /// Same shape as `corrected`: `{word, to}`.
    pub expanded: Vec<Correction>,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    pub facets_truncated: Vec<String>,
}

impl Results {
    pub fn titles(&self) -> Vec<String> {
        self.hits.iter().map(|h| h.title.clone()).collect()
    }
}

/// A word corrected for typos and what it matched instead.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub word: String,
    pub to: Vec<String>,
}

/// One hit of `query --json`, or one line of `query --format ndjson`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hit {
    pub id: String,
    pub key: String,
    pub score: f64,
    pub title: String,
    pub date: String,
    pub authors: Vec<String>,
    pub fellows: Vec<String>,
    pub tags: Vec<String>,
    pub featured: bool,
    #[serde(default)]
    pub doi: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub arxiv: Option<String>,
    pub snippet: String,
    pub title_highlighted: String,
    pub first_seen: String,
    pub source: Source,
    /// With `--explain`: the engine's own tree (tantivy's or Lucene's), opaque by design.
    #[serde(default)]
    pub explain: Option<serde_json::Value>,
    #[serde(default)]
    pub score_parts: Option<Vec<ScorePart>>,
}

/// One part of a hit's score, with `--explain`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorePart {
    pub field: String,
    pub typed: String,
    pub term: String,
    /// `word`, `phrase`, `prefix` or `typo`.
    #[serde(rename = "match")]
    pub kind: String,
    pub weight: f64,
    pub score: f64,
}

/// `similar --json` (also `GET /api/similar/{id}`): `{paper, terms, hits}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Similar {
    pub paper: PaperRef,
    pub terms: Vec<String>,
    pub hits: Vec<SimilarHit>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaperRef {
    pub id: String,
    pub title: String,
    pub date: String,
}

/// A related paper: the hit head, then `reason`, `shared_terms`, `shared_tags`, `source`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimilarHit {
    pub id: String,
    pub key: String,
    pub score: f64,
    pub title: String,
    pub date: String,
    pub authors: Vec<String>,
    pub fellows: Vec<String>,
    pub tags: Vec<String>,
    pub featured: bool,
    #[serde(default)]
    pub doi: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub arxiv: Option<String>,
    pub reason: String,
    pub shared_terms: Vec<String>,
    pub shared_tags: Vec<String>,
    pub source: Source,
}

/// `ingest --json`: what the ingest did.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestSummary {
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
    pub moved: u64,
    pub unchanged: u64,
    pub skipped: u64,
    pub merged: u64,
    pub entries: u64,
    pub records: u64,
    pub warnings: u64,
    pub rebuilt: bool,
    pub seconds: f64,
}

/// The filters of a saved search, every key written.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub fellows: Vec<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub years: Vec<u32>,
    pub featured: bool,
    pub added_since: Option<i64>,
}

/// A saved search: `watch add --json`, each element of `watch list --json`, `watch show --json`
/// (which adds `reported_ids`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Watch {
    pub name: String,
    pub query: String,
    pub filters: Filters,
    pub created: String,
    pub last_run: Option<String>,
    pub reported: u64,
    #[serde(default)]
    pub reported_ids: Option<Vec<String>>,
}

/// `watch rm --json`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchRemoved {
    pub removed: String,
}

/// `watch run --format json`: `{searches, hits}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchRun {
    pub searches: Vec<WatchSearch>,
    pub hits: Vec<WatchHit>,
}

impl WatchRun {
    pub fn titles(&self) -> Vec<String> {
        self.hits.iter().map(|h| h.title.clone()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchSearch {
    pub name: String,
    pub query: String,
    pub filters: Filters,
    pub new: u64,
    pub updated: u64,
}

/// A hit of `watch run --format json|ndjson`: a query hit's keys, `watch` (the saved search)
/// and `change` (`new` or `updated`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchHit {
    pub id: String,
    pub key: String,
    pub score: f64,
    pub title: String,
    pub date: String,
    pub authors: Vec<String>,
    pub fellows: Vec<String>,
    pub tags: Vec<String>,
    pub featured: bool,
    #[serde(default)]
    pub doi: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub arxiv: Option<String>,
    pub snippet: String,
    pub title_highlighted: String,
    pub first_seen: String,
    pub source: Source,
    pub watch: String,
    /// `new` or `updated`.
    pub change: String,
}

/// An error of the serve API: `{"error": {"message", "position"}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiError {
    pub error: ApiErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiErrorDetail {
    pub message: String,
    /// The 1-based character position in the query the error is about.
    pub position: Option<usize>,
}
