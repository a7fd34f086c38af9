//! Counting by value from stored records: a segment with few matches reads their records
//! (one LZ4 block each) instead of opening four columns and decoding dictionary blocks.

use std::collections::BTreeMap;

use tantivy::{DocId, SegmentReader, TantivyDocument};

use super::super::docs::from_document;
use super::super::schema::Fields;
use super::top::ranked_and_cut;
use crate::engine::facets::{FacetCount, FacetCounts, FacetField, FieldCounts};

/// Per field, value → count.
pub(super) type ValueCounts = Vec<BTreeMap<String, u64>>;

/// Counts of each field's values over a segment's stored records `docs`.
pub(super) fn count_stored(
    segment: &SegmentReader,
    fields: &[FacetField],
    docs: &[DocId],
) -> tantivy::Result<Vec<BTreeMap<String, u64>>> {
    let handles = Fields::resolve(segment.schema())?;
    let store = segment.get_store_reader(8)?;
    let mut out: Vec<BTreeMap<String, u64>> = fields.iter().map(|_| BTreeMap::new()).collect();
    for &doc in docs {
        let record = from_document(&handles, &store.get::<TantivyDocument>(doc)?).record;
        for (field, counts) in fields.iter().zip(&mut out) {
            let mut add = |value: &str| *counts.entry(value.to_owned()).or_insert(0) += 1;
            // Records are counted: a value listed twice in one counts once (as in the column).
            let once = |values: &[String], add: &mut dyn FnMut(&str)| {
                for (i, v) in values.iter().enumerate() {
                    if !values[..i].contains(v) {
                        add(v);
                    }
                }
            };
            match field {
                FacetField::Tags => once(&record.tags, &mut add),
                FacetField::Authors => once(&record.authors, &mut add),
                FacetField::Fellows => once(&record.fellows, &mut add),
                FacetField::Year => {
                    // The year column holds 0 for "no date", which is not counted.
                    if let Some(year) = record.year().filter(|&y| y > 0) {
                        add(&year.to_string());
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Sums the per-segment value counts of `count_stored`.
pub(super) fn merge_stored(
    fields: &[FacetField],
    segments: Vec<ValueCounts>,
    limit: usize,
) -> FacetCounts {
    let mut totals: ValueCounts = fields.iter().map(|_| BTreeMap::new()).collect();
    for stored in segments {
        for (total, counts) in totals.iter_mut().zip(stored) {
            for (value, count) in counts {
                *total.entry(value).or_insert(0) += count;
            }
        }
    }
    fields
        .iter()
        .zip(totals)
        .map(|(&field, counts)| {
            let all = counts
                .into_iter()
                .map(|(value, count)| FacetCount { value, count })
                .collect();
            let (values, more) = ranked_and_cut(all, limit);
            FieldCounts {
                field,
                values,
                more,
            }
        })
        .collect()
}
