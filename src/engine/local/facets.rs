//! Exact facet counts (tags, years, fellows, authors) over every matching record, not just
//! the page shown: counted by ordinal per segment from the fast columns, then only the top
//! values are turned into strings and merged across segments.
//!
//! Counting is linear in the matches; naming every distinct value is not cheap (a million
//! records have hundreds of thousands of authors, in dictionaries decoded block by block), so a
//! request names only its `limit` most frequent values per field, found exactly: each segment
//! offers its own top values as candidates, their exact totals are looked up in every segment,
//! and the answer stands only if no value left out could reach it (else more candidates).

use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::ops::Range;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, TantivyDocument};

use super::docs::from_document;
use super::schema::{Fields, AUTHOR_FACET, FELLOW_FACET, TAG_FACET, YEAR};
use crate::search::facets::{FacetCount, FacetCounts, FacetField, FieldCounts};

/// The fast column a facet field is counted from.
fn column(field: FacetField) -> &'static str {
    match field {
        FacetField::Tags => TAG_FACET,
        FacetField::Year => YEAR,
        FacetField::Fellows => FELLOW_FACET,
        FacetField::Authors => AUTHOR_FACET,
    }
}

/// Counts `fields` over the matches; `limit` values per field, 0 for every value.
pub struct FacetCollector {
    pub fields: Vec<FacetField>,
    pub limit: usize,
}

enum Counter {
    Str {
        column: StrColumn,
        tally: Tally,
    },
    /// Years are few and close together: counted in an array indexed from the column's minimum.
    Year {
        column: Column<u64>,
        min: u64,
        counts: Vec<u32>,
    },
    Missing,
}

/// Years spanning more than this are counted in a map (no real listing does).
const DENSE_YEAR_SPAN: u64 = 1 << 16;

/// A segment with at most this many matches counts from its stored records, without opening
/// a column. Reading a stored record (an LZ4 block) costs about as much as naming the values of
/// one match through the dictionaries; the reads win while few, and they spare opening four
/// columns per segment (measured at 1M records: 229 matches 40 → 25 ms, 1,442 no better).
/// When another segment has more, the few are counted by ordinal too (in the merge).
const STORED_PER_SEGMENT: usize = 128;

pub struct FacetSegmentCollector {
    fields: Vec<FacetField>,
    segment: SegmentReader,
    /// The matches, while few (`None` once past `STORED_PER_SEGMENT`): naming values through
    /// the column dictionaries decodes a dictionary block per value, and a selective query's
    /// values are spread over all of them; its few stored records already hold the names.
    /// Until then no column is opened (a selective query meets ten segments at 1M records).
    kept: Option<Vec<DocId>>,
    /// Opened once the matches are too many to keep; an error fails the search at the merge.
    counting: Option<tantivy::Result<Counting>>,
}

/// One segment's counts by ordinal, read from the fast columns.
struct Counting {
    counters: Vec<Counter>,
    /// Years outside the dense array (see `DENSE_YEAR_SPAN`).
    sparse_years: HashMap<u64, u32>,
    values: Vec<u64>,
    firsts: Vec<Option<u64>>,
}

/// A segment's counts of one string field by ordinal.
///
/// A few matches' ordinals are listed, then sorted and counted (`Sparse`): an array with a
/// slot per distinct author would take a page fault per value counted (two, with a TLB
/// shootdown across the search threads, on the allocator's zero pages) and a scan of every
/// slot to find the counted ones. Past `sparse_cap` ordinals, an array written full of zeros
/// up front takes over (`Dense`).
#[derive(Debug)]
enum Tally {
    Sparse(Vec<u32>),
    Dense(Vec<u32>),
}

/// Ordinals listed before a segment's counts move to an array of `num_terms` slots.
fn sparse_cap(num_terms: usize) -> usize {
    (num_terms / 8).max(4_096)
}

impl Tally {
    fn add(&mut self, ords: &[u64], num_terms: usize) {
        if let Tally::Sparse(list) = self {
            if list.len() + ords.len() <= sparse_cap(num_terms) {
                list.extend(ords.iter().map(|&ord| ord as u32));
                return;
            }
            // `resize` writes the zeros (unlike `vec![0; n]`'s untouched fresh pages), so
            // each page faults once, here, and never again while counting.
            #[allow(clippy::slow_vector_initialization)]
            let mut counts = {
                let mut v = Vec::with_capacity(num_terms);
                v.resize(num_terms, 0u32);
                v
            };
            for &ord in list.iter() {
                counts[ord as usize] += 1;
            }
            *self = Tally::Dense(counts);
        }
        if let Tally::Dense(counts) = self {
            for &ord in ords {
                if let Some(slot) = counts.get_mut(ord as usize) {
                    *slot += 1;
                }
            }
        }
    }

    fn is_empty(&self) -> bool {
        match self {
            Tally::Sparse(list) => list.is_empty(),
            Tally::Dense(_) => false,
        }
    }

    fn finish(self) -> Counted {
        match self {
            Tally::Sparse(mut list) => {
                list.sort_unstable();
                let mut ords = Vec::new();
                let mut counts: Vec<u32> = Vec::new();
                for ord in list {
                    if ords.last() == Some(&u64::from(ord)) {
                        *counts.last_mut().expect("parallel to ords") += 1;
                    } else {
                        ords.push(u64::from(ord));
                        counts.push(1);
                    }
                }
                Counted::Listed { ords, counts }
            }
            Tally::Dense(counts) => {
                let present = counts.iter().filter(|&&c| c > 0).count();
                Counted::Array { counts, present }
            }
        }
    }
}

/// A segment's final counts of one string field.
#[derive(Debug)]
enum Counted {
    /// The ordinals with a count, ascending, and their counts.
    Listed { ords: Vec<u64>, counts: Vec<u32> },
    /// A count per ordinal (most of them zero: only the scan for the top values reads them
    /// all), and how many are not zero.
    Array { counts: Vec<u32>, present: usize },
}

impl Counted {
    /// How many ordinals have a count.
    fn present(&self) -> usize {
        match self {
            Counted::Listed { ords, .. } => ords.len(),
            Counted::Array { present, .. } => *present,
        }
    }

    fn count_of(&self, ord: u64) -> u32 {
        match self {
            Counted::Listed { ords, counts } => ords.binary_search(&ord).map_or(0, |i| counts[i]),
            Counted::Array { counts, .. } => counts.get(ord as usize).copied().unwrap_or(0),
        }
    }

    /// (ordinal, count) for every ordinal with a count, ascending.
    fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        let (listed, array) = match self {
            Counted::Listed { ords, counts } => {
                (Some(ords.iter().copied().zip(counts.iter().copied())), None)
            }
            Counted::Array { counts, .. } => (
                None,
                Some(
                    counts
                        .iter()
                        .enumerate()
                        .filter(|(_, &c)| c > 0)
                        .map(|(ord, &c)| (ord as u64, c)),
                ),
            ),
        };
        listed
            .into_iter()
            .flatten()
            .chain(array.into_iter().flatten())
    }
}

/// What a segment found for one field: counts by ordinal and the column to name them.
pub enum SegmentCounts {
    Str(StrCounts),
    Year(BTreeMap<u64, u64>),
    Missing,
}

impl Collector for FacetCollector {
    type Fruit = FacetCounts;
    type Child = FacetSegmentCollector;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(FacetSegmentCollector {
            fields: self.fields.clone(),
            segment: segment.clone(),
            kept: Some(Vec::new()),
            counting: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<FacetCounts> {
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
            return Ok(merge_stored(&self.fields, stored, self.limit));
        }
        // Some segment had many matches: the few-match ones are counted by ordinal too.
        for (_, segment, docs) in by_value {
            if docs.is_empty() {
                continue;
            }
            let mut counting = Counting::open(&self.fields, &segment)?;
            counting.count(&docs);
            by_ordinal.push(counting.finish());
        }
        let fruits = by_ordinal;
        let mut per_field: Vec<Vec<SegmentCounts>> =
            self.fields.iter().map(|_| Vec::new()).collect();
        for fruit in fruits {
            for (i, counts) in fruit.into_iter().enumerate() {
                per_field[i].push(counts);
            }
        }
        let mut out = Vec::with_capacity(self.fields.len());
        for (&field, segments) in self.fields.iter().zip(per_field) {
            let mut years = BTreeMap::new();
            let mut strs = Vec::new();
            for segment in segments {
                match segment {
                    SegmentCounts::Str(counts) => strs.push(counts),
                    SegmentCounts::Year(y) => {
                        for (year, count) in y {
                            *years.entry(year).or_insert(0) += count;
                        }
                    }
                    SegmentCounts::Missing => {}
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
                ranked_and_cut(all, self.limit)
            } else {
                top_strings(&strs, self.limit, NAME_ALL_BELOW)?
            };
            out.push(FieldCounts {
                field,
                values,
                more,
            });
        }
        Ok(out)
    }
}

/// What a segment found: counts by ordinal, or by value (read from its stored records) when it
/// had few matches, with those matches, to count them by ordinal if another segment had many.
pub enum SegmentFruit {
    /// Empty for a segment without matches.
    ByOrdinal(Vec<SegmentCounts>),
    ByValue {
        counts: StoredCounts,
        segment: Box<SegmentReader>,
        docs: Vec<DocId>,
    },
    Failed(tantivy::TantivyError),
}

/// Per field, value → count.
type StoredCounts = Vec<BTreeMap<String, u64>>;

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.collect_block(&[doc]);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        // tantivy may end a segment with an empty block.
        if docs.is_empty() {
            return;
        }
        if let Some(kept) = &mut self.kept {
            if kept.len() + docs.len() <= STORED_PER_SEGMENT {
                kept.extend_from_slice(docs);
                return;
            }
            let kept = self.kept.take().unwrap_or_default();
            self.counting = Some(Counting::open(&self.fields, &self.segment).map(
                |mut counting| {
                    counting.count(&kept);
                    counting
                },
            ));
        }
        if let Some(Ok(counting)) = &mut self.counting {
            counting.count(docs);
        }
    }

    fn harvest(self) -> SegmentFruit {
        if let Some(docs) = self.kept {
            return match count_stored(&self.segment, &self.fields, &docs) {
                Ok(counts) => SegmentFruit::ByValue {
                    counts,
                    segment: Box::new(self.segment),
                    docs,
                },
                Err(e) => SegmentFruit::Failed(e),
            };
        }
        match self.counting.map(|counting| counting.map(Counting::finish)) {
            Some(Ok(counts)) => SegmentFruit::ByOrdinal(counts),
            Some(Err(e)) => SegmentFruit::Failed(e),
            None => SegmentFruit::ByOrdinal(Vec::new()),
        }
    }
}

impl Counting {
    fn open(fields: &[FacetField], segment: &SegmentReader) -> tantivy::Result<Counting> {
        let ff = segment.fast_fields();
        let mut counters = Vec::new();
        for &field in fields {
            let counter = if field == FacetField::Year {
                match ff.u64(column(field)) {
                    Ok(column) => {
                        let (min, max) = (column.min_value(), column.max_value());
                        let span = max.saturating_sub(min);
                        let size = if span < DENSE_YEAR_SPAN { span + 1 } else { 0 };
                        Counter::Year {
                            column,
                            min,
                            counts: vec![0; size as usize],
                        }
                    }
                    Err(_) => Counter::Missing,
                }
            } else {
                match ff.str(column(field))? {
                    Some(column) => Counter::Str {
                        column,
                        tally: Tally::Sparse(Vec::new()),
                    },
                    None => Counter::Missing,
                }
            };
            counters.push(counter);
        }
        Ok(Counting {
            counters,
            sparse_years: HashMap::new(),
            values: vec![0; 256],
            firsts: Vec::new(),
        })
    }

    fn count(&mut self, docs: &[DocId]) {
        for counter in &mut self.counters {
            match counter {
                Counter::Str { column, tally } => {
                    let num_terms = column.num_terms();
                    let ords = column.ords();
                    // A common word matches runs of consecutive records, whose values are
                    // stored back to back: one row range per run of documents (two index
                    // lookups) instead of one per document, one decode per run of rows.
                    let mut rows = 0..0;
                    let mut rest = docs;
                    while let Some(&first) = rest.first() {
                        let len = rest
                            .iter()
                            .enumerate()
                            .take_while(|&(i, &d)| d == first + i as u32)
                            .count();
                        let run = ords.index.docid_range_to_rowids(first..first + len as u32);
                        if run.start == rows.end {
                            rows.end = run.end;
                        } else {
                            count_rows(ords, rows, &mut self.values, tally, num_terms);
                            rows = run;
                        }
                        rest = &rest[len..];
                    }
                    count_rows(ords, rows, &mut self.values, tally, num_terms);
                }
                Counter::Year {
                    column,
                    min,
                    counts,
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
                Counter::Missing => {}
            }
        }
    }

    fn finish(self) -> Vec<SegmentCounts> {
        let sparse = self.sparse_years;
        let counts = self
            .counters
            .into_iter()
            .map(|counter| match counter {
                Counter::Str { tally, .. } if tally.is_empty() => SegmentCounts::Missing,
                Counter::Str { column, tally } => SegmentCounts::Str(StrCounts {
                    column,
                    counted: tally.finish(),
                }),
                Counter::Year { min, counts, .. } => {
                    let mut years: BTreeMap<u64, u64> = counts
                        .iter()
                        .enumerate()
                        .filter(|(_, &c)| c > 0)
                        .map(|(i, &c)| (min + i as u64, u64::from(c)))
                        .collect();
                    for (&year, &c) in &sparse {
                        *years.entry(year).or_insert(0) += u64::from(c);
                    }
                    SegmentCounts::Year(years)
                }
                Counter::Missing => SegmentCounts::Missing,
            })
            .collect();
        counts
    }
}

/// Counts of each field's values over a segment's stored records `docs`.
fn count_stored(
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
fn merge_stored(fields: &[FacetField], segments: Vec<StoredCounts>, limit: usize) -> FacetCounts {
    let mut totals: StoredCounts = fields.iter().map(|_| BTreeMap::new()).collect();
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

/// Counts every ordinal stored in `rows`.
fn count_rows(
    ords: &Column<u64>,
    rows: Range<u32>,
    buffer: &mut [u64],
    tally: &mut Tally,
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

/// Sorts by count (descending), then value, and keeps `limit` (0: all); `true` if cut.
fn ranked_and_cut(mut all: Vec<FacetCount>, limit: usize) -> (Vec<FacetCount>, bool) {
    all.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    let more = limit > 0 && all.len() > limit;
    if more {
        all.truncate(limit);
    }
    (all, more)
}

/// One segment's counts of a string field, and the column to name them.
pub struct StrCounts {
    column: StrColumn,
    counted: Counted,
}

/// Below this many (segment, value) pairs with a count, naming them all is cheaper than
/// proving a top list without them.
const NAME_ALL_BELOW: usize = 20_000;

/// The `limit` most frequent values over all segments (every value when `limit` is 0), exact.
fn top_strings(
    segments: &[StrCounts],
    limit: usize,
    name_all_below: usize,
) -> tantivy::Result<(Vec<FacetCount>, bool)> {
    let present: usize = segments.iter().map(|s| s.counted.present()).sum();
    if limit > 0 && present >= name_all_below {
        if let Some(found) = top_by_candidates(segments, limit)? {
            return Ok(found);
        }
    }
    let mut all = name_all(segments, present)?;
    // Each segment's values arrive in value order: the stable sort merges sorted runs, and
    // equal values end up adjacent to be summed.
    all.sort_by(|a, b| a.value.cmp(&b.value));
    all.dedup_by(|later, kept| {
        let same = later.value == kept.value;
        if same {
            kept.count += later.count;
        }
        same
    });
    Ok(ranked_and_cut(all, limit))
}

/// Below this many values to name, one thread does it.
const NAME_IN_PARALLEL_FROM: usize = 2_000;

/// Every counted value of every segment, named, segment after segment (each in value order).
/// Naming walks dictionary blocks; segments are named on all cores when there is much to name.
fn name_all(segments: &[StrCounts], present: usize) -> tantivy::Result<Vec<FacetCount>> {
    let name_part = |part: &[StrCounts]| -> tantivy::Result<Vec<FacetCount>> {
        let mut out = Vec::new();
        for s in part {
            let (ords, counts): (Vec<u64>, Vec<u32>) = s.counted.iter().unzip();
            // Named in ordinal order: the i-th name is the i-th ordinal's.
            out.extend(name_ords(&s.column, &ords)?.into_iter().zip(counts).map(
                |((_, value), count)| FacetCount {
                    value,
                    count: u64::from(count),
                },
            ));
        }
        Ok(out)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || segments.len() < 2 || present < NAME_IN_PARALLEL_FROM {
        return name_part(segments);
    }
    let chunk = segments.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = segments
            .chunks(chunk)
            .map(|part| scope.spawn(move || name_part(part)))
            .collect();
        let mut all = Vec::new();
        for handle in handles {
            let part = handle.join().map_err(|_| {
                tantivy::TantivyError::InternalError("naming facet values failed".into())
            })??;
            all.extend(part);
        }
        Ok(all)
    })
}

/// A value offered by some segment's top list: its count where known, and where not yet.
struct Candidate {
    value: String,
    known: u64,
    unknown: Vec<usize>,
    /// `known` plus the most each unknown segment could add.
    upper: u64,
}

/// The threshold algorithm: each segment offers its most frequent values; a value outside
/// every offer has, per segment, at most that segment's lowest offered count (`floor`).
/// Candidates are totalled (a dictionary lookup per segment that did not offer them, so the
/// fewest possible) in order of their upper bound, until `limit` exact totals beat every bound
/// left. `None` when the offers cannot prove an answer (flat counts): name everything then.
fn top_by_candidates(
    segments: &[StrCounts],
    limit: usize,
) -> tantivy::Result<Option<(Vec<FacetCount>, bool)>> {
    let depth = limit.saturating_mul(2).max(16);
    let mut floors = Vec::with_capacity(segments.len());
    let mut offers: BTreeMap<String, Vec<(usize, u64)>> = BTreeMap::new();
    for (s, segment) in segments.iter().enumerate() {
        let top = top_ords(segment.counted.iter(), depth);
        let floor = if segment.counted.present() > top.len() {
            top.last().map_or(0, |&(_, count)| u64::from(count))
        } else {
            0
        };
        floors.push(floor);
        let mut sorted = top;
        sorted.sort_unstable();
        let sorted_ords: Vec<u64> = sorted.iter().map(|&(ord, _)| ord).collect();
        for ((_, value), &(_, count)) in name_ords(&segment.column, &sorted_ords)?
            .into_iter()
            .zip(&sorted)
        {
            offers.entry(value).or_default().push((s, u64::from(count)));
        }
    }
    let outside: u64 = floors.iter().sum();
    let mut candidates: Vec<Candidate> = offers
        .into_iter()
        .map(|(value, offered)| {
            let known = offered.iter().map(|&(_, c)| c).sum::<u64>();
            let unknown: Vec<usize> = (0..segments.len())
                .filter(|s| !offered.iter().any(|&(o, _)| o == *s))
                .collect();
            let upper = known + unknown.iter().map(|&s| floors[s]).sum::<u64>();
            Candidate {
                value,
                known,
                unknown,
                upper,
            }
        })
        .collect();
    candidates.sort_by(|a, b| b.upper.cmp(&a.upper).then_with(|| a.value.cmp(&b.value)));
    let offered = candidates.len();
    let mut exact: Vec<FacetCount> = Vec::new();
    let mut proven = false;
    for candidate in candidates {
        if exact.len() >= limit {
            let kth = exact[limit - 1].count;
            if kth > candidate.upper && kth > outside {
                proven = true;
                break;
            }
        }
        let mut count = candidate.known;
        for s in candidate.unknown {
            let segment = &segments[s];
            let dictionary = segment.column.dictionary();
            if let Some(ord) = dictionary.term_ord(candidate.value.as_bytes())? {
                count += u64::from(segment.counted.count_of(ord));
            }
        }
        exact.push(FacetCount {
            value: candidate.value,
            count,
        });
        exact.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        exact.truncate(limit);
    }
    if !proven {
        // Every candidate totalled: the list stands if nothing outside the offers could
        // reach it, or if there is nothing outside them.
        proven = outside == 0 || (exact.len() >= limit && exact[limit - 1].count > outside);
    }
    if !proven {
        return Ok(None);
    }
    let more = outside > 0 || offered > limit;
    Ok(Some((exact, more)))
}

/// The `depth` (ordinal, count) pairs with the highest counts (ties: lower ordinal, i.e.
/// smaller value first), best first.
fn top_ords(counted: impl Iterator<Item = (u64, u32)>, depth: usize) -> Vec<(u64, u32)> {
    // Min-heap on (count, Reverse(ord)): the root is the weakest kept entry.
    let mut heap: BinaryHeap<std::cmp::Reverse<(u32, std::cmp::Reverse<u64>)>> =
        BinaryHeap::with_capacity(depth + 1);
    for (ord, count) in counted {
        let entry = std::cmp::Reverse((count, std::cmp::Reverse(ord)));
        if heap.len() < depth {
            heap.push(entry);
        } else if let Some(weakest) = heap.peek() {
            if entry < *weakest {
                heap.pop();
                heap.push(entry);
            }
        }
    }
    let mut top: Vec<(u64, u32)> = heap
        .into_iter()
        .map(|std::cmp::Reverse((c, std::cmp::Reverse(o)))| (o, c))
        .collect();
    top.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    top
}

/// The values of sorted ordinals, in one ordered walk of the dictionary: each (compressed)
/// block is decoded once, not once per value as `ord_to_term` would.
fn name_ords(column: &StrColumn, sorted_ords: &[u64]) -> tantivy::Result<Vec<(u64, String)>> {
    let mut named = Vec::with_capacity(sorted_ords.len());
    let mut next = sorted_ords.iter();
    column
        .dictionary()
        .sorted_ords_to_term_cb(sorted_ords, |bytes| {
            if let Some(&ord) = next.next() {
                named.push((ord, String::from_utf8_lossy(bytes).into_owned()));
            }
        })?;
    Ok(named)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::local::schema::build_schema;
    use tantivy::{Index, TantivyDocument};

    /// Per-segment counts of `author_facet` over the documents `matches` keeps, from an index
    /// of `segments` segments whose documents carry the values `value(segment, doc)`.
    fn segment_counts(
        segments: u32,
        docs: u32,
        value: impl Fn(u32, u32) -> Vec<String>,
        matches: impl Fn(u32) -> bool,
    ) -> Vec<StrCounts> {
        let schema = build_schema();
        let field = schema.get_field(AUTHOR_FACET).unwrap();
        let index = Index::create_in_ram(schema);
        crate::engine::local::schema::register_tokenizers(&index);
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for s in 0..segments {
            for d in 0..docs {
                let mut doc = TantivyDocument::new();
                for v in value(s, d) {
                    doc.add_text(field, &v);
                }
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), segments as usize);
        searcher
            .segment_readers()
            .iter()
            .map(|reader| {
                let column = reader.fast_fields().str(AUTHOR_FACET).unwrap().unwrap();
                let mut tally = Tally::Sparse(Vec::new());
                for doc in 0..reader.max_doc() {
                    if matches(doc) {
                        let ords: Vec<u64> = column.term_ords(doc).collect();
                        tally.add(&ords, column.num_terms());
                    }
                }
                StrCounts {
                    column,
                    counted: tally.finish(),
                }
            })
            .collect()
    }

    /// An index of records with facet values (repeated names, accents, case variants, undated
    /// records), one segment per entry of `segment_sizes`.
    fn facet_index(segment_sizes: &[usize]) -> Index {
        let schema = build_schema();
        let fields = Fields::resolve(&schema).unwrap();
        let index = Index::create_in_ram(schema);
        crate::engine::local::schema::register_tokenizers(&index);
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let names = ["Zoë Ångström", "Neel Nanda", "Ana", "ana", "Łukasz"];
        let mut i = 0usize;
        for &size in segment_sizes {
            for _ in 0..size {
                let pick = |n: usize| names[(i * 7 + n * 3) % names.len()].to_owned();
                let record = crate::record::Record {
                    id: crate::record::id_from_number(i as u64),
                    title: format!("paper {i}"),
                    // A repeated name, an undated record.
                    authors: vec![pick(0), pick(1), pick(0)],
                    fellows: if i.is_multiple_of(4) {
                        vec![]
                    } else {
                        vec![pick(2)]
                    },
                    tags: (0..i % 3).map(|t| format!("Tag {t}")).collect(),
                    date: if i.is_multiple_of(9) {
                        String::new()
                    } else {
                        format!("20{}-01-02", 19 + i % 7)
                    },
                    abstract_text: String::new(),
                    featured: false,
                    doi: String::new(),
                    url: String::new(),
                    arxiv: String::new(),
                    source: Default::default(),
                };
                writer
                    .add_document(crate::engine::local::docs::to_document(
                        &fields, &record, 0, 0,
                    ))
                    .unwrap();
                i += 1;
            }
            writer.commit().unwrap();
        }
        index
    }

    /// Every match of every segment through the collector, as tantivy would run it.
    fn collect_all(collector: &FacetCollector, searcher: &tantivy::Searcher) -> Vec<SegmentFruit> {
        searcher
            .segment_readers()
            .iter()
            .enumerate()
            .map(|(ord, reader)| {
                let mut segment = collector.for_segment(ord as u32, reader).unwrap();
                let docs: Vec<DocId> = (0..reader.max_doc()).collect();
                for block in docs.chunks(64) {
                    segment.collect_block(block);
                }
                segment.harvest()
            })
            .collect()
    }

    /// Both ways of counting a few matches, over the same segments: by ordinal with the
    /// dictionaries naming the values, and from the stored records.
    #[test]
    fn stored_counts_equal_column_counts() {
        let index = facet_index(&[30, 30]);
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        for limit in [0, 2, 10] {
            let collector = FacetCollector {
                fields: FacetField::ALL.to_vec(),
                limit,
            };
            let stored = collect_all(&collector, &searcher);
            let by_columns: Vec<SegmentFruit> = collect_all(&collector, &searcher)
                .into_iter()
                .map(|fruit| {
                    let SegmentFruit::ByValue { segment, docs, .. } = fruit else {
                        panic!("30 matches per segment are counted from the stored records");
                    };
                    let mut counting = Counting::open(&collector.fields, &segment).unwrap();
                    counting.count(&docs);
                    SegmentFruit::ByOrdinal(counting.finish())
                })
                .collect();
            let from_store = collector.merge_fruits(stored).unwrap();
            let from_columns = collector.merge_fruits(by_columns).unwrap();
            assert_eq!(from_store, from_columns, "limit {limit}");
            assert!(from_store.iter().all(|f| !f.values.is_empty()));
        }
    }

    /// Segments with few matches and one with many: the few are counted by ordinal as well,
    /// and the totals are those of every stored record.
    #[test]
    fn few_and_many_match_segments_count_together() {
        let index = facet_index(&[20, STORED_PER_SEGMENT + 170, 5]);
        let searcher = index.reader().unwrap().searcher();
        let collector = FacetCollector {
            fields: FacetField::ALL.to_vec(),
            limit: 0,
        };
        let fruits = collect_all(&collector, &searcher);
        let few = fruits
            .iter()
            .filter(|f| matches!(f, SegmentFruit::ByValue { .. }))
            .count();
        assert_eq!((few, fruits.len()), (2, 3));
        let counted = collector.merge_fruits(fruits).unwrap();

        let mut expected: StoredCounts = FacetField::ALL.iter().map(|_| BTreeMap::new()).collect();
        for reader in searcher.segment_readers() {
            let docs: Vec<DocId> = (0..reader.max_doc()).collect();
            let counts = count_stored(reader, &FacetField::ALL, &docs).unwrap();
            for (total, part) in expected.iter_mut().zip(counts) {
                for (value, count) in part {
                    *total.entry(value).or_insert(0) += count;
                }
            }
        }
        assert_eq!(counted, merge_stored(&FacetField::ALL, vec![expected], 0));
        assert!(counted.iter().all(|f| !f.values.is_empty()));
    }

    #[test]
    fn candidate_top_lists_equal_the_head_of_the_full_list() {
        // Skewed (Zipf-like), and flat but with a few heavy values, over segments that
        // disagree on their local favourites.
        let skewed = |s: u32, d: u32| {
            let x = d.wrapping_mul(2_654_435_761).wrapping_add(s * 7919) % 10_000;
            vec![
                format!("name {}", 10_000 / (x + 1)),
                format!("solo {s} {d}"),
            ]
        };
        let segments = segment_counts(4, 3_000, skewed, |d| d % 3 != 1);
        let (all, _) = top_strings(&segments, 0, usize::MAX).unwrap();
        let mut proven = 0;
        for limit in [1, 2, 5, 10, 25] {
            let Some((top, more)) = top_by_candidates(&segments, limit).unwrap() else {
                continue;
            };
            proven += 1;
            assert_eq!(top, all[..limit], "limit {limit}");
            assert!(more);
            assert_eq!(top_strings(&segments, limit, 0).unwrap().0, top);
        }
        assert!(
            proven >= 3,
            "the candidate path proved only {proven} limits"
        );

        // Flat counts cannot be proven from the offers: the full naming takes over.
        let flat = |s: u32, d: u32| vec![format!("flat {s} {d}")];
        let segments = segment_counts(3, 500, flat, |_| true);
        assert!(top_by_candidates(&segments, 5).unwrap().is_none());
        let (top, more) = top_strings(&segments, 5, 0).unwrap();
        assert_eq!(top.len(), 5);
        assert!(more);
        assert_eq!(top[0].value, "flat 0 0");
    }

    #[test]
    fn top_ords_breaks_ties_by_ordinal() {
        let ords = [1, 2, 3, 5, 6];
        let counts = [3, 5, 3, 1, 5];
        let pairs = || ords.iter().copied().zip(counts.iter().copied());
        assert_eq!(top_ords(pairs(), 3), vec![(2, 5), (6, 5), (1, 3)]);
        let all: Vec<u64> = top_ords(pairs(), 10).iter().map(|p| p.0).collect();
        assert_eq!(all, vec![2, 6, 1, 3, 5]);
    }

    /// A listed tally and one that moved to an array part way count the same.
    #[test]
    fn sparse_and_dense_tallies_agree() {
        let num_terms = 100_000;
        let cap = sparse_cap(num_terms);
        let batch: Vec<u64> = (0..1_000u64).map(|i| i * 7_919 % 997 * 31).collect();
        let mut listed = Tally::Sparse(Vec::new());
        let mut moved = Tally::Sparse(Vec::new());
        let mut added = 0;
        while added + batch.len() <= cap {
            listed.add(&batch, num_terms);
            moved.add(&batch, num_terms);
            added += batch.len();
        }
        assert!(matches!(listed, Tally::Sparse(_)));
        // Past the cap with the same ordinals as one batch more: `moved` goes dense.
        moved.add(&batch, num_terms);
        assert!(matches!(moved, Tally::Dense(_)));
        let mut extra = Tally::Sparse(batch.iter().map(|&o| o as u32).collect());
        if let (Tally::Sparse(a), Tally::Sparse(b)) = (&mut listed, &mut extra) {
            a.append(b);
        }
        let (listed, moved) = (listed.finish(), moved.finish());
        assert!(matches!(listed, Counted::Listed { .. }));
        assert!(matches!(moved, Counted::Array { .. }));
        let pairs: Vec<(u64, u32)> = listed.iter().collect();
        assert_eq!(moved.iter().collect::<Vec<_>>(), pairs);
        assert_eq!((listed.present(), moved.present()), (997, 997));
        assert!(pairs.windows(2).all(|w| w[0].0 < w[1].0));
        let total: usize = pairs.iter().map(|&(_, c)| c as usize).sum();
        assert_eq!(total, added + batch.len());
        for ord in [0, 31, 32, 996 * 31, 99_999] {
            assert_eq!(listed.count_of(ord), moved.count_of(ord), "ordinal {ord}");
        }
    }

    #[test]
    fn ranked_and_cut_orders_by_count_then_value() {
        let v = |s: &str, c| FacetCount {
            value: s.into(),
            count: c,
        };
        let (kept, more) = ranked_and_cut(vec![v("b", 2), v("a", 2), v("c", 5)], 2);
        assert_eq!(kept, vec![v("c", 5), v("a", 2)]);
        assert!(more);
        let (kept, more) = ranked_and_cut(vec![v("b", 2)], 0);
        assert_eq!(kept, vec![v("b", 2)]);
        assert!(!more);
    }
}
