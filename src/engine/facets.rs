//! Facet counts as every engine reports them: which fields can be counted, and each field's
//! most frequent values over the whole match set, exact.

use std::str::FromStr;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FacetField {
    Tags,
    Year,
    Fellows,
    Authors,
}

impl FacetField {
    pub const ALL: [FacetField; 4] = [
        FacetField::Tags,
        FacetField::Year,
        FacetField::Fellows,
        FacetField::Authors,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FacetField::Tags => "tags",
            FacetField::Year => "year",
            FacetField::Fellows => "fellows",
            FacetField::Authors => "authors",
        }
    }
}

impl FromStr for FacetField {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "tags" | "tag" => Ok(FacetField::Tags),
            "year" | "years" => Ok(FacetField::Year),
            "fellows" | "fellow" => Ok(FacetField::Fellows),
            "authors" | "author" => Ok(FacetField::Authors),
            other => Err(format!(
                "unknown facet \"{other}\"; expected tags, year, fellows, authors or none"
            )),
        }
    }
}

/// One value and how many matching records carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// One field's most frequent values, by count (descending), then value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldCounts {
    pub field: FacetField,
    pub values: Vec<FacetCount>,
    /// Other matching records carry values not listed (the limit cut the list).
    pub more: bool,
}

pub type FacetCounts = Vec<FieldCounts>;
