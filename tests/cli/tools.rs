//! What people do right after a search: related papers, one record in full, records out and
//! back in, and shell integration — each driven through the binary on the shipped corpus.

use crate::common::shapes::{self, Record as RecordOut, Similar, Source as SourceOut};
use crate::common::{corpus_records, Workdir};

fn jsonl(stdout: &str) -> Vec<RecordOut> {
    shapes::strict_lines(stdout)
}

/// Exported records of the index `dir`, with `source` cleared.
fn exported_without_source(w: &Workdir, index: &str) -> Vec<RecordOut> {
    let r = w.run(&["--index", index, "export", "--format", "jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    jsonl(&r.stdout)
        .into_iter()
        .map(|mut rec| {
            rec.source = SourceOut::default();
            rec
        })
        .collect()
}

// --- similar -----------------------------------------------------------------------------

#[test]
fn similar_to_batchtopk_lists_the_other_sparse_autoencoder_papers_first() {
    let w = Workdir::with_corpus();
    w.ingest();
    let r = w.run(&["similar", "BatchTopK Sparse Autoencoders", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Similar = shapes::strict(&r.stdout);
    assert_eq!(v.paper.title, "BatchTopK Sparse Autoencoders");
    let hits = &v.hits;
    assert_eq!(hits.len(), 10, "default --limit");
    let titles: Vec<&str> = hits.iter().map(|h| h.title.as_str()).collect();
    assert!(
        !titles.contains(&"BatchTopK Sparse Autoencoders"),
        "the paper itself is excluded: {titles:?}"
    );
    // The five other papers with "Sparse Autoencoders" in their title lead the list.
    let sae_titled = corpus_records()
        .iter()
        .filter(|r| r.title.contains("Sparse Autoencoders") && !r.title.starts_with("BatchTopK"))
        .count();
    assert_eq!(sae_titled, 5);
    for t in &titles[..sae_titled] {
        assert!(t.contains("Sparse Autoencoders"), "{titles:?}");
    }
    // Scores descend; each hit says why it is there.
    let scores: Vec<f64> = hits.iter().map(|h| h.score).collect();
    assert!(scores.windows(2).all(|s| s[0] >= s[1]), "{scores:?}");
    let first = &hits[0];
    assert_eq!(first.shared_tags, ["Interpretability"]);
    let terms: Vec<&str> = first.shared_terms.iter().map(String::as_str).collect();
    assert!(
        terms.contains(&"sparse") && terms.contains(&"autoencoders"),
        "{terms:?}"
    );
    let reason = first.reason.as_str();
    assert!(
        reason.starts_with("shared tags: Interpretability; key terms: "),
        "{reason}"
    );
}

#[test]
fn similar_text_output_numbers_hits_with_score_and_reason_and_honours_limit() {
    let w = Workdir::with_corpus();
    w.ingest();
    let r = w.run(&["similar", "batchtopk", "--limit", "3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines[0],
        "Papers like BatchTopK Sparse Autoencoders (2024-12-09)"
    );
    let numbered: Vec<&&str> = lines
        .iter()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .collect();
    assert_eq!(numbered.len(), 3, "{}", r.stdout);
    assert!(numbered[0].contains(", score "), "{}", numbered[0]);
    assert!(
        r.stdout
            .contains("    shared tags: Interpretability; key terms:"),
        "{}",
        r.stdout
    );
}

// --- show and title lookup ---------------------------------------------------------------

#[test]
fn show_json_by_folded_title_prefix_and_id_is_the_parsed_record() {
    let w = Workdir::with_corpus();
    w.ingest();
    let expected = corpus_records()
        .into_iter()
        .find(|r| r.title == "Biases in the Blind Spot: Detecting What LLMs Fail to Mention")
        .unwrap();
    // Case, accents and punctuation do not matter; a unique prefix is enough.
    for key in [
        "BIASES IN THE BLIND SPOT — DETECTING WHAT LLMS FAIL TO MENTION",
        "biäses in the blind",
        expected.id.as_str(),
    ] {
        let r = w.run(&["show", key, "--json"]);
        assert_eq!(r.code, 0, "{key}: {}", r.stderr);
        let got: RecordOut = shapes::strict(&r.stdout);
        assert_eq!(got.id, expected.id, "{key}");
        assert_eq!(got.abstract_text, expected.abstract_text);
        assert_eq!(got.authors, expected.authors);
        assert_eq!(got.fellows, expected.fellows);
        assert_eq!(got.tags, expected.tags);
        assert_eq!(got.date, expected.date);
        assert_eq!(got.source.file, expected.source.file);
        assert_eq!(got.source.line, expected.source.line);
    }
}

#[test]
fn show_text_prints_every_part_of_the_record() {
    let w = Workdir::with_corpus();
    w.ingest();
    let r = w.run(&["show", "batchtopk", "sparse"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = &r.stdout;
    assert!(out.starts_with("BatchTopK Sparse Autoencoders\n"), "{out}");
    for line in [
        "date:       2024-12-09",
        "featured:   no",
        "tags:       Interpretability",
        "authors:    Bart Bussmann, Patrick Leask, Neel Nanda",
        "fellows:    Patrick Leask, Bart Bussmann",
        "source:     corpus/mats-research.txt:",
    ] {
        assert!(out.contains(line), "missing {line:?} in\n{out}");
    }
    assert!(
        out.contains("Sparse autoencoders (SAEs) have emerged"),
        "{out}"
    );
    assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
}

#[test]
fn ambiguous_title_is_an_error_listing_the_candidates() {
    let w = Workdir::with_corpus();
    w.ingest();
    let r = w.run(&["show", "sparse"]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines[0],
        "litsearch: \"sparse\" matches 2 papers: give more of it, or one of these ids"
    );
    let mut expected: Vec<_> = corpus_records()
        .into_iter()
        .filter(|r| r.title.starts_with("Sparse"))
        .collect();
    expected.sort_by(|a, b| b.date.cmp(&a.date));
    let listed: Vec<String> = expected
        .iter()
        .map(|r| format!("  {}  {}  {}", r.id, r.date, r.title))
        .collect();
    assert_eq!(lines[1..], listed[..]);
    // `similar` looks papers up the same way.
    let r = w.run(&["similar", "sparse"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 3, "{}", r.stderr);
}

#[test]
fn unknown_title_is_an_error_suggesting_close_titles() {
    let w = Workdir::with_corpus();
    w.ingest();
    let r = w.run(&["show", "sycophancy in models"]);
    assert_eq!(r.code, 2);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert!(
        lines[0].starts_with("litsearch: no paper has the id or title \"sycophancy in models\""),
        "{}",
        r.stderr
    );
    assert!(
        lines[1..]
            .iter()
            .any(|l| l.ends_with("Towards Understanding Sycophancy in Language Models")),
        "{}",
        r.stderr
    );
    let r = w.run(&["show", "qqqq"]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(r.stderr.contains("litsearch query WORDS"), "{}", r.stderr);
}

// --- export and import -------------------------------------------------------------------

#[test]
fn export_writes_every_record_with_the_keys_of_parse_newest_first() {
    let w = Workdir::with_corpus();
    w.ingest();
    let r = w.run(&["export"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let exported = jsonl(&r.stdout);
    let parsed = jsonl(&w.run(&["parse"]).stdout);
    assert_eq!(exported.len(), 25);
    let mut by_id = parsed.clone();
    by_id.sort_by(|a, b| b.date.cmp(&a.date).then(a.id.cmp(&b.id)));
    // The page export gives no citation keys: `parse` has none, the index made one for each.
    assert!(parsed.iter().all(|r| r.key.is_none()));
    let mut unkeyed = exported.clone();
    for r in &mut unkeyed {
        assert!(r.key.take().is_some_and(|k| !k.is_empty()), "{}", r.title);
    }
    assert_eq!(
        unkeyed, by_id,
        "export = parse and a key, newest first then id"
    );
}

#[test]
fn export_takes_the_query_and_filters_of_query() {
    let w = Workdir::with_corpus();
    w.ingest();
    let q = w.query(&[
        "sparse autoencoder",
        "--tag",
        "Interpretability",
        "--limit",
        "100",
    ]);
    let expected: Vec<&str> = q.hits.iter().map(|h| h.id.as_str()).collect();
    let r = w.run(&[
        "export",
        "sparse autoencoder",
        "--tag",
        "Interpretability",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let exported: Vec<RecordOut> = shapes::strict(&r.stdout);
    let ids: Vec<&str> = exported.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, expected);

    let r = w.run(&["export", "--year", "2023", "--format", "csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut csv = csv::Reader::from_reader(r.stdout.as_bytes());
    assert_eq!(
        csv.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "id",
            "title",
            "abstract",
            "authors",
            "fellows",
            "tags",
            "date",
            "featured",
            "source_file",
            "source_line",
            "doi",
            "url",
            "arxiv",
            "key"
        ]
    );
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.unwrap()).collect();
    let in_2023 = corpus_records()
        .iter()
        .filter(|r| r.date.starts_with("2023"))
        .count();
    assert_eq!(rows.len(), in_2023);
    assert!(rows.iter().all(|row| row[6].starts_with("2023-")));

    let r = w.run(&["export", "zzzzqqq", "--exact"]);
    assert_eq!(r.code, 1, "nothing matched: {}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn csv_export_round_trips_through_ingest() {
    let w = Workdir::with_corpus();
    w.ingest();
    let csv = w.run(&["export", "--format", "csv"]);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    w.write("out/a.csv", &csv.stdout);
    let r = w.run(&["--index", "copy", "ingest", "--rebuild", "out/a.csv"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("added 25, updated 0, removed 0"),
        "{}",
        r.stdout
    );
    // `source` legitimately differs: imported records come from out/a.csv, not the page export.
    assert_eq!(
        exported_without_source(&w, "copy"),
        exported_without_source(&w, "index")
    );
    let shown: RecordOut = shapes::strict(
        &w.run(&["--index", "copy", "show", "batchtopk", "--json"])
            .stdout,
    );
    assert_eq!(shown.source.file, "out/a.csv");
    assert!(shown.source.line > 1);
}

#[test]
fn jsonl_and_json_exports_round_trip_through_ingest_too() {
    let w = Workdir::with_corpus();
    w.ingest();
    for (format, file) in [("jsonl", "a.jsonl"), ("json", "a.json")] {
        let out = w.run(&["export", "--format", format]);
        w.write(file, &out.stdout);
        let index = format!("copy-{format}");
        let r = w.run(&["--index", &index, "ingest", file]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        assert_eq!(
            exported_without_source(&w, &index),
            exported_without_source(&w, "index"),
            "{format}"
        );
    }
}

#[test]
fn ingest_reports_bad_rows_with_file_and_line_and_keeps_the_good_ones() {
    let w = Workdir::empty();
    w.write(
        "other-tool.jsonl",
        concat!(
            "{\"title\":\"Imported Paper\",\"date\":\"Mar 1, 2025\",\"authors\":[\"A. Person\"]}\n",
            "{\"title\":\"No Date Here\"}\n",
            "not json at all\n",
        ),
    );
    let r = w.run(&["ingest", "other-tool.jsonl"]);
    assert_eq!(r.code, 1, "warnings: {}", r.stderr);
    assert!(
        r.stderr
            .contains("other-tool.jsonl:2: \"No Date Here\" has no date; the record is skipped"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("other-tool.jsonl:3: not JSON"),
        "{}",
        r.stderr
    );
    let shown: RecordOut = shapes::strict(&w.run(&["show", "imported paper", "--json"]).stdout);
    assert_eq!(shown.date, "2025-03-01");
    assert_eq!(
        shown.id,
        litsearch::record::record_id("Imported Paper", "2025-03-01")
    );
    assert_eq!(shown.authors, ["A. Person"]);
}

#[test]
fn records_file_whose_content_is_not_records_is_refused_naming_file_and_line() {
    let w = Workdir::empty();
    w.write("notes.jsonl", "\n# a comment, not a record\n");
    let r = w.run(&["ingest", "notes.jsonl"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("notes.jsonl:2: not a JSON-lines records file"),
        "{}",
        r.stderr
    );
    w.write("sheet.csv", "name,year\nx,2020\n");
    // Named on the command line, a file that is not records is an error, as for ingest.
    let r = w.run(&["parse", "sheet.csv"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "sheet.csv:1: not a records CSV: the header needs `title` and `date` columns (found: name, year)"
        ),
        "{}",
        r.stderr
    );
}

// --- shell integration and global flags --------------------------------------------------

#[test]
fn completions_are_generated_for_every_shell() {
    let w = Workdir::empty();
    for (shell, marker) in [
        ("bash", "_litsearch()"),
        ("zsh", "#compdef litsearch"),
        ("fish", "complete -c litsearch"),
        ("elvish", "edit:completion:arg-completer[litsearch]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let r = w.run(&["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains(marker), "{shell}: {}", &r.stdout[..200]);
        for sub in ["similar", "export", "completions"] {
            assert!(r.stdout.contains(sub), "{shell} lacks {sub}");
        }
    }
    let r = w.run(&["completions", "tcsh"]);
    assert_eq!(r.code, 2);
}

#[test]
fn man_page_is_roff_naming_every_subcommand() {
    let w = Workdir::empty();
    let r = w.run(&["man"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &r.stdout[..100]
    );
    assert!(r.stdout.contains(".TH litsearch 1"), "{}", &r.stdout[..300]);
    for sub in [
        "parse",
        "ingest",
        "query",
        "show",
        "similar",
        "export",
        "completions",
        "man",
    ] {
        assert!(
            r.stdout.contains(&format!("litsearch\\-{sub}")),
            "man page lacks {sub}"
        );
    }
}

#[test]
fn version_prints_the_index_schema_version() {
    let w = Workdir::empty();
    let r = w.run(&["--version"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout.trim(),
        format!(
            "litsearch {} (index schema {})",
            env!("CARGO_PKG_VERSION"),
            litsearch::engine::local::schema::SCHEMA_VERSION
        )
    );
}

#[test]
fn index_flag_and_environment_are_honoured_by_the_new_commands() {
    let w = Workdir::with_corpus();
    let r = w.run(&["--index", "elsewhere", "ingest"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    std::fs::remove_dir_all(w.path("corpus")).unwrap();
    // No corpus to build from, so a command looking at the default index/ fails ...
    let r = w.run(&["show", "batchtopk"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("no index in the directory \"index\""),
        "{}",
        r.stderr
    );
    // ... while --index and LITSEARCH_INDEX reach the index that exists.
    for args in [
        &["--index", "elsewhere", "show", "batchtopk"][..],
        &["--index", "elsewhere", "similar", "batchtopk"][..],
        &["export", "--index", "elsewhere"][..],
    ] {
        let r = w.run(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    }
    for args in [&["show", "batchtopk"][..], &["export"][..]] {
        let out = w
            .cmd()
            .env("LITSEARCH_INDEX", "elsewhere")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
    }
}
