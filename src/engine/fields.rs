//! The searchable fields as every engine defines them: name, analysis and weight, in one table,
//! so that the local schema and the OpenSearch mappings are generated from the same facts.

use crate::engine::ast::Scope;

/// How a field's text becomes terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analysis {
    /// English prose: words (runs of letters and digits), lowercased, accent-folded, stemmed
    /// (Snowball English, "porter2").
    Prose,
    /// Names: as prose, never stemmed.
    Name,
}

/// Words of this many bytes or more are dropped (they are hashes, URLs, junk).
pub const MAX_WORD_BYTES: usize = 40;

/// One field a query can search.
#[derive(Debug, Clone, Copy)]
pub struct SearchField {
    pub scope: Scope,
    /// The field's name in both engines.
    pub name: &'static str,
    pub analysis: Analysis,
    /// Relative weight of a match here: a title match outranks a tag, author or fellow match,
    /// which outranks the abstract.
    pub weight: f32,
}

/// The fields an unscoped word is looked for in, strongest first.
pub const SEARCH_FIELDS: [SearchField; 5] = [
    SearchField {
        scope: Scope::Title,
        name: "title",
        analysis: Analysis::Prose,
        weight: 3.0,
    },
    SearchField {
        scope: Scope::Tag,
        name: "tag",
        analysis: Analysis::Prose,
        weight: 2.0,
    },
    SearchField {
        scope: Scope::Author,
        name: "author",
        analysis: Analysis::Name,
        weight: 2.0,
    },
    SearchField {
        scope: Scope::Fellow,
        name: "fellow",
        analysis: Analysis::Name,
        weight: 2.0,
    },
    SearchField {
        scope: Scope::Abstract,
        name: "abstract",
        analysis: Analysis::Prose,
        weight: 1.0,
    },
];

/// The definition of the field a scope searches.
pub fn search_field(scope: Scope) -> &'static SearchField {
    SEARCH_FIELDS
        .iter()
        .find(|f| f.scope == scope)
        .expect("every scope has a field")
}

/// Expanded terms (typos, prefixes) score below exact ones, by this factor.
pub const EXPANSION_WEIGHT: f32 = 0.7;
/// Most terms one typo or prefix expansion adds.
pub const MAX_EXPANSIONS: usize = 50;
/// What a short form also finds (its long form, and the reverse) scores below the words typed,
/// by this factor: the paper that writes what was typed comes first.
pub const SYNONYM_WEIGHT: f32 = 0.8;
