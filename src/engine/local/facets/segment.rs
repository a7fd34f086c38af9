//! The collection phase: one segment's matches, kept as doc ids while few (to count from
//! their stored records) and counted by ordinal once many, harvested as a `SegmentFruit`.

use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::Arc;

use tantivy::collector::SegmentCollector;
use tantivy::{DocId, Score, SegmentReader};

use super::flat::FlatSegment;
use super::ordinals::{documents_not_in, SegmentCounter};
use super::stored::{count_stored, ValueCounts};
use super::tally::FieldOrdCounts;
use crate::engine::facets::FacetField;

/// A segment with at most this many matches counts from its stored records, without opening
/// a column. Reading a stored record (an LZ4 block) costs about as much as naming the values of
/// one match through the dictionaries; the reads win while few, and they spare opening four
/// columns per segment (measured at 1M records: 229 matches 40 → 25 ms, 1,442 no better).
/// When another segment has more, the few are counted by ordinal too (in the merge).
pub(super) const STORED_PER_SEGMENT: usize = 128;

/// Matches counted at a time once a segment has many: from the first full chunk on, a helper
/// thread counts some of the fields (`SegmentCounter::hand_over`) of every chunk while this one
/// counts the others, so that a common word's counting (one segment, searched on one thread)
/// uses both cores; a query with fewer matches never starts one.
pub(super) const SHARED_CHUNK: usize = 8_192;

/// Matches a helper must expect still to count, from a side file, before it is started.
const HELPER_FLAT_REST: u64 = 2 * SHARED_CHUNK as u64;

/// Matches passed one at a time gathered before they are counted as a block (as tantivy hands
/// an unscored pass's matches).
const ONE_BY_ONE_BLOCK: usize = tantivy::COLLECT_BLOCK_BUFFER_LEN;

/// The thread counting its share of the fields of every chunk of a segment's matches.
struct Helper {
    chunks: std::sync::mpsc::Sender<Arc<Vec<DocId>>>,
    counted: std::thread::JoinHandle<SegmentCounter>,
}

pub struct FacetSegmentCollector {
    fields: Vec<FacetField>,
    segment: SegmentReader,
    /// The segment's side file of flat ordinals, when it has one.
    flat: Option<FlatSegment>,
    /// The matches, while few (`None` once past `STORED_PER_SEGMENT`): naming values through
    /// the column dictionaries decodes a dictionary block per value, and a selective query's
    /// values are spread over all of them; its few stored records already hold the names.
    /// Until then no column is opened (a selective query meets ten segments at 1M records).
    kept: Option<Vec<DocId>>,
    /// Opened once the matches are too many to keep; an error fails the search at the merge.
    counting: Option<tantivy::Result<SegmentCounter>>,
    /// Matches not counted yet, up to `SHARED_CHUNK`.
    pending: Vec<DocId>,
    /// Matches handed to `count_chunk` so far.
    chunked: usize,
    /// Every match (past `STORED_PER_SEGMENT`), when each string field is in the segment's
    /// side file: counted at the end, by the documents that did not match when they are fewer.
    deferred: Option<Vec<DocId>>,
    helper: Option<Helper>,
    /// Whether a helper was asked for (at most once: with one core, or one field to count,
    /// there is none).
    helper_tried: bool,
    /// Matches passed one at a time (a scored pass), handed on a block at a time.
    one_by_one: Vec<DocId>,
    /// Holds this segment's place in `COUNTING` until harvested.
    _counting: Counting,
}

/// What a segment found: counts by ordinal, or by value (read from its stored records) when it
/// had few matches, with those matches, to count them by ordinal if another segment had many.
pub enum SegmentFruit {
    /// Empty for a segment without matches.
    ByOrdinal(Vec<FieldOrdCounts>),
    ByValue {
        counts: ValueCounts,
        segment: Box<SegmentReader>,
        docs: Vec<DocId>,
    },
    Failed(tantivy::TantivyError),
}

impl FacetSegmentCollector {
    pub(super) fn new(
        fields: Vec<FacetField>,
        segment: &SegmentReader,
        flat: Option<FlatSegment>,
    ) -> Self {
        FacetSegmentCollector {
            fields,
            segment: segment.clone(),
            flat,
            kept: Some(Vec::new()),
            counting: None,
            pending: Vec::new(),
            chunked: 0,
            deferred: None,
            helper: None,
            helper_tried: false,
            one_by_one: Vec::with_capacity(ONE_BY_ONE_BLOCK),
            _counting: Counting::start(),
        }
    }

    /// Starts the helper at the first full chunk (from a side file, at the first one after which
    /// many matches are still expected), handing it its share of the fields; never on one core
    /// or with one field to count (then this thread counts everything).
    fn start_helper(&mut self, collected: usize, last_seen: DocId) {
        if self.flat.is_some() && !helper_pays(collected, last_seen, self.segment.max_doc()) {
            return;
        }
        if std::mem::replace(&mut self.helper_tried, true) || !idle_core() {
            return;
        }
        let Some(Ok(counting)) = &mut self.counting else {
            return;
        };
        let Some(mut theirs) = counting.hand_over() else {
            return;
        };
        let (chunks, received) = std::sync::mpsc::channel::<Arc<Vec<DocId>>>();
        let counted = std::thread::spawn(move || {
            for chunk in received {
                theirs.count(&chunk);
            }
            theirs
        });
        self.helper = Some(Helper { chunks, counted });
    }

    /// Hands on the matches passed one at a time.
    fn flush_one_by_one(&mut self) {
        if self.one_by_one.is_empty() {
            return;
        }
        let block = std::mem::take(&mut self.one_by_one);
        self.add_block(&block);
        self.one_by_one = block;
        self.one_by_one.clear();
    }

    /// Takes a block of matches (ascending, after those taken before).
    fn add_block(&mut self, docs: &[DocId]) {
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
            let opened = SegmentCounter::open(&self.fields, &self.segment, self.flat.as_ref());
            self.counting = Some(match opened {
                Ok(counting) if counting.all_flat() => {
                    self.deferred = Some(kept);
                    Ok(counting)
                }
                other => other.map(|mut counting| {
                    counting.count(&kept);
                    counting
                }),
            });
        }
        if let Some(all) = &mut self.deferred {
            let before = all.len();
            all.extend_from_slice(docs);
            // Counting what did not match pays when most documents match; at a third of
            // those seen not matching, the matches are counted as they come instead (with a
            // helper, while the search goes on).
            let seen = docs[docs.len() - 1] as usize + 1;
            if all.len() / SHARED_CHUNK == before / SHARED_CHUNK || all.len() * 3 >= seen * 2 {
                return;
            }
            let all = self.deferred.take().unwrap_or_default();
            self.start_helper(all.len(), docs[docs.len() - 1]);
            for chunk in all.chunks(SHARED_CHUNK) {
                self.count_chunk(chunk.to_vec());
            }
            return;
        }
        if !matches!(self.counting, Some(Ok(_))) {
            return;
        }
        self.pending.extend_from_slice(docs);
        if self.pending.len() < SHARED_CHUNK {
            return;
        }
        self.start_helper(self.chunked + self.pending.len(), docs[docs.len() - 1]);
        let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(SHARED_CHUNK));
        self.count_chunk(chunk);
    }

    /// Counts a chunk of matches: the helper's fields there, the others here.
    fn count_chunk(&mut self, chunk: Vec<DocId>) {
        self.chunked += chunk.len();
        let chunk = Arc::new(chunk);
        if let Some(helper) = &self.helper {
            // A helper that stopped early panicked: its join fails the search at harvest.
            let _ = helper.chunks.send(Arc::clone(&chunk));
        }
        if let Some(Ok(counting)) = &mut self.counting {
            counting.count(&chunk);
        }
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.one_by_one.push(doc);
        if self.one_by_one.len() == ONE_BY_ONE_BLOCK {
            self.flush_one_by_one();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.flush_one_by_one();
        self.add_block(docs);
    }

    fn harvest(mut self) -> SegmentFruit {
        self.flush_one_by_one();
        if let Some(docs) = self.deferred.take() {
            if let Some(Ok(counting)) = self.counting.take() {
                return count_deferred(counting, &docs, self.segment.max_doc());
            }
        }
        if self.kept.is_none() {
            note_counting(Counted::AsTheyCame);
        }
        let rest = std::mem::take(&mut self.pending);
        self.count_chunk(rest);
        if let Some(helper) = self.helper.take() {
            drop(helper.chunks);
            match (helper.counted.join(), &mut self.counting) {
                (Ok(theirs), Some(Ok(counting))) => counting.take_back(theirs),
                (Err(_), _) => {
                    return SegmentFruit::Failed(tantivy::TantivyError::InternalError(
                        "a facet counting thread failed".into(),
                    ))
                }
                _ => {}
            }
        }
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
        match self
            .counting
            .map(|counting| counting.map(SegmentCounter::finish))
        {
            Some(Ok(counts)) => SegmentFruit::ByOrdinal(counts),
            Some(Err(e)) => SegmentFruit::Failed(e),
            None => SegmentFruit::ByOrdinal(Vec::new()),
        }
    }
}

/// Whether a helper pays for a segment counted from its side file, `collected` matches found
/// up to document `last_seen`: counting from the file is cheap enough that it only pays for
/// many matches still to come, estimated from the share of the segment searched so far (a word
/// in one record of nine at 100,000 records lost ~0.3 ms to starting one).
pub(super) fn helper_pays(collected: usize, last_seen: DocId, max_doc: DocId) -> bool {
    let seen = u64::from(last_seen) + 1;
    let expected = collected as u64 * u64::from(max_doc) / seen;
    expected.saturating_sub(collected as u64) >= HELPER_FLAT_REST
}

/// Segments being counted in this process right now, each on a search thread of its own.
static COUNTING: AtomicUsize = AtomicUsize::new(0);

/// One count in `COUNTING`, for as long as a segment's collector lives.
struct Counting;

impl Counting {
    fn start() -> Counting {
        COUNTING.fetch_add(1, AtomicOrdering::Relaxed);
        Counting
    }
}

impl Drop for Counting {
    fn drop(&mut self) {
        COUNTING.fetch_sub(1, AtomicOrdering::Relaxed);
    }
}

/// Whether a helper thread would have a core of its own now.
fn idle_core() -> bool {
    spare_core(COUNTING.load(AtomicOrdering::Relaxed), super::cores())
}

/// Whether `counting` segments counted at once leave one of `cores` idle: a helper only moves
/// work to a core nobody else wants. A server answering as many searches as it has cores
/// gains nothing from one and pays for it (~15% more CPU per search: the hand-over, the
/// thread, the wake-ups).
pub(super) fn spare_core(counting: usize, cores: usize) -> bool {
    counting < cores
}

/// Counts a segment's matches kept to the end (`deferred`): when more than half the segment
/// matched, the documents that did not (fewer), taken off the side file's totals; sharing the
/// fields with a second thread when that is a lot of documents.
fn count_deferred(mut mine: SegmentCounter, docs: &[DocId], max_doc: DocId) -> SegmentFruit {
    let others = (docs.len() * 2 > max_doc as usize).then(|| documents_not_in(docs, max_doc));
    let (counted, complement) = match &others {
        Some(others) => (others.as_slice(), true),
        None => (docs, false),
    };
    note_counting(match complement {
        true => Counted::Others,
        false => Counted::AtTheEnd,
    });
    let theirs = match counted.len() >= SHARED_CHUNK && idle_core() {
        true => mine.hand_over(),
        false => None,
    };
    match theirs {
        None => mine.count_all(counted, complement),
        Some(mut theirs) => {
            let joined = std::thread::scope(|scope| {
                let helper = scope.spawn(|| {
                    theirs.count_all(counted, complement);
                    theirs
                });
                mine.count_all(counted, complement);
                helper.join()
            });
            match joined {
                Ok(theirs) => mine.take_back(theirs),
                Err(_) => {
                    return SegmentFruit::Failed(tantivy::TantivyError::InternalError(
                        "a facet counting thread failed".into(),
                    ))
                }
            }
        }
    }
    SegmentFruit::ByOrdinal(mine.finish())
}

/// How a segment's many matches were counted (tests pin which way each pattern takes; the
/// counts are equal every way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Counted {
    /// Chunk by chunk while the search went on.
    AsTheyCame,
    /// Kept to the end and counted (from a side file).
    AtTheEnd,
    /// Kept to the end, and the documents that did not match counted off the totals.
    Others,
}

#[cfg(test)]
thread_local! {
    /// How the last segment harvested on this thread was counted.
    pub(super) static LAST_COUNTED: std::cell::Cell<Option<Counted>> =
        const { std::cell::Cell::new(None) };
}

fn note_counting(_how: Counted) {
    #[cfg(test)]
    LAST_COUNTED.with(|last| last.set(Some(_how)));
}
