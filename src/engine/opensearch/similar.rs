//! Related papers from OpenSearch: more_like_this on the source's title, abstract and tags,
//! with the key terms and tags each hit shares with it.

use std::collections::HashSet;

use serde_json::{json, Value};

use super::{hits_of, OpenSearchEngine};
use crate::engine::fields::Analysis;
use crate::engine::similar::{KeyTerm, SimilarHit, SimilarResults};
use crate::error::Result;
use crate::record::Record;

/// Words too common to say two papers are alike (more_like_this's stop words).
const SIMILAR_STOPWORDS: &[&str] = &[
    "a", "about", "also", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "for",
    "from", "has", "have", "how", "in", "into", "is", "it", "its", "may", "more", "not", "of",
    "on", "or", "our", "such", "than", "that", "the", "their", "these", "this", "to", "we", "what",
    "when", "which", "while", "with", "http", "https", "www", "com", "org", "github",
];

/// More-like-this on the source's title, abstract and tags, the source itself excluded; the
/// key terms are the source's most frequent words (title counting 3, tags 2, abstract 1), and
/// each hit's reason names those it shares, and the tags.
pub(super) fn similar(
    engine: &OpenSearchEngine,
    source: &Record,
    limit: usize,
) -> Result<SimilarResults> {
    let like = format!(
        "{}\n{}\n{}\n{}",
        source.title,
        source.title,
        source.tags.join("\n"),
        source.abstract_text
    );
    let mut should = vec![json!({"more_like_this": {
        "fields": ["title", "abstract", "tag"],
        "like": like,
        "min_term_freq": 1,
        "min_doc_freq": 1,
        "max_query_terms": 25,
        "minimum_should_match": "1",
        "stop_words": SIMILAR_STOPWORDS,
    }})];
    for tag in &source.tags {
        should.push(
            json!({"term": {"tag_key": {"value": crate::text::fold_key(tag), "boost": 0.5}}}),
        );
    }
    let body = json!({
        "size": limit,
        "query": {"bool": {
            "should": should,
            "minimum_should_match": 1,
            "must_not": [{"term": {"id": source.id}}]
        }},
        "sort": [{"_score": "desc"}, {"date": "desc"}, {"id": "asc"}],
        "track_scores": true
    });
    let reply = engine.search(&body, true)?;
    let terms = key_terms(source);
    let source_tags: HashSet<String> = source
        .tags
        .iter()
        .map(|t| crate::text::fold_key(t))
        .collect();
    let mut hits = Vec::new();
    for hit in hits_of(&reply) {
        let record = engine.stored(hit)?.record;
        let words: HashSet<String> = [&record.title, &record.abstract_text]
            .iter()
            .flat_map(|t| crate::engine::analysis::analyze(Analysis::Prose, t))
            .chain(
                record
                    .tags
                    .iter()
                    .flat_map(|t| crate::engine::analysis::analyze(Analysis::Prose, t)),
            )
            .collect();
        let shared_terms = terms
            .iter()
            .filter(|t| words.contains(&t.term))
            .take(5)
            .map(|t| t.word.clone())
            .collect();
        let shared_tags = record
            .tags
            .iter()
            .filter(|t| source_tags.contains(&crate::text::fold_key(t)))
            .cloned()
            .collect();
        hits.push(SimilarHit {
            score: hit.get("_score").and_then(Value::as_f64).unwrap_or(0.0) as f32,
            record,
            shared_terms,
            shared_tags,
        });
    }
    Ok(SimilarResults {
        source: source.clone(),
        terms,
        hits,
    })
}

/// The source's strongest words: stemmed term, a word that gave it, weighted frequency.
fn key_terms(source: &Record) -> Vec<KeyTerm> {
    let mut weights: std::collections::HashMap<String, (String, f32)> = Default::default();
    let mut add = |text: &str, weight: f32| {
        let words = crate::engine::analysis::analyze(Analysis::Name, text);
        for word in words {
            if word.len() < 3 || SIMILAR_STOPWORDS.contains(&word.as_str()) {
                continue;
            }
            let Some(term) = crate::engine::analysis::analyze(Analysis::Prose, &word).pop() else {
                continue;
            };
            let entry = weights.entry(term).or_insert((word, 0.0));
            entry.1 += weight;
        }
    };
    add(&source.title, 3.0);
    for tag in &source.tags {
        add(tag, 2.0);
    }
    add(&source.abstract_text, 1.0);
    let mut terms: Vec<KeyTerm> = weights
        .into_iter()
        .map(|(term, (word, weight))| KeyTerm { term, word, weight })
        .collect();
    terms.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.term.cmp(&b.term))
    });
    terms.truncate(25);
    terms
}
