//! The merge phase: the segments' fruits summed into one `FacetCounts`. Years are summed by
//! value; string values by ordinal per segment, named only for the top of the list (`top`);
//! segments that counted few matches by value are recounted by ordinal when another did not.

use std::collections::BTreeMap;

use super::ordinals::SegmentCounter;
use super::segment::SegmentFruit;
use super::stored::merge_stored;
use super::tally::FieldOrdCounts;
use super::top::{ranked_and_cut, top_strings, NAME_ALL_BELOW};
use crate::engine::facets::{FacetCount, FacetCounts, FacetField, FieldCounts};

/// Sums the fruits of every segment: `limit` values per field, 0 for every value.
pub(super) fn merge_fruits(
    fields: &[FacetField],
    limit: usize,
    fruits: Vec<SegmentFruit>,
) -> tantivy::Result<FacetCounts> {
    let mut by_ordinal = Vec::with_capacity(fruits.len());
    let mut by_value = Vec::with_capacity(fruits.len());
    for fruit in fruits {
        match fruit {
            SegmentFruit::ByOrdinal(counts) if counts.is_empty() => {}
            SegmentFruit::ByOrdinal(counts) => by_ordinal.push(counts),
            SegmentFruit::ByValue {
                counts,
                segment,
                docs,
            } => by_value.push((counts, segment, docs)),
            SegmentFruit::Failed(e) => return Err(e),
        }
    }
    if by_ordinal.is_empty() {
        let stored = by_value.into_iter().map(|(counts, ..)| counts).collect();
        return Ok(merge_stored(fields, stored, limit));
    }
    // Some segment had many matches: the few-match ones are counted by ordinal too.
    for (_, segment, docs) in by_value {
        if docs.is_empty() {
            continue;
        }
        let mut counting = SegmentCounter::open(fields, &segment, None)?;
        counting.count(&docs);
        by_ordinal.push(counting.finish());
    }
    let fruits = by_ordinal;
    let mut per_field: Vec<Vec<FieldOrdCounts>> = fields.iter().map(|_| Vec::new()).collect();
    for fruit in fruits {
        for (i, counts) in fruit.into_iter().enumerate() {
            per_field[i].push(counts);
        }
    }
    let mut out = Vec::with_capacity(fields.len());
    for (&field, segments) in fields.iter().zip(per_field) {
        let mut years = BTreeMap::new();
        let mut strs = Vec::new();
        for segment in segments {
            match segment {
                FieldOrdCounts::Str(counts) => strs.push(counts),
                FieldOrdCounts::Year(y) => {
                    for (year, count) in y {
                        *years.entry(year).or_insert(0) += count;
                    }
                }
                FieldOrdCounts::Missing => {}
            }
        }
        let (values, more) = if field == FacetField::Year {
            let all = years
                .into_iter()
                .map(|(year, count)| FacetCount {
                    value: year.to_string(),
                    count,
                })
                .collect();
            ranked_and_cut(all, limit)
        } else {
            top_strings(&strs, limit, NAME_ALL_BELOW)?
        };
        out.push(FieldCounts {
            field,
            values,
            more,
        });
    }
    Ok(out)
}
