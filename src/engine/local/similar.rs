//! More-like-this: the papers closest to a given one, with the reason each is close.
//!
//! tantivy's `MoreLikeThisQuery` wants a term in at least 5 documents and twice in the source,
//! which leaves nothing in a small listing, and cannot say why a hit matched. So the query is
//! built here from the index's own term statistics: the source paper's title, abstract and tags
//! are analysed as at indexing time, each term weighted by tf-idf (title and tags counting more
//! than the abstract), and the strongest terms plus the paper's tags become a boosted OR query
//! that excludes the paper itself.

use std::collections::{BTreeSet, HashMap};

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{TantivyDocument, Term};

use super::docs::from_document;
use super::schema::text_analyzer;
use super::store::OpenIndex;
use crate::engine::similar::{KeyTerm, SimilarHit, SimilarResults};
use crate::error::Result;
use crate::record::Record;
use crate::text::fold_key;

/// Terms kept for the query (tantivy's default too).
const MAX_QUERY_TERMS: usize = 25;
/// Key terms named in a hit's reason.
const MAX_REASON_TERMS: usize = 5;
/// How much a word counts in each field, relative to the abstract.
const TITLE_WEIGHT: f32 = 3.0;
const TAGS_WEIGHT: f32 = 2.0;
const ABSTRACT_WEIGHT: f32 = 1.0;
/// Extra weight of a term that appears in the source paper's title.
const TITLE_BONUS: f32 = 3.0;
/// Boost of a shared tag (whole tag, not its words), relative to the strongest key term.
const SHARED_TAG_BOOST: f32 = 0.5;

/// Words too common in any prose (or any paper) to say two papers are alike.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "com",
    "github",
    "http",
    "https",
    "org",
    "www",
    "across",
    "after",
    "all",
    "also",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "both",
    "but",
    "by",
    "can",
    "could",
    "do",
    "does",
    "each",
    "even",
    "for",
    "from",
    "had",
    "has",
    "have",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "may",
    "more",
    "most",
    "much",
    "new",
    "no",
    "not",
    "of",
    "on",
    "one",
    "only",
    "or",
    "other",
    "our",
    "over",
    "show",
    "shows",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "two",
    "under",
    "up",
    "use",
    "used",
    "uses",
    "using",
    "via",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "while",
    "who",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "yet",
    // Words of research prose in general.
    "approach",
    "case",
    "find",
    "finds",
    "found",
    "introduce",
    "paper",
    "propose",
    "result",
    "results",
    "study",
    "toward",
    "towards",
    "understanding",
    "work",
    "like",
    "ones",
    "rather",
    "including",
];

/// The `limit` papers most like `source`, itself excluded.
pub fn similar_to(index: &OpenIndex, source: &Record, limit: usize) -> Result<SimilarResults> {
    let source = source.clone();
    let searcher = index.searcher();
    let f = index.fields;
    let terms = key_terms(&searcher, &[f.title, f.abstract_text, f.tag], &source)?;
    let strongest = terms.first().map(|t| t.weight).unwrap_or(1.0);

    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for t in &terms {
        for (field, weight) in [
            (f.title, TITLE_WEIGHT),
            (f.abstract_text, ABSTRACT_WEIGHT),
            (f.tag, TAGS_WEIGHT),
        ] {
            let q = TermQuery::new(
                Term::from_field_text(field, &t.term),
                IndexRecordOption::WithFreqs,
            );
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(q), t.weight * weight)),
            ));
        }
    }
    for tag in &source.tags {
        let q = TermQuery::new(
            Term::from_field_text(f.tag_key, &fold_key(tag)),
            IndexRecordOption::Basic,
        );
        clauses.push((
            Occur::Should,
            Box::new(BoostQuery::new(Box::new(q), strongest * SHARED_TAG_BOOST)),
        ));
    }
    let mut hits = Vec::new();
    if !clauses.is_empty() && limit > 0 {
        clauses.push((
            Occur::MustNot,
            Box::new(TermQuery::new(
                Term::from_field_text(f.id, &source.id),
                IndexRecordOption::Basic,
            )),
        ));
        let query = BooleanQuery::new(clauses);
        let top = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score())?;
        let mut analyzer = text_analyzer();
        let source_tags: Vec<(String, &String)> =
            source.tags.iter().map(|t| (fold_key(t), t)).collect();
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let record = from_document(&f, &doc).record;
            let mut stems = BTreeSet::new();
            for text in [&record.title, &record.abstract_text, &record.tags.join(" ")] {
                let mut stream = analyzer.token_stream(text);
                while let Some(tok) = stream.next() {
                    stems.insert(tok.text.clone());
                }
            }
            let shared_terms = terms
                .iter()
                .filter(|t| stems.contains(&t.term))
                .take(MAX_REASON_TERMS)
                .map(|t| t.word.clone())
                .collect();
            let hit_tags: BTreeSet<String> = record.tags.iter().map(|t| fold_key(t)).collect();
            let shared_tags = source_tags
                .iter()
                .filter(|(k, _)| hit_tags.contains(k))
                .map(|(_, t)| (*t).clone())
                .collect();
            hits.push(SimilarHit {
                score,
                record,
                shared_terms,
                shared_tags,
            });
        }
        // Equal scores: newer first, then id, so the list is stable across segment merges.
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| b.record.date.cmp(&a.record.date))
                .then_with(|| a.record.id.cmp(&b.record.id))
        });
    }
    Ok(SimilarResults {
        source,
        terms,
        hits,
    })
}

/// The source paper's terms weighted by tf-idf, strongest first. A term only this paper has
/// cannot find another, and one every paper has cannot tell them apart: both are dropped.
fn key_terms(
    searcher: &tantivy::Searcher,
    fields: &[Field; 3],
    source: &Record,
) -> Result<Vec<KeyTerm>> {
    let n = searcher.num_docs() as f32;
    let mut analyzer = text_analyzer();
    // stem → (weighted term frequency, the word first seen for it, whether the title has it)
    let mut tf: HashMap<String, (f32, String, bool)> = HashMap::new();
    let tags = source.tags.join(" ");
    for (text, weight) in [
        (&source.title, TITLE_WEIGHT),
        (&tags, TAGS_WEIGHT),
        (&source.abstract_text, ABSTRACT_WEIGHT),
    ] {
        let mut stream = analyzer.token_stream(text);
        while let Some(tok) = stream.next() {
            let word = text
                .get(tok.offset_from..tok.offset_to)
                .unwrap_or(&tok.text)
                .to_lowercase();
            if tok.text.chars().count() < 3
                || tok.text.chars().all(|c| c.is_ascii_digit())
                || STOPWORDS.contains(&word.as_str())
            {
                continue;
            }
            let entry = tf.entry(tok.text.clone()).or_insert((0.0, word, false));
            entry.0 += weight;
            entry.2 |= weight == TITLE_WEIGHT;
        }
    }
    let mut terms = Vec::new();
    for (term, (freq, word, in_title)) in tf {
        let mut df = 0u64;
        for &field in fields {
            df = df.max(searcher.doc_freq(&Term::from_field_text(field, &term))?);
        }
        if df < 2 || df as f32 >= n {
            continue;
        }
        let df = df as f32;
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        // A title names what a paper is about: its words outweigh any abstract-only word.
        let title_bonus = if in_title { TITLE_BONUS } else { 1.0 };
        terms.push(KeyTerm {
            term,
            word,
            weight: (1.0 + freq.ln()) * idf * title_bonus,
        });
    }
    terms.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.term.cmp(&b.term))
    });
    terms.truncate(MAX_QUERY_TERMS);
    Ok(terms)
}
