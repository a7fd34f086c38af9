//! Finding one paper by what a person types: an id, or a title that is forgiving about case,
//! accents, punctuation and length (a unique prefix will do). Also lists every record in order.

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::index::{from_document, OpenIndex, StoredRecord};
use crate::text::fold_key;

/// How many candidates an error lists before summarising the rest.
const MAX_CANDIDATES: usize = 15;

/// A paper found in the index.
#[derive(Debug, Clone)]
pub struct Found {
    pub address: DocAddress,
    pub stored: StoredRecord,
}

/// The paper `key` names: an exact id; else the one whose folded title equals the folded key;
/// else the one whose folded title starts with it. None or several is an error listing
/// candidates (`id  date  title`).
pub fn find_paper(index: &OpenIndex, key: &str) -> Result<Found> {
    let key = key.trim();
    if let Some(found) = by_id(index, key)? {
        return Ok(found);
    }
    let folded = fold_key(key);
    let all = all_records(index)?;
    if folded.is_empty() {
        return Err(Error::NotFound {
            key: key.to_owned(),
            candidates: Vec::new(),
        });
    }
    let titles: Vec<String> = all
        .iter()
        .map(|f| fold_key(&f.stored.record.title))
        .collect();
    let exact: fn(&str, &str) -> bool = |t, k| t == k;
    let prefix: fn(&str, &str) -> bool = |t, k| t.starts_with(k);
    for matches in [exact, prefix] {
        let hits: Vec<&Found> = all
            .iter()
            .zip(&titles)
            .filter(|(_, t)| matches(t, &folded))
            .map(|(f, _)| f)
            .collect();
        match hits.as_slice() {
            [] => continue,
            [one] => return Ok((*one).clone()),
            many => {
                return Err(Error::Ambiguous {
                    key: key.to_owned(),
                    count: many.len(),
                    candidates: candidate_lines(many.iter().copied()),
                })
            }
        }
    }
    Err(Error::NotFound {
        key: key.to_owned(),
        candidates: candidate_lines(near_misses(&all, &titles, &folded).into_iter()),
    })
}

fn by_id(index: &OpenIndex, key: &str) -> Result<Option<Found>> {
    if key.len() != 16 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let searcher = index.searcher();
    let query = TermQuery::new(
        Term::from_field_text(index.fields.id, &key.to_ascii_lowercase()),
        IndexRecordOption::Basic,
    );
    let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
    let Some((_, address)) = top.into_iter().next() else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(address)?;
    Ok(Some(Found {
        address,
        stored: from_document(&index.fields, &doc),
    }))
}

/// Titles containing the key, else titles sharing the most of its words.
fn near_misses<'a>(all: &'a [Found], titles: &[String], folded: &str) -> Vec<&'a Found> {
    let containing: Vec<&Found> = all
        .iter()
        .zip(titles)
        .filter(|(_, t)| t.contains(folded))
        .map(|(f, _)| f)
        .collect();
    if !containing.is_empty() {
        return containing;
    }
    let words: Vec<&str> = folded.split(' ').filter(|w| w.len() >= 3).collect();
    let mut scored: Vec<(usize, &Found)> = all
        .iter()
        .zip(titles)
        .map(|(f, t)| {
            let shared = words
                .iter()
                .filter(|w| t.split(' ').any(|tw| tw.starts_with(**w)))
                .count();
            (shared, f)
        })
        .filter(|(n, _)| *n > 0)
        .collect();
    // Stable sort keeps the newest-first order among equals.
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    scored.into_iter().take(5).map(|(_, f)| f).collect()
}

fn candidate_lines<'a>(found: impl Iterator<Item = &'a Found>) -> Vec<String> {
    let found: Vec<&Found> = found.collect();
    let mut lines: Vec<String> = found
        .iter()
        .take(MAX_CANDIDATES)
        .map(|f| {
            let r = &f.stored.record;
            format!("{}  {}  {}", r.id, r.date, r.title)
        })
        .collect();
    if found.len() > MAX_CANDIDATES {
        lines.push(format!("… and {} more", found.len() - MAX_CANDIDATES));
    }
    lines
}

/// Every record in the index, newest first, ties by id: the order of `export` without a query.
pub fn all_records(index: &OpenIndex) -> Result<Vec<Found>> {
    let searcher = index.searcher();
    let mut out = Vec::with_capacity(searcher.num_docs() as usize);
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        for doc_id in segment.doc_ids_alive() {
            let address = DocAddress::new(ord as u32, doc_id);
            let doc: TantivyDocument = searcher.doc(address)?;
            out.push(Found {
                address,
                stored: from_document(&index.fields, &doc),
            });
        }
    }
    out.sort_by(|a, b| {
        let (a, b) = (&a.stored.record, &b.stored.record);
        b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id))
    });
    Ok(out)
}
