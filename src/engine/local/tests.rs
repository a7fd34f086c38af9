//! Pages of the local engine found two ways checked against each other: in one scored pass that
//! also counts (a conjunction, a filter, an exclusion) and in an unscored pass and a pruned one.

use std::path::Path;

use super::*;
use crate::engine::facets::FacetField;
use crate::engine::filters::Filters;
use crate::engine::Quiet;
use crate::engine::Sort;
use crate::engine::{IngestOptions, MatchMode, Restrictions, Target};
use crate::search::syntax::parse_query;

/// Words by share of the records holding them: `common` in ~3/4, `half` in ~1/2, `some` in
/// ~1/8, `rare` in ~1/40; the rest vary the scores.
fn abstract_of(i: u64) -> String {
    let mut words = vec!["study"];
    let mix = i.wrapping_mul(2_654_435_761) >> 7;
    if !mix.is_multiple_of(4) {
        words.push("common");
    }
    if (mix / 4).is_multiple_of(2) {
        words.push("half");
        words.push("half");
    }
    if (mix / 8).is_multiple_of(8) {
        words.push("some");
    }
    if (mix / 64).is_multiple_of(40) {
        words.push("rare");
    }
    words.extend(std::iter::repeat_n("filler", ((mix / 2_560) % 5) as usize));
    words.join(" ")
}

/// JSON-lines records `range`, with tags, authors, fellows and dates spread over a few values.
fn records(dir: &Path, name: &str, range: impl Iterator<Item = u64>) -> std::path::PathBuf {
    let lines: Vec<String> = range
        .map(|i| {
            let tag = ["Interpretability", "Evals", "Control"][(i % 3) as usize];
            serde_json::json!({
                "title": format!("Paper {i} {}", if i.is_multiple_of(3) { "half" } else { "plain" }),
                "abstract": abstract_of(i),
                "authors": [format!("Author {}", i % 37), format!("Writer {}", i % 11)],
                "fellows": [format!("Fellow {}", i % 5)],
                "tags": [tag],
                "date": format!("{}-{:02}-{:02}", 2021 + i % 4, 1 + i % 12, 1 + i % 28),
                "featured": i.is_multiple_of(9),
            })
            .to_string()
        })
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// An index of two segments, the first with deletes: 1,500 records, then every seventh
/// removed and 300 more added.
fn index_with_deletes(dir: &Path) -> OpenIndex {
    let index = dir.join("index");
    let target = Target::local(index.clone());
    let opts = IngestOptions {
        threads: 1,
        ..IngestOptions::default()
    };
    let first = records(dir, "a.jsonl", 0..1_500);
    target.sync(&[first], &opts, &mut Quiet).unwrap();
    let second = records(dir, "a.jsonl", (0..1_800).filter(|i| i % 7 != 3));
    target.sync(&[second], &opts, &mut Quiet).unwrap();
    let open = IndexRoot::new(&index).open().unwrap();
    let searcher = open.searcher();
    assert!(searcher.segment_readers().len() >= 2);
    assert!(searcher.segment_readers().iter().any(|s| s.has_deletes()));
    open
}

/// The filter `--tag Evals`.
fn evals_only() -> Filters {
    Filters {
        tags: vec!["Evals".into()],
        ..Filters::default()
    }
}

fn compiled(index: &OpenIndex, query: &str, filters: &Filters) -> Compiled {
    let node = parse_query(query).unwrap();
    let plan = Plan {
        query: node.as_ref(),
        filters,
        restrictions: &Restrictions::default(),
    };
    index.compile(&plan, MatchMode::AllWords).unwrap()
}

fn request(sort: Sort, offset: usize, limit: usize, facets: Vec<FacetField>) -> PageRequest {
    PageRequest {
        sort,
        limit,
        offset,
        facets,
        facet_limit: 0,
        snippet_chars: 80,
        explain: false,
    }
}

/// What a page says: the total, each hit's id and score, the facet counts.
fn summary(page: &Page) -> (usize, Vec<(String, f32)>, FacetCounts) {
    let hits = page
        .hits
        .iter()
        .map(|h| (h.record.id.clone(), h.score))
        .collect();
    (page.total, hits, page.facets.clone())
}

#[test]
fn a_page_found_in_one_pass_equals_the_page_found_in_two() {
    let dir = tempfile::tempdir().unwrap();
    let index = index_with_deletes(dir.path());
    let (tagged, none) = (evals_only(), Filters::default());
    let cases = [
        ("common half", &none),
        ("common some", &none),
        ("some rare", &none),
        ("half -common", &none),
        ("common", &tagged),
        ("title:half common", &tagged),
        ("common OR rare", &none),
        ("half", &none),
    ];
    let all = vec![
        FacetField::Tags,
        FacetField::Year,
        FacetField::Fellows,
        FacetField::Authors,
    ];
    let mut nonempty = 0;
    for (query, filters) in cases {
        let compiled = compiled(&index, query, filters);
        for sort in [Sort::Relevance, Sort::Newest, Sort::Oldest, Sort::Added] {
            for (offset, limit) in [(0, 10), (7, 25), (0, 5_000), (4_000, 10)] {
                for facets in [all.clone(), Vec::new()] {
                    let request = request(sort, offset, limit, facets);
                    let one = index.page_in(&compiled, &request, true).unwrap();
                    let two = index.page_in(&compiled, &request, false).unwrap();
                    let what = format!("{query:?} {sort:?} offset {offset} limit {limit}");
                    assert_eq!(summary(&one), summary(&two), "{what}");
                    // Each field asked for is counted (with a value when anything matched),
                    // and none that was not.
                    assert_eq!(one.facets.len(), request.facets.len(), "{what}");
                    if one.total > 0 {
                        assert!(one.facets.iter().all(|f| !f.values.is_empty()), "{what}");
                    }
                    nonempty += usize::from(!one.hits.is_empty());
                    let dates: Vec<&str> = one.hits.iter().map(|h| &*h.record.date).collect();
                    match sort {
                        Sort::Newest => assert!(dates.is_sorted_by(|a, b| a >= b), "{what}"),
                        Sort::Oldest => assert!(dates.is_sorted(), "{what}"),
                        _ => {}
                    }
                }
            }
        }
    }
    assert!(nonempty > 100, "the cases find hits");
}

/// The scored walk visits every match of a group with required clauses (so the page counts
/// there), not of one word or of words any of which may match (pruned by block-max WAND).
#[test]
fn conjunctions_filters_and_exclusions_are_paged_in_one_pass() {
    let dir = tempfile::tempdir().unwrap();
    let index = index_with_deletes(dir.path());
    let (tagged, none) = (evals_only(), Filters::default());
    let page = request(Sort::Relevance, 0, 10, Vec::new());
    for (query, filters, one) in [
        ("common half", &none, true),
        ("half -common", &none, true),
        ("-common", &none, true),
        ("common", &tagged, true),
        ("", &tagged, true),
        ("common", &none, false),
        ("common OR rare", &none, false),
        ("comm*", &none, false),
    ] {
        let compiled = compiled(&index, query, filters);
        assert_eq!(one_pass(&*compiled.query, &page), one, "{query:?}");
    }
    // Nothing to rank without a page: one unscored pass counts.
    let compiled = compiled(&index, "common half", &none);
    let counted = request(Sort::Relevance, 0, 0, Vec::new());
    assert!(!one_pass(&*compiled.query, &counted));
}
