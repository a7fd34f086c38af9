//! Issue 16, "what people read and trust": prefixes that only match words beginning with them,
//! relaxation that never widens silently, bare queries, and pages that say what they left out.

use crate::common::{titles_of, Workdir};

fn corpus() -> Workdir {
    let w = Workdir::with_corpus();
    w.ingest();
    w
}

// ---- 2. prefixes ----

#[test]
fn prefix_matches_only_words_that_begin_with_it() {
    let w = corpus();
    let v = w.query_json(&["crosscod*"]);
    let titles = titles_of(&v);
    assert!(!titles.is_empty(), "crosscod* finds the crosscoder paper");
    // Every hit holds a word beginning with "crosscod" (case-folded); "Cross-cluster",
    // "cross-benchmark" and "Cross-Attention" papers do not.
    for hit in v["hits"].as_array().unwrap() {
        let text = format!(
            "{} {}",
            hit["title"].as_str().unwrap(),
            hit["snippet"].as_str().unwrap()
        )
        .to_lowercase();
        let full = w.run(&["show", hit["id"].as_str().unwrap(), "--json"]);
        let abstract_text = full.stdout.to_lowercase();
        assert!(
            text.contains("crosscod") || abstract_text.contains("crosscod"),
            "{} has no word beginning with crosscod",
            hit["title"]
        );
    }
    assert!(
        !titles.iter().any(|t| t.contains("Cross-cluster")),
        "{titles:?}"
    );
}

#[test]
fn prefix_is_not_shortened_by_stemming() {
    let w = corpus();
    // "models*" must not match the stem "model" of "model" alone.
    let v = w.query_json(&["title:models*"]);
    for t in titles_of(&v) {
        assert!(
            t.to_lowercase().contains("models"),
            "{t} has no word beginning with models"
        );
    }
    // And a prefix past the stem still finds the words it begins (interpretab → interpretability).
    let v = w.query_json(&["interpretab*"]);
    assert!(v["total"].as_u64().unwrap() > 0);
}

// ---- 3. relaxation never widens silently ----

#[test]
fn scoped_query_that_matches_nothing_is_not_relaxed() {
    let w = corpus();
    let r = w.run(&[
        "query",
        "--json",
        r#"tag:"Scheming and Deception" author:nanda title:(sparse OR sae)"#,
    ]);
    assert_eq!(r.code, 1, "nothing matches, exit 1: {}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["total"], 0);
    assert_eq!(v["relaxed"], serde_json::Value::Null);
}

#[test]
fn explicit_and_phrase_and_not_are_never_dropped() {
    let w = corpus();
    for q in [
        "gated AND sparse",
        r#""sparse probing" zzzunknownword"#,
        "title:sparse zzzunknownword",
    ] {
        let v = w.query_json(&[q]);
        if q.contains("zzzunknownword") {
            // the plain unknown word may be left out, the phrase or scope stays
            for hit in v["hits"].as_array().unwrap() {
                let t = hit["title"].as_str().unwrap().to_lowercase();
                let s = hit["snippet"].as_str().unwrap().to_lowercase();
                if q.starts_with("title:") {
                    assert!(t.contains("sparse"), "{q}: {t}");
                } else {
                    assert!(
                        t.contains("sparse probing") || s.contains("sparse"),
                        "{q}: {t}"
                    );
                }
            }
            assert_eq!(v["dropped"], serde_json::json!(["zzzunknownword"]), "{q}");
        } else {
            assert_eq!(v["total"], 0, "{q} must not be relaxed: {v}");
        }
    }
    // A NOT is kept: relaxing `sycophnacy -sycophancy` cannot bring back what it excludes.
    let v = w.query_json(&["sycophnacy NOT sycophancy"]);
    assert_eq!(v["total"], 0, "{v}");
}

#[test]
fn typos_count_against_the_whole_word() {
    let w = corpus();
    let v = w.query_json(&["gated", "latents"]);
    let titles = titles_of(&v);
    assert!(
        !titles.iter().any(|t| t.starts_with("Too Late to Recall")),
        "\"latents\" is not a typo of \"late\": {titles:?}"
    );
    assert!(
        v["corrected"].as_array().unwrap().is_empty(),
        "no word of `gated latents` is within the typo distance of an indexed word: {v}"
    );
}

#[test]
fn every_correction_is_reported_on_stderr_and_in_json() {
    let w = corpus();
    let r = w.run(&["query", "sycophnacy"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stderr,
        "note: nothing matches the query as written; corrected sycophnacy → sycophancy \
         (--exact to turn this off)\n"
    );
    let v = w.query_json(&["sycophnacy"]);
    assert_eq!(v["relaxed"], "typos");
    assert_eq!(
        v["corrected"],
        serde_json::json!([{"word": "sycophnacy", "to": ["sycophancy"]}])
    );
    assert_eq!(v["dropped"], serde_json::json!([]));
    // and in JSON mode the note is on stderr too
    let r = w.run(&["query", "--json", "sycophnacy"]);
    assert!(
        r.stderr.contains("corrected sycophnacy → sycophancy"),
        "{}",
        r.stderr
    );
}

#[test]
fn every_dropped_word_is_reported() {
    let w = corpus();
    let r = w.run(&["query", "sparse", "zzzunknownword"]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stderr,
        "note: nothing matches the query as written; left out zzzunknownword \
         (--exact to turn this off)\n"
    );
    let v = w.query_json(&["sparse", "zzzunknownword"]);
    assert_eq!(v["relaxed"], "dropped");
    assert_eq!(v["dropped"], serde_json::json!(["zzzunknownword"]));
    // Every hit still holds the word that was kept: dropping is not any-word.
    assert_eq!(v["total"], w.query_json(&["sparse"])["total"]);
}

#[test]
fn export_never_relaxes() {
    let w = corpus();
    let r = w.run(&["export", "sycophnacy"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let r = w.run(&["export", "sparse", "zzzunknownword"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
}

// ---- 6. listing everything; --limit 0 ----

#[test]
fn bare_query_lists_everything_newest_first() {
    let w = corpus();
    let all = crate::common::corpus_records().len() as u64;
    for args in [vec![], vec!["--sort", "newest"]] {
        let mut a = vec!["query", "--json"];
        a.extend(args.iter());
        let r = w.run(&a);
        assert_eq!(r.code, 0, "{a:?}: {}", r.stderr);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v["total"].as_u64().unwrap(), all);
        let dates: Vec<&str> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["date"].as_str().unwrap())
            .collect();
        let mut sorted = dates.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted, "newest first");
    }
}

#[test]
fn limit_zero_prints_total_and_facets() {
    let w = corpus();
    let r = w.run(&["query", "sparse", "--limit", "0", "--color", "never"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let total = w.query_json(&["sparse"])["total"].as_u64().unwrap();
    assert!(!r.stdout.contains("past the end"), "{}", r.stdout);
    assert!(
        r.stdout.contains("\nTags: ") || r.stdout.starts_with("Tags: "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("{total} results (none shown: --limit 0)")),
        "{}",
        r.stdout
    );
    let v = w.query_json(&["sparse", "--limit", "0"]);
    assert_eq!(v["total"].as_u64().unwrap(), total);
    assert!(v["facets"]["tags"]
        .as_object()
        .is_some_and(|m| !m.is_empty()));
}

// ---- 7. CSV and NDJSON say what they left out ----

#[test]
fn csv_and_ndjson_say_how_many_were_left_out() {
    let w = corpus();
    let all = crate::common::corpus_records().len();
    for format in ["csv", "ndjson"] {
        let r = w.run(&["query", "--format", format]);
        assert_eq!(r.code, 0);
        assert_eq!(
            r.stderr,
            format!(
                "note: 10 of {all} hits written, {} left out: --limit {all} or --all for every one\n",
                all - 10
            ),
            "{format}"
        );
        let r = w.run(&["query", "--format", format, "--all"]);
        assert_eq!(r.stderr, "", "{format}");
        let rows = r.stdout.lines().count() - usize::from(format == "csv");
        assert_eq!(rows, all, "{format} --all");
    }
}

// ---- 5. filters forgive like field scopes; a filter matching nothing names the nearest ----

#[test]
fn tag_filter_matches_by_words_like_the_tag_scope() {
    let w = corpus();
    for (filter, scope) in [
        ("scheming", "tag:scheming"),
        ("SCHEMING and deception", r#"tag:"Scheming and Deception""#),
        ("interpretability", "tag:interpretability"),
    ] {
        let by_filter = w.query_json(&["--tag", filter, "--limit", "100"]);
        let by_scope = w.query_json(&[scope, "--limit", "100", "--exact"]);
        assert!(by_scope["total"].as_u64().unwrap() > 0, "{scope}");
        assert_eq!(
            titles_of(&by_filter).len(),
            titles_of(&by_scope).len(),
            "--tag {filter:?} vs {scope}"
        );
    }
}

#[test]
fn filters_fold_case_and_accents() {
    let w = corpus();
    let plain = w.query_json(&["--author", "Ivan Arcuschin"]);
    assert!(plain["total"].as_u64().unwrap() > 0);
    assert_eq!(
        w.query_json(&["--author", "IVÁN arcuschin"])["total"],
        plain["total"]
    );
}

#[test]
fn a_filter_matching_nothing_names_the_nearest_values() {
    let w = corpus();
    for (args, note) in [
        (
            vec!["--tag", "Interp"],
            r#"note: no tag "Interp"; did you mean "Interpretability"?"#,
        ),
        (
            vec!["--fellow", "Bussman"],
            r#"note: no fellow "Bussman"; did you mean "Bart Bussmann"?"#,
        ),
        (
            vec!["--author", "Neel Nanada"],
            r#"note: no author "Neel Nanada"; did you mean "Neel Nanda"?"#,
        ),
        (
            vec!["--tag", "Zzyzx"],
            r#"note: no tag "Zzyzx" in the index"#,
        ),
    ] {
        let mut a = vec!["query"];
        a.extend(args.iter());
        let r = w.run(&a);
        assert_eq!(r.code, 1, "{args:?}");
        assert_eq!(r.stderr, format!("{note}\n"), "{args:?}");
    }
    // A filter that exists but excludes the query's matches is not "unknown".
    let r = w.run(&[
        "query",
        "sycophancy",
        "--tag",
        "Interpretability",
        "--exact",
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr, "");
}

// ---- 4. an index is never written into the wrong place ----

fn listing(w: &Workdir, rel: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(w.path(rel))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn no_index_is_written_into_a_data_directory() {
    let w = Workdir::with_corpus();
    let r = w.run(&["query", "sparse", "--index", "corpus"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no index at corpus"), "{}", r.stderr);
    assert_eq!(listing(&w, "corpus"), ["mats-research.txt"]);
    let r = w.run(&["ingest", "--index", "corpus"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "litsearch: corpus is not an index directory: it holds mats-research.txt; litsearch \
         writes an index only into a new or empty directory or one holding an index (point \
         --index at another path)\n"
    );
    assert_eq!(listing(&w, "corpus"), ["mats-research.txt"]);
    // and ingest still works afterwards, with no "corpus/CURRENT" to trip over
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_mistyped_index_path_is_an_error_not_a_second_index() {
    let w = corpus();
    let r = w.run(&["query", "sparse", "--index", "indx"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no index at indx"), "{}", r.stderr);
    assert!(!w.path("indx").exists());
    let r = w.run(&["query", "sparse"]);
    assert_eq!(r.code, 0);
    // An explicit ingest into a new directory still creates it.
    assert_eq!(w.run(&["ingest", "--index", "other"]).code, 0);
    assert_eq!(w.run(&["query", "sparse", "--index", "other"]).code, 0);
}

#[test]
fn first_query_still_builds_the_default_index() {
    let w = Workdir::with_corpus();
    let r = w.run(&["query", "sparse", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(w.path("index/CURRENT").exists());
}

// ---- 1. sources stay true ----

/// The 1-based line of the first line equal to `title` in `text`.
fn line_of(text: &str, title: &str) -> u64 {
    text.lines()
        .position(|l| l == title)
        .expect("title in export") as u64
        + 1
}

#[test]
fn every_ingest_refreshes_source_positions_and_reports_them_as_moved() {
    let w = corpus();
    let title = "BatchTopK Sparse Autoencoders";
    let before = line_of(crate::common::CORPUS, title);
    let show = |w: &Workdir| -> serde_json::Value {
        serde_json::from_str(&w.run(&["show", "batchtopk", "--json"]).stdout).unwrap()
    };
    assert_eq!(show(&w)["source"]["line"].as_u64().unwrap(), before);
    // One entry inserted above all the others.
    let new_entry = crate::common::entry(
        "A Brand New Paper",
        "Something entirely new about probes.",
        &["Interpretability"],
        "Ana Perez",
        "Ana Perez",
        "May 1, 2025",
    );
    let at = crate::common::CORPUS
        .find("\nOvercoming Sparsity Artifacts")
        .unwrap()
        + 1;
    let text = format!(
        "{}{new_entry}{}",
        &crate::common::CORPUS[..at],
        &crate::common::CORPUS[at..]
    );
    w.write("corpus/mats-research.txt", &text);
    let after = line_of(&text, title);
    assert_ne!(before, after);

    let r = w.run(&["ingest", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let records = crate::common::corpus_records().len() as u64;
    assert_eq!(s["added"], 1);
    assert_eq!(s["updated"], 0, "a move is not a change of content");
    assert_eq!(
        s["moved"].as_u64().unwrap() + s["unchanged"].as_u64().unwrap(),
        records
    );
    assert!(s["moved"].as_u64().unwrap() > 0);

    assert_eq!(show(&w)["source"]["line"].as_u64().unwrap(), after);
    let q = w.query_json(&["batchtopk", "--exact"]);
    let hit = q["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["title"] == title)
        .unwrap();
    assert_eq!(hit["source"]["line"].as_u64().unwrap(), after);
    let csv = w.run(&[
        "query",
        "--format",
        "csv",
        "--exact",
        &format!("title:\"{title}\""),
    ]);
    assert!(
        csv.stdout
            .contains(&format!("corpus/mats-research.txt:{after}")),
        "{}",
        csv.stdout
    );
    let exported = w.run(&["export", &format!("title:\"{title}\""), "--format", "csv"]);
    assert!(
        exported
            .stdout
            .contains(&format!("corpus/mats-research.txt,{after}")),
        "{}",
        exported.stdout
    );
    // Nothing moves on the next ingest, and the summary line says so.
    let r = w.run(&["ingest"]);
    assert!(
        r.stdout
            .starts_with("added 0, updated 0, removed 0, unchanged "),
        "{}",
        r.stdout
    );
    // A move alone is shown in the text summary.
    w.write("corpus/mats-research.txt", format!("\n\n{text}"));
    let r = w.run(&["ingest"]);
    assert!(
        r.stdout.starts_with(&format!(
            "added 0, updated 0, removed 0, moved {}, unchanged 0",
            records + 1
        )),
        "{}",
        r.stdout
    );
}
