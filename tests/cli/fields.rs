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

#[test]
fn a_pasted_identifier_finds_its_paper() {
    let w = ingested();
    for q in [
        "2310.01405",
        "arXiv:2310.01405v2",
        "https://arxiv.org/abs/2310.01405v3",
    ] {
        assert_eq!(w.titles(&[q]), ["Representation Engineering"], "{q}");
    }
    for q in ["10.1000/ed.2020.2", "https://doi.org/10.1000/ED.2020.2"] {
        let v = w.query(&[q]);
        assert_eq!(v.total, 1, "{q}");
        assert_eq!(v.hits[0].doi.as_deref(), Some("10.1000/ed.2020.2"), "{q}");
    }
}

#[test]
fn show_and_similar_take_a_unique_id_prefix() {
    let w = ingested();
    let v = w.query(&["representation engineering"]);
    let id = v.hits[0].id.clone();
    let r = w.run(&["show", &id[..6], "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown: shapes::Record = shapes::strict(&r.stdout);
    assert_eq!(shown.id, id);
    let r = w.run(&["similar", &id[..8].to_uppercase(), "--json"]);
    assert!(r.code == 0 || r.code == 1, "{}", r.stderr);
    let similar: shapes::Similar = shapes::strict(&r.stdout);
    assert_eq!(similar.paper.id, id);
    // Fewer than 4 digits is a title beginning, not an id prefix.
    assert_eq!(w.run(&["show", &id[..3]]).code, 2);
}

#[test]
fn an_id_prefix_of_several_papers_lists_them() {
    let w = Workdir::empty();
    w.write("in/papers.txt", crate::common::synthetic_export(1000, 7));
    assert_eq!(w.run(&["ingest", "in"]).code, 0);
    let all = w.query(&["--all", "--facets", "none"]);
    let mut ids: Vec<&str> = all.hits.iter().map(|h| h.id.as_str()).collect();
    ids.sort_unstable();
    let pair = ids
        .windows(2)
        .find(|p| p[0][..4] == p[1][..4])
        .expect("1,000 ids share a 4-digit beginning somewhere");
    let r = w.run(&["show", &pair[0][..4]]);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("matches"), "{}", r.stderr);
    assert!(
        r.stderr.contains(pair[0]) && r.stderr.contains(pair[1]),
        "{}",
        r.stderr
    );
}
