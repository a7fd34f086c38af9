//! One paper listed twice (featured and in the full list) becomes one record.
//! Featured copies wait until the end of the input so the tagged copy can join them; everything
//! else streams, so memory stays bounded by the featured section, not the listing.

use std::collections::HashMap;

use super::Diagnostic;
use crate::record::{id_to_number, Record};
use crate::text::fold_key;

struct Seen {
    file: String,
    line: u64,
    authors_key: u64,
    /// Index into `held` while the record waits there.
    held: Option<usize>,
    featured: bool,
    has_tags: bool,
}

#[derive(Default)]
pub struct Merger {
    seen: HashMap<u64, Seen>,
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
        if let Some(seen) = self.seen.get_mut(&key) {
            self.merged += 1;
            if seen.authors_key != authors_key {
                self.diagnostics.push(Diagnostic::new(
                    &record.source.file,
                    record.source.line,
                    format!(
                        "\"{}\" is listed again (first at {}:{}) with different authors; kept the first list",
                        record.title, seen.file, seen.line
                    ),
                ));
            }
            if let Some(i) = seen.held {
                merge_into(&mut self.held[i], record);
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
        let mut seen = Seen {
            file: record.source.file.clone(),
            line: record.source.line,
            authors_key,
            held: None,
            featured: record.featured,
            has_tags: !record.tags.is_empty(),
        };
        if record.featured {
            seen.held = Some(self.held.len());
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
            seen.held = None;
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

fn merge_into(kept: &mut Record, other: Record) {
    kept.featured |= other.featured;
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
