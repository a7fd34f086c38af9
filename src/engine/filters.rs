//! The filters of a search as every engine receives them: exact constraints that narrow the
//! matches without changing their ranking (`search::filters` reads them from flags and URLs).

use serde::{Deserialize, Serialize};

/// Fewest letters of a name's word that `--author`/`--fellow` take as its beginning
/// (`--author Nand` finds "Neel Nanda"); shorter words must be whole.
pub const MIN_NAME_PREFIX: usize = 3;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Filters {
    /// Every tag must be present, matched by its words as `tag:(…)` matches (case- and
    /// accent-insensitive, stemmed): `scheming` finds "Scheming and Deception".
    pub tags: Vec<String>,
    /// Every name must appear among the authors (whole name or part of it, e.g. a surname; its
    /// last word may be the beginning of a name's word, from `MIN_NAME_PREFIX` letters).
    pub authors: Vec<String>,
    pub fellows: Vec<String>,
    /// ISO dates, inclusive.
    pub since: Option<String>,
    pub until: Option<String>,
    /// Any of these years.
    pub years: Vec<u32>,
    pub featured: bool,
    /// Unix seconds: only records first seen at or after this moment.
    pub added_since: Option<i64>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self == &Filters::default()
    }
}
