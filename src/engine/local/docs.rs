//! Records ↔ tantivy documents. The only place that knows which record part goes to which field.

use tantivy::schema::Value;
use tantivy::TantivyDocument;

use super::schema::{days_from_iso, Fields};
use crate::record::{id_to_number, Record, Source, StoredRecord};
use crate::text::fold_key;

pub fn to_document(f: &Fields, r: &Record, hash: u64, first_seen: i64) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &r.id);
    doc.add_u64(f.id_num, id_to_number(&r.id).unwrap_or_default());
    doc.add_u64(f.hash, hash);
    doc.add_u64(f.source_hash, source_hash(&r.source));
    doc.add_i64(f.first_seen, first_seen);
    doc.add_text(f.title, &r.title);
    doc.add_text(f.abstract_text, &r.abstract_text);
    doc.add_text(f.title_words, &r.title);
    doc.add_text(f.abstract_words, &r.abstract_text);
    for (names, text, facet) in [
        (&r.authors, f.author, f.author_facet),
        (&r.fellows, f.fellow, f.fellow_facet),
    ] {
        for name in names {
            doc.add_text(text, name);
            doc.add_text(facet, name);
        }
    }
    for tag in &r.tags {
        doc.add_text(f.tag, tag);
        doc.add_text(f.tag_words, tag);
        doc.add_text(f.tag_key, fold_key(tag));
        doc.add_text(f.tag_facet, tag);
    }
    doc.add_text(f.date, &r.date);
    let days = days_from_iso(&r.date).unwrap_or_default();
    doc.add_i64(f.date_days, days);
    doc.add_u64(f.year, r.year().unwrap_or_default());
    doc.add_bool(f.featured, r.featured);
    doc.add_text(f.source_file, &r.source.file);
    doc.add_u64(f.source_line, r.source.line);
    for (field, value) in [(f.doi, &r.doi), (f.url, &r.url), (f.arxiv, &r.arxiv)] {
        if !value.is_empty() {
            doc.add_text(field, value);
        }
    }
    doc
}

/// Where a record was read from, as one number: ingest compares it to see a record move.
pub fn source_hash(source: &Source) -> u64 {
    let mut bytes = source.file.as_bytes().to_vec();
    bytes.push(0);
    bytes.extend_from_slice(&source.line.to_le_bytes());
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

pub fn from_document(f: &Fields, doc: &TantivyDocument) -> StoredRecord {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let all = |field| {
        doc.get_all(field)
            .filter_map(|v| v.as_str())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    StoredRecord {
        record: Record {
            id: text(f.id),
            title: text(f.title),
            abstract_text: text(f.abstract_text),
            authors: all(f.author),
            fellows: all(f.fellow),
            tags: all(f.tag),
            date: text(f.date),
            featured: doc
                .get_first(f.featured)
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            doi: text(f.doi),
            url: text(f.url),
            arxiv: text(f.arxiv),
            source: Source {
                file: text(f.source_file),
                line: doc
                    .get_first(f.source_line)
                    .and_then(|v| v.as_u64())
                    .unwrap_or(0),
            },
        },
        first_seen: doc
            .get_first(f.first_seen)
            .and_then(|v| v.as_i64())
            .unwrap_or(0),
    }
}
