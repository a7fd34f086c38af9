//! Counting by ordinal: one segment's matches counted from the fast columns, per field, into
//! counts by ordinal (`OrdCounts`) that only the `top` phase turns into names.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use tantivy::columnar::column_index::{MultiValueIndex, OptionalIndex};
use tantivy::columnar::{Column, ColumnIndex, ColumnValues, StrColumn};
use tantivy::{DocId, SegmentReader};

use super::column;
use super::flat::{FlatField, FlatSegment};
use super::tally::{DenseCounts, FieldOrdCounts, OrdCounts, OrdTally, StrOrdCounts};
use crate::engine::facets::FacetField;

/// Counts one field of one segment while its matches are collected.
pub(super) enum FieldCounter {
    Str {
        column: StrColumn,
        tally: OrdTally,
        /// The column's ordinals in the segment's side file, when it has them.
        flat: Option<FlatField>,
        /// Whether `tally` counts the documents that did not match (`count_all`), to be
        /// taken off the side file's totals.
        others: bool,
    },
    /// Years are few and close together: counted in an array indexed from the column's minimum.
    Year {
        column: Column<u64>,
        min: u64,
        counts: Vec<u32>,
        /// Each year's records in the segment, from its side file.
        totals: Option<Vec<(u64, u32)>>,
        /// Whether `counts` counts the documents that did not match, as for strings.
        others: bool,
    },
    Missing,
    /// Counted by the other thread of a shared segment (`SegmentCounter::hand_over`).
    Handed,
}

/// The search thread's own work (scoring, collecting) in values-per-document units, when
/// the fields are shared out: it keeps the lighter share.
const SEARCH_SHARE: f64 = 3.0;

/// Years spanning more than this are counted in a map (no real listing does).
pub(super) const DENSE_YEAR_SPAN: u64 = 1 << 16;

/// One segment's counts by ordinal, read from the fast columns.
pub(super) struct SegmentCounter {
    counters: Vec<FieldCounter>,
    /// Years outside the dense array (see `DENSE_YEAR_SPAN`).
    sparse_years: HashMap<u64, u32>,
    values: Vec<u64>,
    firsts: Vec<Option<u64>>,
    /// The runs of consecutive documents of the chunk being counted.
    runs: Vec<Range<DocId>>,
    gather: Gather,
    /// Ordinals read from a side file, a batch at a time.
    flat_ords: Vec<u64>,
}

/// Buffers of `Gather::count`, kept from chunk to chunk.
#[derive(Default)]
pub(super) struct Gather {
    with_values: Vec<DocId>,
    ranks: Vec<u32>,
    bound_ranks: Vec<u32>,
    bounds: Vec<u32>,
    rows: Vec<u32>,
    decoded: Vec<u64>,
    ords: Vec<u64>,
    /// Batches read as one decoded span, and batches fetched row by row.
    spans_decoded: u32,
    rows_fetched: u32,
}

/// Matches counted at a time by `count_all`.
const COUNT_CHUNK: usize = 8_192;

/// Documents counted per batch of `Gather::count`: its buffers stay in the L2 cache.
const GATHER_BATCH: usize = 1_024;
/// Whether a chunk's matches are scattered enough to be gathered: its runs of consecutive
/// documents average under 5/4 documents (about one record in five matching, or fewer).
/// Measured at 100k and 1M records: gathering made a word in 40% of the records ~10% slower
/// and one in 90% twice as slow, and a word in 11% ~10% faster.
pub(super) fn scattered(runs: usize, docs: usize) -> bool {
    runs * 5 > docs * 4
}

impl SegmentCounter {
    /// Opens the columns of `fields` in `segment`, counting from its side file (`flat`) the
    /// columns it holds.
    pub(super) fn open(
        fields: &[FacetField],
        segment: &SegmentReader,
        flat: Option<&FlatSegment>,
    ) -> tantivy::Result<SegmentCounter> {
        let ff = segment.fast_fields();
        let mut counters = Vec::new();
        for &field in fields {
            let counter = if field == FacetField::Year {
                match ff.u64(column(field)) {
                    Ok(column) => {
                        let (min, max) = (column.min_value(), column.max_value());
                        let span = max.saturating_sub(min);
                        let size = if span < DENSE_YEAR_SPAN { span + 1 } else { 0 };
                        FieldCounter::Year {
                            column,
                            min,
                            counts: vec![0; size as usize],
                            totals: flat.and_then(|f| f.year_totals()).map(<[_]>::to_vec),
                            others: false,
                        }
                    }
                    Err(_) => FieldCounter::Missing,
                }
            } else {
                match ff.str(column(field))? {
                    Some(column) => FieldCounter::Str {
                        flat: flat.and_then(|f| f.field(super::column(field), column.num_terms())),
                        others: false,
                        column,
                        tally: OrdTally::Sparse(Vec::new()),
                    },
                    None => FieldCounter::Missing,
                }
            };
            counters.push(counter);
        }
        Ok(SegmentCounter {
            counters,
            sparse_years: HashMap::new(),
            values: vec![0; 256],
            firsts: Vec::new(),
            runs: Vec::new(),
            gather: Gather::default(),
            flat_ords: Vec::new(),
        })
    }

    pub(super) fn count(&mut self, docs: &[DocId]) {
        // A common word matches runs of consecutive records, whose values are stored back to
        // back: one row range per run of documents (two index lookups) instead of one per
        // document, one decode per run of rows. The runs are found once for every field.
        let counts_strings = self
            .counters
            .iter()
            .any(|c| matches!(c, FieldCounter::Str { .. }));
        if counts_strings {
            self.runs.clear();
            let mut rest = docs;
            while let Some(&first) = rest.first() {
                let len = rest
                    .iter()
                    .enumerate()
                    .take_while(|&(i, &d)| d == first + i as u32)
                    .count();
                self.runs.push(first..first + len as u32);
                rest = &rest[len..];
            }
        }
        // Scattered matches (a word in one record of ten) are gathered in batches; runs (a
        // common word) are cheaper as they are, a lookup and a decode per run.
        let gathered = scattered(self.runs.len(), docs.len());
        for counter in &mut self.counters {
            match counter {
                FieldCounter::Str {
                    flat: Some(flat),
                    tally,
                    ..
                } => flat.count_runs(&self.runs, &mut self.flat_ords, tally),
                FieldCounter::Str {
                    column,
                    tally,
                    flat: None,
                    ..
                } => {
                    let num_terms = column.num_terms();
                    let ords = column.ords();
                    if let Some(index) = multivalued(column).filter(|_| gathered) {
                        for batch in docs.chunks(GATHER_BATCH) {
                            self.gather.count(&index, ords, batch, tally, num_terms);
                        }
                        continue;
                    }
                    let mut rows = 0..0;
                    for docs in &self.runs {
                        let run = ords.index.docid_range_to_rowids(docs.clone());
                        if run.start == rows.end {
                            rows.end = run.end;
                        } else {
                            count_rows(ords, rows, &mut self.values, tally, num_terms);
                            rows = run;
                        }
                    }
                    count_rows(ords, rows, &mut self.values, tally, num_terms);
                }
                FieldCounter::Year {
                    column,
                    min,
                    counts,
                    ..
                } => {
                    self.firsts.clear();
                    self.firsts.resize(docs.len(), None);
                    column.first_vals(docs, &mut self.firsts);
                    for year in self.firsts.iter().flatten() {
                        // 0 is "no date".
                        if *year == 0 {
                            continue;
                        }
                        match counts.get_mut((*year - *min) as usize) {
                            Some(slot) => *slot += 1,
                            None => *self.sparse_years.entry(*year).or_insert(0) += 1,
                        }
                    }
                }
                FieldCounter::Missing | FieldCounter::Handed => {}
            }
        }
    }

    /// Whether every field is counted from a side file, totals included (`count_all`).
    pub(super) fn all_flat(&self) -> bool {
        self.counters.iter().all(|c| {
            !matches!(
                c,
                FieldCounter::Str { flat: None, .. } | FieldCounter::Year { totals: None, .. }
            )
        })
    }

    /// Counts `docs` (ascending) a chunk at a time; with `others`, they are the documents that
    /// did not match, whose values each field takes off its totals in the side file at
    /// `finish` (only when `all_flat`).
    pub(super) fn count_all(&mut self, docs: &[DocId], others: bool) {
        for counter in &mut self.counters {
            if let FieldCounter::Str { others: o, .. } | FieldCounter::Year { others: o, .. } =
                counter
            {
                *o = others;
            }
        }
        // Chunks: the year column's buffer is one slot per document.
        for chunk in docs.chunks(COUNT_CHUNK) {
            self.count(chunk);
        }
    }

    /// The fields a second thread should count from here on, taken out of this counter (left
    /// `Handed`), with what they counted so far: shared out by values per document, this
    /// thread's search counted as `SEARCH_SHARE`, so that each thread counts every match of its
    /// own fields into one array per field (no array twice, nothing to add up after); a lone
    /// field goes to the other thread, counted while this one searches. None when there is
    /// nothing to count.
    pub(super) fn hand_over(&mut self) -> Option<SegmentCounter> {
        let cost = |counter: &FieldCounter| match counter {
            FieldCounter::Str { column, .. } => {
                let ords = column.ords();
                ords.values.num_vals() as f64 / f64::from(ords.num_docs().max(1))
            }
            FieldCounter::Year { .. } => 1.0,
            FieldCounter::Missing | FieldCounter::Handed => 0.0,
        };
        let mut by_cost: Vec<(usize, f64)> = self
            .counters
            .iter()
            .map(cost)
            .enumerate()
            .filter(|&(_, c)| c > 0.0)
            .collect();
        by_cost.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (mut mine, mut theirs) = (SEARCH_SHARE, 0.0);
        let mut handed = Vec::new();
        for (i, c) in by_cost {
            if mine <= theirs {
                mine += c;
            } else {
                theirs += c;
                handed.push(i);
            }
        }
        if handed.is_empty() {
            return None;
        }
        let mut counters: Vec<FieldCounter> = Vec::with_capacity(self.counters.len());
        let mut years = HashMap::new();
        for (i, counter) in self.counters.iter_mut().enumerate() {
            if handed.contains(&i) {
                if matches!(counter, FieldCounter::Year { .. }) {
                    years = std::mem::take(&mut self.sparse_years);
                }
                counters.push(std::mem::replace(counter, FieldCounter::Handed));
            } else {
                counters.push(FieldCounter::Handed);
            }
        }
        Some(SegmentCounter {
            counters,
            sparse_years: years,
            values: vec![0; self.values.len()],
            firsts: Vec::new(),
            runs: Vec::new(),
            gather: Gather::default(),
            flat_ords: Vec::new(),
        })
    }

    /// How the gather read its batches so far: (one decoded span, row by row).
    #[cfg(test)]
    pub(super) fn gather_reads(&self) -> (u32, u32) {
        (self.gather.spans_decoded, self.gather.rows_fetched)
    }

    /// Takes back the fields `hand_over` gave to `other`, with everything it counted.
    pub(super) fn take_back(&mut self, other: SegmentCounter) {
        for (mine, theirs) in self.counters.iter_mut().zip(other.counters) {
            if matches!(mine, FieldCounter::Handed) {
                *mine = theirs;
            }
        }
        for (year, count) in other.sparse_years {
            *self.sparse_years.entry(year).or_insert(0) += count;
        }
    }

    pub(super) fn finish(self) -> Vec<FieldOrdCounts> {
        let sparse = self.sparse_years;
        let counts = self
            .counters
            .into_iter()
            .map(|counter| match counter {
                FieldCounter::Str {
                    column,
                    tally,
                    flat: Some(flat),
                    others: true,
                } => FieldOrdCounts::Str(StrOrdCounts {
                    column,
                    counted: totals_less(&flat, tally.finish()),
                }),
                FieldCounter::Str { tally, .. } if tally.is_empty() => FieldOrdCounts::Missing,
                FieldCounter::Str { column, tally, .. } => FieldOrdCounts::Str(StrOrdCounts {
                    column,
                    counted: tally.finish(),
                }),
                FieldCounter::Year {
                    min,
                    counts,
                    totals: Some(totals),
                    others: true,
                    ..
                } => {
                    let counted = |year: u64| {
                        let dense = year
                            .checked_sub(min)
                            .and_then(|i| counts.get(i as usize).copied());
                        dense.unwrap_or(0) + sparse.get(&year).copied().unwrap_or(0)
                    };
                    let years = totals
                        .iter()
                        .map(|&(year, total)| {
                            (year, u64::from(total.saturating_sub(counted(year))))
                        })
                        .filter(|&(_, count)| count > 0)
                        .collect();
                    FieldOrdCounts::Year(years)
                }
                FieldCounter::Year { min, counts, .. } => {
                    let mut years: BTreeMap<u64, u64> = counts
                        .iter()
                        .enumerate()
                        .filter(|(_, &c)| c > 0)
                        .map(|(i, &c)| (min + i as u64, u64::from(c)))
                        .collect();
                    for (&year, &c) in &sparse {
                        *years.entry(year).or_insert(0) += u64::from(c);
                    }
                    FieldOrdCounts::Year(years)
                }
                FieldCounter::Missing | FieldCounter::Handed => FieldOrdCounts::Missing,
            })
            .collect();
        counts
    }
}

/// The side file's total of each ordinal less its count in `others`.
fn totals_less(flat: &FlatField, others: OrdCounts) -> OrdCounts {
    let num_terms = flat.num_terms() as usize;
    let mut counts = DenseCounts::zeroed(num_terms);
    for ord in 0..num_terms {
        counts.set(ord as u32, flat.total(ord as u64));
    }
    for (ord, count) in others.iter() {
        counts.set(ord as u32, flat.total(ord).saturating_sub(count));
    }
    let present = counts.present();
    OrdCounts::Array { counts, present }
}

/// The documents of `0..max_doc` not in `docs` (ascending).
pub(super) fn documents_not_in(docs: &[DocId], max_doc: DocId) -> Vec<DocId> {
    let mut others = Vec::with_capacity((max_doc as usize).saturating_sub(docs.len()));
    let mut next = 0;
    for &doc in docs.iter().chain(std::iter::once(&max_doc)) {
        others.extend(next..doc);
        next = doc + 1;
    }
    others
}

/// The document-to-rows index of a multi-valued column as tantivy 0.22+ writes it: the
/// documents with values, ranked, and the first row of each rank.
pub(super) struct RowIndex<'a> {
    ranked: &'a OptionalIndex,
    first_rows: &'a dyn ColumnValues<u32>,
}

/// The column's `RowIndex`, when it has one (an older or single-valued column has not).
pub(super) fn multivalued(column: &StrColumn) -> Option<RowIndex<'_>> {
    match &column.ords().index {
        ColumnIndex::Multivalued(MultiValueIndex::MultiValueIndexV2(index)) => Some(RowIndex {
            ranked: &index.optional_index,
            first_rows: index.start_index_column.as_ref(),
        }),
        _ => None,
    }
}

impl Gather {
    /// Counts the ordinals of `docs` (ascending) in a multi-valued column with a few batched
    /// calls instead of three lookups and a decode per run of documents: the ranks of the
    /// documents with values, then both row bounds of each, then the rows, either decoded as
    /// one span and picked (when most of the span is wanted) or fetched by row number.
    fn count(
        &mut self,
        index: &RowIndex<'_>,
        ords: &Column<u64>,
        docs: &[DocId],
        tally: &mut OrdTally,
        num_terms: usize,
    ) {
        self.with_values.clear();
        self.ranks.clear();
        index
            .ranked
            .rank_if_exists_batch(docs, &mut self.with_values, &mut self.ranks);
        if self.ranks.is_empty() {
            return;
        }
        self.bound_ranks.clear();
        self.bound_ranks
            .extend(self.ranks.iter().flat_map(|&rank| [rank, rank + 1]));
        self.bounds.clear();
        self.bounds.resize(self.bound_ranks.len(), 0);
        index
            .first_rows
            .get_vals(&self.bound_ranks, &mut self.bounds);
        let wanted: usize = self
            .bounds
            .chunks_exact(2)
            .map(|b| (b[1] - b[0]) as usize)
            .sum();
        let first = self.bounds[0];
        let span = (self.bounds[self.bounds.len() - 1] - first) as usize;
        self.ords.clear();
        if span <= 3 * wanted {
            self.spans_decoded += 1;
            self.decoded.clear();
            self.decoded.resize(span, 0);
            ords.values.get_range(u64::from(first), &mut self.decoded);
            for b in self.bounds.chunks_exact(2) {
                self.ords.extend_from_slice(
                    &self.decoded[(b[0] - first) as usize..(b[1] - first) as usize],
                );
            }
        } else {
            self.rows_fetched += 1;
            self.rows.clear();
            self.rows.resize(wanted, 0);
            let mut at = 0;
            for b in self.bounds.chunks_exact(2) {
                for (slot, row) in self.rows[at..].iter_mut().zip(b[0]..b[1]) {
                    *slot = row;
                }
                at += (b[1] - b[0]) as usize;
            }
            self.ords.resize(wanted, 0);
            ords.values.get_vals(&self.rows, &mut self.ords);
        }
        tally.add(&self.ords, num_terms);
    }
}

/// Counts every ordinal stored in `rows`.
pub(super) fn count_rows(
    ords: &Column<u64>,
    rows: Range<u32>,
    buffer: &mut [u64],
    tally: &mut OrdTally,
    num_terms: usize,
) {
    let mut start = rows.start;
    while start < rows.end {
        let n = (rows.end - start).min(buffer.len() as u32);
        let chunk = &mut buffer[..n as usize];
        ords.values.get_range(u64::from(start), chunk);
        tally.add(chunk, num_terms);
        start += n;
    }
}
