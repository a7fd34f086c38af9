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
use crate::engine::{allowed_typos, MatchMode};
use crate::search::syntax::{Node, Scope};

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

pub struct QueryBuilder<'a> {
    searcher: &'a Searcher,
    fields: Fields,
    text: TextAnalyzer,
    names: TextAnalyzer,
    pub highlights: HighlightTerms,
}

impl<'a> QueryBuilder<'a> {
    pub fn new(searcher: &'a Searcher, fields: Fields) -> Self {
        QueryBuilder {
            searcher,
            fields,
            text: text_analyzer(),
            names: name_analyzer(),
            highlights: HighlightTerms::default(),
        }
    }

    pub fn field(&self, scope: Scope) -> Field {
        match scope {
            Scope::Title => self.fields.title,
            Scope::Abstract => self.fields.abstract_text,
            Scope::Author => self.fields.author,
            Scope::Fellow => self.fields.fellow,
            Scope::Tag => self.fields.tag,
        }
    }

    /// The analyzer a field is indexed with.
    pub fn analyze(&mut self, scope: Scope, text: &str) -> Vec<String> {
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
                let is_and = matches!(node, Node::And(_)) && mode != MatchMode::AnyWord;
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                let mut has_positive = false;
                for child in children {
                    match child {
                        Node::Not(inner) => {
                            if let Some(q) = self.build_negated(inner) {
                                clauses.push((Occur::MustNot, q));
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
            Node::Word {
                scope,
                text,
                prefix,
            } => self.word(*scope, text, *prefix, mode),
            Node::Phrase { scope, text } => self.phrase(*scope, text),
        }
    }

    /// Excluded terms are matched exactly and never highlighted.
    fn build_negated(&mut self, node: &Node) -> Option<Box<dyn Query>> {
        let saved = self.highlights.clone();
        let q = self.build(node, MatchMode::AllWords);
        self.highlights = saved;
        q
    }

    fn scopes(scope: Option<Scope>) -> Vec<(Scope, f32)> {
        match scope {
            Some(s) => vec![(s, 1.0)],
            None => SEARCH_FIELDS.iter().map(|f| (f.scope, f.weight)).collect(),
        }
    }

    fn word(
        &mut self,
        scope: Option<Scope>,
        text: &str,
        prefix: bool,
        mode: MatchMode,
    ) -> Option<Box<dyn Query>> {
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
                    alternatives.push((Occur::Should, boost(q, weight)));
                }
                continue;
            }
            let token = &tokens[0];
            alternatives.push((Occur::Should, boost(term_query(field, token), weight)));
            self.highlights.add(s, token);
            if prefix {
                let stem_free = self.analyze_unstemmed(text);
                for t in self.expand_prefix(field, &stem_free) {
                    self.highlights.add(s, &t);
                    alternatives.push((
                        Occur::Should,
                        boost(term_query(field, &t), weight * EXPANSION_WEIGHT),
                    ));
                }
            }
            if mode == MatchMode::Typos {
                let typos = allowed_typos(text);
                if typos > 0 {
                    let unstemmed = self.analyze_unstemmed(text);
                    for t in self.expand_typos(field, token, &unstemmed, typos) {
                        if &t != token {
                            self.highlights.add(s, &t);
                            alternatives.push((
                                Occur::Should,
                                boost(term_query(field, &t), weight * EXPANSION_WEIGHT),
                            ));
                        }
                    }
                }
            }
        }
        if alternatives.is_empty() {
            return None;
        }
        Some(Box::new(BooleanQuery::new(alternatives)))
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
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (s, weight) in Self::scopes(scope) {
            let tokens = self.analyze(s, text);
            if tokens.is_empty() {
                continue;
            }
            let q = if tokens.len() == 1 {
                self.highlights.add(s, &tokens[0]);
                Some(term_query(self.field(s), &tokens[0]))
            } else {
                self.phrase_in(s, &tokens)
            };
            if let Some(q) = q {
                alternatives.push((Occur::Should, boost(q, weight)));
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

    /// Terms of `field` that start with `prefix`, plus stems the prefix runs past
    /// (`interpretab*` finds `interpret`, the stem of "interpretability").
    fn expand_prefix(&self, field: Field, prefix: &str) -> Vec<String> {
        if prefix.is_empty() {
            return Vec::new();
        }
        // Stems may be up to 3 characters shorter than the prefix, never under 4; cut on a
        // character boundary (found by the query fuzzer: a byte cut split `ῠ`).
        let chars = prefix.chars().count();
        let keep = if chars > 6 { (chars - 3).max(4) } else { chars };
        let end = prefix
            .char_indices()
            .nth(keep)
            .map(|(i, _)| i)
            .unwrap_or(prefix.len());
        let shortest = &prefix[..end];
        let mut out = BTreeSet::new();
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(field) else {
                continue;
            };
            let Ok(mut stream) = inverted
                .terms()
                .range()
                .ge(shortest.as_bytes())
                .into_stream()
            else {
                continue;
            };
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if !term.starts_with(shortest) {
                    break;
                }
                if term.starts_with(prefix) || prefix.starts_with(term) {
                    out.insert(term.to_owned());
                    if out.len() >= MAX_EXPANSIONS {
                        return out.into_iter().collect();
                    }
                }
            }
        }
        out.into_iter().collect()
    }

    /// Dictionary terms a misspelt word may have meant. The dictionary of a stemmed field holds
    /// stems, and a typo derails the stemmer (`sycophnacy` → `sycophnaci`, but `sycophancy` →
    /// `sycoph`), so besides the stemmed token, the word's longer prefixes are matched too:
    /// a stem is a prefix of the word it came from.
    fn expand_typos(&self, field: Field, token: &str, unstemmed: &str, typos: u8) -> Vec<String> {
        let mut out: BTreeSet<String> =
            self.expand_fuzzy(field, token, typos).into_iter().collect();
        let chars: Vec<char> = unstemmed.chars().collect();
        let shortest = 5.max(chars.len().saturating_sub(4));
        for len in shortest..chars.len() {
            let prefix: String = chars[..len].iter().collect();
            let allowed = allowed_typos(&prefix).min(typos);
            out.extend(self.expand_fuzzy(field, &prefix, allowed));
            if out.len() >= MAX_EXPANSIONS {
                break;
            }
        }
        out.into_iter().take(MAX_EXPANSIONS).collect()
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
