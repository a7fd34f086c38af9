//! Why a hit scored what it did, in terms people typed: each matched term's share of the score
//! (field, word as typed, term matched, weight), plus the engine's own tree for `--json`.
//! Every engine fills the same parts; the printers never read an engine's explanation format.

use serde::Serialize;

use super::ast::Scope;

/// How a typed word reached the term it matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    /// The word as analysed (lowercased, accents folded, stemmed in prose fields).
    Word,
    /// A quoted phrase, or one word the analyzer splits (`chain-of-thought`): terms in order.
    Phrase,
    /// A word the prefix (`crosscod*`) expanded to.
    Prefix,
    /// A word within the allowed typos of one no record holds.
    Typo,
}

/// One matched term's share of a hit's score.
#[derive(Debug, Clone, PartialEq)]
pub struct ScorePart {
    /// The field it matched in (`Scope::name` is the query language's: `title`, `tag`, …).
    pub field: Scope,
    /// The word, prefix (`crosscod*`) or phrase (`"…"`) as typed.
    pub typed: String,
    /// The term the index matched: a stem, a correction, a prefix's expansion, a phrase's terms.
    pub term: String,
    pub kind: MatchKind,
    /// What the match is multiplied by: the field's weight × the expansion weight (typos).
    pub weight: f32,
    /// What it added to the hit's score.
    pub score: f32,
}

/// A hit's score explained: the parts, largest first, and the engine's own explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub parts: Vec<ScorePart>,
    /// The engine's own explanation tree (tantivy's or Lucene's JSON), kept for `--json`.
    pub raw: serde_json::Value,
}

impl Explanation {
    /// Parts ordered largest contribution first (ties keep the order the query built them).
    pub fn new(mut parts: Vec<ScorePart>, raw: serde_json::Value) -> Self {
        parts.sort_by(|a, b| b.score.total_cmp(&a.score));
        Explanation { parts, raw }
    }

    /// What of `score` the parts do not account for (a clause matching every record, say):
    /// zero when they add up to it.
    pub fn rest(&self, score: f32) -> f32 {
        let sum: f32 = self.parts.iter().map(|p| p.score).sum();
        let rest = score - sum;
        if rest.abs() < 0.0005 {
            0.0
        } else {
            rest
        }
    }
}

/// A word as typed, for display: a prefix keeps its `*`, a phrase its quotes.
pub fn typed_word(text: &str, prefix: bool) -> String {
    if prefix {
        format!("{text}*")
    } else {
        text.to_owned()
    }
}

pub fn typed_phrase(text: &str) -> String {
    format!("\"{text}\"")
}
