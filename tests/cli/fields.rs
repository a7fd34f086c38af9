//! The identifier fields (`doi`, `url`, `arxiv`) and dates of reduced precision, end to end:
//! read from a records file, stored, searched by `doi:`/`arxiv:`, shown, written and read back.

use crate::common::{shapes, Workdir};

/// Two publications alike in title and year (a journal's "Editorial"s), one with identifiers.
const RECORDS: &str = r#"{"title":"Editorial","date":"2020","authors":[],"doi":"https://doi.org/10.1000/ED.2020.1"}
{"title":"Editorial","date":"2020","authors":[],"doi":"10.1000/ed.2020.2"}
{"title":"Representation Engineering","date":"2023-10","authors":["Andy Zou"],"arxiv":"arXiv:2310.01405v3","url":"https://example.org/repe"}
{"title":"Sparse Paper","date":"2023-09-15","doi":"10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O"}
"#;

fn ingested() -> Workdir {
    let w = Workdir::empty();
    w.write("in/records.jsonl", RECORDS);
    let r = w.run(&["ingest", "in"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    w
}

#[test]
fn identifiers_are_searchable_as_literal_scopes() {
    let w = ingested();
    assert_eq!(w.titles(&["doi:10.1000/ED.2020.1"]), ["Editorial"]);
    assert_eq!(
        w.titles(&["doi:https://doi.org/10.1000/ed.2020.2"]),
        ["Editorial"]
    );
    assert_eq!(
        w.titles(&["arxiv:2310.01405"]),
        ["Representation Engineering"]
    );
    assert_eq!(
        w.titles(&["arXiv:2310.01405v1"]),
        ["Representation Engineering"]
    );
    // Parentheses, colons and `<…>` inside a DOI are the DOI, not query syntax.
    assert_eq!(
        w.titles(&["doi:10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O"]),
        ["Sparse Paper"]
    );
    assert_eq!(
        w.titles(&["(sparse OR doi:10.1000/ed.2020.1)", "--sort", "oldest"]),
        ["Editorial", "Sparse Paper"]
    );
    let v = w.query(&["doi:10.1000/nothing"]);
    assert_eq!(v.total, 0);
}

#[test]
fn alike_titles_with_different_dois_stay_two_records() {
    let w = ingested();
    let v = w.query(&["editorial"]);
    assert_eq!(v.total, 2, "{v:?}");
    let dois: Vec<&str> = v.hits.iter().map(|h| h.doi.as_deref().unwrap()).collect();
    assert!(dois.contains(&"10.1000/ED.2020.1"), "{dois:?}");
    assert!(dois.contains(&"10.1000/ed.2020.2"), "{dois:?}");
}

#[test]
fn reduced_precision_dates_are_kept_and_filter_as_their_first_day() {
    let w = ingested();
    let v = w.query(&["representation"]);
    assert_eq!(v.hits[0].date, "2023-10");
    assert_eq!(v.hits[0].arxiv.as_deref(), Some("2310.01405"));
    assert_eq!(v.hits[0].url.as_deref(), Some("https://example.org/repe"));
    // `2020` sorts and filters as 2020-01-01.
    assert_eq!(
        w.titles(&["--since", "2020-01-01", "--until", "2020-01-01"]),
        ["Editorial", "Editorial"]
    );
    assert!(w
        .titles(&["--since", "2020-01-02", "--until", "2020-12-31"])
        .is_empty());
    assert_eq!(
        w.titles(&["--year", "2023", "--sort", "oldest"]),
        ["Sparse Paper", "Representation Engineering"]
    );
}

#[test]
fn show_prints_the_identifiers() {
    let w = ingested();
    let r = w.run(&["show", "representation engineering", "--color", "never"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("\ndate:       2023-10\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("\narxiv:      2310.01405\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("\nurl:        https://example.org/repe\n"),
        "{}",
        r.stdout
    );
    let r = w.run(&["show", "representation engineering", "--json"]);
    let v: shapes::Record = shapes::strict(&r.stdout);
    assert_eq!(v.arxiv.as_deref(), Some("2310.01405"));
    assert_eq!(v.date, "2023-10");
}

#[test]
fn every_export_format_round_trips_the_new_fields() {
    let w = ingested();
    let before = w.run(&["export", "--format", "jsonl"]);
    assert_eq!(before.code, 0, "{}", before.stderr);
    let strip = |out: &str| -> Vec<shapes::Record> {
        let mut v: Vec<shapes::Record> = shapes::strict_lines(out);
        for r in &mut v {
            r.source = shapes::Source::default();
        }
        v.sort_by(|a, b| a.id.cmp(&b.id));
        v
    };
    for format in ["jsonl", "json", "csv"] {
        let out = w.run(&["export", "--format", format]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let name = format!("again/x.{format}");
        w.write(&name, &out.stdout);
        let r = w.run(&["--index", "index2", "ingest", "--rebuild", &name]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        let after = w.run(&["--index", "index2", "export", "--format", "jsonl"]);
        assert_eq!(strip(&after.stdout), strip(&before.stdout), "{format}");
    }
}
