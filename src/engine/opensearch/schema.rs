//! The index settings and mappings, generated from the engine-neutral field table
//! (`engine::fields`) so they cannot drift from the local schema, and records ↔ documents.

use serde_json::{json, Map, Value};

use crate::engine::facets::FacetField;
use crate::engine::fields::{Analysis, MAX_WORD_BYTES, SEARCH_FIELDS};
use crate::record::{Record, Source, StoredRecord};
use crate::text::fold_key;

/// Bumped whenever mappings or analysis change; an index of another version is rebuilt.
/// 2: unstemmed `words` sub-fields (prefixes, typos), doi/url/arxiv, dates of any precision.
/// 3: `key`, the citation key (a keyword, lowercased like the identifiers).
pub const SCHEMA_VERSION: u64 = 3;

/// The analyzers' names in the index settings.
const PROSE: &str = "litsearch_en";
const NAME: &str = "litsearch_name";

/// The keyword sub-field facets count (the value as written).
pub const FACET_SUBFIELD: &str = "facet";

/// Where the shards go when ingest creates the index.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub shards: u32,
    pub replicas: u32,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            shards: 1,
            replicas: 1,
        }
    }
}

/// The analysis settings: words are runs of letters (Unicode Alphabetic, as Rust's
/// `char::is_alphabetic`) and digits (\p{N}, as `char::is_numeric`); words of
/// `MAX_WORD_BYTES` or more dropped (counted in UTF-16 units here, bytes locally: the same
/// for ASCII); lowercased; accent-folded; prose stemmed with Snowball English ("porter2",
/// tantivy's algorithm; "english" and "porter" are Porter1).
pub fn analysis() -> Value {
    let base = ["litsearch_long", "lowercase", "asciifolding"];
    json!({
        "tokenizer": {
            "litsearch_words": {"type": "pattern", "pattern": "[^\\p{IsAlphabetic}\\p{N}]+"}
        },
        "filter": {
            "litsearch_long": {"type": "length", "max": MAX_WORD_BYTES - 1},
            "litsearch_stem": {"type": "stemmer", "language": "porter2"}
        },
        "normalizer": {
            "litsearch_id": {"type": "custom", "filter": ["lowercase"]}
        },
        "analyzer": {
            PROSE: {"type": "custom", "tokenizer": "litsearch_words",
                    "filter": [base[0], base[1], base[2], "litsearch_stem"]},
            NAME: {"type": "custom", "tokenizer": "litsearch_words", "filter": base}
        }
    })
}

/// The body of `PUT /INDEX`: settings and mappings.
pub fn index_body(layout: Layout) -> Value {
    let mut properties = Map::new();
    properties.insert("id".into(), json!({"type": "keyword"}));
    properties.insert(
        "content_hash".into(),
        json!({"type": "keyword", "index": false}),
    );
    properties.insert("first_seen".into(), json!({"type": "long"}));
    for field in SEARCH_FIELDS {
        let analyzer = match field.analysis {
            Analysis::Prose => PROSE,
            Analysis::Name => NAME,
        };
        let mut mapping = json!({"type": "text", "analyzer": analyzer});
        let mut subfields = Map::new();
        if facet_of(field.name).is_some() {
            subfields.insert(FACET_SUBFIELD.into(), json!({"type": "keyword"}));
        }
        // Prose's words as written (folded, unstemmed): prefixes and typos are matched there.
        if field.analysis == Analysis::Prose {
            subfields.insert(
                "words".into(),
                json!({"type": "text", "analyzer": NAME, "index_options": "freqs"}),
            );
        }
        if !subfields.is_empty() {
            mapping["fields"] = Value::Object(subfields);
        }
        properties.insert(field.name.into(), mapping);
    }
    properties.insert("tag_key".into(), json!({"type": "keyword"}));
    properties.insert(
        "date".into(),
        json!({"type": "date", "format": "strict_date||strict_year_month||strict_year"}),
    );
    properties.insert("year".into(), json!({"type": "integer"}));
    properties.insert("featured".into(), json!({"type": "boolean"}));
    // Identifiers: the whole value one term, lowercased.
    for id in ["doi", "arxiv", "key"] {
        properties.insert(
            id.into(),
            json!({"type": "keyword", "normalizer": "litsearch_id"}),
        );
    }
    properties.insert(
        "url".into(),
        json!({"type": "keyword", "index": false, "doc_values": false}),
    );
    properties.insert(
        "source_file".into(),
        json!({"type": "keyword", "index": false, "doc_values": false}),
    );
    properties.insert(
        "source_line".into(),
        json!({"type": "long", "index": false, "doc_values": false}),
    );
    json!({
        "settings": {
            "index": {
                "number_of_shards": layout.shards,
                "number_of_replicas": layout.replicas,
                // Pages as deep as the local engine serves.
                "max_result_window": 100_000_000,
                "analysis": analysis()
            }
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"litsearch_schema": SCHEMA_VERSION},
            "properties": properties
        }
    })
}

/// The key of the mapping's `_meta` holding the short forms the records define
/// (`acronyms::Synonyms::to_tsv`), written with each sync and read by queries.
pub const ACRONYMS_META: &str = "litsearch_acronyms";

/// The mapping's `_meta` after a sync: the schema and the short forms (a `_meta` update
/// replaces it whole).
pub fn meta_body(acronyms: &crate::acronyms::Synonyms) -> Value {
    json!({"_meta": {"litsearch_schema": SCHEMA_VERSION, ACRONYMS_META: acronyms.to_tsv()}})
}

/// The facet a search field is counted for, if any.
fn facet_of(field: &str) -> Option<FacetField> {
    match field {
        "tag" => Some(FacetField::Tags),
        "author" => Some(FacetField::Authors),
        "fellow" => Some(FacetField::Fellows),
        _ => None,
    }
}

/// The field a facet counts.
pub fn facet_field(facet: FacetField) -> String {
    match facet {
        FacetField::Year => "year".to_owned(),
        FacetField::Tags => format!("tag.{FACET_SUBFIELD}"),
        FacetField::Authors => format!("author.{FACET_SUBFIELD}"),
        FacetField::Fellows => format!("fellow.{FACET_SUBFIELD}"),
    }
}

/// A record as the document stored under its id.
pub fn to_document(r: &Record, hash: u64, first_seen: i64) -> Value {
    let mut doc = json!({
        "id": r.id,
        "content_hash": format!("{hash:016x}"),
        "first_seen": first_seen,
        "title": r.title,
        "abstract": r.abstract_text,
        "author": r.authors,
        "fellow": r.fellows,
        "tag": r.tags,
        "tag_key": r.tags.iter().map(|t| fold_key(t)).collect::<Vec<_>>(),
        "date": r.date,
        "year": r.year().unwrap_or_default(),
        "featured": r.featured,
        "source_file": r.source.file,
        "source_line": r.source.line,
    });
    for (key, value) in [
        ("doi", &r.doi),
        ("url", &r.url),
        ("arxiv", &r.arxiv),
        ("key", &r.key),
    ] {
        if !value.is_empty() {
            doc[key] = json!(value);
        }
    }
    doc
}

/// A stored document (`_source`) as a record; `None` when it is not one of ours.
pub fn from_source(source: &Value) -> Option<StoredRecord> {
    let text = |k: &str| source.get(k).and_then(Value::as_str).map(str::to_owned);
    let list = |k: &str| match source.get(k) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    Some(StoredRecord {
        record: Record {
            id: text("id")?,
            key: text("key").unwrap_or_default(),
            title: text("title").unwrap_or_default(),
            abstract_text: text("abstract").unwrap_or_default(),
            authors: list("author"),
            fellows: list("fellow"),
            tags: list("tag"),
            date: text("date").unwrap_or_default(),
            featured: source
                .get("featured")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            doi: text("doi").unwrap_or_default(),
            url: text("url").unwrap_or_default(),
            arxiv: text("arxiv").unwrap_or_default(),
            source: Source {
                file: text("source_file").unwrap_or_default(),
                line: source
                    .get("source_line")
                    .and_then(Value::as_u64)
                    .unwrap_or(0),
            },
        },
        first_seen: source
            .get("first_seen")
            .and_then(Value::as_i64)
            .unwrap_or(0),
    })
}

/// The content hash stored in a document.
pub fn hash_of(source: &Value) -> u64 {
    source
        .get("content_hash")
        .and_then(Value::as_str)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
        .unwrap_or(0)
}
