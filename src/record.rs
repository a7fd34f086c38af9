//! The record: one paper as parsed from an export, with its stable id and content hash.
//! Its serde form is the JSON-lines format of `parse` and `export`, so the keys are public API.

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_64;

use crate::text::fold_key;

/// Where a record's entry starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Source {
    pub file: String,
    pub line: u64,
}

/// One paper. `date` is an ISO `YYYY-MM-DD` date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub id: String,
    pub title: String,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub authors: Vec<String>,
    pub fellows: Vec<String>,
    pub tags: Vec<String>,
    pub date: String,
    pub featured: bool,
    pub source: Source,
}

/// A record as stored in the index, with what the index adds to it.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub record: Record,
    /// Unix seconds when the record first entered this index.
    pub first_seen: i64,
}

/// The id of a paper: a hash of its folded title and its date, so it survives moves within the
/// file and corrections of everything else, yet differs for two papers sharing a title.
pub fn record_id(title: &str, date: &str) -> String {
    id_from_number(id_number(title, date))
}

pub fn id_number(title: &str, date: &str) -> u64 {
    let key = format!("{}\u{1f}{}", fold_key(title), date);
    xxh3_64(key.as_bytes())
}

/// The hex form of an id number (16 digits), as records, the index and watches spell it.
pub fn id_from_number(n: u64) -> String {
    format!("{n:016x}")
}

/// Parses the hex form of an id back into the number the index sorts ties by.
pub fn id_to_number(id: &str) -> Option<u64> {
    u64::from_str_radix(id, 16).ok()
}

impl Record {
    /// Hash of everything a reader sees (not the source position): a change here is an update.
    pub fn content_hash(&self) -> u64 {
        let mut buf = String::with_capacity(self.title.len() + self.abstract_text.len() + 256);
        for part in [&self.title, &self.abstract_text, &self.date] {
            buf.push_str(part);
            buf.push('\u{1e}');
        }
        for list in [&self.authors, &self.fellows, &self.tags] {
            for item in list {
                buf.push_str(item);
                buf.push('\u{1f}');
            }
            buf.push('\u{1e}');
        }
        buf.push(if self.featured { '1' } else { '0' });
        xxh3_64(buf.as_bytes())
    }

    pub fn year(&self) -> Option<u64> {
        self.date.get(0..4)?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_ignores_case_accents_and_spacing_but_not_date() {
        let a = record_id("BatchTopK Sparse Autoencoders", "2024-12-09");
        assert_eq!(a, record_id("batchtopk  sparse autoencoders", "2024-12-09"));
        assert_ne!(a, record_id("BatchTopK Sparse Autoencoders", "2024-12-10"));
        assert_eq!(a.len(), 16);
        assert_eq!(
            id_to_number(&a),
            Some(id_number("BatchTopK Sparse Autoencoders", "2024-12-09"))
        );
    }
}
