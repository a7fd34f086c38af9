//! Pages of hits from OpenSearch: the first search (from/size, the highlights, the facets'
//! aggregations), deeper pages by `search_after`, and each hit as litsearch's `Hit`.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::{explain, facets, hits_of, total_of, Compiled, OpenSearchEngine};
use crate::engine::analysis::analyze;
use crate::engine::fields::Analysis;
use crate::engine::snippet::{window, Marked};
use crate::engine::{Hit, Page, PageRequest, Sort};
use crate::error::Result;

/// Matches one search request returns at most (OpenSearch's default result window).
const DEEP_PAGE: usize = 10_000;
/// Markers the highlighter puts around matches: private-use characters no listing holds
/// (not control characters, which Java's `trim` strips from a field's start).
const PRE: &str = "\u{e000}";
const POST: &str = "\u{e001}";

impl OpenSearchEngine {
    /// A page from the reply to its first search (`page_body`): pages within the first
    /// DEEP_PAGE matches are that one request (from/size); deeper or longer ones (export of
    /// every match) continue with search_after, DEEP_PAGE at a time. Then the hits as
    /// litsearch's, and the facet counts.
    pub(super) fn finish_page(
        &self,
        compiled: &Compiled,
        request: &PageRequest,
        mut body: Value,
        reply: &Value,
    ) -> Result<Page> {
        let depth = request.offset.saturating_add(request.limit);
        let total = total_of(reply);
        let mut raw: Vec<Value> = hits_of(reply).to_vec();
        if depth > DEEP_PAGE {
            let wanted = depth.min(total);
            if let Some(b) = body.as_object_mut() {
                b.remove("aggs");
            }
            body["from"] = json!(0);
            body["track_total_hits"] = json!(false);
            body["size"] = json!(DEEP_PAGE);
            while raw.len() < wanted {
                let Some(after) = raw.last().and_then(|h| h.get("sort")).cloned() else {
                    break;
                };
                body["search_after"] = after;
                let more = self.search(&body, true)?;
                let page = hits_of(&more);
                if page.is_empty() {
                    break;
                }
                raw.extend_from_slice(page);
            }
            raw.truncate(wanted);
            raw.drain(..request.offset.min(raw.len()));
        }
        let mut hits = Vec::new();
        for hit in &raw {
            let stored = self.stored(hit)?;
            let record = stored.record;
            let title_found = matched_words(hit, "title", &record.title);
            let title = Marked {
                text: record.title.clone(),
                highlights: title_found.iter().map(|(s, e, _)| (*s, *e)).collect(),
            };
            let found = matched_words(hit, "abstract", &record.abstract_text);
            let snippet = window(&record.abstract_text, &found, request.snippet_chars);
            let score = hit.get("_score").and_then(Value::as_f64).unwrap_or(0.0) as f32;
            hits.push(Hit {
                matched_authors: matched_names(hit, "author", &record.authors),
                matched_fellows: matched_names(hit, "fellow", &record.fellows),
                score,
                record,
                first_seen: stored.first_seen,
                snippet,
                title,
                explanation: match hit.get("_explanation") {
                    Some(raw) if request.explain => Some(crate::engine::explain::Explanation::new(
                        explain::score_parts(raw, &compiled.origins),
                        raw.clone(),
                    )),
                    _ => None,
                },
            });
        }
        let facets = self.page_facets(&compiled.query, request, total, reply)?;
        Ok(Page {
            total,
            hits,
            facets,
        })
    }
}

/// The first search of a page: hits (from/size within the first DEEP_PAGE matches), the exact
/// total, the highlights of the words matched, and the aggregations of the facets.
pub(super) fn page_body(compiled: &Compiled, request: &PageRequest) -> Value {
    let depth = request.offset.saturating_add(request.limit);
    let (from, size) = if depth <= DEEP_PAGE {
        (request.offset, request.limit)
    } else {
        (0, request.limit.min(DEEP_PAGE))
    };
    let mut body = json!({
        "query": compiled.query,
        "from": from,
        "size": size,
        "track_total_hits": true,
        "track_scores": true,
        "sort": sort_clause(request.sort),
        "explain": request.explain,
    });
    if request.limit > 0 {
        let mut highlight = json!({
            "pre_tags": [PRE],
            "post_tags": [POST],
            "encoder": "default",
            "fields": {
                // Whole fields marked (the snippet window is chosen as locally), and
                // their unstemmed words, where prefixes and typos match.
                "title": {"number_of_fragments": 0},
                "title.words": {"number_of_fragments": 0},
                "abstract": {"number_of_fragments": 0},
                "abstract.words": {"number_of_fragments": 0},
                // Names matched by the query or a filter (the whole query, so filters
                // count), each matched name once, as the local engine shows them.
                "author": {"number_of_fragments": 0, "highlight_query": compiled.query},
                "fellow": {"number_of_fragments": 0, "highlight_query": compiled.query}
            }
        });
        if let Some(h) = &compiled.highlight {
            highlight["highlight_query"] = h.clone();
        }
        body["highlight"] = highlight;
    }
    if let Some(aggs) = facets::page_aggs(request) {
        body["aggs"] = aggs;
    }
    body
}

/// The sort of a page: the order asked for, then our tie-breaks (newer date, smaller id).
fn sort_clause(sort: Sort) -> Value {
    match sort {
        Sort::Relevance => json!([{"_score": "desc"}, {"date": "desc"}, {"id": "asc"}]),
        Sort::Newest => json!([{"date": "desc"}, {"_score": "desc"}, {"id": "asc"}]),
        Sort::Oldest => json!([{"date": "asc"}, {"_score": "desc"}, {"id": "asc"}]),
        Sort::Added => json!([{"first_seen": "desc"}, {"date": "desc"}, {"id": "asc"}]),
    }
}

/// The words of `text` the query matched, as the local engine marks them: the stems the
/// engine highlighted in the field (or its unstemmed words), at every word with those stems.
fn matched_words(hit: &Value, field: &str, text: &str) -> Vec<(usize, usize, String)> {
    let mut stems = HashSet::new();
    for f in [field.to_owned(), format!("{field}.words")] {
        let Some(m) = hit
            .pointer(&format!("/highlight/{}/0", f.replace('/', "~1")))
            .and_then(Value::as_str)
            .map(unmark)
        else {
            continue;
        };
        if m.text != text {
            continue;
        }
        for &(start, end) in &m.highlights {
            stems.extend(analyze(Analysis::Prose, &m.text[start..end]));
        }
    }
    if stems.is_empty() {
        return Vec::new();
    }
    crate::engine::analysis::analyze_with_offsets(Analysis::Prose, text)
        .into_iter()
        .filter(|(_, _, term)| stems.contains(term))
        .collect()
}

/// Positions in `names` of the values the engine highlighted in a multi-valued name field.
fn matched_names(hit: &Value, field: &str, names: &[String]) -> Vec<usize> {
    let Some(marked) = hit
        .pointer(&format!("/highlight/{field}"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let mut out: Vec<usize> = Vec::new();
    for value in marked.iter().filter_map(Value::as_str) {
        let m = unmark(value);
        if m.highlights.is_empty() {
            continue;
        }
        if let Some(i) = (0..names.len()).find(|i| names[*i] == m.text && !out.contains(i)) {
            out.push(i);
        }
    }
    out.sort_unstable();
    out
}

/// Text with the highlighter's markers → the text and the byte ranges they marked.
pub(super) fn unmark(marked: &str) -> Marked {
    let mut text = String::with_capacity(marked.len());
    let mut highlights = Vec::new();
    let mut open = None;
    for c in marked.chars() {
        match c {
            '\u{e000}' => open = Some(text.len()),
            '\u{e001}' => {
                if let Some(start) = open.take() {
                    highlights.push((start, text.len()));
                }
            }
            _ => text.push(c),
        }
    }
    Marked { text, highlights }
}
