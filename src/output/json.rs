//! The JSON shapes of `query --json`, `--format ndjson` and their hits. One struct per shape, so
//! the keys documented in the README are the keys serde writes.

use serde::Serialize;

use crate::clock::unix_to_rfc3339;
use crate::record::{Record, Source};
use crate::search::{
    Correction, FacetCounts, Hit, MatchKind, Relaxation, ScorePart, SearchResults,
};

/// The keys every kind of hit starts with (a query's, a watch's, a related paper's).
#[derive(Debug, Serialize)]
pub struct HitHead<'a> {
    pub id: &'a str,
    /// The citation key (every indexed record has one).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub key: &'a str,
    pub score: f32,
    pub title: &'a str,
    pub date: &'a str,
    pub authors: &'a [String],
    pub fellows: &'a [String],
    pub tags: &'a [String],
    pub featured: bool,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub doi: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub url: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub arxiv: &'a str,
}

impl<'a> HitHead<'a> {
    pub fn new(r: &'a Record, score: f32) -> Self {
        HitHead {
            id: &r.id,
            key: &r.key,
            score: (score * 10_000.0).round() / 10_000.0,
            title: &r.title,
            date: &r.date,
            authors: &r.authors,
            fellows: &r.fellows,
            tags: &r.tags,
            featured: r.featured,
            doi: &r.doi,
            url: &r.url,
            arxiv: &r.arxiv,
        }
    }
}

/// One hit. `snippet` and `title_highlighted` mark matches with `<mark>…</mark>`.
#[derive(Debug, Serialize)]
pub struct HitJson<'a> {
    #[serde(flatten)]
    pub head: HitHead<'a>,
    pub snippet: String,
    pub title_highlighted: String,
    /// When the record first entered this index (RFC 3339, UTC).
    pub first_seen: String,
    pub source: &'a Source,
    /// With `--explain`: the engine's own explanation tree (tantivy's or Lucene's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<&'a serde_json::Value>,
    /// With `--explain`: the score in parts, largest first; they add up to `score`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_parts: Option<Vec<ScorePartJson<'a>>>,
    /// Set by `watch run`: the saved search that found the hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub watch: Option<&'a str>,
}

impl<'a> HitJson<'a> {
    pub fn new(hit: &'a Hit) -> Self {
        let r = &hit.record;
        HitJson {
            head: HitHead::new(r, hit.score),
            snippet: hit.snippet.to_mark_tags(),
            title_highlighted: hit.title.to_mark_tags(),
            first_seen: unix_to_rfc3339(hit.first_seen),
            source: &r.source,
            explain: hit.explanation.as_ref().map(|e| &e.raw),
            score_parts: hit
                .explanation
                .as_ref()
                .map(|e| e.parts.iter().map(ScorePartJson::new).collect()),
            watch: None,
        }
    }
}

/// One part of a hit's score: `{field, typed, term, match, weight, score}`; `match` is `word`,
/// `phrase`, `prefix` or `typo`.
#[derive(Debug, Serialize)]
pub struct ScorePartJson<'a> {
    pub field: &'static str,
    pub typed: &'a str,
    pub term: &'a str,
    #[serde(rename = "match")]
    pub kind: MatchKind,
    pub weight: f32,
    pub score: f32,
}

impl<'a> ScorePartJson<'a> {
    fn new(part: &'a ScorePart) -> Self {
        ScorePartJson {
            field: part.field.name(),
            typed: &part.typed,
            term: &part.term,
            kind: part.kind,
            weight: (part.weight * 10_000.0).round() / 10_000.0,
            score: (part.score * 10_000.0).round() / 10_000.0,
        }
    }
}

/// `query --json`: `{query, total, took_ms, relaxed, corrected, dropped, ignored, expanded,
/// hits, facets, facets_truncated}`.
#[derive(Debug, Serialize)]
pub struct ResultsJson<'a> {
    pub query: &'a str,
    pub total: usize,
    pub took_ms: f64,
    /// `null`, `"typos"` or `"dropped"`: how the query was relaxed to find anything.
    pub relaxed: Option<Relaxation>,
    /// Each word corrected for typos: `{word, to: [words it matched instead]}`.
    pub corrected: &'a [Correction],
    /// Each word left out, as typed.
    pub dropped: &'a [String],
    /// The function words of a question searched without (`search::common_words`), as typed.
    pub ignored: &'a [String],
    /// Each short form or long form that also found its synonyms: `{word, to: [...]}`.
    pub expanded: &'a [crate::search::Expansion],
    pub hits: Vec<HitJson<'a>>,
    pub facets: serde_json::Map<String, serde_json::Value>,
    /// Facet fields with more values than `--facet-limit` let through.
    pub facets_truncated: Vec<&'static str>,
}

impl<'a> ResultsJson<'a> {
    pub fn new(query: &'a str, results: &'a SearchResults) -> Self {
        ResultsJson {
            query,
            total: results.total,
            took_ms: (results.took_ms * 1000.0).round() / 1000.0,
            relaxed: results.relaxed.relaxed,
            corrected: &results.relaxed.corrections,
            dropped: &results.relaxed.dropped,
            ignored: &results.relaxed.ignored,
            expanded: &results.relaxed.expanded,
            hits: results.hits.iter().map(HitJson::new).collect(),
            facets: facets_json(&results.facets),
            facets_truncated: facets_truncated(&results.facets),
        }
    }
}

/// `{field: {value: count}}`, values in count order.
pub fn facets_json(facets: &FacetCounts) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    for counts in facets {
        let mut m = serde_json::Map::new();
        for c in &counts.values {
            m.insert(c.value.clone(), serde_json::Value::from(c.count));
        }
        out.insert(counts.field.name().to_owned(), serde_json::Value::Object(m));
    }
    out
}

/// The fields whose lists the facet limit cut, in request order.
pub fn facets_truncated(facets: &FacetCounts) -> Vec<&'static str> {
    facets
        .iter()
        .filter(|c| c.more)
        .map(|c| c.field.name())
        .collect()
}
