//! Naming the top values: the `limit` most frequent string values over all segments, exact,
//! by the threshold algorithm over each segment's top ordinals, or by naming every counted
//! value when that is cheaper or the offers cannot prove an answer.

use std::collections::BTreeMap;

use tantivy::columnar::StrColumn;

use super::tally::StrOrdCounts;
use crate::engine::facets::FacetCount;

/// Below this many (segment, value) pairs with a count, naming them all is cheaper than
/// proving a top list without them.
pub(super) const NAME_ALL_BELOW: usize = 20_000;

/// The `limit` most frequent values over all segments (every value when `limit` is 0), exact.
pub(super) fn top_strings(
    segments: &[StrOrdCounts],
    limit: usize,
    name_all_below: usize,
) -> tantivy::Result<(Vec<FacetCount>, bool)> {
    if let ([only], true) = (segments, limit > 0) {
        return top_of_one(only, limit);
    }
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

/// The `limit` most frequent values of one segment (a rebuilt index has one): its dictionary
/// is in value order, so the top ordinals by (count, ordinal) are the answer, exact, and only
/// they are named.
fn top_of_one(segment: &StrOrdCounts, limit: usize) -> tantivy::Result<(Vec<FacetCount>, bool)> {
    let top = segment.counted.top(limit);
    let more = segment.counted.present() > top.len();
    let mut sorted_ords: Vec<u64> = top.iter().map(|&(ord, _)| ord).collect();
    sorted_ords.sort_unstable();
    let names: std::collections::HashMap<u64, String> = name_ords(&segment.column, &sorted_ords)?
        .into_iter()
        .collect();
    let values = top
        .into_iter()
        .map(|(ord, count)| FacetCount {
            value: names.get(&ord).cloned().unwrap_or_default(),
            count: u64::from(count),
        })
        .collect();
    Ok((values, more))
}

/// Below this many values to name, one thread does it.
pub(super) const NAME_IN_PARALLEL_FROM: usize = 2_000;

/// Every counted value of every segment, named, segment after segment (each in value order).
/// Naming walks dictionary blocks; segments are named on all cores when there is much to name.
pub(super) fn name_all(
    segments: &[StrOrdCounts],
    present: usize,
) -> tantivy::Result<Vec<FacetCount>> {
    let name_part = |part: &[StrOrdCounts]| -> tantivy::Result<Vec<FacetCount>> {
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
    let threads = super::cores();
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
pub(super) struct Candidate {
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
pub(super) fn top_by_candidates(
    segments: &[StrOrdCounts],
    limit: usize,
) -> tantivy::Result<Option<(Vec<FacetCount>, bool)>> {
    let depth = limit.saturating_mul(2).max(16);
    let mut floors = Vec::with_capacity(segments.len());
    let mut offers: BTreeMap<String, Vec<(usize, u64)>> = BTreeMap::new();
    for (s, segment) in segments.iter().enumerate() {
        let top = segment.counted.top(depth);
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

/// The values of sorted ordinals, in one ordered walk of the dictionary: each (compressed)
/// block is decoded once, not once per value as `ord_to_term` would.
pub(super) fn name_ords(
    column: &StrColumn,
    sorted_ords: &[u64],
) -> tantivy::Result<Vec<(u64, String)>> {
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

/// Sorts by count (descending), then value, and keeps `limit` (0: all); `true` if cut.
pub(super) fn ranked_and_cut(mut all: Vec<FacetCount>, limit: usize) -> (Vec<FacetCount>, bool) {
    all.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    let more = limit > 0 && all.len() > limit;
    if more {
        all.truncate(limit);
    }
    (all, more)
}
