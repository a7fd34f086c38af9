//! The page of hits: the best `k` matches in the requested order, ties broken by newer date
//! then smaller id so that pages are stable.
//!
//! Relevance lets tantivy skip what cannot make the page (block-max WAND on a single word,
//! pruned scoring elsewhere): the collector reports, after each hit it keeps, the score a
//! match must reach, set just below the page's weakest score so that equal scores still get
//! to compete on date and id. Date orders read every match's date, so they scan, as relevance
//! does on a group with required clauses (`scans_every_match`): there the matches are counted
//! (and their facets) in the same pass (`top_docs_and`).

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery, Weight};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::engine::local::schema::{DATE_DAYS, FIRST_SEEN, ID_NUM};
use crate::engine::Sort;
use crate::error::Result;

/// The best `k` matches of `query` in `sort` order, best first.
pub fn top_docs(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    sort: Sort,
    k: usize,
) -> Result<Ranking> {
    let k = k.max(1);
    if sort == Sort::Relevance {
        let top = searcher.search(query, &RelevanceTop { k })?;
        return Ok(best_first(top));
    }
    Ok(dated_best_first(searcher.search(query, &by_date(sort, k))?))
}

/// As `top_docs`, with `also` collected over every match in the same scored pass: for a query
/// whose page visits every match anyway (`scans_every_match`), counting the matches and their
/// facets there saves a second walk through the same postings.
pub fn top_docs_and<C: Collector>(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    sort: Sort,
    k: usize,
    also: C,
) -> Result<(Ranking, C::Fruit)> {
    let k = k.max(1);
    if sort == Sort::Relevance {
        let (top, fruit) = searcher.search(query, &(RelevanceTop { k }, also))?;
        return Ok((best_first(top), fruit));
    }
    let (top, fruit) = searcher.search(query, &(by_date(sort, k), also))?;
    Ok((dated_best_first(top), fruit))
}

/// Whether finding the page by relevance scores every match of `query` anyway: tantivy 0.27
/// skips what cannot make the page (block-max WAND) in a union of terms (one word, in each of
/// its fields) and in an intersection of two or more bare terms, never in a group with another
/// required clause (words that must all be there, a filter, an exclusion's anchor). Were a
/// later tantivy to prune there too, one pass would cost time, never change an answer.
pub fn scans_every_match(query: &dyn Query) -> bool {
    let Some(group) = query.downcast_ref::<BooleanQuery>() else {
        return false;
    };
    let clauses = group.clauses();
    let bare_terms = clauses.len() >= 2
        && clauses
            .iter()
            .all(|(occur, q)| *occur == Occur::Must && q.is::<TermQuery>());
    clauses.iter().any(|(occur, _)| *occur == Occur::Must) && !bare_terms
}

/// Hits best first, each with its score.
pub type Ranking = Vec<(Score, DocAddress)>;

fn best_first(top: Vec<Ranked>) -> Ranking {
    top.into_iter().map(|r| (r.score, r.address)).collect()
}

type DateKey = (f64, f64, Reverse<u64>);

/// The best `k` matches in a date order (`sort` is not relevance); ties by score, then id.
fn by_date(sort: Sort, k: usize) -> impl Collector<Fruit = Vec<((DateKey, Score), DocAddress)>> {
    TopDocs::with_limit(k).tweak_score(move |segment: &SegmentReader| {
        let keys = KeyColumns::open(segment);
        let added = segment.fast_fields().i64(FIRST_SEEN).ok();
        move |doc: DocId, score: Score| -> (DateKey, Score) {
            let (date, id) = (keys.date(doc) as f64, Reverse(keys.id(doc)));
            let score64 = f64::from(score);
            let key = match sort {
                Sort::Newest | Sort::Relevance => (date, score64, id),
                Sort::Oldest => (-date, score64, id),
                Sort::Added => (
                    added.as_ref().and_then(|c| c.first(doc)).unwrap_or(0) as f64,
                    date,
                    id,
                ),
            };
            (key, score)
        }
    })
}

fn dated_best_first(top: Vec<((DateKey, Score), DocAddress)>) -> Ranking {
    top.into_iter()
        .map(|((_, score), address)| (score, address))
        .collect()
}

/// The date and id columns that break ties.
struct KeyColumns {
    dates: Option<Column<i64>>,
    ids: Option<Column<u64>>,
}

impl KeyColumns {
    fn open(segment: &SegmentReader) -> KeyColumns {
        let ff = segment.fast_fields();
        KeyColumns {
            dates: ff.i64(DATE_DAYS).ok(),
            ids: ff.u64(ID_NUM).ok(),
        }
    }

    fn date(&self, doc: DocId) -> i64 {
        self.dates
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(i64::MIN)
    }

    fn id(&self, doc: DocId) -> u64 {
        self.ids.as_ref().and_then(|c| c.first(doc)).unwrap_or(0)
    }
}

/// One ranked match: higher score, then newer date, then smaller id is better.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    score: Score,
    date: i64,
    id: u64,
    address: DocAddress,
}

impl Ranked {
    fn cmp_rank(&self, other: &Ranked) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(self.date.cmp(&other.date))
            .then(other.id.cmp(&self.id))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_rank(other) == Ordering::Equal
    }
}
impl Eq for Ranked {}
impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_rank(other)
    }
}

struct RelevanceTop {
    k: usize,
}

struct RelevanceSegment {
    k: usize,
    segment: SegmentOrdinal,
    keys: KeyColumns,
    /// Min-heap: the root is the weakest hit kept.
    heap: BinaryHeap<Reverse<Ranked>>,
}

impl RelevanceSegment {
    /// The score a match must exceed to be worth looking at: just below the weakest kept
    /// score once the page is full, since an equal score can still win on date or id.
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(Reverse(weakest)) if self.heap.len() >= self.k => just_below(weakest.score),
            _ => Score::MIN,
        }
    }
}

fn just_below(score: Score) -> Score {
    if score > 0.0 {
        Score::from_bits(score.to_bits() - 1)
    } else {
        Score::MIN
    }
}

impl SegmentCollector for RelevanceSegment {
    type Fruit = Vec<Ranked>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.heap.len() >= self.k {
            if let Some(Reverse(weakest)) = self.heap.peek() {
                if score < weakest.score {
                    return;
                }
            }
        }
        let hit = Ranked {
            score,
            date: self.keys.date(doc),
            id: self.keys.id(doc),
            address: DocAddress::new(self.segment, doc),
        };
        if self.heap.len() < self.k {
            self.heap.push(Reverse(hit));
        } else if let Some(mut weakest) = self.heap.peek_mut() {
            if hit > weakest.0 {
                *weakest = Reverse(hit);
            }
        }
    }

    fn harvest(self) -> Vec<Ranked> {
        self.heap.into_iter().map(|Reverse(hit)| hit).collect()
    }
}

impl Collector for RelevanceTop {
    type Fruit = Vec<Ranked>;
    type Child = RelevanceSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(RelevanceSegment {
            k: self.k,
            segment,
            keys: KeyColumns::open(reader),
            heap: BinaryHeap::with_capacity(self.k.min(1 << 16) + 1),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<Ranked>> {
        let mut collector = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        weight.for_each_pruning(Score::MIN, reader, &mut |doc, score| {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                collector.collect(doc, score);
            }
            collector.threshold()
        })?;
        Ok(collector.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Ranked>>) -> tantivy::Result<Vec<Ranked>> {
        let mut all: Vec<Ranked> = fruits.into_iter().flatten().collect();
        all.sort_unstable_by(|a, b| b.cmp_rank(a));
        all.truncate(self.k);
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::engine::local::schema::{build_schema, register_tokenizers, Fields};
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::IndexRecordOption;
    use tantivy::{Index, TantivyDocument, Term};

    /// What tantivy prunes is ranked apart; every other group with a required clause is
    /// scored match by match, so its page is found in the pass that counts.
    #[test]
    fn only_groups_tantivy_scores_match_by_match_are_scanned() {
        let fields = Fields::resolve(&build_schema()).unwrap();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(fields.title, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let group = |clauses: Vec<(Occur, Box<dyn Query>)>| BooleanQuery::new(clauses);
        let union = || -> Box<dyn Query> {
            Box::new(group(vec![
                (Occur::Should, term("a")),
                (Occur::Should, term("b")),
            ]))
        };
        assert!(!scans_every_match(&*term("a")), "one term");
        assert!(!scans_every_match(&*union()), "a union of terms");
        let bare = group(vec![(Occur::Must, term("a")), (Occur::Must, term("b"))]);
        assert!(!scans_every_match(&bare), "an intersection of bare terms");
        for scanned in [
            group(vec![(Occur::Must, term("a"))]),
            group(vec![(Occur::Must, term("a")), (Occur::Must, union())]),
            group(vec![(Occur::Must, union()), (Occur::Must, union())]),
            group(vec![(Occur::Must, term("a")), (Occur::MustNot, term("b"))]),
            group(vec![(Occur::Must, term("a")), (Occur::Should, term("b"))]),
        ] {
            assert!(scans_every_match(&scanned), "{scanned:?}");
        }
    }

    #[test]
    fn just_below_lets_equal_scores_through() {
        for s in [0.5f32, 1.0, 3.25, 1e-30, 1e30] {
            assert!(just_below(s) < s);
        }
        assert_eq!(just_below(0.0), Score::MIN);
    }

    /// Many equal scores, over several segments: the pruned page must equal the head of every
    /// match sorted by score, then newer date, then smaller id.
    #[test]
    fn pruned_relevance_pages_break_ties_by_date_then_id() {
        let schema = build_schema();
        let fields = Fields::resolve(&schema).unwrap();
        let index = Index::create_in_ram(schema);
        register_tokenizers(&index);
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..600u64 {
            let mut doc = TantivyDocument::new();
            // Three distinct texts, so three distinct scores shared by 200 records each.
            let title = match i % 3 {
                0 => "alpha beta gamma",
                1 => "alpha alpha beta",
                _ => "alpha beta gamma delta epsilon",
            };
            doc.add_text(fields.title, title);
            doc.add_i64(fields.date_days, (i * 7 % 13) as i64);
            doc.add_u64(fields.id_num, (i * 7919) % 1000);
            writer.add_document(doc).unwrap();
            if i % 150 == 149 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert!(searcher.segment_readers().len() >= 4);
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(fields.title, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        // One word (block-max WAND) and two required words (pruned scoring).
        let queries: Vec<Box<dyn Query>> = vec![
            term("alpha"),
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, term("alpha")),
                (Occur::Must, term("beta")),
            ])),
        ];
        for query in queries {
            let everything = searcher
                .search(&*query, &TopDocs::with_limit(1_000).order_by_score())
                .unwrap();
            assert_eq!(everything.len(), 600);
            let mut expected: Vec<(Score, i64, u64, DocAddress)> = everything
                .into_iter()
                .map(|(score, address)| {
                    let keys = KeyColumns::open(searcher.segment_reader(address.segment_ord));
                    (
                        score,
                        keys.date(address.doc_id),
                        keys.id(address.doc_id),
                        address,
                    )
                })
                .collect();
            expected.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
            for k in [1, 7, 199, 200, 201, 450] {
                let got = top_docs(&searcher, &*query, Sort::Relevance, k).unwrap();
                let want: Vec<(Score, DocAddress)> =
                    expected[..k].iter().map(|e| (e.0, e.3)).collect();
                assert_eq!(got, want, "k = {k}");
            }
        }
    }
}
