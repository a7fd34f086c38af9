//! A plan as OpenSearch query DSL: the same clauses the local engine builds (per-field terms
//! with our weights, phrases, prefix and typo expansions with our thresholds, exclusions), with
//! filters and restrictions as `filter` clauses that take no part in scoring.

use serde_json::{json, Value};

use crate::engine::fields::{
    search_field, Analysis, EXPANSION_WEIGHT, MAX_EXPANSIONS, SEARCH_FIELDS,
};
use crate::engine::local::analyze;
use crate::engine::{allowed_typos, MatchMode, Plan};
use crate::search::syntax::{Node, Scope};
use crate::search::Filters;
use crate::text::fold_key;

/// The whole query of a plan; `None` when its words can match nothing (no letters or digits).
pub fn build(plan: &Plan<'_>, mode: MatchMode) -> Option<Value> {
    let main = match plan.query {
        Some(node) => Some(node_query(node, mode)?),
        None => None,
    };
    let mut filters = filter_clauses(plan.filters);
    if let Some(ids) = &plan.restrictions.ids {
        let ids: Vec<String> = ids.iter().map(|id| format!("{id:016x}")).collect();
        filters.push(json!({"terms": {"id": ids}}));
    }
    if let Some(t) = plan.restrictions.first_seen_after {
        filters.push(json!({"range": {"first_seen": {"gt": t}}}));
    }
    Some(match (main, filters.is_empty()) {
        (Some(main), true) => main,
        (None, true) => json!({"match_all": {}}),
        (main, false) => {
            let mut bool_ = json!({"filter": filters});
            if let Some(main) = main {
                bool_["must"] = json!([main]);
            }
            json!({"bool": bool_})
        }
    })
}

/// Whether the query has words that can match anything (else: nothing to search).
pub fn node_query(node: &Node, mode: MatchMode) -> Option<Value> {
    match node {
        Node::And(children) | Node::Or(children) => {
            let is_and = matches!(node, Node::And(_)) && mode != MatchMode::AnyWord;
            let (mut positive, mut negative) = (Vec::new(), Vec::new());
            for child in children {
                match child {
                    Node::Not(inner) => {
                        if let Some(q) = node_query(inner, MatchMode::AllWords) {
                            negative.push(q);
                        }
                    }
                    _ => {
                        if let Some(q) = node_query(child, mode) {
                            positive.push(q);
                        }
                    }
                }
            }
            if positive.is_empty() {
                return (!negative.is_empty()).then(|| everything_but(negative));
            }
            let mut bool_ = serde_json::Map::new();
            if is_and {
                bool_.insert("must".into(), Value::Array(positive));
            } else {
                bool_.insert("should".into(), Value::Array(positive));
                bool_.insert("minimum_should_match".into(), json!(1));
            }
            if !negative.is_empty() {
                bool_.insert("must_not".into(), Value::Array(negative));
            }
            Some(json!({ "bool": bool_ }))
        }
        Node::Not(inner) => {
            let q = node_query(inner, MatchMode::AllWords)?;
            Some(everything_but(vec![q]))
        }
        Node::Word {
            scope,
            text,
            prefix,
        } => word(*scope, text, *prefix, mode),
        Node::Phrase { scope, text } => phrase(*scope, text),
    }
}

/// A group of only exclusions means "everything except".
fn everything_but(excluded: Vec<Value>) -> Value {
    json!({"bool": {"must": [{"match_all": {}}], "must_not": excluded}})
}

fn fields(scope: Option<Scope>) -> Vec<(&'static str, Analysis, f32)> {
    match scope {
        Some(s) => {
            let f = search_field(s);
            vec![(f.name, f.analysis, 1.0)]
        }
        None => SEARCH_FIELDS
            .iter()
            .map(|f| (f.name, f.analysis, f.weight))
            .collect(),
    }
}

fn any_of(alternatives: Vec<Value>) -> Option<Value> {
    match alternatives.len() {
        0 => None,
        _ => Some(json!({"bool": {"should": alternatives, "minimum_should_match": 1}})),
    }
}

fn term(field: &str, value: &str, boost: f32) -> Value {
    json!({"term": {field: {"value": value, "boost": boost}}})
}

/// `text` (one word to the analyzer) as the engine analyzes it.
fn analyzed(field: &str, text: &str, boost: f32) -> Value {
    json!({"match": {field: {"query": text, "boost": boost}}})
}

fn word(scope: Option<Scope>, text: &str, prefix: bool, mode: MatchMode) -> Option<Value> {
    let mut alternatives = Vec::new();
    for (field, analysis, weight) in fields(scope) {
        let tokens = analyze(analysis, text);
        if tokens.is_empty() {
            continue;
        }
        if tokens.len() > 1 {
            // `chain-of-thought`, `GPT-4o`: one word to the user, a phrase to the index.
            alternatives.push(json!({"match_phrase": {field: {"query": text, "boost": weight}}}));
            continue;
        }
        // The word analyzed by the engine itself: its stems are the index's.
        alternatives.push(analyzed(field, text, weight));
        let expanded = weight * EXPANSION_WEIGHT;
        let unstemmed: String = analyze(Analysis::Name, text).concat();
        if prefix && !unstemmed.is_empty() {
            alternatives.push(json!({"prefix": {field: {
                "value": unstemmed, "boost": expanded, "rewrite": "scoring_boolean"}}}));
            // Stems the prefix runs past (`interpretab*` finds `interpret`): up to 3
            // characters shorter than the prefix, never under 4, as locally.
            let chars: Vec<char> = unstemmed.chars().collect();
            let keep = if chars.len() > 6 {
                (chars.len() - 3).max(4)
            } else {
                chars.len()
            };
            for len in keep..chars.len() {
                let stem: String = chars[..len].iter().collect();
                alternatives.push(term(field, &stem, expanded));
            }
        }
        if mode == MatchMode::Typos {
            let typos = allowed_typos(text);
            if typos > 0 {
                alternatives.push(json!({"match": {field: {
                    "query": text,
                    "fuzziness": typos,
                    "prefix_length": 0,
                    "fuzzy_transpositions": true,
                    "max_expansions": MAX_EXPANSIONS,
                    "fuzzy_rewrite": "scoring_boolean",
                    "boost": expanded
                }}}));
                // A typo derails the stemmer, so the word's longer prefixes are matched with
                // typos too: a stem is a prefix of the word it came from.
                let chars: Vec<char> = unstemmed.chars().collect();
                let shortest = 5.max(chars.len().saturating_sub(4));
                for len in shortest..chars.len() {
                    let p: String = chars[..len].iter().collect();
                    let allowed = allowed_typos(&p).min(typos);
                    alternatives.push(fuzzy(field, &p, allowed, expanded));
                }
            }
        }
    }
    any_of(alternatives)
}

fn fuzzy(field: &str, value: &str, typos: u8, boost: f32) -> Value {
    json!({"fuzzy": {field: {
        "value": value,
        "fuzziness": typos,
        "prefix_length": 0,
        "transpositions": true,
        "max_expansions": MAX_EXPANSIONS,
        "rewrite": "scoring_boolean",
        "boost": boost
    }}})
}

fn phrase(scope: Option<Scope>, text: &str) -> Option<Value> {
    let mut alternatives = Vec::new();
    for (field, analysis, weight) in fields(scope) {
        let tokens = analyze(analysis, text);
        match tokens.len() {
            0 => {}
            1 => alternatives.push(analyzed(field, text, weight)),
            _ => alternatives
                .push(json!({"match_phrase": {field: {"query": text, "boost": weight}}})),
        }
    }
    any_of(alternatives)
}

/// One clause per filter, each required, none scored.
pub fn filter_clauses(filters: &Filters) -> Vec<Value> {
    let mut out = Vec::new();
    for tag in &filters.tags {
        out.push(json!({"term": {"tag_key": fold_key(tag)}}));
    }
    for (names, field) in [(&filters.authors, "author"), (&filters.fellows, "fellow")] {
        for name in names {
            // A name as a phrase: "Neel Nanda", "nanda" both match; no words, no match.
            out.push(json!({"match_phrase": {field: {"query": name, "zero_terms_query": "none"}}}));
        }
    }
    if filters.since.is_some() || filters.until.is_some() {
        let mut range = serde_json::Map::new();
        if let Some(since) = &filters.since {
            range.insert("gte".into(), json!(since));
        }
        if let Some(until) = &filters.until {
            range.insert("lte".into(), json!(until));
        }
        out.push(json!({"range": {"date": range}}));
    }
    if !filters.years.is_empty() {
        out.push(json!({"terms": {"year": filters.years}}));
    }
    if filters.featured {
        out.push(json!({"term": {"featured": true}}));
    }
    if let Some(t) = filters.added_since {
        out.push(json!({"range": {"first_seen": {"gte": t}}}));
    }
    out
}

/// Everything a hit's text should highlight is the query's own business: the highlighter is
/// given the main query (without filters, which match no text).
pub fn highlight_query(plan: &Plan<'_>, mode: MatchMode) -> Option<Value> {
    plan.query.and_then(|node| node_query(node, mode))
}
