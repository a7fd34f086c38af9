//! Flat ordinals: a side file per segment holding each string facet column's ordinals as plain
//! arrays (a u32 first row per document, the ordinals, each one's total; years' totals), by ingest.
//!
//! tantivy's multi-valued columns are compact (bit-packed ordinals, a coded start index) but
//! cost ~10 ns a record to decode, and a word in one record of nine at 1M records spent most of
//! its query in that decoding. Here a match's values are two loads and a slice. The file is a
//! cache of what the segment's columns hold: a segment without one (an index built by an older
//! litsearch, a crash between two writes) or with one that does not fit is counted from the
//! columns as before. Each value's total lets a query matching most of a segment count what it
//! leaves out instead. Segments never change once written (deletes go to their own files), so
//! a file written for a segment id stays true for as long as that segment lives; the totals
//! count deleted documents too, which no query matches, so they come off with the rest.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use tantivy::directory::{Directory, MmapDirectory, OwnedBytes};
use tantivy::index::SegmentId;
use tantivy::{DocId, Index, Searcher, SegmentReader};

use super::column;
use super::tally::OrdTally;
use crate::engine::facets::FacetField;
use crate::error::{Error, Result};

const MAGIC: &[u8; 8] = b"LSFLAT03";
/// A side file is `<segment uuid>.flatords` beside the segment's own files.
const EXTENSION: &str = "flatords";
/// Ordinals buffered before they are added to the tally.
const BATCH: usize = 4_096;

fn file_name(segment: SegmentId) -> String {
    format!("{}.{EXTENSION}", segment.uuid_string())
}

/// The string facet columns a side file holds (of the years, only their totals: one small value
/// a record, they are cheap to read from their column).
fn string_columns() -> impl Iterator<Item = &'static str> {
    FacetField::ALL
        .into_iter()
        .filter(|&f| f != FacetField::Year)
        .map(column)
}

/// The side files of a searcher's segments, those that exist and fit.
#[derive(Default)]
pub struct FlatOrdinals {
    segments: HashMap<SegmentId, FlatSegment>,
}

impl FlatOrdinals {
    /// Maps the side file of each segment of `searcher` found in the generation directory
    /// `dir`; a missing or unreadable one is left out (its segment is counted from the columns).
    /// Read past tantivy's managed directory, which takes every file for one of its own (with
    /// its footer).
    pub fn open(searcher: &Searcher, dir: &Path) -> FlatOrdinals {
        let mut segments = HashMap::new();
        let Ok(directory) = MmapDirectory::open(dir) else {
            return FlatOrdinals { segments };
        };
        for segment in searcher.segment_readers() {
            let id = segment.segment_id();
            let Ok(handle) = directory.get_file_handle(Path::new(&file_name(id))) else {
                continue;
            };
            let Ok(bytes) = handle.read_bytes(0..handle.len()) else {
                continue;
            };
            if let Some(flat) = FlatSegment::parse(bytes, segment.max_doc()) {
                segments.insert(id, flat);
            }
        }
        FlatOrdinals { segments }
    }

    /// How many segments have their side file.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.segments.len()
    }

    /// One segment's side file (tests).
    #[cfg(test)]
    pub(super) fn of(id: SegmentId, flat: FlatSegment) -> FlatOrdinals {
        FlatOrdinals {
            segments: HashMap::from([(id, flat)]),
        }
    }

    pub(super) fn segment(&self, id: SegmentId) -> Option<&FlatSegment> {
        self.segments.get(&id)
    }
}

/// One segment's side file, parsed.
#[derive(Clone)]
pub(super) struct FlatSegment {
    fields: Vec<(String, FlatField)>,
    /// Each year and its records in the segment (undated ones left out), when it has years.
    years: Option<Vec<(u64, u32)>>,
}

/// One column's ordinals in a side file.
#[derive(Clone)]
pub(super) struct FlatField {
    bytes: OwnedBytes,
    num_terms: u64,
    /// Bytes per ordinal: 2 when the column has at most 65,536 distinct values, else 4.
    width: usize,
    /// Byte ranges in `bytes`: a u32 first row per document and one past the last; the rows;
    /// a u32 count per ordinal over every document of the segment (deleted ones included).
    starts: Range<usize>,
    ords: Range<usize>,
    totals: Range<usize>,
}

impl FlatSegment {
    /// The file's columns, or None when it is not a side file of a segment of `max_doc`
    /// documents (another version, a truncated file).
    pub(super) fn parse(bytes: OwnedBytes, max_doc: u32) -> Option<FlatSegment> {
        let mut at = Cursor {
            bytes: bytes.as_slice(),
            at: 0,
        };
        if at.take(MAGIC.len()).map(|r| &bytes.as_slice()[r]) != Some(MAGIC.as_slice()) {
            return None;
        }
        if at.u32()? != max_doc {
            return None;
        }
        let count = at.u32()?;
        let mut fields = Vec::new();
        for _ in 0..count {
            let name_len = at.u32()? as usize;
            let name = std::str::from_utf8(&bytes.as_slice()[at.take(name_len)?])
                .ok()?
                .to_owned();
            at.align();
            let num_terms = at.u64()?;
            let width = at.u32()? as usize;
            let num_vals = at.u32()? as usize;
            if width != 2 && width != 4 {
                return None;
            }
            let starts = at.take((max_doc as usize + 1) * 4)?;
            let ords = at.take(num_vals.checked_mul(width)?)?;
            at.align();
            let totals = at.take(usize::try_from(num_terms).ok()?.checked_mul(4)?)?;
            fields.push((
                name,
                FlatField {
                    bytes: bytes.clone(),
                    num_terms,
                    width,
                    starts,
                    ords,
                    totals,
                },
            ));
        }
        let years = match at.u32()? {
            0 => None,
            _ => {
                let count = at.u32()? as usize;
                let mut years = Vec::with_capacity(count.min(1 << 16));
                for _ in 0..count {
                    years.push((at.u64()?, at.u32()?));
                }
                Some(years)
            }
        };
        Some(FlatSegment { fields, years })
    }

    /// Each year and its records in the segment, when the file has them.
    pub(super) fn year_totals(&self) -> Option<&[(u64, u32)]> {
        self.years.as_deref()
    }

    /// The ordinals of `column`, when the file has them for a dictionary of `num_terms` values
    /// (the segment's own column): ordinals only mean something against their dictionary.
    pub(super) fn field(&self, column: &str, num_terms: usize) -> Option<FlatField> {
        self.fields
            .iter()
            .find(|(name, f)| name == column && f.num_terms == num_terms as u64)
            .map(|(_, f)| f.clone())
    }
}

impl FlatField {
    /// The count of `ord` over every document of the segment.
    pub(super) fn total(&self, ord: u64) -> u32 {
        let totals = &self.bytes.as_slice()[self.totals.clone()];
        u32_at(totals, ord as usize * 4).unwrap_or(0)
    }

    pub(super) fn num_terms(&self) -> u64 {
        self.num_terms
    }

    /// Adds the ordinals of the documents in `runs` (consecutive documents, ascending) to
    /// `tally`, `buffer` holding them a batch at a time: a run's values are one slice.
    pub(super) fn count_runs(
        &self,
        runs: &[Range<DocId>],
        buffer: &mut Vec<u64>,
        tally: &mut OrdTally,
    ) {
        match self.width {
            2 => self.count_as::<2>(runs, buffer, tally),
            _ => self.count_as::<4>(runs, buffer, tally),
        }
    }

    fn count_as<const WIDTH: usize>(
        &self,
        runs: &[Range<DocId>],
        buffer: &mut Vec<u64>,
        tally: &mut OrdTally,
    ) {
        let bytes = self.bytes.as_slice();
        let (starts, ords) = (&bytes[self.starts.clone()], &bytes[self.ords.clone()]);
        let num_terms = self.num_terms as usize;
        buffer.clear();
        for run in runs {
            let bounds = (
                u32_at(starts, run.start as usize * 4),
                u32_at(starts, run.end as usize * 4),
            );
            // A damaged file's rows out of range are skipped; its ordinals are checked by the
            // tally against the dictionary's size.
            let (Some(from), Some(to)) = bounds else {
                continue;
            };
            let Some(values) = ords.get(from as usize * WIDTH..to as usize * WIDTH) else {
                continue;
            };
            // Once counting in an array, straight into it (a slot past the dictionary, from a
            // damaged file, is out of the array and not counted).
            if let OrdTally::Dense(counts) = tally {
                for value in values.chunks_exact(WIDTH) {
                    counts.add(ord_from::<WIDTH>(value) as u32);
                }
                continue;
            }
            buffer.extend(values.chunks_exact(WIDTH).map(ord_from::<WIDTH>));
            if buffer.len() >= BATCH {
                tally.add(buffer, num_terms);
                buffer.clear();
            }
        }
        tally.add(buffer, num_terms);
        buffer.clear();
    }
}

/// An ordinal stored little-endian in `WIDTH` (2 or 4) bytes.
#[inline(always)]
fn ord_from<const WIDTH: usize>(bytes: &[u8]) -> u64 {
    match WIDTH {
        2 => u64::from(u16::from_le_bytes([bytes[0], bytes[1]])),
        _ => u64::from(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])),
    }
}

#[inline(always)]
fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    bytes
        .get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Reads a side file front to back.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Option<Range<usize>> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())?;
        let range = self.at..end;
        self.at = end;
        Some(range)
    }

    fn u32(&mut self) -> Option<u32> {
        let r = self.take(4)?;
        u32_at(self.bytes, r.start)
    }

    fn u64(&mut self) -> Option<u64> {
        let r = self.take(8)?;
        let s = &self.bytes[r];
        Some(u64::from_le_bytes([
            s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7],
        ]))
    }

    fn align(&mut self) {
        self.at = self.at.next_multiple_of(4).min(self.bytes.len());
    }
}

/// Columns with at most this many distinct values store their ordinals in 16 bits.
const NARROW_TERMS: u64 = 1 << 16;

/// The side file of `segment`, from its columns (None past 2^32 values in a column); ordinals
/// of columns with up to `narrow_terms` values in 16 bits. Little-endian, each part padded to
/// 4 bytes:
///
/// ```text
/// MAGIC  max_doc:u32  columns:u32
/// per column: name_len:u32 name  num_terms:u64 width:u32 num_vals:u32
///             first_row:u32 × (max_doc + 1)  ordinal:width × num_vals  total:u32 × num_terms
/// has_years:u32 [years:u32 (year:u64 total:u32) × years]
/// ```
pub(super) fn encode(
    segment: &SegmentReader,
    narrow_terms: u64,
) -> tantivy::Result<Option<Vec<u8>>> {
    let max_doc = segment.max_doc();
    let mut columns = Vec::new();
    for name in string_columns() {
        if let Some(column) = segment.fast_fields().str(name)? {
            columns.push((name, column));
        }
    }
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&max_doc.to_le_bytes());
    out.extend_from_slice(&(columns.len() as u32).to_le_bytes());
    let mut ords = Vec::new();
    for (name, column) in columns {
        let num_terms = column.num_terms() as u64;
        let width: usize = if num_terms <= narrow_terms { 2 } else { 4 };
        let mut starts = Vec::with_capacity((max_doc as usize + 1) * 4);
        ords.clear();
        for doc in 0..max_doc {
            starts.extend_from_slice(&(ords.len() as u32).to_le_bytes());
            ords.extend(column.term_ords(doc));
        }
        starts.extend_from_slice(&(ords.len() as u32).to_le_bytes());
        // Rows are numbered in 32 bits: a segment with more values has no file (its columns
        // count it).
        if u32::try_from(ords.len()).is_err() {
            return Ok(None);
        }
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        pad(&mut out);
        out.extend_from_slice(&num_terms.to_le_bytes());
        out.extend_from_slice(&(width as u32).to_le_bytes());
        out.extend_from_slice(&(ords.len() as u32).to_le_bytes());
        out.extend_from_slice(&starts);
        let mut totals = vec![0u32; num_terms as usize];
        for &ord in &ords {
            match width {
                2 => out.extend_from_slice(&(ord as u16).to_le_bytes()),
                _ => out.extend_from_slice(&(ord as u32).to_le_bytes()),
            }
            if let Some(total) = totals.get_mut(ord as usize) {
                *total += 1;
            }
        }
        pad(&mut out);
        for total in totals {
            out.extend_from_slice(&total.to_le_bytes());
        }
    }
    match segment.fast_fields().u64(column(FacetField::Year)) {
        Ok(years) => {
            let mut totals = std::collections::BTreeMap::new();
            for doc in 0..max_doc {
                // 0 is "no date", never counted.
                match years.first(doc) {
                    Some(0) | None => {}
                    Some(year) => *totals.entry(year).or_insert(0u32) += 1,
                }
            }
            out.extend_from_slice(&1u32.to_le_bytes());
            out.extend_from_slice(&(totals.len() as u32).to_le_bytes());
            for (year, total) in totals {
                out.extend_from_slice(&year.to_le_bytes());
                out.extend_from_slice(&total.to_le_bytes());
            }
        }
        Err(_) => out.extend_from_slice(&0u32.to_le_bytes()),
    }
    Ok(Some(out))
}

fn pad(out: &mut Vec<u8>) {
    out.resize(out.len().next_multiple_of(4), 0);
}

/// Gives every segment of the index in `dir` its side file and removes those of segments that
/// are gone; run by ingest on its staging generation, before it goes live.
pub fn write_missing(index: &Index, dir: &Path) -> Result<()> {
    let searcher = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?
        .searcher();
    let mut live = std::collections::HashSet::new();
    for segment in searcher.segment_readers() {
        let name = file_name(segment.segment_id());
        let path = dir.join(&name);
        live.insert(name);
        if path.exists() {
            continue;
        }
        if let Some(bytes) = encode(segment, NARROW_TERMS)? {
            crate::atomic_write::write_atomically(&path, &bytes)?;
        }
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(&format!(".{EXTENSION}")) && !live.contains(&name) {
            std::fs::remove_file(entry.path()).map_err(|e| Error::io(entry.path(), e))?;
        }
    }
    Ok(())
}

/// The byte range of a field's ordinals in its file (tests).
#[cfg(test)]
impl FlatField {
    pub(super) fn ords_range(&self) -> Range<usize> {
        self.ords.clone()
    }
}
