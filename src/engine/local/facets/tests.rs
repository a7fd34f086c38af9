//! The facet phases checked against each other: by ordinal and from stored records, few- and
//! many-match segments together, candidate top lists against the full list, both tallies.

use std::collections::BTreeMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::DocId;

use super::super::schema::Fields;
use super::flat::{self, FlatSegment};
use super::ordinals::SegmentCounter;
use super::segment::{helper_pays, SHARED_CHUNK, STORED_PER_SEGMENT};
use super::stored::{count_stored, merge_stored, ValueCounts};
use super::tally::{sparse_cap, top_ords, OrdCounts, OrdTally, StrOrdCounts};
use super::top::{ranked_and_cut, top_by_candidates, top_strings};
use super::*;
use crate::engine::facets::FacetCount;
use crate::engine::local::schema::build_schema;
use tantivy::directory::OwnedBytes;
use tantivy::{Index, TantivyDocument};

/// Per-segment counts of `author_facet` over the documents `matches` keeps, from an index
/// of `segments` segments whose documents carry the values `value(segment, doc)`.
fn segment_counts(
    segments: u32,
    docs: u32,
    value: impl Fn(u32, u32) -> Vec<String>,
    matches: impl Fn(u32) -> bool,
) -> Vec<StrOrdCounts> {
    let schema = build_schema();
    let field = schema.get_field(AUTHOR_FACET).unwrap();
    let index = Index::create_in_ram(schema);
    crate::engine::local::schema::register_tokenizers(&index);
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
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
            let mut tally = OrdTally::Sparse(Vec::new());
            for doc in 0..reader.max_doc() {
                if matches(doc) {
                    let ords: Vec<u64> = column.term_ords(doc).collect();
                    tally.add(&ords, column.num_terms());
                }
            }
            StrOrdCounts {
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
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
    let names = ["Zoë Ångström", "Neel Nanda", "Ana", "ana", "Łukasz"];
    let mut i = 0usize;
    for &size in segment_sizes {
        for _ in 0..size {
            let pick = |n: usize| names[(i * 7 + n * 3) % names.len()].to_owned();
            let record = crate::record::Record {
                id: crate::record::id_from_number(i as u64),
                key: String::new(),
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
            flat: Default::default(),
        };
        let stored = collect_all(&collector, &searcher);
        let by_columns: Vec<SegmentFruit> = collect_all(&collector, &searcher)
            .into_iter()
            .map(|fruit| {
                let SegmentFruit::ByValue { segment, docs, .. } = fruit else {
                    panic!("30 matches per segment are counted from the stored records");
                };
                let mut counting = SegmentCounter::open(&collector.fields, &segment, None).unwrap();
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
        flat: Default::default(),
    };
    let fruits = collect_all(&collector, &searcher);
    let few = fruits
        .iter()
        .filter(|f| matches!(f, SegmentFruit::ByValue { .. }))
        .count();
    assert_eq!((few, fruits.len()), (2, 3));
    let counted = collector.merge_fruits(fruits).unwrap();

    let mut expected: ValueCounts = FacetField::ALL.iter().map(|_| BTreeMap::new()).collect();
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

/// One segment (a rebuilt index) names only its top ordinals: the same list, ties by value,
/// and the same `more`, as naming every value.
#[test]
fn one_segment_top_lists_equal_the_head_of_the_full_list() {
    // Many ties: counts 1 to 4 over a few hundred names, case and accent variants among them.
    let tied = |_: u32, d: u32| {
        vec![
            format!("name {}", (d * 37) % 211),
            ["Ana", "ana", "Åsa", "Zoë"][(d % 4) as usize].to_owned(),
        ]
    };
    let segments = segment_counts(1, 700, tied, |d| d % 5 != 2);
    let (all, _) = top_strings(&segments, 0, usize::MAX).unwrap();
    assert!(all.len() > 200);
    for limit in [1, 3, 10, 57, all.len() - 1, all.len(), all.len() + 5] {
        let (top, more) = top_strings(&segments, limit, usize::MAX).unwrap();
        assert_eq!(top, all[..limit.min(all.len())], "limit {limit}");
        assert_eq!(more, all.len() > limit, "limit {limit}");
    }
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
    let mut listed = OrdTally::Sparse(Vec::new());
    let mut moved = OrdTally::Sparse(Vec::new());
    let mut added = 0;
    while added + batch.len() <= cap {
        listed.add(&batch, num_terms);
        moved.add(&batch, num_terms);
        added += batch.len();
    }
    assert!(matches!(listed, OrdTally::Sparse(_)));
    // Past the cap with the same ordinals as one batch more: `moved` goes dense.
    moved.add(&batch, num_terms);
    assert!(matches!(moved, OrdTally::Dense(_)));
    let mut extra = OrdTally::Sparse(batch.iter().map(|&o| o as u32).collect());
    if let (OrdTally::Sparse(a), OrdTally::Sparse(b)) = (&mut listed, &mut extra) {
        a.append(b);
    }
    let (listed, moved) = (listed.finish(), moved.finish());
    assert!(matches!(listed, OrdCounts::Listed { .. }));
    assert!(matches!(moved, OrdCounts::Array { .. }));
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

/// Counts past 65,535 carry into the overflow map and come back whole: by ordinal, in order,
/// as present, and in the top list, which also agrees with the plain heap's on ties.
#[test]
fn sixteen_bit_counts_carry_past_their_range() {
    let num_terms = 100_000;
    let mut tally = OrdTally::Sparse(Vec::new());
    let mut expected: BTreeMap<u64, u32> = BTreeMap::new();
    let mut add = |ord: u64, times: u32| {
        let batch = vec![ord; 1_000];
        let mut left = times;
        while left > 0 {
            let n = left.min(1_000);
            tally.add(&batch[..n as usize], num_terms);
            left -= n;
        }
        *expected.entry(ord).or_insert(0) += times;
    };
    add(5, 70_000);
    add(7, 65_536);
    add(99_999, 65_535);
    add(9, 1);
    add(11, 3);
    let counted = tally.finish();
    assert!(matches!(counted, OrdCounts::Array { .. }));
    assert_eq!(counted.iter().collect::<BTreeMap<u64, u32>>(), expected);
    assert_eq!(counted.present(), 5);
    assert_eq!((counted.count_of(7), counted.count_of(8)), (65_536, 0));
    assert_eq!(
        counted.top(3),
        vec![(5, 70_000), (7, 65_536), (99_999, 65_535)]
    );
}

/// The block-skipping top list of an array is the heap's over every counted slot, ties to the
/// lower ordinal, at every depth.
#[test]
fn an_arrays_top_list_is_the_heaps() {
    let num_terms = 40_000;
    let mut tally = OrdTally::Sparse(Vec::new());
    // Counts 1..=6 spread unevenly, many ties, long empty stretches.
    let ords: Vec<u64> = (0..60_000u64)
        .map(|i| (i * 7_919 % 1_013) * 37 % 40_000)
        .collect();
    for chunk in ords.chunks(500) {
        tally.add(chunk, num_terms);
    }
    let counted = tally.finish();
    assert!(matches!(counted, OrdCounts::Array { .. }));
    for depth in [0, 1, 2, 10, 33, 1_013, 5_000] {
        assert_eq!(
            counted.top(depth),
            top_ords(counted.iter(), depth),
            "depth {depth}"
        );
    }
}

/// A counter that hands some fields to a second counter and takes them back counts as one
/// counter did, whether it shares four fields or gives away its only one.
#[test]
fn handed_over_fields_come_back_counted() {
    let index = facet_index(&[3_000]);
    let searcher = index.reader().unwrap().searcher();
    let reader = &searcher.segment_readers()[0];
    let docs: Vec<DocId> = (0..reader.max_doc()).collect();
    let (first, rest) = docs.split_at(1_000);
    for fields in [FacetField::ALL.to_vec(), vec![FacetField::Authors]] {
        let mut mine = SegmentCounter::open(&fields, reader, None).unwrap();
        mine.count(first);
        let mut theirs = mine.hand_over().expect("something to count: handed over");
        mine.count(rest);
        theirs.count(rest);
        mine.take_back(theirs);
        let mut one = SegmentCounter::open(&fields, reader, None).unwrap();
        one.count(&docs);
        let merged = |counter: SegmentCounter| {
            super::merge::merge_fruits(&fields, 0, vec![SegmentFruit::ByOrdinal(counter.finish())])
                .unwrap()
        };
        let (shared, alone) = (merged(mine), merged(one));
        assert_eq!(shared, alone, "{fields:?}");
        assert!(alone.iter().all(|f| !f.values.is_empty()), "{fields:?}");
    }
}

/// A segment with many matches shares its fields with a helper thread: the same counts, every
/// field, as one thread counting them all.
#[test]
fn a_segment_counted_in_shared_chunks_counts_as_one_thread() {
    let index = facet_index(&[2 * SHARED_CHUNK + 1_234]);
    // One segment, as a rebuild leaves it (the writer flushed several on the way).
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 50_000_000).unwrap();
    let segments = index.searchable_segment_ids().unwrap();
    if segments.len() > 1 {
        writer.merge(&segments).wait().unwrap();
    }
    writer.wait_merging_threads().unwrap();
    let searcher = index.reader().unwrap().searcher();
    assert_eq!(searcher.segment_readers().len(), 1);
    let fields = FacetField::ALL.to_vec();
    let collector = FacetCollector {
        fields: fields.clone(),
        limit: 0,
        flat: Default::default(),
    };
    let shared = collector
        .merge_fruits(collect_all(&collector, &searcher))
        .unwrap();
    let reader = &searcher.segment_readers()[0];
    let mut one = SegmentCounter::open(&fields, reader, None).unwrap();
    one.count(&(0..reader.max_doc()).collect::<Vec<DocId>>());
    let alone = super::merge::merge_fruits(&fields, 0, vec![SegmentFruit::ByOrdinal(one.finish())])
        .unwrap();
    assert_eq!(shared, alone);
    let years: u64 = alone[1].values.iter().map(|v| v.count).sum();
    let dated = (0..2 * SHARED_CHUNK + 1_234)
        .filter(|i| !i.is_multiple_of(9))
        .count();
    assert_eq!(years, dated as u64, "every dated match counted once");
}

/// The batched gather of multi-valued columns against the stored records, for match patterns
/// that take both of its ways (one decoded span, rows fetched by number) and records without
/// values (no rank in the column's optional index).
#[test]
fn gathered_ordinals_count_as_the_stored_records() {
    let index = facet_index(&[3_000]);
    let searcher = index.reader().unwrap().searcher();
    let reader = &searcher.segment_readers()[0];
    let authors = reader.fast_fields().str(AUTHOR_FACET).unwrap().unwrap();
    assert!(
        super::ordinals::multivalued(&authors).is_some(),
        "tantivy no longer writes the index the gather reads"
    );
    let fields = FacetField::ALL.to_vec();
    let n = reader.max_doc();
    // Each with how the gather reads its batches: none (runs counted as they are), every
    // batch as one decoded span, every batch row by row, or some of each.
    let (none, spans, rows, both) = ("none", "spans", "rows", "both");
    let patterns: Vec<(&str, Vec<DocId>, &str)> = vec![
        ("every record", (0..n).collect(), none),
        ("every other", (0..n).step_by(2).collect(), spans),
        ("one in nine", (0..n).step_by(9).collect(), rows),
        ("one in 97", (5..n).step_by(97).collect(), rows),
        (
            "a run, then sparse",
            (0..700).chain((700..n).step_by(31)).collect(),
            rows,
        ),
        ("the ends, two runs of two", vec![0, 1, n - 2, n - 1], none),
        ("three lone records", vec![1, 1_501, n - 2], rows),
        (
            "every other, then one in nine",
            (0..1_400).step_by(2).chain((1_400..n).step_by(9)).collect(),
            both,
        ),
        (
            "only records without tags",
            (0..n).step_by(3).collect(),
            spans,
        ),
    ];
    for (name, docs, reads) in patterns {
        let mut counting = SegmentCounter::open(&fields, reader, None).unwrap();
        for chunk in docs.chunks(700) {
            counting.count(chunk);
        }
        let (decoded, fetched) = counting.gather_reads();
        let read = match (decoded > 0, fetched > 0) {
            (false, false) => none,
            (true, false) => spans,
            (false, true) => rows,
            (true, true) => both,
        };
        assert_eq!(
            read, reads,
            "{name}: {decoded} spans, {fetched} row fetches"
        );
        let by_ordinal = super::merge::merge_fruits(
            &fields,
            0,
            vec![SegmentFruit::ByOrdinal(counting.finish())],
        )
        .unwrap();
        let stored = count_stored(reader, &fields, &docs).unwrap();
        assert_eq!(by_ordinal, merge_stored(&fields, vec![stored], 0), "{name}");
    }
}

/// Matches one record in nine are gathered, a common word's runs are counted run by run.
#[test]
fn only_scattered_matches_are_gathered() {
    use super::ordinals::scattered;
    // (runs, matches): every match alone; one in nine; 40% of the records (runs of ~1.7);
    // the boundary, runs of exactly 5/4; a very common word's long runs.
    for (runs, docs, gathered) in [
        (100, 100, true),
        (8_192, 8_192, true),
        (81, 100, true),
        (80, 100, false),
        (60, 100, false),
        (800, 8_192, false),
    ] {
        assert_eq!(scattered(runs, docs), gathered, "{runs} runs of {docs}");
    }
}

/// Counts of `docs` in `reader`, from its columns or from the side file `flat`.
fn counted_with(
    reader: &tantivy::SegmentReader,
    docs: &[DocId],
    flat: Option<&FlatSegment>,
) -> FacetCounts {
    let fields = FacetField::ALL.to_vec();
    let mut counting = SegmentCounter::open(&fields, reader, flat).unwrap();
    for chunk in docs.chunks(700) {
        counting.count(chunk);
    }
    super::merge::merge_fruits(&fields, 0, vec![SegmentFruit::ByOrdinal(counting.finish())])
        .unwrap()
}

/// The side file's ordinals, in 16 or 32 bits, count as the columns and the stored records do,
/// for runs, scattered matches, the ends and records without values.
#[test]
fn flat_ordinals_count_as_the_columns() {
    let index = facet_index(&[3_000]);
    let searcher = index.reader().unwrap().searcher();
    let reader = &searcher.segment_readers()[0];
    let n = reader.max_doc();
    let patterns: Vec<(&str, Vec<DocId>)> = vec![
        ("every record", (0..n).collect()),
        ("one in nine", (0..n).step_by(9).collect()),
        ("the ends", vec![0, 1, n - 2, n - 1]),
        ("records without tags", (0..n).step_by(3).collect()),
        (
            "a run, then sparse",
            (0..700).chain((700..n).step_by(31)).collect(),
        ),
    ];
    for narrow_terms in [1 << 16, 0] {
        let bytes = flat::encode(reader, narrow_terms).unwrap().unwrap();
        let flat = FlatSegment::parse(OwnedBytes::new(bytes), n).expect("its own file parses");
        for (name, docs) in &patterns {
            let from_flat = counted_with(reader, docs, Some(&flat));
            let stored = count_stored(reader, &FacetField::ALL, docs).unwrap();
            assert_eq!(
                from_flat,
                merge_stored(&FacetField::ALL, vec![stored], 0),
                "{name}, narrow up to {narrow_terms}"
            );
            assert_eq!(from_flat, counted_with(reader, docs, None), "{name}");
        }
    }
}

/// A segment with a side file is counted from it, not from its columns: a file whose author
/// ordinals were all rewritten to the first value counts every author as that one.
#[test]
fn the_side_file_is_what_is_counted() {
    let index = facet_index(&[500]);
    let searcher = index.reader().unwrap().searcher();
    let reader = &searcher.segment_readers()[0];
    let authors = reader.fast_fields().str(AUTHOR_FACET).unwrap().unwrap();
    let mut bytes = flat::encode(reader, 1 << 16).unwrap().unwrap();
    let parsed = FlatSegment::parse(OwnedBytes::new(bytes.clone()), reader.max_doc()).unwrap();
    let ords = parsed
        .field(AUTHOR_FACET, authors.num_terms())
        .unwrap()
        .ords_range();
    let values = ords.len() / 2;
    bytes[ords].fill(0);
    let tampered = FlatSegment::parse(OwnedBytes::new(bytes), reader.max_doc()).unwrap();
    let docs: Vec<DocId> = (0..reader.max_doc()).collect();
    let counts = counted_with(reader, &docs, Some(&tampered));
    let authors_counted = &counts[FacetField::ALL
        .iter()
        .position(|&f| f == FacetField::Authors)
        .unwrap()];
    assert_eq!(authors_counted.values.len(), 1);
    assert_eq!(authors_counted.values[0].count, values as u64);
}

/// A file that is not this segment's (another size, truncated, another format) or a column
/// whose dictionary changed is not used.
#[test]
fn a_side_file_that_does_not_fit_is_not_used() {
    let index = facet_index(&[200]);
    let searcher = index.reader().unwrap().searcher();
    let reader = &searcher.segment_readers()[0];
    let n = reader.max_doc();
    let bytes = flat::encode(reader, 1 << 16).unwrap().unwrap();
    let parse = |b: &[u8], n| FlatSegment::parse(OwnedBytes::new(b.to_vec()), n);
    assert!(parse(&bytes, n).is_some());
    assert!(parse(&bytes, n + 1).is_none(), "another segment's size");
    assert!(parse(&bytes[..bytes.len() - 8], n).is_none(), "truncated");
    let mut other = bytes.clone();
    other[7] ^= 1;
    assert!(parse(&other, n).is_none(), "another format");
    let flat = parse(&bytes, n).unwrap();
    let tags = reader.fast_fields().str(TAG_FACET).unwrap().unwrap();
    assert!(flat.field(TAG_FACET, tags.num_terms()).is_some());
    assert!(flat.field(TAG_FACET, tags.num_terms() + 1).is_none());
    assert!(flat.field("no_such_column", tags.num_terms()).is_none());
}

/// With a side file, a segment's matches are counted at the end, and by the documents that did
/// not match when most match (their totals less the others'), deleted documents included in
/// the totals and never matched; a query that turns out sparse is counted as it comes. Every
/// way equals the stored records' counts.
#[test]
fn matches_counted_by_what_did_not_match_equal_the_stored_records() {
    let size = 2 * SHARED_CHUNK + 1_234;
    let index = facet_index(&[size]);
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 50_000_000).unwrap();
    let segments = index.searchable_segment_ids().unwrap();
    if segments.len() > 1 {
        writer.merge(&segments).wait().unwrap();
    }
    let id = Fields::resolve(&index.schema()).unwrap().id;
    // Deleted after the side file's totals were taken (as a sync deletes records).
    let searcher = index.reader().unwrap().searcher();
    let bytes = flat::encode(&searcher.segment_readers()[0], 1 << 16)
        .unwrap()
        .unwrap();
    for i in (0..size).step_by(50) {
        let doc_id = crate::record::id_from_number(i as u64);
        writer.delete_term(tantivy::Term::from_field_text(id, &doc_id));
    }
    writer.commit().unwrap();
    writer.wait_merging_threads().unwrap();
    let searcher = index.reader().unwrap().searcher();
    let reader = &searcher.segment_readers()[0];
    assert!(reader.num_deleted_docs() > 0);
    let n = reader.max_doc();
    let flat = FlatSegment::parse(OwnedBytes::new(bytes), n).unwrap();
    let fields = FacetField::ALL.to_vec();
    let collector = FacetCollector {
        fields: fields.clone(),
        limit: 0,
        flat: std::sync::Arc::new(FlatOrdinals::of(reader.segment_id(), flat)),
    };
    let alive = |d: &DocId| reader.alive_bitset().is_none_or(|a| a.is_alive(*d));
    use super::segment::{Counted, LAST_COUNTED};
    let (came, end, others) = (Counted::AsTheyCame, Counted::AtTheEnd, Counted::Others);
    // Each with how it is counted: kept while two thirds of the records seen match (checked
    // at every 8,192 matches), then by the others when over half the segment matched.
    let patterns: Vec<(&str, Vec<DocId>, Counted)> = vec![
        ("every record", (0..n).collect(), others),
        (
            "all but one in ten",
            (0..n).filter(|d| d % 10 != 3).collect(),
            others,
        ),
        (
            "dense, then sparse",
            (0..n).filter(|&d| d < n / 2 || d % 7 == 0).collect(),
            others,
        ),
        ("the first third only", (0..n / 3).collect(), end),
        (
            "sparse, then dense",
            (0..n).filter(|&d| d > n / 2 || d % 7 == 0).collect(),
            came,
        ),
        (
            "three in four",
            (0..n).filter(|d| d % 4 != 0).collect(),
            others,
        ),
        (
            "three in five",
            (0..n).filter(|d| d % 5 > 1).collect(),
            came,
        ),
        // Never 8,192 matches: no check, kept to the end.
        ("one in nine", (0..n).step_by(9).collect(), end),
    ];
    for (name, docs, how) in patterns {
        let docs: Vec<DocId> = docs.into_iter().filter(alive).collect();
        let mut segment = collector.for_segment(0, reader).unwrap();
        for block in docs.chunks(64) {
            segment.collect_block(block);
        }
        let counted = collector.merge_fruits(vec![segment.harvest()]).unwrap();
        assert_eq!(LAST_COUNTED.with(|last| last.get()), Some(how), "{name}");
        let stored = count_stored(reader, &fields, &docs).unwrap();
        assert_eq!(counted, merge_stored(&fields, vec![stored], 0), "{name}");
    }
}

/// From a side file, a helper starts only when many matches are still to come: not for a word
/// in one record of nine at 100,000 records (its first chunk found three quarters in), yes at
/// 1M, or for two common words in half the records.
#[test]
fn a_helper_starts_for_many_matches_still_to_come() {
    let chunk = SHARED_CHUNK;
    assert!(!helper_pays(chunk, 74_000, 100_000));
    assert!(helper_pays(chunk, 74_000, 1_000_000));
    assert!(helper_pays(chunk, 16_000, 100_000));
    // The boundary: exactly twice a chunk expected after this one.
    assert!(helper_pays(
        chunk,
        (chunk * 3 - 1) as u32 / 3,
        chunk as u32 * 3
    ));
    assert!(!helper_pays(
        chunk,
        (chunk * 3 - 1) as u32 / 3 + 1,
        chunk as u32 * 3
    ));
}

#[test]
fn the_documents_not_matched_are_every_other_one() {
    use super::ordinals::documents_not_in;
    assert_eq!(documents_not_in(&[], 4), vec![0, 1, 2, 3]);
    assert_eq!(documents_not_in(&[0, 1, 2, 3], 4), Vec::<DocId>::new());
    assert_eq!(documents_not_in(&[0, 3], 4), vec![1, 2]);
    assert_eq!(documents_not_in(&[1, 2], 4), vec![0, 3]);
    assert_eq!(documents_not_in(&[2], 3), vec![0, 1]);
}

/// A helper thread only while the segments counted at once leave a core idle: with two cores,
/// for a lone search, not for two at a time.
#[test]
fn a_helper_needs_a_core_no_search_is_counting_on() {
    use super::segment::spare_core;
    assert!(spare_core(1, 2));
    assert!(!spare_core(2, 2));
    assert!(!spare_core(1, 1));
    assert!(spare_core(3, 4));
    assert!(!spare_core(4, 4));
}
