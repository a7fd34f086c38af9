//! The index schema: field names, the analyzers it registers and the schema version, in one place.
//! Every opener must call `register_tokenizers`, or queries would analyze unlike indexing.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STORED, STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::Index;

pub use crate::engine::analysis::{matching_analyzer, name_analyzer, text_analyzer};
use crate::engine::fields::{search_field, Analysis};

/// Bumped whenever fields or analyzers change; an index with another version is rebuilt.
/// 2: no `author_key`/`fellow_key` (nothing queried them), `id` no longer a fast column.
/// 3: fast-column dictionaries uncompressed (tantivy without `columnar-zstd-compression`,
///    which could not read a version-2 index's).
/// 4: `doi`, `url`, `arxiv` (stored; `doi` and `arxiv` indexed whole, lowercased).
/// 5: `title_words`, `abstract_words`, `tag_words`: the prose fields' words unstemmed, so that
///    prefixes and typos are matched against whole words, never against shortened stems;
///    `source_hash`, so that ingest sees a record that only moved in its file.
/// 6: `key`, the citation key (indexed whole and lowercased for `key:` and `show KEY`, stored,
///    and a raw fast column from which a sync reads every record's key).
pub const SCHEMA_VERSION: u32 = 6;

/// English prose: lowercased, accent-folded, stemmed.
pub const TOKENIZER_TEXT: &str = "litsearch_en";
/// Names: lowercased and accent-folded, never stemmed.
pub const TOKENIZER_NAME: &str = "litsearch_name";
/// Identifiers (DOI, arXiv id): the whole value one token, lowercased.
pub const TOKENIZER_ID: &str = "litsearch_id";

pub const ID: &str = "id";
pub const ID_NUM: &str = "id_num";
pub const HASH: &str = "content_hash";
/// A hash of the record's source file and line: not content, but kept true by every ingest.
pub const SOURCE_HASH: &str = "source_hash";
pub const FIRST_SEEN: &str = "first_seen";
pub const TITLE: &str = "title";
pub const ABSTRACT: &str = "abstract";
pub const AUTHOR: &str = "author";
pub const FELLOW: &str = "fellow";
pub const TAG: &str = "tag";
pub const TAG_KEY: &str = "tag_key";
pub const TITLE_WORDS: &str = "title_words";
pub const ABSTRACT_WORDS: &str = "abstract_words";
pub const TAG_WORDS: &str = "tag_words";
pub const AUTHOR_FACET: &str = "author_facet";
pub const FELLOW_FACET: &str = "fellow_facet";
pub const TAG_FACET: &str = "tag_facet";
pub const DATE: &str = "date";
pub const DATE_DAYS: &str = "date_days";
pub const YEAR: &str = "year";
pub const FEATURED: &str = "featured";
pub const SOURCE_FILE: &str = "source_file";
pub const SOURCE_LINE: &str = "source_line";
pub const DOI: &str = "doi";
pub const URL: &str = "url";
pub const ARXIV: &str = "arxiv";
pub const KEY: &str = "key";

/// Handles to every field, resolved once per opened index.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub id: Field,
    pub id_num: Field,
    pub hash: Field,
    pub source_hash: Field,
    pub first_seen: Field,
    pub title: Field,
    pub abstract_text: Field,
    pub author: Field,
    pub fellow: Field,
    pub tag: Field,
    pub tag_key: Field,
    pub title_words: Field,
    pub abstract_words: Field,
    pub tag_words: Field,
    pub author_facet: Field,
    pub fellow_facet: Field,
    pub tag_facet: Field,
    pub date: Field,
    pub date_days: Field,
    pub year: Field,
    pub featured: Field,
    pub source_file: Field,
    pub source_line: Field,
    pub doi: Field,
    pub url: Field,
    pub arxiv: Field,
    pub key: Field,
}

pub fn build_schema() -> Schema {
    let mut b = Schema::builder();
    let prose = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_TEXT)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let names = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // The words as written (folded, not stemmed), for prefix and typo expansion only: no
    // positions, nothing stored.
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let facet = TextOptions::default().set_fast("raw");
    // Raw and stored for delete-by-id and display; sorting and sync use the numeric `id_num`.
    b.add_text_field(ID, STRING | STORED);
    b.add_u64_field(ID_NUM, FAST);
    b.add_u64_field(HASH, FAST);
    b.add_u64_field(SOURCE_HASH, FAST);
    b.add_i64_field(
        FIRST_SEEN,
        NumericOptions::default()
            .set_fast()
            .set_stored()
            .set_indexed(),
    );
    // The searchable fields, as the engine-neutral table defines them (the OpenSearch
    // mappings come from the same table), in the order of earlier versions.
    for scope in crate::engine::ast::Scope::ALL {
        if scope.is_identifier() {
            continue;
        }
        let field = search_field(scope);
        b.add_text_field(
            field.name,
            match field.analysis {
                Analysis::Prose => prose.clone(),
                Analysis::Name => names.clone(),
            },
        );
    }
    b.add_text_field(TAG_KEY, STRING);
    b.add_text_field(TITLE_WORDS, words.clone());
    b.add_text_field(ABSTRACT_WORDS, words.clone());
    b.add_text_field(TAG_WORDS, words);
    b.add_text_field(AUTHOR_FACET, facet.clone());
    b.add_text_field(FELLOW_FACET, facet.clone());
    b.add_text_field(TAG_FACET, facet);
    b.add_text_field(DATE, STORED);
    b.add_i64_field(DATE_DAYS, INDEXED | FAST);
    b.add_u64_field(YEAR, INDEXED | FAST);
    b.add_bool_field(FEATURED, INDEXED | FAST | STORED);
    b.add_text_field(SOURCE_FILE, STORED);
    b.add_u64_field(SOURCE_LINE, STORED);
    let identifier = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER_ID)
            .set_index_option(IndexRecordOption::Basic),
    );
    b.add_text_field(DOI, identifier.clone());
    b.add_text_field(URL, STORED);
    b.add_text_field(ARXIV, identifier.clone());
    b.add_text_field(KEY, identifier.set_fast("raw"));
    b.build()
}

impl Fields {
    pub fn resolve(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f(ID)?,
            id_num: f(ID_NUM)?,
            hash: f(HASH)?,
            source_hash: f(SOURCE_HASH)?,
            first_seen: f(FIRST_SEEN)?,
            title: f(TITLE)?,
            abstract_text: f(ABSTRACT)?,
            author: f(AUTHOR)?,
            fellow: f(FELLOW)?,
            tag: f(TAG)?,
            tag_key: f(TAG_KEY)?,
            title_words: f(TITLE_WORDS)?,
            abstract_words: f(ABSTRACT_WORDS)?,
            tag_words: f(TAG_WORDS)?,
            author_facet: f(AUTHOR_FACET)?,
            fellow_facet: f(FELLOW_FACET)?,
            tag_facet: f(TAG_FACET)?,
            date: f(DATE)?,
            date_days: f(DATE_DAYS)?,
            year: f(YEAR)?,
            featured: f(FEATURED)?,
            source_file: f(SOURCE_FILE)?,
            source_line: f(SOURCE_LINE)?,
            doi: f(DOI)?,
            url: f(URL)?,
            arxiv: f(ARXIV)?,
            key: f(KEY)?,
        })
    }
}

/// An identifier whole, lowercased: `doi:10.48550/arXiv.2309.08600` is one term.
pub fn id_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
        .filter(tantivy::tokenizer::LowerCaser)
        .build()
}

pub fn register_tokenizers(index: &Index) {
    index.tokenizers().register(TOKENIZER_TEXT, text_analyzer());
    index.tokenizers().register(TOKENIZER_NAME, name_analyzer());
    index.tokenizers().register(TOKENIZER_ID, id_analyzer());
}

/// Days since 1970-01-01 of an ISO date (of any precision: its first day), the sortable form
/// of `date`.
pub fn days_from_iso(date: &str) -> Option<i64> {
    crate::date::days_since_epoch(date)
}
