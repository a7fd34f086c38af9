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
    doc.add_u64(f.source_hash, crate::engine::source_hash(&r.source));
    doc.add_i64(f.first_seen, first_seen);
    doc.add_text(f.title, &r.title);
    doc.add_text(f.abstract_text, &r.abstract_text);
    doc.add_text(f.title_words, &r.title);
    doc.add_text(f.abstract_words, &r.abstract_text);
    // A facet counts records, so a value listed twice in one record is counted once (the
    // column would count each copy).
    for (names, text, facet) in [
        (&r.authors, f.author, f.author_facet),
        (&r.fellows, f.fellow, f.fellow_facet),
    ] {
        for (i, name) in names.iter().enumerate() {
            doc.add_text(text, name);
            if !names[..i].contains(name) {
                doc.add_text(facet, name);
            }
        }
    }
    for (i, tag) in r.tags.iter().enumerate() {
        doc.add_text(f.tag, tag);
        doc.add_text(f.tag_words, tag);
        doc.add_text(f.tag_key, fold_key(tag));
        if !r.tags[..i].contains(tag) {
            doc.add_text(f.tag_facet, tag);
        }
    }
    doc.add_text(f.date, &r.date);
    let days = days_from_iso(&r.date).unwrap_or_default();
    doc.add_i64(f.date_days, days);
    doc.add_u64(f.year, r.year().unwrap_or_default());
    doc.add_bool(f.featured, r.featured);
    doc.add_text(f.source_file, &r.source.file);
    doc.add_u64(f.source_line, r.source.line);
    for (field, value) in [
        (f.doi, &r.doi),
        (f.url, &r.url),
        (f.arxiv, &r.arxiv),
        (f.key, &r.key),
    ] {
        if !value.is_empty() {
            doc.add_text(field, value);
        }
    }
    doc
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
            key: text(f.key),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::local::schema::{build_schema, Fields};

    #[test]
    fn a_value_listed_twice_is_one_facet_value() {
        let schema = build_schema();
        let f = Fields::resolve(&schema).unwrap();
        let r = Record {
            id: "0000000000000001".into(),
            key: "ada2025t".into(),
            title: "t".into(),
            abstract_text: String::new(),
            authors: vec!["Ada".into(), "Bo".into(), "Ada".into()],
            fellows: vec!["Ada".into(), "Ada".into()],
            tags: vec!["X".into(), "X".into()],
            date: "2025-01-01".into(),
            featured: false,
            doi: String::new(),
            url: String::new(),
            arxiv: String::new(),
            source: Source::default(),
        };
        let doc = to_document(&f, &r, 0, 0);
        assert_eq!(doc.get_all(f.author_facet).count(), 2);
        assert_eq!(doc.get_all(f.fellow_facet).count(), 1);
        assert_eq!(doc.get_all(f.tag_facet).count(), 1);
        // The stored record keeps what was written.
        let stored = from_document(&f, &doc).record;
        assert_eq!(stored.authors.len(), 3);
        assert_eq!(stored.key, "ada2025t");
    }
}
