//! The counts by ordinal that the counting phases grow (`OrdTally`, from the fast columns in
//! `ordinals` or the side file in `flat`) into `OrdCounts`, which `top` names.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use tantivy::columnar::StrColumn;

/// A segment's counts of one string field by ordinal.
///
/// A few matches' ordinals are listed, then sorted and counted (`Sparse`): an array with a
/// slot per distinct author would take a page fault per value counted (two, with a TLB
/// shootdown across the search threads, on the allocator's zero pages) and a scan of every
/// slot to find the counted ones. Past `sparse_cap` ordinals, an array written full of zeros
/// up front takes over (`Dense`).
#[derive(Debug)]
pub(super) enum OrdTally {
    Sparse(Vec<u32>),
    Dense(DenseCounts),
}

/// A count per ordinal in 16 bits, each wrap past 65,535 noted in `carries`: half the memory
/// of 32-bit counts (405,000 authors at 1M records: 0.8 MB to zero and keep in cache, not
/// 1.6), and a wrap is rare (one value in 65,536 matches of a segment).
#[derive(Debug)]
pub(super) struct DenseCounts {
    low: Vec<u16>,
    carries: HashMap<u32, u32>,
}

impl DenseCounts {
    pub(super) fn zeroed(num_terms: usize) -> DenseCounts {
        // `resize` writes the zeros (unlike `vec![0; n]`'s untouched fresh pages), so each
        // page faults once, here, and never again while counting.
        #[allow(clippy::slow_vector_initialization)]
        let low = {
            let mut v = Vec::with_capacity(num_terms);
            v.resize(num_terms, 0u16);
            v
        };
        DenseCounts {
            low,
            carries: HashMap::new(),
        }
    }

    /// Sets a slot's count.
    pub(super) fn set(&mut self, ord: u32, count: u32) {
        if let Some(slot) = self.low.get_mut(ord as usize) {
            *slot = count as u16;
            match count >> 16 {
                0 if !self.carries.is_empty() => {
                    self.carries.remove(&ord);
                }
                0 => {}
                carried => {
                    self.carries.insert(ord, carried);
                }
            }
        }
    }

    #[inline]
    pub(super) fn add(&mut self, ord: u32) {
        if let Some(slot) = self.low.get_mut(ord as usize) {
            *slot = slot.wrapping_add(1);
            if *slot == 0 {
                *self.carries.entry(ord).or_insert(0) += 1;
            }
        }
    }

    fn get(&self, ord: u64) -> u32 {
        let low = self.low.get(ord as usize).copied().unwrap_or(0);
        let carried = match self.carries.is_empty() {
            true => 0,
            false => self.carries.get(&(ord as u32)).copied().unwrap_or(0),
        };
        u32::from(low) + (carried << 16)
    }

    /// How many ordinals have a count.
    pub(super) fn present(&self) -> usize {
        match self.carries.is_empty() {
            true => self.low.iter().filter(|&&c| c != 0).count(),
            false => self.iter().count(),
        }
    }

    /// The `depth` ordinals counted most (count, then ordinal), as `top_ords` finds them, but
    /// skipping a block of slots at a time when none beats the weakest kept: the scan of
    /// 405,000 authors' slots at 1M records is then about a read of the array.
    fn top(&self, depth: usize) -> Vec<(u64, u32)> {
        const BLOCK: usize = 32;
        if !self.carries.is_empty() || depth == 0 {
            return top_ords(self.iter(), depth);
        }
        // Min-heap on (count, Reverse(ord)): the root is the weakest kept entry.
        let mut heap: BinaryHeap<Reverse<(u16, Reverse<usize>)>> =
            BinaryHeap::with_capacity(depth + 1);
        // Once `depth` are kept, a count must exceed the weakest's to enter: an equal count
        // comes later in ordinal order, which loses the tie.
        let mut floor = 0u16;
        for (b, block) in self.low.chunks(BLOCK).enumerate() {
            if block.iter().copied().max().unwrap_or(0) <= floor {
                continue;
            }
            for (i, &count) in block.iter().enumerate() {
                if count <= floor {
                    continue;
                }
                heap.push(Reverse((count, Reverse(b * BLOCK + i))));
                if heap.len() > depth {
                    heap.pop();
                }
                if heap.len() == depth {
                    floor = heap.peek().map_or(0, |weakest| weakest.0 .0);
                }
            }
        }
        let mut top: Vec<(u64, u32)> = heap
            .into_iter()
            .map(|Reverse((c, Reverse(o)))| (o as u64, u32::from(c)))
            .collect();
        top.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        top
    }

    /// (ordinal, count) for every ordinal with a count, ascending.
    fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        let wrapped = !self.carries.is_empty();
        self.low
            .iter()
            .enumerate()
            .filter(move |&(ord, &low)| {
                low > 0 || (wrapped && self.carries.contains_key(&(ord as u32)))
            })
            .map(|(ord, _)| (ord as u64, self.get(ord as u64)))
    }
}

/// Ordinals listed before a segment's counts move to an array of `num_terms` slots.
pub(super) fn sparse_cap(num_terms: usize) -> usize {
    (num_terms / 8).max(4_096)
}

impl OrdTally {
    pub(super) fn add(&mut self, ords: &[u64], num_terms: usize) {
        if let OrdTally::Sparse(list) = self {
            if list.len() + ords.len() <= sparse_cap(num_terms) {
                // An ordinal past the dictionary (a damaged side file) is not counted, as the
                // dense array's slots do not reach it.
                list.extend(
                    ords.iter()
                        .filter(|&&ord| ord < num_terms as u64)
                        .map(|&ord| ord as u32),
                );
                return;
            }
            let mut counts = DenseCounts::zeroed(num_terms);
            for &ord in list.iter() {
                counts.add(ord);
            }
            *self = OrdTally::Dense(counts);
        }
        if let OrdTally::Dense(counts) = self {
            for &ord in ords {
                counts.add(ord as u32);
            }
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        match self {
            OrdTally::Sparse(list) => list.is_empty(),
            OrdTally::Dense(_) => false,
        }
    }

    pub(super) fn finish(self) -> OrdCounts {
        match self {
            OrdTally::Sparse(mut list) => {
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
                OrdCounts::Listed { ords, counts }
            }
            OrdTally::Dense(counts) => {
                let present = counts.present();
                OrdCounts::Array { counts, present }
            }
        }
    }
}

/// A segment's final counts of one string field.
#[derive(Debug)]
pub(super) enum OrdCounts {
    /// The ordinals with a count, ascending, and their counts.
    Listed { ords: Vec<u64>, counts: Vec<u32> },
    /// A count per ordinal (most of them zero: only the scan for the top values reads them
    /// all), and how many are not zero.
    Array { counts: DenseCounts, present: usize },
}

impl OrdCounts {
    /// How many ordinals have a count.
    pub(super) fn present(&self) -> usize {
        match self {
            OrdCounts::Listed { ords, .. } => ords.len(),
            OrdCounts::Array { present, .. } => *present,
        }
    }

    /// The `depth` ordinals counted most, by count, then ordinal.
    pub(super) fn top(&self, depth: usize) -> Vec<(u64, u32)> {
        match self {
            OrdCounts::Listed { .. } => top_ords(self.iter(), depth),
            OrdCounts::Array { counts, .. } => counts.top(depth),
        }
    }

    pub(super) fn count_of(&self, ord: u64) -> u32 {
        match self {
            OrdCounts::Listed { ords, counts } => ords.binary_search(&ord).map_or(0, |i| counts[i]),
            OrdCounts::Array { counts, .. } => counts.get(ord),
        }
    }

    /// (ordinal, count) for every ordinal with a count, ascending.
    pub(super) fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        let (listed, array) = match self {
            OrdCounts::Listed { ords, counts } => {
                (Some(ords.iter().copied().zip(counts.iter().copied())), None)
            }
            OrdCounts::Array { counts, .. } => (None, Some(counts.iter())),
        };
        listed
            .into_iter()
            .flatten()
            .chain(array.into_iter().flatten())
    }
}

/// What a segment found for one field: counts by ordinal and the column to name them.
pub enum FieldOrdCounts {
    Str(StrOrdCounts),
    Year(BTreeMap<u64, u64>),
    Missing,
}

/// One segment's counts of a string field, and the column to name them.
pub struct StrOrdCounts {
    pub(super) column: StrColumn,
    pub(super) counted: OrdCounts,
}

/// The `depth` (ordinal, count) pairs with the highest counts (ties: lower ordinal, i.e.
/// smaller value first), best first.
pub(super) fn top_ords(counted: impl Iterator<Item = (u64, u32)>, depth: usize) -> Vec<(u64, u32)> {
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

#[cfg(test)]
mod tests {
    use super::DenseCounts;

    /// A count set past 65,535 keeps its carry, and one set back under it loses the carry (as
    /// a value's total past 65,535 less the records that did not match can be).
    #[test]
    fn counts_set_past_sixteen_bits_carry_and_set_back_under_do_not() {
        let mut counts = DenseCounts::zeroed(3);
        counts.set(1, 70_000);
        counts.set(2, 5);
        assert_eq!(
            (counts.get(0), counts.get(1), counts.get(2)),
            (0, 70_000, 5)
        );
        counts.set(1, 60_000);
        assert_eq!(counts.get(1), 60_000);
        counts.set(1, 2 * 65_536 + 1);
        assert_eq!(counts.get(1), 131_073);
        assert_eq!(counts.present(), 2);
        counts.set(1, 0);
        assert_eq!((counts.get(1), counts.present()), (0, 1));
    }
}
