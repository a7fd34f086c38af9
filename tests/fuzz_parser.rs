//! Property tests of the export parser: it never panics on any input, and
//! parse → render → parse keeps records equal. `PROPTEST_CASES` scales the run.

use litsearch::inputs::{clean_text, parse_str, render_export};
use litsearch::record::{record_id, Record, Source};
use proptest::prelude::*;

/// Words as exports have them: letters with accents, digits, LaTeX, quotes, odd punctuation.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z]{1,10}",
        1 => "[À-ÿĀ-ž]{1,6}",
        1 => "[0-9]{1,4}",
        1 => Just("\\textit{x}".to_owned()),
        1 => Just("$\\to$".to_owned()),
        1 => Just("$4.6M".to_owned()),
        1 => Just("``quoted''".to_owned()),
        1 => Just("\"glued\"word".to_owned()),
        1 => "[.,;:!?()'\\-]{1,2}",
        1 => Just("\u{a0}".to_owned()),
    ]
}

fn words(range: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(word(), range).prop_map(|w| w.join(" "))
}

fn name() -> impl Strategy<Value = String> {
    ("[A-Z][a-zé]{1,8}", "[A-Z][a-zàü]{1,10}").prop_map(|(a, b)| format!("{a} {b}"))
}

fn tag() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Interpretability",
        "Safeguards",
        "Scheming and Deception",
        "Red-Teaming",
        "Model Organisms",
    ])
    .prop_map(str::to_owned)
}

prop_compose! {
    fn record()(
        title in words(1..10),
        abstract_text in words(3..60),
        authors in prop::collection::vec(name(), 1..6),
        fellows in prop::collection::vec(name(), 1..3),
        tags in prop::collection::btree_set(tag(), 0..4),
        featured in any::<bool>(),
        (y, m, d) in (2019i32..2027, 1u8..13, 1u8..29),
    ) -> Record {
        let title = clean_text(&format!("Paper {title}"));
        let date = format!("{y:04}-{m:02}-{d:02}");
        let mut tags: Vec<String> = tags.into_iter().collect();
        if tags.is_empty() && !featured {
            tags.push("Interpretability".to_owned());
        }
        Record {
            id: record_id(&title, &date),
            key: String::new(),
            abstract_text: clean_text(&format!("We study {abstract_text}.")),
            title,
            authors,
            fellows,
            tags,
            date,
            featured,
            doi: String::new(),
            url: String::new(),
            arxiv: String::new(),
            source: Source::default(),
        }
    }
}

fn without_source(mut records: Vec<Record>) -> Vec<Record> {
    for r in &mut records {
        r.source = Source::default();
    }
    records.sort_by(|a, b| a.id.cmp(&b.id));
    records
}

proptest! {
    #[test]
    fn parse_render_parse_keeps_records_equal(records in prop::collection::vec(record(), 1..8)) {
        let mut records = records;
        records.sort_by(|a, b| a.id.cmp(&b.id));
        records.dedup_by(|a, b| a.id == b.id);
        let text = render_export(&records);
        let (parsed, diags) = parse_str("gen.txt", &text);
        prop_assert!(diags.is_empty(), "{:?}\n{}", diags, text);
        let parsed = without_source(parsed);
        prop_assert_eq!(&parsed, &without_source(records));
        // And once more through the renderer: a fixed point.
        let (again, _) = parse_str("gen.txt", &render_export(&parsed));
        prop_assert_eq!(without_source(again), parsed);
    }

    #[test]
    fn parser_never_panics_on_lines_of_the_format(lines in prop::collection::vec(prop_oneof![
        Just(String::new()),
        Just("Authors:".to_owned()),
        Just("Fellows:".to_owned()),
        Just("Date:".to_owned()),
        Just("Read more".to_owned()),
        Just("Featured\u{a0}Research".to_owned()),
        Just("All MATS Research".to_owned()),
        Just("Frequently asked questions".to_owned()),
        Just("Feb 30, 2025".to_owned()),
        Just("Sep 15, 2023".to_owned()),
        Just("Date: 2024-01-01".to_owned()),
        "\\PC{0,40}",
        words(0..20),
    ], 0..80)) {
        let text = lines.join("\n");
        let (records, diags) = parse_str("f.txt", &text);
        for r in &records {
            prop_assert!(!r.title.is_empty());
            prop_assert_eq!(r.date.len(), 10);
        }
        for d in &diags {
            prop_assert!(d.to_string().starts_with("f.txt"));
        }
    }

    #[test]
    fn parser_never_panics_on_arbitrary_text(text in "\\PC{0,2000}") {
        let _ = parse_str("any.txt", &text);
    }
}
