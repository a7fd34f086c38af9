//! One paper listed twice (featured and in the full list) becomes one record.
//! Featured copies wait until the end of the input so the tagged copy can join them; everything
//! else streams, so memory stays bounded by the featured section, not the listing.

use std::collections::HashMap;

use super::Diagnostic;
use crate::record::{id_to_number, Record};
use crate::text::fold_key;

/// One per paper read, so kept small (24 bytes; with its key and hash-table overhead about
/// 66 MB per million papers): a million-record export keeps a million.
struct Seen {
    authors_key: u64,
    /// Saturates at `u32::MAX` (only a warning quotes it; no export has 4 billion lines).
    line: u32,
    /// Index into `files`.
    file: u32,
    /// Index into `held` while the record waits there, else `NOT_HELD`.
    held: u32,
    /// 16 bits of the DOI's hash (0: none), to tell when two copies of one arXiv paper name
    /// different DOIs; it fits in what would be padding.
    doi_key: u16,
    featured: bool,
    has_tags: bool,
}

const NOT_HELD: u32 = u32::MAX;
const _: () = assert!(std::mem::size_of::<Seen>() == 24);

#[derive(Default)]
pub struct Merger {
    seen: HashMap<u64, Seen>,
    /// Input file names, each stored once.
    files: Vec<String>,
    held: Vec<Record>,
    diagnostics: Vec<Diagnostic>,
    merged: u64,
}

impl Merger {
    /// The record if it is ready to index now; `None` if it is held (featured) or was folded
    /// into an earlier copy.
    pub fn push(&mut self, record: Record) -> Option<Record> {
        let key = id_to_number(&record.id).unwrap_or_default();
        let authors_key = authors_key(&record.authors);
        let doi_key = doi_key(&record.doi);
        if let Some(seen) = self.seen.get_mut(&key) {
            self.merged += 1;
            if seen.doi_key != 0 && doi_key != 0 && seen.doi_key != doi_key {
                self.diagnostics.push(Diagnostic::new(
                    &record.source.file,
                    record.source.line,
                    format!(
                        "\"{}\" (arXiv {}) is listed again (first at {}:{}) with another DOI, {}; kept as one record, the DOI first read",
                        record.title,
                        record.arxiv,
                        self.files.get(seen.file as usize).map_or("", String::as_str),
                        seen.line,
                        record.doi,
                    ),
                ));
            } else if seen.doi_key == 0 {
                seen.doi_key = doi_key;
            }
            if seen.authors_key != authors_key {
                self.diagnostics.push(Diagnostic::new(
                    &record.source.file,
                    record.source.line,
                    format!(
                        "\"{}\" is listed again (first at {}:{}) with different authors; kept the first list",
                        record.title,
                        self.files.get(seen.file as usize).map_or("", String::as_str),
                        seen.line
                    ),
                ));
            }
            if seen.held != NOT_HELD {
                merge_into(&mut self.held[seen.held as usize], record);
                return None;
            }
            // The first copy was already emitted: emit a replacement only if this copy adds
            // something (featured flag or tags); ingest replaces by id.
            let adds =
                (record.featured && !seen.featured) || (!record.tags.is_empty() && !seen.has_tags);
            if adds {
                seen.featured |= record.featured;
                seen.has_tags |= !record.tags.is_empty();
                return Some(record);
            }
            return None;
        }
        let file = match self.files.iter().rposition(|f| *f == record.source.file) {
            Some(i) => i,
            None => {
                self.files.push(record.source.file.clone());
                self.files.len() - 1
            }
        };
        let mut seen = Seen {
            file: u32::try_from(file).unwrap_or(u32::MAX),
            line: u32::try_from(record.source.line).unwrap_or(u32::MAX),
            authors_key,
            doi_key,
            held: NOT_HELD,
            featured: record.featured,
            has_tags: !record.tags.is_empty(),
        };
        let slot = u32::try_from(self.held.len())
            .ok()
            .filter(|&i| i != NOT_HELD);
        if let (true, Some(slot)) = (record.featured, slot) {
            seen.held = slot;
            self.held.push(record);
            self.seen.insert(key, seen);
            None
        } else {
            self.seen.insert(key, seen);
            Some(record)
        }
    }

    /// The held records, once all input is read.
    pub fn finish(&mut self) -> Vec<Record> {
        for seen in self.seen.values_mut() {
            seen.held = NOT_HELD;
        }
        std::mem::take(&mut self.held)
    }

    pub fn take_diagnostics(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.diagnostics)
    }

    /// Entries folded into another copy of the same paper.
    pub fn merged(&self) -> u64 {
        self.merged
    }
}

fn authors_key(authors: &[String]) -> u64 {
    let joined: Vec<String> = authors.iter().map(|a| fold_key(a)).collect();
    xxhash_rust::xxh3::xxh3_64(joined.join("|").as_bytes())
}

/// arXiv's own DOIs (`10.48550/arXiv.…`, which Zotero writes for every preprint) name the
/// preprint, not another version: they never disagree with a journal's.
fn doi_key(doi: &str) -> u16 {
    let arxiv = doi
        .get(..15)
        .is_some_and(|p| p.eq_ignore_ascii_case("10.48550/arxiv."));
    if doi.is_empty() || arxiv {
        return 0;
    }
    let h = xxhash_rust::xxh3::xxh3_64(doi.to_ascii_lowercase().as_bytes()) as u16;
    h.max(1)
}

fn merge_into(kept: &mut Record, other: Record) {
    kept.featured |= other.featured;
    if kept.key.is_empty() {
        kept.key = other.key;
    }
    if kept.tags.is_empty() {
        kept.tags = other.tags;
    }
    if kept.abstract_text.len() < other.abstract_text.len() {
        kept.abstract_text = other.abstract_text;
    }
    if kept.fellows.is_empty() {
        kept.fellows = other.fellows;
    }
    if kept.authors.is_empty() {
        kept.authors = other.authors;
    }
}
