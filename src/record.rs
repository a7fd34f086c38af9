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

/// One paper. `date` is an ISO date: `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when the source gave
/// no day (a bibliography's `year = 2023`), kept at that precision.
/// `doi`, `url` and `arxiv` are empty when the source has none, and then left out of JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub id: String,
    /// The citation key (`turner2023steering`): the source's own (a BibTeX key, a records
    /// file's `key`, a CSL-JSON `id`, a RIS `ID`) as written, else empty until an index gives
    /// one (`engine::keys`); an indexed record always has one. Left out of JSON when empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    pub title: String,
    #[serde(rename = "abstract")]
    pub abstract_text: String,
    pub authors: Vec<String>,
    pub fellows: Vec<String>,
    pub tags: Vec<String>,
    pub date: String,
    pub featured: bool,
    /// A DOI as `10.NNNN/…` (no `https://doi.org/` or `doi:` prefix).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub doi: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// An arXiv id without version: `2309.08600`, `hep-th/9901001`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub arxiv: String,
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

/// The id of a publication known by an identifier (`doi`, `arxiv`): the same DOI from two
/// files is one record, whatever its title or date there.
pub fn identifier_id(kind: &str, identifier: &str) -> String {
    let key = format!("{kind}\u{1f}{}", identifier.to_lowercase());
    id_from_number(xxh3_64(key.as_bytes()))
}

/// The id of a bibliography entry without DOI or arXiv id: title, date and authors, and when
/// there are no authors the citation key and the venue (volume, number, pages) too, so that a
/// journal's many "Editorial"s of one year stay apart.
pub fn bibliographic_id(
    title: &str,
    date: &str,
    authors: &[String],
    key: &str,
    venue: &str,
) -> String {
    let mut buf = format!("bib\u{1f}{}\u{1f}{date}", fold_key(title));
    for a in authors {
        buf.push('\u{1f}');
        buf.push_str(&fold_key(a));
    }
    if authors.is_empty() {
        buf.push('\u{1e}');
        buf.push_str(key);
        buf.push('\u{1e}');
        buf.push_str(&fold_key(venue));
    }
    id_from_number(xxh3_64(buf.as_bytes()))
}

/// A DOI as written anywhere (`https://doi.org/10.1/x`, `doi:10.1/x`, `10.1/x`) → `10.1/x`;
/// empty when it is not a DOI.
pub fn normalize_doi(raw: &str) -> String {
    let s = raw.trim();
    let lower = s.to_ascii_lowercase();
    let mut rest = s;
    for prefix in [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi.org/",
        "doi:",
    ] {
        if lower.starts_with(prefix) {
            rest = &s[prefix.len()..];
            break;
        }
    }
    let rest = rest.trim();
    let ok = rest.starts_with("10.") && rest.contains('/') && !rest.contains(char::is_whitespace);
    if ok {
        rest.to_owned()
    } else {
        String::new()
    }
}

/// An arXiv id as written anywhere (`arXiv:2309.08600v2`, `https://arxiv.org/abs/2309.08600`,
/// `hep-th/9901001`) → without prefix and version; empty when it is not one.
pub fn normalize_arxiv(raw: &str) -> String {
    let s = raw.trim();
    let lower = s.to_ascii_lowercase();
    let mut rest = lower.as_str();
    for prefix in [
        "https://arxiv.org/abs/",
        "http://arxiv.org/abs/",
        "https://arxiv.org/pdf/",
        "arxiv.org/abs/",
        "arxiv:",
    ] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
            break;
        }
    }
    let rest = rest.trim().trim_end_matches(".pdf");
    // Drop a version suffix (`v2`).
    let base = match rest.rfind('v') {
        Some(i)
            if i > 0 && rest[i + 1..].bytes().all(|b| b.is_ascii_digit()) && i + 1 < rest.len() =>
        {
            &rest[..i]
        }
        _ => rest,
    };
    let (archive, number) = match base.split_once('/') {
        Some((a, n)) => (Some(a), n),
        None => (None, base),
    };
    let new_style = {
        let (yymm, seq) = number.split_once('.').unwrap_or(("", ""));
        yymm.len() == 4
            && (4..=5).contains(&seq.len())
            && yymm.bytes().chain(seq.bytes()).all(|b| b.is_ascii_digit())
    };
    let old_style = number.len() == 7 && number.bytes().all(|b| b.is_ascii_digit());
    let archive_ok = archive.is_none_or(|a| {
        !a.is_empty()
            && a.bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b'-' || b == b'.')
    });
    match (archive, new_style, old_style) {
        (None, true, _) => base.to_owned(),
        (Some(_), _, true) if archive_ok => base.to_owned(),
        _ => String::new(),
    }
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
    /// Where the paper can be read, when known: its URL, its DOI or its arXiv page (the
    /// digest and the Atom feed link the same place).
    pub fn link(&self) -> Option<String> {
        if !self.url.trim().is_empty() {
            Some(self.url.trim().to_owned())
        } else if !self.doi.is_empty() {
            Some(format!("https://doi.org/{}", self.doi))
        } else if !self.arxiv.is_empty() {
            Some(format!("https://arxiv.org/abs/{}", self.arxiv))
        } else {
            None
        }
    }

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
        // Only when present, so that a record read without one (`parse`) keeps its old hash.
        if !self.key.is_empty() {
            buf.push('\u{1d}');
            buf.push_str(&self.key);
        }
        // Only when present, so records without them keep the hash they had.
        if !(self.doi.is_empty() && self.url.is_empty() && self.arxiv.is_empty()) {
            for part in [&self.doi, &self.url, &self.arxiv] {
                buf.push('\u{1e}');
                buf.push_str(part);
            }
        }
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

    #[test]
    fn identifiers_are_normalised_or_refused() {
        for raw in [
            "10.48550/arXiv.2309.08600",
            "doi:10.48550/arXiv.2309.08600",
            "https://doi.org/10.48550/arXiv.2309.08600",
            " DOI:10.48550/arXiv.2309.08600 ",
        ] {
            assert_eq!(normalize_doi(raw), "10.48550/arXiv.2309.08600", "{raw}");
        }
        assert_eq!(normalize_doi("not a doi"), "");
        assert_eq!(normalize_doi("10.1/with space"), "");
        for raw in [
            "2309.08600",
            "arXiv:2309.08600v2",
            "https://arxiv.org/abs/2309.08600v1",
            "ARXIV:2309.08600",
        ] {
            assert_eq!(normalize_arxiv(raw), "2309.08600", "{raw}");
        }
        assert_eq!(normalize_arxiv("hep-th/9901001v3"), "hep-th/9901001");
        assert_eq!(normalize_arxiv("0704.0001"), "0704.0001");
        for bad in ["", "2309", "12345.678", "x/123", "2309.08600vx"] {
            assert_eq!(normalize_arxiv(bad), "", "{bad}");
        }
        assert_eq!(
            identifier_id("doi", "10.1/ABC"),
            identifier_id("doi", "10.1/abc")
        );
        let editorial =
            |key: &str, venue: &str| bibliographic_id("Editorial", "2020", &[], key, venue);
        assert_ne!(editorial("ed1", "12(1):1"), editorial("ed2", "12(2):1"));
        let a = vec!["Ada Lovelace".to_owned()];
        assert_eq!(
            bibliographic_id("Notes", "1843", &a, "k1", ""),
            bibliographic_id("notes", "1843", &a, "k2", "")
        );
    }
}
