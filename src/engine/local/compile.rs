//! Turns a parsed query into a tantivy query: per-field analysis, field weights, phrases,
//! prefix and typo expansion through the term dictionaries (so expanded terms are scored by
//! BM25 and can be highlighted), and the set of terms each field should highlight.

use std::collections::{BTreeSet, HashMap};

use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, Term};

use super::schema::{name_analyzer, text_analyzer, Fields};
use crate::engine::ast::{Node, Scope};
use crate::engine::explain::{typed_phrase, typed_word, MatchKind, ScorePart};
use crate::engine::{
    allowed_typos, is_capital_short_form, short_form_terms, Correction, MatchMode,
};

use crate::engine::fields::{EXPANSION_WEIGHT, MAX_EXPANSIONS, SEARCH_FIELDS};

/// The terms worth highlighting, per field.
#[derive(Debug, Default, Clone)]
pub struct HighlightTerms {
    pub by_field: HashMap<Scope, BTreeSet<String>>,
}

impl HighlightTerms {
    fn add(&mut self, scope: Scope, term: &str) {
        self.by_field
            .entry(scope)
            .or_default()
            .insert(term.to_owned());
    }

    pub fn for_scope(&self, scope: Scope) -> Option<&BTreeSet<String>> {
        self.by_field.get(&scope)
    }
}

/// Typo corrections in the order the words were typed, each word once.
#[derive(Debug, Default, Clone)]
pub struct Corrections(pub Vec<Correction>);

impl Corrections {
    fn note(&mut self, word: &str, to: &str) {
        let i = match self.0.iter().position(|c| c.word == word) {
            Some(i) => i,
            None => {
                self.0.push(Correction {
                    word: word.to_owned(),
                    to: Vec::new(),
                });
                self.0.len() - 1
            }
        };
        if !self.0[i].to.iter().any(|t| t == to) {
            self.0[i].to.push(to.to_owned());
        }
    }
}

/// One scored clause of the query (a term or phrase in one field, boosted), with what the user
/// typed to get it: its score on a hit is that hit's part for `--explain`, since every group
/// above it sums its clauses' scores.
pub struct ScoredClause {
    /// The part, its score still 0.
    pub part: ScorePart,
    pub query: Box<dyn Query>,
}

pub struct QueryBuilder<'a> {
    searcher: &'a Searcher,
    fields: Fields,
    text: TextAnalyzer,
    names: TextAnalyzer,
    pub highlights: HighlightTerms,
    /// The words corrected for typos, with what they were taken for.
    pub corrections: Corrections,
    /// Every scored clause built, for `--explain`.
    pub scored: Vec<ScoredClause>,
    /// What the clauses built now are weighted by besides their field's weight (`Weighted`).
    scale: f32,
}

impl<'a> QueryBuilder<'a> {
    pub fn new(searcher: &'a Searcher, fields: Fields) -> Self {
        QueryBuilder {
            searcher,
            fields,
            text: text_analyzer(),
            names: name_analyzer(),
            highlights: HighlightTerms::default(),
            corrections: Corrections::default(),
            scored: Vec::new(),
            scale: 1.0,
        }
    }

    pub fn field(&self, scope: Scope) -> Field {
        match scope {
            Scope::Title => self.fields.title,
            Scope::Abstract => self.fields.abstract_text,
            Scope::Author => self.fields.author,
            Scope::Fellow => self.fields.fellow,
            Scope::Tag => self.fields.tag,
            Scope::Doi => self.fields.doi,
            Scope::Arxiv => self.fields.arxiv,
            Scope::Key => self.fields.key,
        }
    }

    /// The analyzer a field is indexed with.
    pub fn analyze(&mut self, scope: Scope, text: &str) -> Vec<String> {
        // Identifiers are indexed normalised and lowercased, one term per value.
        let identifier = match scope {
            Scope::Doi => Some(crate::record::normalize_doi(text)),
            Scope::Arxiv => Some(crate::record::normalize_arxiv(text)),
            Scope::Key => Some(String::new()),
            _ => None,
        };
        if let Some(id) = identifier {
            let id = if id.is_empty() { text.trim() } else { &id };
            return vec![id.to_lowercase()];
        }
        let analyzer = match scope {
            Scope::Author | Scope::Fellow => &mut self.names,
            _ => &mut self.text,
        };
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    /// Builds the query for `node`; `None` when nothing in it can match anything (only
    /// punctuation, say).
    pub fn build(&mut self, node: &Node, mode: MatchMode) -> Option<Box<dyn Query>> {
        match node {
            Node::And(children) | Node::Or(children) => {
                let is_and = matches!(node, Node::And(_));
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                let mut has_positive = false;
                for child in children {
                    match child {
                        Node::Not(inner) => {
                            if let Some(q) = self.build_negated(inner) {
                                clauses.push((Occur::MustNot, q));
                            }
                        }
                        // A Should beside Musts only adds to the score (never required).
                        Node::Optional(inner) => {
                            if let Some(q) = self.build(inner, MatchMode::AllWords) {
                                clauses.push((Occur::Should, q));
                            }
                        }
                        _ => {
                            if let Some(q) = self.build(child, mode) {
                                has_positive = true;
                                clauses.push((if is_and { Occur::Must } else { Occur::Should }, q));
                            }
                        }
                    }
                }
                if !has_positive {
                    return if clauses.is_empty() {
                        None
                    } else {
                        Some(with_all(clauses))
                    };
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
            Node::Not(inner) => {
                let q = self.build_negated(inner)?;
                Some(with_all(vec![(Occur::MustNot, q)]))
            }
            // Alone, an optional part restricts nothing: it ranks every record.
            Node::Optional(inner) => {
                let q = self.build(inner, MatchMode::AllWords)?;
                Some(with_all(vec![(Occur::Should, q)]))
            }
            Node::Word {
                scope,
                text,
                prefix,
            } => self.word(*scope, text, *prefix, mode),
            Node::Phrase { scope, text } => self.phrase(*scope, text),
            Node::Weighted(inner, weight) => {
                let outer = self.scale;
                self.scale = outer * weight;
                let q = self.build(inner, mode);
                self.scale = outer;
                q
            }
        }
    }

    /// Excluded terms are matched exactly, never highlighted, and score nothing.
    fn build_negated(&mut self, node: &Node) -> Option<Box<dyn Query>> {
        let saved = self.highlights.clone();
        let scored = self.scored.len();
        let q = self.build(node, MatchMode::AllWords);
        self.highlights = saved;
        self.scored.truncate(scored);
        q
    }

    /// A clause weighted `weight`, noted with what was typed for `--explain`.
    fn scored(
        &mut self,
        q: Box<dyn Query>,
        (field, typed, term): (Scope, &str, &str),
        kind: MatchKind,
        weight: f32,
    ) -> Box<dyn Query> {
        let weight = weight * self.scale;
        let q = boost(q, weight);
        self.scored.push(ScoredClause {
            part: ScorePart {
                field,
                typed: typed.to_owned(),
                term: term.to_owned(),
                kind,
                weight,
                score: 0.0,
            },
            query: q.box_clone(),
        });
        q
    }

    fn scopes(scope: Option<Scope>) -> Vec<(Scope, f32)> {
        match scope {
            Some(s) => vec![(s, 1.0)],
            None => SEARCH_FIELDS.iter().map(|f| (f.scope, f.weight)).collect(),
        }
    }

    /// The field holding a scope's words unstemmed: prefixes and typos are matched there,
    /// against whole words, so that stemming never shortens what a user typed.
    fn words_field(&self, scope: Scope) -> Field {
        match scope {
            Scope::Title => self.fields.title_words,
            Scope::Abstract => self.fields.abstract_words,
            Scope::Tag => self.fields.tag_words,
            Scope::Author => self.fields.author,
            Scope::Fellow => self.fields.fellow,
            // Identifiers are one term each, never stemmed.
            Scope::Doi => self.fields.doi,
            Scope::Arxiv => self.fields.arxiv,
            Scope::Key => self.fields.key,
        }
    }

    fn word(
        &mut self,
        scope: Option<Scope>,
        text: &str,
        prefix: bool,
        mode: MatchMode,
    ) -> Option<Box<dyn Query>> {
        // Typos are looked for only when the word as written is in no field it may match.
        let correct = mode == MatchMode::Typos && !prefix && !self.known_word(scope, text);
        let typed = typed_word(text, prefix);
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (s, weight) in Self::scopes(scope) {
            let field = self.field(s);
            let tokens = self.analyze(s, text);
            if tokens.is_empty() {
                continue;
            }
            if tokens.len() > 1 {
                // `chain-of-thought`, `GPT-4o`: one word to the user, a phrase to the index.
                if let Some(q) = self.phrase_in(s, &tokens) {
                    let q =
                        self.scored(q, (s, &typed, &tokens.join(" ")), MatchKind::Phrase, weight);
                    alternatives.push((Occur::Should, q));
                }
                continue;
            }
            let words = self.words_field(s);
            if prefix {
                // Only words that begin with the prefix, never the prefix's stem; an
                // identifier is one literal token.
                let unstemmed = if s.is_identifier() {
                    token_of(&tokens)
                } else {
                    self.analyze_unstemmed(text)
                };
                let expanded = self.expand_prefix(words, &unstemmed);
                if expanded.is_empty() {
                    // Matches nothing, yet is a query: a word no record begins with.
                    alternatives.push((Occur::Should, term_query(words, &unstemmed)));
                }
                for w in expanded {
                    self.highlight_word(s, &w);
                    let q = term_query(words, &w);
                    let q = self.scored(q, (s, &typed, &w), MatchKind::Prefix, weight);
                    alternatives.push((Occur::Should, q));
                }
                continue;
            }
            let token = &tokens[0];
            if is_capital_short_form(text) && is_prose(s) {
                for w in short_form_terms(text) {
                    self.highlights.add(s, token);
                    let q = term_query(words, &w);
                    let q = self.scored(q, (s, &typed, &w), MatchKind::Word, weight);
                    alternatives.push((Occur::Should, q));
                }
                continue;
            }
            let q = term_query(field, token);
            let q = self.scored(q, (s, &typed, token), MatchKind::Word, weight);
            alternatives.push((Occur::Should, q));
            self.highlights.add(s, token);
            if correct && !s.is_identifier() {
                let unstemmed = self.analyze_unstemmed(text);
                let typos = allowed_typos(&unstemmed);
                if typos > 0 {
                    for w in self.expand_fuzzy(words, &unstemmed, typos) {
                        self.highlight_word(s, &w);
                        self.corrections.note(&unstemmed, &w);
                        let q = term_query(words, &w);
                        let weight = weight * EXPANSION_WEIGHT;
                        let q = self.scored(q, (s, &typed, &w), MatchKind::Typo, weight);
                        alternatives.push((Occur::Should, q));
                    }
                }
            }
        }
        if alternatives.is_empty() {
            return None;
        }
        Some(Box::new(BooleanQuery::new(alternatives)))
    }

    /// Whether the word as written (analyzed per field) is in any field it may match.
    fn known_word(&mut self, scope: Option<Scope>, text: &str) -> bool {
        for (s, _) in Self::scopes(scope) {
            let field = self.field(s);
            for token in self.analyze(s, text) {
                let term = Term::from_field_text(field, &token);
                if self.searcher.doc_freq(&term).is_ok_and(|n| n > 0) {
                    return true;
                }
            }
        }
        false
    }

    /// Highlights the words of a name a filter asks for.
    pub fn highlight_name(&mut self, scope: Scope, name: &str) {
        for token in self.analyze(scope, name) {
            self.highlights.add(scope, &token);
        }
    }

    /// Highlights an expansion found among a field's unstemmed words: prose is highlighted by
    /// its stems.
    fn highlight_word(&mut self, scope: Scope, word: &str) {
        for token in self.analyze(scope, word) {
            self.highlights.add(scope, &token);
        }
    }

    fn analyze_unstemmed(&mut self, text: &str) -> String {
        let mut stream = self.names.token_stream(text);
        let mut out = String::new();
        while let Some(t) = stream.next() {
            out.push_str(&t.text);
        }
        out
    }

    fn phrase(&mut self, scope: Option<Scope>, text: &str) -> Option<Box<dyn Query>> {
        let typed = typed_phrase(text);
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (s, weight) in Self::scopes(scope) {
            let tokens = self.analyze(s, text);
            if tokens.is_empty() {
                continue;
            }
            let (q, kind) = if tokens.len() == 1 {
                self.highlights.add(s, &tokens[0]);
                (Some(term_query(self.field(s), &tokens[0])), MatchKind::Word)
            } else {
                (self.phrase_in(s, &tokens), MatchKind::Phrase)
            };
            if let Some(q) = q {
                let q = self.scored(q, (s, &typed, &tokens.join(" ")), kind, weight);
                alternatives.push((Occur::Should, q));
            }
        }
        if alternatives.is_empty() {
            return None;
        }
        Some(Box::new(BooleanQuery::new(alternatives)))
    }

    fn phrase_in(&mut self, scope: Scope, tokens: &[String]) -> Option<Box<dyn Query>> {
        let field = self.field(scope);
        for t in tokens {
            self.highlights.add(scope, t);
        }
        let terms: Vec<(usize, Term)> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (i, Term::from_field_text(field, t)))
            .collect();
        Some(Box::new(PhraseQuery::new_with_offset(terms)))
    }

    /// Words of `field` (an unstemmed one) that begin with `prefix`, at most `MAX_EXPANSIONS`.
    fn expand_prefix(&self, field: Field, prefix: &str) -> Vec<String> {
        if prefix.is_empty() {
            return Vec::new();
        }
        let mut out = BTreeSet::new();
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(field) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().range().ge(prefix.as_bytes()).into_stream()
            else {
                continue;
            };
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if !term.starts_with(prefix) {
                    break;
                }
                out.insert(term.to_owned());
                if out.len() >= MAX_EXPANSIONS {
                    return out.into_iter().collect();
                }
            }
        }
        out.into_iter().collect()
    }

    /// Terms of `field` within `typos` edits of `token` (a transposition counts as one).
    fn expand_fuzzy(&self, field: Field, token: &str, typos: u8) -> Vec<String> {
        let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, token), typos, true);
        let Ok(automaton) = fuzzy.automaton() else {
            return Vec::new();
        };
        let mut out = BTreeSet::new();
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(field) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().search(&automaton).into_stream() else {
                continue;
            };
            while stream.advance() {
                if let Ok(term) = std::str::from_utf8(stream.key()) {
                    out.insert(term.to_owned());
                }
                if out.len() >= MAX_EXPANSIONS {
                    return out.into_iter().collect();
                }
            }
        }
        out.into_iter().collect()
    }
}

/// The one token of a single-token analysis.
/// A field of stemmed prose (title, abstract, tags), where a capital short form is matched in
/// the unstemmed words instead.
fn is_prose(scope: Scope) -> bool {
    !scope.is_identifier()
        && crate::engine::fields::search_field(scope).analysis
            == crate::engine::fields::Analysis::Prose
}

fn token_of(tokens: &[String]) -> String {
    tokens.first().cloned().unwrap_or_default()
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boost(q: Box<dyn Query>, weight: f32) -> Box<dyn Query> {
    if (weight - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, weight))
    }
}

/// A group of only exclusions means "everything except": anchor it on all documents.
fn with_all(mut clauses: Vec<(Occur, Box<dyn Query>)>) -> Box<dyn Query> {
    clauses.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
    Box::new(BooleanQuery::new(clauses))
}
