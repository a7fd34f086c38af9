//! Exact facet counts (tags, years, fellows, authors) over every matching record, not just
//! the page shown: a collector over the fast columns, merged by value across segments.

use std::collections::HashMap;
use std::str::FromStr;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::schema::{AUTHOR_FACET, FELLOW_FACET, TAG_FACET, YEAR};

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

    fn column(self) -> &'static str {
        match self {
            FacetField::Tags => TAG_FACET,
            FacetField::Year => YEAR,
            FacetField::Fellows => FELLOW_FACET,
            FacetField::Authors => AUTHOR_FACET,
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

/// Counts per field, each sorted by count (descending), then value.
pub type FacetCounts = Vec<(FacetField, Vec<FacetCount>)>;

pub struct FacetCollector {
    pub fields: Vec<FacetField>,
}

enum SegmentColumn {
    Str(StrColumn),
    U64(Column<u64>),
    Missing,
}

pub struct FacetSegmentCollector {
    columns: Vec<(FacetField, SegmentColumn)>,
    counts: Vec<Vec<u64>>,
    years: HashMap<u64, u64>,
}

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let ff = segment.fast_fields();
        let mut columns = Vec::new();
        let mut counts = Vec::new();
        for &field in &self.fields {
            let column = if field == FacetField::Year {
                ff.u64(field.column())
                    .map(SegmentColumn::U64)
                    .unwrap_or(SegmentColumn::Missing)
            } else {
                match ff.str(field.column())? {
                    Some(c) => SegmentColumn::Str(c),
                    None => SegmentColumn::Missing,
                }
            };
            let size = match &column {
                SegmentColumn::Str(c) => c.num_terms(),
                _ => 0,
            };
            counts.push(vec![0u64; size]);
            columns.push((field, column));
        }
        Ok(FacetSegmentCollector {
            columns,
            counts,
            years: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCounts>) -> tantivy::Result<FacetCounts> {
        let mut merged: Vec<(FacetField, Vec<FacetCount>)> =
            self.fields.iter().map(|f| (*f, Vec::new())).collect();
        for fruit in fruits {
            for (field, counts) in fruit {
                if let Some((_, all)) = merged.iter_mut().find(|(f, _)| *f == field) {
                    all.extend(counts);
                }
            }
        }
        for (_, all) in &mut merged {
            // Each segment's values arrive in value order, so this stable sort only merges
            // sorted runs; equal values are then adjacent and summed.
            all.sort_by(|a, b| a.value.cmp(&b.value));
            all.dedup_by(|later, kept| {
                let same = later.value == kept.value;
                if same {
                    kept.count += later.count;
                }
                same
            });
            // Stable: equal counts stay in value order, without comparing strings again.
            all.sort_by_key(|c| std::cmp::Reverse(c.count));
        }
        Ok(merged)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = FacetCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (i, (_, column)) in self.columns.iter().enumerate() {
            match column {
                SegmentColumn::Str(c) => {
                    for ord in c.term_ords(doc) {
                        if let Some(slot) = self.counts[i].get_mut(ord as usize) {
                            *slot += 1;
                        }
                    }
                }
                SegmentColumn::U64(c) => {
                    if let Some(year) = c.first(doc) {
                        if year > 0 {
                            *self.years.entry(year).or_default() += 1;
                        }
                    }
                }
                SegmentColumn::Missing => {}
            }
        }
    }

    /// Each field's values in value (byte) order; `merge_fruits` sums and ranks them.
    fn harvest(self) -> FacetCounts {
        let mut out = Vec::new();
        for (i, (field, column)) in self.columns.into_iter().enumerate() {
            let mut values = Vec::new();
            match column {
                SegmentColumn::Str(c) => {
                    // One ordered walk of the dictionary: each (zstd-compressed) block is
                    // decoded once, not once per value as `ord_to_str` would.
                    let counts = &self.counts[i];
                    let ords: Vec<u64> = (0..counts.len() as u64)
                        .filter(|&ord| counts[ord as usize] > 0)
                        .collect();
                    let mut next = ords.iter();
                    values.reserve(ords.len());
                    let _ = c.dictionary().sorted_ords_to_term_cb(&ords, |bytes| {
                        if let Some(&ord) = next.next() {
                            values.push(FacetCount {
                                value: String::from_utf8_lossy(bytes).into_owned(),
                                count: counts[ord as usize],
                            });
                        }
                    });
                }
                SegmentColumn::U64(_) => {
                    values.extend(self.years.iter().map(|(year, count)| FacetCount {
                        value: year.to_string(),
                        count: *count,
                    }));
                    values.sort_by(|a, b| a.value.cmp(&b.value));
                }
                SegmentColumn::Missing => {}
            }
            out.push((field, values));
        }
        out
    }
}
