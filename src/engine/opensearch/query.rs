//! A plan as OpenSearch query DSL: the same clauses the local engine builds (per-field terms
//! with our weights, phrases, prefix and typo expansions with our thresholds, exclusions), with
//! filters and restrictions as `filter` clauses that take no part in scoring.

use serde_json::{json, Value};

use super::explain::TermOrigin;
use crate::engine::analysis::analyze;
use crate::engine::ast::{Node, Scope};
use crate::engine::explain::{typed_phrase, typed_word, MatchKind};
use crate::engine::fields::{
    search_field, Analysis, EXPANSION_WEIGHT, MAX_EXPANSIONS, SEARCH_FIELDS,
};
use crate::engine::filters::Filters;
use crate::engine::{
    allowed_typos, is_capital_short_form, short_form_terms, Correction, MatchMode, Plan,
};
use crate::error::Result;

/// What compiling a query asks the index when relaxing for typos: whether a word is held as
/// written, and the words of its fields within some typos of it — both in one request.
pub trait Dictionary {
    /// Whether any record matches `held` (a word as written, in every field it may match);
    /// and for each field of `near`, its words within `typos` edits of `word`, which count
    /// only when it is not held.
    fn lookup(&self, held: &Value, near: &[&str], word: &str, typos: u8) -> Result<Lookup>;
}

/// A word as the index holds it (`Dictionary::lookup`).
pub struct Lookup {
    pub known: bool,
    /// Per field asked, in that order, the words near the one looked up.
    pub near: Vec<Vec<String>>,
}

/// Turns a plan into query DSL at one match mode, noting the typo corrections it made.
pub struct QueryBuilder<'a> {
    dictionary: &'a dyn Dictionary,
    pub corrections: Vec<Correction>,
    /// The terms each scored clause should match and what was typed for them (`--explain`).
    pub origins: Vec<TermOrigin>,
    /// What the clauses built now are weighted by besides their field's weight (`Weighted`).
    scale: f32,
}

impl<'a> QueryBuilder<'a> {
    pub fn new(dictionary: &'a dyn Dictionary) -> Self {
        QueryBuilder {
            dictionary,
            corrections: Vec::new(),
            origins: Vec::new(),
            scale: 1.0,
        }
    }

    /// The query of one node; `None` when nothing in it can match anything.
    pub fn node(&mut self, node: &Node, mode: MatchMode) -> Result<Option<Value>> {
        Ok(match node {
            Node::And(children) | Node::Or(children) => {
                let is_and = matches!(node, Node::And(_));
                let (mut positive, mut negative, mut optional) =
                    (Vec::new(), Vec::new(), Vec::new());
                for child in children {
                    match child {
                        Node::Not(inner) => {
                            if let Some(q) = self.negated(inner)? {
                                negative.push(q);
                            }
                        }
                        Node::Optional(inner) => {
                            if let Some(q) = self.node(inner, MatchMode::AllWords)? {
                                optional.push(q);
                            }
                        }
                        _ => {
                            if let Some(q) = self.node(child, mode)? {
                                positive.push(q);
                            }
                        }
                    }
                }
                if positive.is_empty() {
                    return Ok((!negative.is_empty()).then(|| everything_but(negative)));
                }
                let mut bool_ = serde_json::Map::new();
                if is_and {
                    bool_.insert("must".into(), Value::Array(positive));
                    // Beside `must`, `should` clauses only add to the score.
                    if !optional.is_empty() {
                        bool_.insert("should".into(), Value::Array(optional));
                    }
                } else {
                    bool_.insert("should".into(), Value::Array(positive));
                    bool_.insert("minimum_should_match".into(), json!(1));
                }
                if !negative.is_empty() {
                    bool_.insert("must_not".into(), Value::Array(negative));
                }
                Some(json!({ "bool": bool_ }))
            }
            Node::Not(inner) => self.negated(inner)?.map(|q| everything_but(vec![q])),
            Node::Optional(inner) => self
                .node(inner, MatchMode::AllWords)?
                .map(|q| json!({"bool": {"must": [{"match_all": {}}], "should": [q]}})),
            Node::Word {
                scope,
                text,
                prefix,
            } => self.word(*scope, text, *prefix, mode)?,
            Node::Phrase { scope, text } => self.phrase(*scope, text),
            Node::Weighted(inner, weight) => {
                let outer = self.scale;
                self.scale = outer * weight;
                let q = self.node(inner, mode);
                self.scale = outer;
                q?
            }
        })
    }

    /// The fields a term of `scope` is matched in, weighted by the scale of the node built.
    fn targets(&self, scope: Option<Scope>) -> Vec<Target> {
        let mut targets = fields(scope);
        for t in &mut targets {
            t.weight *= self.scale;
        }
        targets
    }

    /// Excluded words are matched as written, correct nothing and score nothing.
    fn negated(&mut self, node: &Node) -> Result<Option<Value>> {
        let saved = std::mem::take(&mut self.corrections);
        let origins = self.origins.len();
        let q = self.node(node, MatchMode::AllWords);
        self.corrections = saved;
        self.origins.truncate(origins);
        q
    }

    /// Notes what a scored clause on `field` matches and what was typed for it.
    fn origin(&mut self, target: &Target, field: &str, typed: &str, term: &str, kind: MatchKind) {
        let weight = if kind == MatchKind::Typo {
            target.weight * EXPANSION_WEIGHT
        } else {
            target.weight
        };
        self.origins.push(TermOrigin {
            scope: target.scope,
            field: field.to_owned(),
            typed: typed.to_owned(),
            term: term.to_owned(),
            kind,
            weight,
        });
    }

    fn phrase(&mut self, scope: Option<Scope>, text: &str) -> Option<Value> {
        let typed = typed_phrase(text);
        let mut alternatives = Vec::new();
        for target in self.targets(scope) {
            let tokens = target.tokens(text);
            match tokens.len() {
                0 => {}
                1 => {
                    self.origin(&target, target.field, &typed, &tokens[0], MatchKind::Word);
                    alternatives.push(target.exact(text, &tokens[0]));
                }
                _ => {
                    let terms = tokens.join(" ");
                    self.origin(&target, target.field, &typed, &terms, MatchKind::Phrase);
                    alternatives.push(json!({"match_phrase": {target.field: {
                        "query": text, "boost": target.weight}}}));
                }
            }
        }
        any_of(alternatives)
    }

    fn word(
        &mut self,
        scope: Option<Scope>,
        text: &str,
        prefix: bool,
        mode: MatchMode,
    ) -> Result<Option<Value>> {
        let unstemmed: String = analyze(Analysis::Name, text).concat();
        let typos = allowed_typos(&unstemmed);
        // Typos are looked for only when the word as written is in no field it may match; the
        // words near it are asked with that, in the fields where it is one word.
        let targets = self.targets(scope);
        let lookup = if mode == MatchMode::Typos && !prefix {
            let near: Vec<&str> = if typos > 0 {
                targets
                    .iter()
                    .filter(|t| t.tokens(text).len() == 1)
                    .map(|t| t.words)
                    .collect()
            } else {
                Vec::new()
            };
            self.look_up(&targets, text, &near, &unstemmed, typos)?
                .map(|found| (found, near))
        } else {
            None
        };
        let correct = lookup.as_ref().is_some_and(|(found, _)| !found.known);
        let typed = typed_word(text, prefix);
        let mut alternatives = Vec::new();
        for target in targets {
            let tokens = target.tokens(text);
            if tokens.is_empty() {
                continue;
            }
            if tokens.len() > 1 {
                // `chain-of-thought`, `GPT-4o`: one word to the user, a phrase to the index.
                let terms = tokens.join(" ");
                self.origin(&target, target.field, &typed, &terms, MatchKind::Phrase);
                alternatives.push(
                    json!({"match_phrase": {target.field: {"query": text, "boost": target.weight}}}),
                );
                continue;
            }
            if prefix {
                // Only words that begin with the prefix (the field's unstemmed words).
                self.origin(&target, target.words, &typed, &unstemmed, MatchKind::Prefix);
                alternatives.push(json!({"prefix": {target.words: {
                    "value": unstemmed, "boost": target.weight, "rewrite": "scoring_boolean"}}}));
                continue;
            }
            if is_capital_short_form(text) && target.analysis == Analysis::Prose {
                for w in short_form_terms(text) {
                    self.origin(&target, target.words, &typed, &w, MatchKind::Word);
                    alternatives.push(term(target.words, &w, target.weight));
                }
                continue;
            }
            self.origin(&target, target.field, &typed, &tokens[0], MatchKind::Word);
            alternatives.push(target.exact(text, &tokens[0]));
            if correct {
                let found = lookup.as_ref().and_then(|(found, fields)| {
                    let i = fields.iter().position(|f| *f == target.words)?;
                    found.near.get(i)
                });
                if let Some(near) = found {
                    let mut near = near.clone();
                    near.sort();
                    near.dedup();
                    near.truncate(MAX_EXPANSIONS);
                    for w in near {
                        note(&mut self.corrections, &unstemmed, &w);
                        self.origin(&target, target.words, &typed, &w, MatchKind::Typo);
                        alternatives.push(term(target.words, &w, target.weight * EXPANSION_WEIGHT));
                    }
                }
            }
        }
        Ok(any_of(alternatives))
    }

    /// Whether the word as written (analyzed per field) is in any field it may match, with the
    /// words of the `near` fields within `typos` of `unstemmed`; None when no field would hold
    /// it (nothing to ask).
    fn look_up(
        &self,
        targets: &[Target],
        text: &str,
        near: &[&str],
        unstemmed: &str,
        typos: u8,
    ) -> Result<Option<Lookup>> {
        let clauses: Vec<Value> = targets
            .iter()
            .filter_map(|t| {
                let tokens = t.tokens(text);
                (!tokens.is_empty()).then(|| match tokens.len() {
                    1 => t.exact(text, &tokens[0]),
                    _ => json!({"match": {t.field: {"query": text, "operator": "or"}}}),
                })
            })
            .collect();
        if clauses.is_empty() {
            return Ok(None);
        }
        let held = json!({"bool": {"should": clauses, "minimum_should_match": 1}});
        self.dictionary
            .lookup(&held, near, unstemmed, typos)
            .map(Some)
    }
}

/// Typo corrections in the order the words were typed, each word once.
fn note(corrections: &mut Vec<Correction>, word: &str, to: &str) {
    let i = match corrections.iter().position(|c| c.word == word) {
        Some(i) => i,
        None => {
            corrections.push(Correction {
                word: word.to_owned(),
                to: Vec::new(),
            });
            corrections.len() - 1
        }
    };
    if !corrections[i].to.iter().any(|t| t == to) {
        corrections[i].to.push(to.to_owned());
    }
}

/// The main query narrowed by the plan's filters and restrictions (none scored).
pub fn with_filters(main: Option<Value>, plan: &Plan<'_>) -> Value {
    let mut filters = filter_clauses(plan.filters);
    if let Some(ids) = &plan.restrictions.ids {
        let ids: Vec<String> = ids.iter().map(|id| format!("{id:016x}")).collect();
        filters.push(json!({"terms": {"id": ids}}));
    }
    if let Some(t) = plan.restrictions.first_seen_after {
        filters.push(json!({"range": {"first_seen": {"gt": t}}}));
    }
    match (main, filters.is_empty()) {
        (Some(main), true) => main,
        (None, true) => json!({"match_all": {}}),
        (main, false) => {
            let mut bool_ = json!({"filter": filters});
            if let Some(main) = main {
                bool_["must"] = json!([main]);
            }
            json!({"bool": bool_})
        }
    }
}

/// A group of only exclusions means "everything except".
fn everything_but(excluded: Vec<Value>) -> Value {
    json!({"bool": {"must": [{"match_all": {}}], "must_not": excluded}})
}

/// One field a word is looked for in.
struct Target {
    scope: Scope,
    /// The analyzed field.
    field: &'static str,
    /// Its words as written (folded, unstemmed): where prefixes and typos are matched.
    words: &'static str,
    analysis: Analysis,
    weight: f32,
}

impl Target {
    fn tokens(&self, text: &str) -> Vec<String> {
        if self.scope.is_identifier() {
            let id = identifier(self.scope, text);
            return if id.is_empty() { Vec::new() } else { vec![id] };
        }
        analyze(self.analysis, text)
    }

    /// The word as the index holds it: analyzed by the engine itself (its stems are the
    /// index's), or an identifier as one normalized term.
    fn exact(&self, text: &str, token: &str) -> Value {
        if self.scope.is_identifier() {
            term(self.field, token, self.weight)
        } else {
            analyzed(self.field, text, self.weight)
        }
    }
}

/// A DOI, arXiv id or citation key as indexed: normalized and lowercased (else the text,
/// trimmed, lowercased).
fn identifier(scope: Scope, text: &str) -> String {
    let id = match scope {
        Scope::Doi => crate::record::normalize_doi(text),
        Scope::Arxiv => crate::record::normalize_arxiv(text),
        _ => String::new(),
    };
    let id = if id.is_empty() { text.trim() } else { &id };
    id.to_lowercase()
}

fn fields(scope: Option<Scope>) -> Vec<Target> {
    let target = |s: Scope, weight: f32| -> Target {
        match s {
            Scope::Doi => Target {
                scope: s,
                field: "doi",
                words: "doi",
                analysis: Analysis::Name,
                weight,
            },
            Scope::Arxiv => Target {
                scope: s,
                field: "arxiv",
                words: "arxiv",
                analysis: Analysis::Name,
                weight,
            },
            Scope::Key => Target {
                scope: s,
                field: "key",
                words: "key",
                analysis: Analysis::Name,
                weight,
            },
            _ => {
                let f = search_field(s);
                Target {
                    scope: s,
                    field: f.name,
                    words: words_field(s),
                    analysis: f.analysis,
                    weight,
                }
            }
        }
    };
    match scope {
        Some(s) => vec![target(s, 1.0)],
        None => SEARCH_FIELDS
            .iter()
            .map(|f| target(f.scope, f.weight))
            .collect(),
    }
}

/// The field of a scope's unstemmed words.
pub fn words_field(scope: Scope) -> &'static str {
    match scope {
        Scope::Title => "title.words",
        Scope::Abstract => "abstract.words",
        Scope::Tag => "tag.words",
        Scope::Author => "author",
        Scope::Fellow => "fellow",
        Scope::Doi => "doi",
        Scope::Arxiv => "arxiv",
        Scope::Key => "key",
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

/// One clause per filter, each required, none scored.
pub fn filter_clauses(filters: &Filters) -> Vec<Value> {
    let mut out = Vec::new();
    // A tag by its words, as `tag:(…)` matches: every word, stemmed by the engine, nothing
    // when it has none (`--tag scheming` finds "Scheming and Deception").
    for tag in &filters.tags {
        out.push(json!({"match": {"tag": {"query": tag, "operator": "and", "zero_terms_query": "none"}}}));
    }
    for (names, field) in [(&filters.authors, "author"), (&filters.fellows, "fellow")] {
        for name in names {
            // A name as a phrase: "Neel Nanda", "nanda" both match; no words, no match. Its
            // last word may be the beginning of a name's word (`nand`), as on the local engine.
            let last = name
                .split(|c: char| !c.is_alphanumeric())
                .rfind(|w| !w.is_empty())
                .map_or(0, |w| w.chars().count());
            out.push(if last >= crate::engine::filters::MIN_NAME_PREFIX {
                json!({"match_phrase_prefix": {field: {"query": name, "max_expansions": 10_000}}})
            } else {
                json!({"match_phrase": {field: {"query": name, "zero_terms_query": "none"}}})
            });
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

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;

    #[test]
    fn a_name_filter_takes_the_beginning_of_its_last_word_from_three_letters() {
        let filters = Filters {
            authors: vec!["Nand".into(), "neel na".into()],
            ..Filters::default()
        };
        assert_eq!(
            filter_clauses(&filters),
            [
                json!({"match_phrase_prefix": {"author": {"query": "Nand", "max_expansions": 10_000}}}),
                json!({"match_phrase": {"author": {"query": "neel na", "zero_terms_query": "none"}}}),
            ]
        );
    }

    /// Holds `held`; near any other word it lists `near` in the title's words. Notes each
    /// lookup as (word, fields asked for near words).
    struct Noting {
        held: &'static str,
        near: &'static str,
        lookups: RefCell<Vec<(String, Vec<String>)>>,
    }

    impl Dictionary for Noting {
        fn lookup(&self, held: &Value, near: &[&str], word: &str, typos: u8) -> Result<Lookup> {
            assert!(typos > 0 || near.is_empty());
            self.lookups.borrow_mut().push((
                word.to_owned(),
                near.iter().map(|f| f.to_string()).collect(),
            ));
            Ok(Lookup {
                known: held.to_string().contains(self.held),
                near: near
                    .iter()
                    .map(|&f| {
                        if f == "title.words" {
                            vec![self.near.to_owned()]
                        } else {
                            Vec::new()
                        }
                    })
                    .collect(),
            })
        }
    }

    fn dictionary() -> Noting {
        Noting {
            held: "sparse",
            near: "sycophancy",
            lookups: RefCell::new(Vec::new()),
        }
    }

    fn word(text: &str, prefix: bool) -> Node {
        Node::Word {
            scope: None,
            text: text.to_owned(),
            prefix,
        }
    }

    #[test]
    fn a_word_is_looked_up_once_with_its_near_words() {
        let d = dictionary();
        let mut builder = QueryBuilder::new(&d);
        let q = builder
            .node(&word("sycophnacy", false), MatchMode::Typos)
            .expect("compiles")
            .expect("a query");
        let fields: Vec<String> = SEARCH_FIELDS
            .iter()
            .map(|f| words_field(f.scope).to_owned())
            .collect();
        assert_eq!(d.lookups.take(), vec![("sycophnacy".to_owned(), fields)]);
        assert_eq!(
            builder.corrections,
            vec![Correction {
                word: "sycophnacy".into(),
                to: vec!["sycophancy".into()]
            }]
        );
        let expanded = term("title.words", "sycophancy", 3.0 * EXPANSION_WEIGHT).to_string();
        assert!(q.to_string().contains(&expanded), "{q}");
    }

    #[test]
    fn held_short_prefixed_or_unrelaxed_words_are_not_corrected() {
        let d = dictionary();
        let mut builder = QueryBuilder::new(&d);
        // "sae": under 5 letters, no typos allowed, so no near words asked.
        for (text, prefix, mode) in [
            ("sparse", false, MatchMode::Typos),
            ("sae", false, MatchMode::Typos),
            ("sycoph", true, MatchMode::Typos),
            ("sycophnacy", false, MatchMode::AllWords),
        ] {
            builder.node(&word(text, prefix), mode).expect("compiles");
        }
        assert_eq!(
            d.lookups.take(),
            vec![
                (
                    "sparse".to_owned(),
                    SEARCH_FIELDS
                        .iter()
                        .map(|f| words_field(f.scope).to_owned())
                        .collect()
                ),
                ("sae".to_owned(), Vec::new())
            ]
        );
        assert!(builder.corrections.is_empty());
    }
}
