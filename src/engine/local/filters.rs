//! Filters as tantivy queries: constant-scored constraints that narrow a search without
//! changing its ranking, matching words as the field scopes do (`--tag scheming` as `tag:scheming`).

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, ConstScoreQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use super::schema::{days_from_iso, name_analyzer, text_analyzer, Fields};
use crate::engine::filters::Filters;

/// One query per filter, each scoring 0, all to be required.
pub fn filter_queries(filters: &Filters, f: &Fields) -> Vec<Box<dyn Query>> {
    let mut out: Vec<Box<dyn Query>> = Vec::new();
    // A tag by its words, as `tag:(…)` matches: stemmed, case- and accent-insensitive, every
    // word in the tags (`--tag scheming` finds "Scheming and Deception").
    let mut prose = text_analyzer();
    for tag in &filters.tags {
        let mut words: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut stream = prose.token_stream(tag);
        while let Some(t) = stream.next() {
            words.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.tag, &t.text),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        out.push(if words.is_empty() {
            Box::new(tantivy::query::EmptyQuery)
        } else {
            Box::new(BooleanQuery::new(words))
        });
    }
    for (names, field) in [(&filters.authors, f.author), (&filters.fellows, f.fellow)] {
        for name in names {
            out.push(name_query(field, name));
        }
    }
    if filters.since.is_some() || filters.until.is_some() {
        let bound = |d: &Option<String>| match d.as_deref().and_then(days_from_iso) {
            Some(days) => Bound::Included(Term::from_field_i64(f.date_days, days)),
            None => Bound::Unbounded,
        };
        out.push(Box::new(RangeQuery::new(
            bound(&filters.since),
            bound(&filters.until),
        )));
    }
    if !filters.years.is_empty() {
        let years: Vec<(Occur, Box<dyn Query>)> = filters
            .years
            .iter()
            .map(|y| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_u64(f.year, u64::from(*y)),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        out.push(Box::new(BooleanQuery::new(years)));
    }
    if filters.featured {
        out.push(Box::new(TermQuery::new(
            Term::from_field_bool(f.featured, true),
            IndexRecordOption::Basic,
        )));
    }
    if let Some(t) = filters.added_since {
        out.push(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_i64(f.first_seen, t)),
            Bound::Unbounded,
        )));
    }
    out.into_iter()
        .map(|q| Box::new(ConstScoreQuery::new(q, 0.0)) as Box<dyn Query>)
        .collect()
}

/// A name as a phrase in a names field: "Neel Nanda", "nanda", "Ivan Arcuschin" all match.
fn name_query(field: tantivy::schema::Field, name: &str) -> Box<dyn Query> {
    let mut analyzer = name_analyzer();
    let mut stream = analyzer.token_stream(name);
    let mut terms = Vec::new();
    let mut last_chars = 0;
    while let Some(t) = stream.next() {
        last_chars = t.text.chars().count();
        terms.push((terms.len(), Term::from_field_text(field, &t.text)));
    }
    // The last word may be the beginning of a name's word (`Nand` → "Neel Nanda", `neel nan`),
    // from MIN_NAME_PREFIX letters: shorter ones would match half the authors.
    if last_chars >= crate::engine::filters::MIN_NAME_PREFIX {
        let mut query = PhrasePrefixQuery::new_with_offset(terms);
        query.set_max_expansions(NAME_PREFIX_EXPANSIONS);
        return Box::new(query);
    }
    match terms.len() {
        0 => Box::new(tantivy::query::EmptyQuery),
        1 => Box::new(TermQuery::new(terms.remove(0).1, IndexRecordOption::Basic)),
        _ => Box::new(PhraseQuery::new_with_offset(terms)),
    }
}

/// Names a beginning of a name word may stand for (tantivy's default is 50).
const NAME_PREFIX_EXPANSIONS: u32 = 10_000;
