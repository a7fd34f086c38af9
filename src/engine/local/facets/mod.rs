//! Exact facet counts (tags, years, fellows, authors) over every matching record, not just
//! the page shown, in phases kept apart by module (as tantivy's own `aggregation/` is):
//!
//! - here, the request: `FacetCollector` (which fields, how many values);
//! - `segment`: collecting one segment's matches (`FacetSegmentCollector` → `SegmentFruit`),
//!   keeping a few matches' doc ids, or handing many to
//! - `ordinals`: counting by ordinal from the fast columns (`SegmentCounter`, one
//!   `FieldCounter` per field, growing an `OrdTally` into `OrdCounts`), or from
//! - `flat`: the segment's side file of the same ordinals as plain arrays (`FlatOrdinals`),
//!   written by ingest;
//! - `stored`: counting a few matches by value from their stored records (`ValueCounts`);
//! - `merge`: summing the segments' counts into `FacetCounts`;
//! - `top`: naming only the `limit` most frequent string values, found exactly across segments;
//! - `tally`: what the counting phases grow (`OrdTally` → `OrdCounts`) and `top` reads.
//!
//! No phase imports one that imports it: `segment` hands work to `ordinals`, `flat` and
//! `stored`; `merge` reads what they found; `top` reads only `tally`, which reads no phase.
//!
//! Counting is linear in the matches; naming every distinct value is not cheap (a million
//! records have hundreds of thousands of authors, in dictionaries decoded block by block), so a
//! request names only its `limit` most frequent values per field, found exactly: each segment
//! offers its own top values as candidates, their exact totals are looked up in every segment,
//! and the answer stands only if no value left out could reach it (else more candidates).

mod flat;
mod merge;
mod ordinals;
mod segment;
mod stored;
mod tally;
#[cfg(test)]
mod tests;
mod top;

use std::sync::Arc;

use tantivy::collector::Collector;
use tantivy::{SegmentOrdinal, SegmentReader};

use super::schema::{AUTHOR_FACET, FELLOW_FACET, TAG_FACET, YEAR};
use crate::engine::facets::{FacetCounts, FacetField};
pub use flat::{write_missing as write_flat_ordinals, FlatOrdinals};
pub use segment::{FacetSegmentCollector, SegmentFruit};

/// The fast column a facet field is counted from.
pub(super) fn column(field: FacetField) -> &'static str {
    match field {
        FacetField::Tags => TAG_FACET,
        FacetField::Year => YEAR,
        FacetField::Fellows => FELLOW_FACET,
        FacetField::Authors => AUTHOR_FACET,
    }
}

/// The cores this process may use, read once: the standard library asks the cgroup files each
/// time (~20 system calls, ~11 µs), and the counting asks per segment of every query.
pub(super) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Counts `fields` over the matches; `limit` values per field, 0 for every value.
pub struct FacetCollector {
    pub fields: Vec<FacetField>,
    pub limit: usize,
    /// The index's side files (none: every segment counted from its columns).
    pub flat: Arc<FlatOrdinals>,
}

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(FacetSegmentCollector::new(
            self.fields.clone(),
            segment,
            self.flat.segment(segment.segment_id()).cloned(),
        ))
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<FacetCounts> {
        merge::merge_fruits(&self.fields, self.limit, fruits)
    }
}
