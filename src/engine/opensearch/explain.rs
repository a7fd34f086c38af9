//! `--explain` on the cluster: Lucene's `_explanation` tree read back into score parts. Each
//! `weight(FIELD:TERM in DOC)` node is one matched term's share; what was typed for it comes
//! from the terms the query builder noted (`TermOrigin`), so parts read as locally.

use serde_json::Value;

use crate::engine::ast::Scope;
use crate::engine::explain::{MatchKind, ScorePart};
use crate::engine::fields::SEARCH_FIELDS;

/// A term a scored clause should match: in which field (`title`, `title.words`), the term
/// (a prefix for `MatchKind::Prefix`; a stem as the local analysis makes it), and what was
/// typed for it.
#[derive(Debug, Clone, PartialEq)]
pub struct TermOrigin {
    pub scope: Scope,
    pub field: String,
    pub typed: String,
    pub term: String,
    pub kind: MatchKind,
    pub weight: f32,
}

/// The parts of a hit's score from its `_explanation`, each matched term named by what was
/// typed for it.
pub fn score_parts(explanation: &Value, origins: &[TermOrigin]) -> Vec<ScorePart> {
    let mut parts = Vec::new();
    collect(explanation, origins, &mut parts);
    parts
}

fn collect(node: &Value, origins: &[TermOrigin], parts: &mut Vec<ScorePart>) {
    let description = node
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let value = node.get("value").and_then(Value::as_f64).unwrap_or(0.0) as f32;
    if let Some((field, term)) = weighted_term(description) {
        if value > 0.0 {
            parts.push(part(field, term, value, boost(node), origins));
        }
        return;
    }
    for child in node
        .get("details")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect(child, origins, parts);
    }
}

/// `weight(title:spars in 12) [PerFieldSimilarity], result of:` → (`title`, `spars`);
/// a phrase's terms come quoted (`title:"activ engin"`).
fn weighted_term(description: &str) -> Option<(&str, &str)> {
    let inner = description.strip_prefix("weight(")?;
    let inner = &inner[..inner.rfind(')')?];
    let inner = &inner[..inner.rfind(" in ")?];
    let (field, term) = inner.split_once(':')?;
    Some((field, term))
}

/// The `boost` Lucene lists under a term's score, 1 when it lists none.
fn boost(node: &Value) -> f32 {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        if n.get("description").and_then(Value::as_str) == Some("boost") {
            return n.get("value").and_then(Value::as_f64).unwrap_or(1.0) as f32;
        }
        stack.extend(
            n.get("details")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    }
    1.0
}

fn part(field: &str, term: &str, score: f32, boost: f32, origins: &[TermOrigin]) -> ScorePart {
    let phrase = term.len() > 1 && term.starts_with('"') && term.ends_with('"');
    let term = if phrase {
        &term[1..term.len() - 1]
    } else {
        term
    };
    let in_field = || origins.iter().filter(|o| o.field == field);
    // The term the builder expected; else a prefix it begins with; else (a stem the cluster
    // makes differently) the first word typed for this field.
    let origin = in_field()
        .find(|o| o.term == term && o.kind != MatchKind::Prefix)
        .or_else(|| in_field().find(|o| o.kind == MatchKind::Prefix && term.starts_with(&o.term)))
        .or_else(|| in_field().next());
    match origin {
        Some(o) => ScorePart {
            field: o.scope,
            typed: o.typed.clone(),
            term: term.to_owned(),
            kind: o.kind,
            weight: o.weight,
            score,
        },
        None => ScorePart {
            field: scope_of(field),
            typed: term.to_owned(),
            term: term.to_owned(),
            kind: if phrase {
                MatchKind::Phrase
            } else {
                MatchKind::Word
            },
            weight: boost,
            score,
        },
    }
}

/// The scope of a Lucene field (`title.words` is the title's).
fn scope_of(field: &str) -> Scope {
    let base = field.split('.').next().unwrap_or(field);
    match base {
        "doi" => Scope::Doi,
        "arxiv" => Scope::Arxiv,
        "key" => Scope::Key,
        _ => SEARCH_FIELDS
            .iter()
            .find(|f| f.name == base)
            .map_or(Scope::Abstract, |f| f.scope),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn origin(field: &str, typed: &str, term: &str, kind: MatchKind, weight: f32) -> TermOrigin {
        TermOrigin {
            scope: scope_of(field),
            field: field.to_owned(),
            typed: typed.to_owned(),
            term: term.to_owned(),
            kind,
            weight,
        }
    }

    fn leaf(field_term: &str, value: f64, boost: Option<f64>) -> Value {
        let mut details = vec![
            json!({"value": 1.2, "description": "idf, computed as log(1 + (N - n + 0.5) / (n + 0.5)) from:", "details": []}),
        ];
        if let Some(b) = boost {
            details.insert(
                0,
                json!({"value": b, "description": "boost", "details": []}),
            );
        }
        json!({
            "value": value,
            "description": format!("weight({field_term} in 7) [PerFieldSimilarity], result of:"),
            "details": [{"value": value, "description": "score(freq=1.0), computed as boost * idf * tf from:", "details": details}]
        })
    }

    /// Lucene's tree (as OpenSearch 2.x writes it) read back: terms, phrases, prefix
    /// expansions and typos each named by what was typed; filters (score 0) left out.
    #[test]
    fn lucene_explanation_becomes_parts() {
        let origins = vec![
            origin("title", "sparse", "spars", MatchKind::Word, 3.0),
            origin("abstract", "sparse", "spars", MatchKind::Word, 1.0),
            origin(
                "title.words",
                "crosscod*",
                "crosscod",
                MatchKind::Prefix,
                3.0,
            ),
            origin(
                "abstract",
                "\"activation engineering\"",
                "activ engin",
                MatchKind::Phrase,
                1.0,
            ),
            origin(
                "tag.words",
                "sycophnacy",
                "sycophancy",
                MatchKind::Typo,
                1.4,
            ),
        ];
        let tree = json!({"value": 9.5, "description": "sum of:", "details": [
            {"value": 9.5, "description": "sum of:", "details": [
                leaf("title:spars", 3.0, Some(3.0)),
                leaf("abstract:spars", 1.0, None),
                leaf("title.words:crosscoders", 2.5, Some(3.0)),
                leaf("abstract:\"activ engin\"", 2.0, None),
                leaf("tag.words:sycophancy", 1.0, Some(1.4)),
            ]},
            {"value": 0.0, "description": "match on required clause, product of:", "details": [
                {"value": 0.0, "description": "# clause", "details": []}
            ]}
        ]});
        let parts = score_parts(&tree, &origins);
        let got: Vec<(Scope, &str, &str, MatchKind, f32, f32)> = parts
            .iter()
            .map(|p| (p.field, &*p.typed, &*p.term, p.kind, p.weight, p.score))
            .collect();
        assert_eq!(
            got,
            vec![
                (Scope::Title, "sparse", "spars", MatchKind::Word, 3.0, 3.0),
                (
                    Scope::Abstract,
                    "sparse",
                    "spars",
                    MatchKind::Word,
                    1.0,
                    1.0
                ),
                (
                    Scope::Title,
                    "crosscod*",
                    "crosscoders",
                    MatchKind::Prefix,
                    3.0,
                    2.5
                ),
                (
                    Scope::Abstract,
                    "\"activation engineering\"",
                    "activ engin",
                    MatchKind::Phrase,
                    1.0,
                    2.0
                ),
                (
                    Scope::Tag,
                    "sycophnacy",
                    "sycophancy",
                    MatchKind::Typo,
                    1.4,
                    1.0
                ),
            ]
        );
    }

    /// A term no origin names (a stem the cluster makes differently) keeps its field's word;
    /// a field with no origin at all shows the term itself, with Lucene's boost.
    #[test]
    fn unknown_terms_fall_back() {
        let origins = vec![origin(
            "abstract",
            "emergent",
            "emergent",
            MatchKind::Word,
            1.0,
        )];
        let tree = json!({"value": 3.0, "description": "sum of:", "details": [
            leaf("abstract:emerg", 1.0, None),
            leaf("fellow:smith", 2.0, Some(2.0)),
        ]});
        let parts = score_parts(&tree, &origins);
        assert_eq!(parts[0].typed, "emergent");
        assert_eq!(parts[0].term, "emerg");
        assert_eq!(
            (parts[1].field, &*parts[1].typed, parts[1].weight),
            (Scope::Fellow, "smith", 2.0)
        );
    }
}
