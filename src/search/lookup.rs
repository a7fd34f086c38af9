//! Finding one paper by what a person types: an id or a unique beginning of one (4 hex digits
//! at least, as git takes), its citation key, or a title that is forgiving about case,
//! accents, punctuation and length (a unique prefix will do). Also lists every record in order.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::record::StoredRecord;
use crate::text::fold_key;

/// How many candidates an error lists before summarising the rest.
const MAX_CANDIDATES: usize = 15;

/// Fewest hex digits an id prefix must have, as git asks of an abbreviated commit.
pub const MIN_ID_PREFIX: usize = 4;

/// The paper `key` names: an exact id; else the one of that citation key (case aside); else the one whose id begins with the key (of 4 to 15
/// hex digits), several being an error listing them; else the one whose folded title equals the folded key;
/// else the one whose folded title starts with it. None or several is an error listing
/// candidates (`id  date  title`).
pub fn find_paper<E: Engine>(engine: &E, key: &str) -> Result<StoredRecord> {
    let key = key.trim();
    if let Some(found) = by_id(engine, key)? {
        return Ok(found);
    }
    let folded = fold_key(key);
    let all = all_records(engine)?;
    // Keys are unique case aside (`citekey::fold`).
    let citekey = crate::citekey::fold(key);
    if let Some(found) = all
        .iter()
        .find(|f| !f.record.key.is_empty() && crate::citekey::fold(&f.record.key) == citekey)
    {
        return Ok(found.clone());
    }
    if (MIN_ID_PREFIX..16).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_hexdigit()) {
        let prefix = key.to_ascii_lowercase();
        let hits: Vec<&StoredRecord> = all
            .iter()
            .filter(|f| f.record.id.starts_with(&prefix))
            .collect();
        if let Some(found) = the_one(key, &hits)? {
            return Ok(found);
        }
    }
    if folded.is_empty() {
        return Err(Error::NotFound {
            key: key.to_owned(),
            candidates: Vec::new(),
        });
    }
    let titles: Vec<String> = all.iter().map(|f| fold_key(&f.record.title)).collect();
    let exact: fn(&str, &str) -> bool = |t, k| t == k;
    let prefix: fn(&str, &str) -> bool = |t, k| t.starts_with(k);
    for matches in [exact, prefix] {
        let hits: Vec<&StoredRecord> = all
            .iter()
            .zip(&titles)
            .filter(|(_, t)| matches(t, &folded))
            .map(|(f, _)| f)
            .collect();
        if let Some(found) = the_one(key, &hits)? {
            return Ok(found);
        }
    }
    Err(Error::NotFound {
        key: key.to_owned(),
        candidates: candidate_lines(near_misses(&all, &titles, &folded).into_iter()),
    })
}

/// The one of `hits`; None when there is none; several are an error listing them.
fn the_one(key: &str, hits: &[&StoredRecord]) -> Result<Option<StoredRecord>> {
    match hits {
        [] => Ok(None),
        [one] => Ok(Some((*one).clone())),
        many => Err(Error::Ambiguous {
            key: key.to_owned(),
            count: many.len(),
            candidates: candidate_lines(many.iter().copied()),
        }),
    }
}

fn by_id<E: Engine>(engine: &E, key: &str) -> Result<Option<StoredRecord>> {
    if key.len() != 16 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    engine.record_by_id(&key.to_ascii_lowercase())
}

/// Titles containing the key, else titles sharing the most of its words.
fn near_misses<'a>(
    all: &'a [StoredRecord],
    titles: &[String],
    folded: &str,
) -> Vec<&'a StoredRecord> {
    let containing: Vec<&StoredRecord> = all
        .iter()
        .zip(titles)
        .filter(|(_, t)| t.contains(folded))
        .map(|(f, _)| f)
        .collect();
    if !containing.is_empty() {
        return containing;
    }
    let words: Vec<&str> = folded.split(' ').filter(|w| w.len() >= 3).collect();
    let mut scored: Vec<(usize, &StoredRecord)> = all
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

fn candidate_lines<'a>(found: impl Iterator<Item = &'a StoredRecord>) -> Vec<String> {
    let found: Vec<&StoredRecord> = found.collect();
    let mut lines: Vec<String> = found
        .iter()
        .take(MAX_CANDIDATES)
        .map(|f| {
            let r = &f.record;
            format!("{}  {}  {}", r.id, r.date, r.title)
        })
        .collect();
    if found.len() > MAX_CANDIDATES {
        lines.push(format!("… and {} more", found.len() - MAX_CANDIDATES));
    }
    lines
}

/// How many of the nearest keys an unknown key is named with.
const NEAREST_KEYS: usize = 3;

/// A citation key no paper has, and the nearest keys that papers have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    pub key: String,
    pub nearest: Vec<String>,
}

/// Keys asked of the engine in one `key:a OR key:b …` query, within the query language's caps
/// (`syntax::MAX_QUERY_TERMS`, `MAX_QUERY_CHARS`).
const KEYS_PER_QUERY: usize = 60;
const KEY_QUERY_CHARS: usize = 1_800;

/// The papers of `keys` (case aside), in the order of `keys`, and the keys no paper has, each
/// with the nearest keys there are (by edit distance, case aside). The keys are looked up
/// through the index (`key:` queries, a few dozen keys each), so a thousand cost a few
/// searches, not a read of every record; only an unknown key makes every key read, for the
/// nearest.
pub fn by_keys<E: Engine>(
    engine: &E,
    keys: &[String],
) -> Result<(Vec<StoredRecord>, Vec<UnknownKey>)> {
    let mut by_key: std::collections::HashMap<String, StoredRecord> = Default::default();
    let mut chunk: Vec<&str> = Vec::new();
    let mut chars = 0;
    let mut ask = |chunk: &mut Vec<&str>| -> Result<()> {
        if chunk.is_empty() {
            return Ok(());
        }
        let query = chunk
            .iter()
            .map(|k| format!("key:{k}"))
            .collect::<Vec<_>>()
            .join(" OR ");
        let request = super::SearchRequest {
            query,
            limit: chunk.len() * 2,
            exact: true,
            facets: Vec::new(),
            snippet_chars: 0,
            ..super::SearchRequest::default()
        };
        for hit in super::search(engine, &request)?.hits {
            let record = hit.record;
            by_key.insert(
                crate::citekey::fold(&record.key),
                StoredRecord {
                    record,
                    first_seen: hit.first_seen,
                },
            );
        }
        chunk.clear();
        Ok(())
    };
    // A key that could not be one (a space, a brace) is no paper's: never put in a query.
    for key in keys.iter().filter(|k| crate::citekey::is_valid(k)) {
        if chunk.len() == KEYS_PER_QUERY || chars + key.len() + 8 > KEY_QUERY_CHARS {
            ask(&mut chunk)?;
            chars = 0;
        }
        chars += key.len() + 8;
        chunk.push(key);
    }
    ask(&mut chunk)?;
    let mut found = Vec::new();
    let mut unknown = Vec::new();
    let mut written = std::collections::HashSet::new();
    for key in keys {
        let folded = crate::citekey::fold(key);
        match by_key.get(&folded) {
            Some(r) if written.insert(folded) => found.push(r.clone()),
            // Named twice (case aside): written once.
            Some(_) => {}
            None => unknown.push(key.clone()),
        }
    }
    if unknown.is_empty() {
        return Ok((found, Vec::new()));
    }
    let all = all_records(engine)?;
    let known: Vec<&str> = all.iter().map(|r| r.record.key.as_str()).collect();
    let unknown = unknown
        .into_iter()
        .map(|key| {
            let folded = crate::citekey::fold(&key);
            let mut near: Vec<(usize, &str)> = known
                .iter()
                .map(|k| (strsim::levenshtein(&folded, &crate::citekey::fold(k)), *k))
                .filter(|(d, _)| *d <= folded.chars().count().max(4) / 2)
                .collect();
            near.sort();
            UnknownKey {
                key,
                nearest: near
                    .into_iter()
                    .take(NEAREST_KEYS)
                    .map(|(_, k)| k.to_owned())
                    .collect(),
            }
        })
        .collect();
    Ok((found, unknown))
}

/// Every record in the index, newest first, ties by id: the order of `export` without a query.
pub fn all_records<E: Engine>(engine: &E) -> Result<Vec<StoredRecord>> {
    let mut out = Vec::new();
    engine.for_each_record(&mut |r| {
        out.push(r);
        Ok(())
    })?;
    Ok(out)
}
