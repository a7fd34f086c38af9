//! What people read and trust: prefixes that only match words beginning with them, relaxation
//! that never widens silently, bare queries, and pages that say what they left out.

use crate::common::shapes::{self, IngestSummary, Record, Results};
use crate::common::Workdir;

fn corpus() -> Workdir {
    let w = Workdir::with_corpus();
    w.ingest();
    w
}

// ---- 2. prefixes ----

#[test]
fn prefix_matches_only_words_that_begin_with_it() {
    let w = corpus();
    let v = w.query(&["crosscod*"]);
    let titles = v.titles();
    assert!(!titles.is_empty(), "crosscod* finds the crosscoder paper");
    // Every hit holds a word beginning with "crosscod" (case-folded); "Cross-cluster",
    // "cross-benchmark" and "Cross-Attention" papers do not.
    for hit in &v.hits {
        let text = format!("{} {}", hit.title, hit.snippet).to_lowercase();
        let full = w.run(&["show", &hit.id, "--json"]);
        let abstract_text = full.stdout.to_lowercase();
        assert!(
            text.contains("crosscod") || abstract_text.contains("crosscod"),
            "{} has no word beginning with crosscod",
            hit.title
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
    for t in w.titles(&["title:models*"]) {
        assert!(
            t.to_lowercase().contains("models"),
            "{t} has no word beginning with models"
        );
    }
    // And a prefix past the stem still finds the words it begins (interpretab → interpretability).
    assert!(w.query(&["interpretab*"]).total > 0);
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
    let v: Results = shapes::strict(&r.stdout);
    assert_eq!(v.total, 0);
    assert_eq!(v.relaxed, None);
}

#[test]
fn explicit_and_phrase_and_not_are_never_dropped() {
    let w = corpus();
    for q in [
        "gated AND sparse",
        r#""sparse probing" zzzunknownword"#,
        "title:sparse zzzunknownword",
    ] {
        let v = w.query(&[q]);
        if q.contains("zzzunknownword") {
            // the plain unknown word may be left out, the phrase or scope stays
            for hit in &v.hits {
                let t = hit.title.to_lowercase();
                let s = hit.snippet.to_lowercase();
                if q.starts_with("title:") {
                    assert!(t.contains("sparse"), "{q}: {t}");
                } else {
                    assert!(
                        t.contains("sparse probing") || s.contains("sparse"),
                        "{q}: {t}"
                    );
                }
            }
            assert_eq!(v.dropped, ["zzzunknownword"], "{q}");
        } else {
            assert_eq!(v.total, 0, "{q} must not be relaxed: {v:?}");
        }
    }
    // A NOT is kept: relaxing `sycophnacy -sycophancy` cannot bring back what it excludes.
    let v = w.query(&["sycophnacy NOT sycophancy"]);
    assert_eq!(v.total, 0, "{v:?}");
}

#[test]
fn typos_count_against_the_whole_word() {
    let w = corpus();
    let v = w.query(&["gated", "latents"]);
    let titles = v.titles();
    assert!(
        !titles.iter().any(|t| t.starts_with("Too Late to Recall")),
        "\"latents\" is not a typo of \"late\": {titles:?}"
    );
    assert!(
        v.corrected.is_empty(),
        "no word of `gated latents` is within the typo distance of an indexed word: {v:?}"
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
    let v = w.query(&["sycophnacy"]);
    assert_eq!(v.relaxed.as_deref(), Some("typos"));
    assert_eq!(
        v.corrected,
        [shapes::Correction {
            word: "sycophnacy".into(),
            to: vec!["sycophancy".into()]
        }]
    );
    assert!(v.dropped.is_empty());
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
    let v = w.query(&["sparse", "zzzunknownword"]);
    assert_eq!(v.relaxed.as_deref(), Some("dropped"));
    assert_eq!(v.dropped, ["zzzunknownword"]);
    // Every hit still holds the word that was kept: dropping is not any-word.
    assert_eq!(v.total, w.query(&["sparse"]).total);
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
        let v: Results = shapes::strict(&r.stdout);
        assert_eq!(v.total, all);
        let dates: Vec<&str> = v.hits.iter().map(|h| h.date.as_str()).collect();
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
    let total = w.query(&["sparse"]).total;
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
    let v = w.query(&["sparse", "--limit", "0"]);
    assert_eq!(v.total, total);
    assert!(v.facets.get("tags").is_some_and(|m| !m.is_empty()));
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
        let by_filter = w.query(&["--tag", filter, "--limit", "100"]);
        let by_scope = w.query(&[scope, "--limit", "100", "--exact"]);
        assert!(by_scope.total > 0, "{scope}");
        assert_eq!(
            by_filter.titles().len(),
            by_scope.titles().len(),
            "--tag {filter:?} vs {scope}"
        );
    }
}

#[test]
fn filters_fold_case_and_accents() {
    let w = corpus();
    let plain = w.query(&["--author", "Ivan Arcuschin"]);
    assert!(plain.total > 0);
    assert_eq!(w.query(&["--author", "IVÁN arcuschin"]).total, plain.total);
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
            // (`Bussman`, a beginning of "Bussmann", matches him now.)
            vec!["--fellow", "Busman"],
            r#"note: no fellow "Busman"; did you mean "Bart Bussmann"?"#,
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
    assert!(
        r.stderr.contains("no index in the directory \"corpus\""),
        "{}",
        r.stderr
    );
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
    assert!(
        r.stderr.contains("no index in the directory \"indx\""),
        "{}",
        r.stderr
    );
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
    let show =
        |w: &Workdir| -> Record { shapes::strict(&w.run(&["show", "batchtopk", "--json"]).stdout) };
    assert_eq!(show(&w).source.line, before);
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
    let s: IngestSummary = shapes::strict(&r.stdout);
    let records = crate::common::corpus_records().len() as u64;
    assert_eq!(s.added, 1);
    assert_eq!(s.updated, 0, "a move is not a change of content");
    assert_eq!(s.moved + s.unchanged, records);
    assert!(s.moved > 0);

    assert_eq!(show(&w).source.line, after);
    let q = w.query(&["batchtopk", "--exact"]);
    let hit = q.hits.iter().find(|h| h.title == title).unwrap();
    assert_eq!(hit.source.line, after);
    let csv = w.run(&[
        "query",
        "--format",
        "csv",
        "--exact",
        &format!("title:\"{title}\""),
    ]);
    assert!(
        csv.stdout
            .contains(&format!("corpus/mats-research.txt,{after}")),
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

// ---- 11. small things people read ----

#[test]
fn coloured_title_stays_bold_after_a_highlight() {
    let w = corpus();
    let r = w.run(&["query", "sparse", "--color", "always", "--limit", "1"]);
    let title = r.stdout.lines().next().unwrap();
    // Every reset inside the title (after a highlighted word) takes the bold up again.
    let inner = &title[..title.len() - "\x1b[0m".len()];
    assert!(inner.contains("\x1b[1;33m"), "a highlight: {title:?}");
    for (i, _) in inner.match_indices("\x1b[0m") {
        assert!(
            inner[i + 4..].starts_with("\x1b[1m"),
            "bold lost after a highlight: {title:?}"
        );
    }
}

#[test]
fn ingest_summary_adds_up() {
    let w = Workdir::with_corpus();
    let bad = crate::common::entry(
        "Broken Paper",
        "Something.",
        &["Interpretability"],
        "Ana Perez",
        "Ana Perez",
        "Feb 30, 2025",
    );
    let at = crate::common::CORPUS
        .find("\nOvercoming Sparsity Artifacts")
        .unwrap()
        + 1;
    w.write(
        "corpus/mats-research.txt",
        format!(
            "{}{bad}{}",
            &crate::common::CORPUS[..at],
            &crate::common::CORPUS[at..]
        ),
    );
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 1);
    let j: IngestSummary = shapes::strict(&w.run(&["ingest", "--json"]).stdout);
    let (records, merged, skipped) = (j.records, j.merged, j.skipped);
    assert_eq!(skipped, 1);
    let entries = records + merged + skipped;
    assert!(
        r.stdout.contains(&format!(
            "; {records} records indexed from {entries} entries, {merged} merged, 1 skipped, 1 warning,"
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn out_of_range_dates_and_negative_limits_say_what_is_wrong() {
    let w = corpus();
    let r = w.run(&["query", "x", "--since", "2025-13-01"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "litsearch: --since: expected a date like 2025-03-01, 2025-03 or 2025, found \
         \"2025-13-01\": month 13 is out of range (1–12)\n"
    );
    let r = w.run(&["query", "x", "--until", "2025-02-30"]);
    assert!(
        r.stderr
            .contains("day 30 is out of range for 2025-02 (1–28)"),
        "{}",
        r.stderr
    );
    let r = w.run(&["query", "x", "--limit", "-1"]);
    assert_eq!(r.code, 2);
    assert!(
        !r.stderr.contains("-- -1"),
        "no advice to pass -1 as a value: {}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("expected a whole number of hits, 0 or more"),
        "{}",
        r.stderr
    );
}

#[test]
fn utf16_exports_are_read() {
    for big_endian in [false, true] {
        let w = Workdir::empty();
        let mut bytes: Vec<u8> = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in crate::common::CORPUS.encode_utf16() {
            let b = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            bytes.extend_from_slice(&b);
        }
        w.write("corpus/listing.txt", &bytes);
        let r = w.run(&["ingest", "--json"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let j: IngestSummary = shapes::strict(&r.stdout);
        assert_eq!(j.records as usize, crate::common::corpus_records().len());
        let show: Record = shapes::strict(&w.run(&["show", "batchtopk", "--json"]).stdout);
        assert_eq!(
            show.source.line,
            line_of(crate::common::CORPUS, "BatchTopK Sparse Autoencoders")
        );
    }
}

// ---- 12. alerts survive a failing mailer; watch add warns; first_seen on return ----

#[test]
fn watch_run_deliver_records_only_when_the_command_succeeds() {
    let w = corpus();
    assert_eq!(
        w.run(&["watch", "add", "sae", "sparse autoencoder", "--backfill"])
            .code,
        0
    );
    // A mailer that reads the whole digest and then fails: nothing recorded.
    let r = w.run(&["watch", "run", "--deliver", "cat > got.txt; exit 1"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("exited with status 1") && r.stderr.contains("nothing was recorded"),
        "{}",
        r.stderr
    );
    assert!(
        w.read("got.txt").contains("sae"),
        "the digest reached the command"
    );
    // The next delivery gets the same papers, and succeeds.
    let r = w.run(&["watch", "run", "--deliver", "cat > got2.txt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "", "the digest went to the command, not stdout");
    assert_eq!(w.read("got.txt"), w.read("got2.txt"));
    assert!(
        !w.read("got2.txt").contains('\x1b'),
        "no colour for a mailer"
    );
    // Then nothing is new: the command is not run at all.
    let r = w.run(&["watch", "run", "--deliver", "cat > got3.txt"]);
    assert_eq!(r.code, 1);
    assert!(!w.path("got3.txt").exists());
}

#[test]
fn watch_add_refuses_a_search_that_matches_nothing_today() {
    let w = corpus();
    // README: "a typo fails here, not at 3 a.m.".
    let r = w.run(&["watch", "add", "syc", "sycophnacy"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "litsearch: \"syc\" matches no paper today (sycophnacy → sycophancy); check it \
         for typos, or pass --allow-empty to save it anyway\n"
    );
    assert!(
        !w.run(&["watch", "list"]).stdout.contains("syc"),
        "nothing saved"
    );
    let r = w.run(&["watch", "add", "syc", "sycophnacy", "--allow-empty"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("litsearch: warning: \"syc\" matches no paper today"),
        "{}",
        r.stderr
    );
    let r = w.run(&["watch", "add", "interp", "--tag", "Interp"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(r#"no tag "Interp"; did you mean "Interpretability"?"#),
        "{}",
        r.stderr
    );
    let r = w.run(&["watch", "add", "fine", "sycophancy"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn a_paper_removed_and_added_back_keeps_its_first_seen() {
    let w = corpus();
    let first = |w: &Workdir| -> String {
        let v: serde_json::Value =
            serde_json::from_str(&w.run(&["show", "batchtopk", "--json"]).stdout).unwrap();
        v["first_seen"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| v.to_string())
    };
    let q = w.query(&["title:batchtopk", "--exact"]);
    let before = q.hits[0].first_seen.clone();
    let title = "BatchTopK Sparse Autoencoders";
    let start = crate::common::CORPUS.find(&format!("\n{title}\n")).unwrap() + 1;
    let end = start + crate::common::CORPUS[start..].find("Date:").unwrap();
    let end = end + crate::common::CORPUS[end..].find("\n\n").unwrap() + 2;
    let end = end + crate::common::CORPUS[end..].find("\n\n").unwrap_or(0) + 2;
    let without = format!(
        "{}{}",
        &crate::common::CORPUS[..start],
        &crate::common::CORPUS[end..]
    );
    w.write("corpus/mats-research.txt", &without);
    let r = w.run(&["ingest", "--json"]);
    let s: IngestSummary = shapes::strict(&r.stdout);
    assert_eq!(s.removed, 1, "{}", r.stdout);
    std::thread::sleep(std::time::Duration::from_millis(2100));
    w.write("corpus/mats-research.txt", crate::common::CORPUS);
    assert_eq!(w.run(&["ingest"]).code, 0);
    let q = w.query(&["title:batchtopk", "--exact"]);
    assert_eq!(q.hits[0].first_seen, before);
    // so --added-since agrees with watch: the paper is not new
    let recent = w.query(&["title:batchtopk", "--exact", "--added-since", "1s"]);
    assert_eq!(recent.total, 0, "{}", first(&w));
}

// ---- 13. Atom feeds that feed readers accept ----

/// Runs `script` with Python's `feedparser` (from PyPI); fails saying what to install unless
/// LITSEARCH_SKIP_FEEDPARSER is set.
fn with_feedparser(script: &str, feed: &std::path::Path) -> Option<String> {
    let probe = std::process::Command::new("python3")
        .args(["-c", "import feedparser"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        if std::env::var_os("LITSEARCH_SKIP_FEEDPARSER").is_some() {
            eprintln!("skipped: Python feedparser not installed (LITSEARCH_SKIP_FEEDPARSER set)");
            return None;
        }
        panic!(
            "this test needs Python 3 with feedparser: `pip install feedparser` \
             (or set LITSEARCH_SKIP_FEEDPARSER=1 to skip it)"
        );
    }
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(feed)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn atom_entries_have_a_link_and_a_summary_and_parse_cleanly() {
    let w = corpus();
    assert_eq!(
        w.run(&["watch", "add", "sae", "sparse autoencoder", "--backfill"])
            .code,
        0
    );
    let r = w.run(&["watch", "run", "--format", "atom", "--output", "feeds"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let script = r#"
import sys, feedparser
d = feedparser.parse(sys.argv[1])
assert d.bozo == 0, d.bozo_exception
assert d.entries, "no entries"
for e in d.entries:
    assert e.get("link"), ("no link", e.get("id"))
    assert e.get("summary"), ("no summary", e.get("id"))
print(len(d.entries))
"#;
    if let Some(out) = with_feedparser(script, &w.path("feeds/sae.xml")) {
        let n: usize = out.trim().parse().unwrap();
        assert_eq!(n as u64, w.query(&["sparse autoencoder", "--exact"]).total);
    }
    let xml = w.read("feeds/sae.xml");
    assert!(xml.contains("<link href=\"urn:litsearch:"), "{xml}");
}

// ---- 14. a man page per command ----

#[test]
fn man_dir_writes_every_page_the_pages_refer_to() {
    let w = Workdir::empty();
    let r = w.run(&["man", "--dir", "man"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pages = listing(&w, "man");
    assert!(pages.contains(&"litsearch.1".to_owned()), "{pages:?}");
    for sub in [
        "query",
        "ingest",
        "watch-run",
        "watch-add",
        "export",
        "show",
    ] {
        assert!(
            pages.contains(&format!("litsearch-{sub}.1")),
            "{sub}: {pages:?}"
        );
    }
    // Every `litsearch-…(1)` any page names exists.
    for page in &pages {
        let text = w.read(&format!("man/{page}"));
        let mut rest = text.as_str();
        while let Some(at) = rest.find("litsearch\\-") {
            let name: String = rest[at..]
                .chars()
                .take_while(|c| *c != '(' && !c.is_whitespace())
                .collect();
            if rest[at + name.len()..].starts_with("(1)") {
                let file = format!("{}.1", name.replace("\\-", "-"));
                assert!(
                    pages.contains(&file),
                    "{page} names {file}, which is missing"
                );
            }
            rest = &rest[at + name.len()..];
        }
    }
    assert!(w.read("man/litsearch-query.1").contains("\\-\\-sort"));
    // stdout keeps giving the main page
    assert!(w.run(&["man"]).stdout.contains(".TH litsearch 1"));
}

// ---- 9. the matched author is shown (and highlighted); fellows are shown ----

#[test]
fn a_matched_author_is_shown_wherever_it_sits() {
    let w = corpus();
    let r = w.run(&[
        "query",
        "--author",
        "Cunningham",
        "--facets",
        "none",
        "--color",
        "never",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let audit = r
        .stdout
        .split("\n\n")
        .find(|h| h.contains("Auditing language models for hidden objectives"))
        .expect("the audit paper");
    let authors = audit.lines().nth(2).unwrap();
    assert!(authors.contains("Hoagy Cunningham"), "{audit}");
    assert!(authors.starts_with("   Samuel Marks, "), "{audit}");
    assert!(authors.ends_with(" more"), "{audit}");
    // in colour, highlighted like a matched word
    let r = w.run(&[
        "query",
        "--author",
        "Cunningham",
        "--facets",
        "none",
        "--color",
        "always",
    ]);
    assert!(
        r.stdout.contains("\x1b[1;33mHoagy Cunningham\x1b[0m"),
        "{}",
        r.stdout
    );
}

#[test]
fn fellows_are_shown() {
    let w = corpus();
    let r = w.run(&[
        "query",
        "batchtopk",
        "--exact",
        "--facets",
        "none",
        "--limit",
        "1",
    ]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout
            .lines()
            .any(|l| l == "   fellows: Patrick Leask, Bart Bussmann"),
        "{}",
        r.stdout
    );
}

// ---- 8. output fitted to the terminal's width; pipes keep whole lines ----

#[test]
fn text_output_wraps_to_the_width_with_a_hanging_indent() {
    let w = corpus();
    let run = |width: Option<&str>, args: &[&str]| {
        let mut c = w.cmd();
        if let Some(width) = width {
            c.env("LITSEARCH_WIDTH", width);
        }
        crate::common::Run::from(c.args(args).output().unwrap())
    };
    let args = ["query", "--author", "Cunningham", "--color", "never"];
    let wide = run(None, &args);
    let narrow = run(Some("60"), &args);
    assert_eq!(narrow.code, 0);
    for line in narrow.stdout.lines() {
        assert!(line.chars().count() <= 60, "{line:?} is wider than 60");
    }
    // The same words, in the same order, none split: only the line breaks differ.
    // (the last line, with the time taken, left out)
    let words = |s: &str| {
        let body = &s[..s.trim_end().rfind('\n').unwrap_or(0)];
        body.split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(words(&wide.stdout), words(&narrow.stdout));
    // Hanging indent: inside a hit every line is indented.
    let hit = narrow.stdout.split("\n\n").next().unwrap();
    for line in hit.lines().skip(1) {
        assert!(line.starts_with("   "), "{line:?}");
    }
    // Piped, a snippet is one whole line.
    assert!(
        wide.stdout.lines().any(|l| l.chars().count() > 150),
        "{}",
        wide.stdout
    );
    // `show` wraps its abstract to the width too.
    let show = run(Some("60"), &["show", "batchtopk"]);
    for line in show.stdout.lines() {
        assert!(line.chars().count() <= 60, "{line:?}");
    }
}

// ---- 10. --explain: a short breakdown people can read; the raw tree only in JSON ----

/// One hit's `--explain` block in text: its score and its parts as (contribution, line).
fn explain_block(hit: &str) -> (f64, Vec<(f64, String)>) {
    let mut lines = hit
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("score "));
    let head = lines
        .next()
        .unwrap_or_else(|| panic!("no score line in {hit}"));
    let score: f64 = head
        .trim()
        .trim_start_matches("score ")
        .trim_end_matches(" =")
        .parse()
        .unwrap_or_else(|e| panic!("{head:?}: {e}"));
    let parts = lines
        .take_while(|l| !l.trim().is_empty())
        .map(|l| {
            let t = l.trim_start().trim_start_matches('+').trim_start();
            let n = t.split_whitespace().next().unwrap_or("");
            let n: f64 = n.parse().unwrap_or_else(|e| panic!("{l:?}: {e}"));
            (n, t.to_owned())
        })
        .collect();
    (score, parts)
}

#[test]
fn explain_text_is_a_short_breakdown_by_field_and_typed_word() {
    let w = corpus();
    let r = w.run(&["query", "sparse autoencoder", "--explain", "-n", "3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stdout.contains("Term("),
        "raw engine tree in text:\n{}",
        r.stdout
    );
    let hits: Vec<&str> = r.stdout.split("\n\n").take(3).collect();
    for hit in hits {
        let (score, parts) = explain_block(hit);
        assert!(
            !parts.is_empty() && parts.len() <= 10,
            "{} parts:\n{hit}",
            parts.len()
        );
        // Every part names its field, the word as typed and the term it matched.
        for (_, line) in &parts {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert!(
                ["title", "abstract", "tag", "author", "fellow"].contains(&words[1]),
                "{line:?}"
            );
            assert!(["sparse", "autoencoder"].contains(&words[2]), "{line:?}");
            assert_eq!(words[3], "→", "{line:?}");
            assert!(line.contains("weight "), "{line:?}");
        }
        // The parts add up to the score (each printed to 3 decimals).
        let sum: f64 = parts.iter().map(|(n, _)| n).sum();
        assert!(
            (sum - score).abs() <= 0.0005 * (parts.len() as f64 + 1.0),
            "{sum} ≠ {score}:\n{hit}"
        );
    }
    // The first hit has "sparse" in its title, which weighs 3.
    assert!(
        r.stdout
            .lines()
            .any(|l| l.contains("title") && l.contains("sparse") && l.contains("weight 3")),
        "{}",
        r.stdout
    );
}

#[test]
fn explain_names_corrections_and_prefix_expansions() {
    let w = corpus();
    let r = w.run(&["query", "sycophnacy", "--explain", "-n", "1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (score, parts) = explain_block(&r.stdout);
    assert!(
        parts.iter().any(|(_, l)| l.contains("sycophnacy")
            && l.contains("→ sycophancy")
            && l.contains("(typo)")),
        "{}",
        r.stdout
    );
    // A typo weighs 0.7 of its field's weight.
    assert!(r.stdout.contains("weight 2.1 (typo)") || r.stdout.contains("weight 0.7 (typo)"));
    let sum: f64 = parts.iter().map(|(n, _)| n).sum();
    assert!((sum - score).abs() < 0.003, "{sum} ≠ {score}");

    let r = w.run(&["query", "crosscod*", "--explain", "-n", "1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (_, parts) = explain_block(&r.stdout);
    assert!(
        parts.iter().any(|(_, l)| l.contains("crosscod*")
            && l.contains("→ crosscod")
            && l.contains("(prefix)")),
        "{}",
        r.stdout
    );

    let r = w.run(&["query", "\"sparse autoencoders\"", "--explain", "-n", "1"]);
    let (_, parts) = explain_block(&r.stdout);
    assert!(
        parts
            .iter()
            .any(|(_, l)| l.contains("\"sparse autoencoders\"")
                && l.contains("→ spars autoencod")
                && l.contains("(phrase)")),
        "{}",
        r.stdout
    );
}

#[test]
fn explain_json_keeps_the_raw_tree_and_adds_the_parts() {
    let w = corpus();
    // Each part has exactly `field, typed, term, match, weight, score`: `shapes::ScorePart`.
    let v = w.query(&["sparse autoencoder", "--explain", "-n", "3"]);
    for hit in &v.hits {
        // The engine's own tree, whole.
        let raw = hit.explain.as_ref().expect("explain");
        assert!(
            raw["value"].is_number() && raw["details"].is_array(),
            "{raw}"
        );
        let parts = hit.score_parts.as_ref().expect("score_parts");
        assert!(!parts.is_empty());
        let mut sum = 0.0;
        for p in parts {
            assert!(
                ["sparse", "autoencoder"].contains(&p.typed.as_str()),
                "{p:?}"
            );
            sum += p.score;
        }
        let score = hit.score;
        assert!((sum - score).abs() < 0.001, "{sum} ≠ {score}");
    }
    // Without --explain, neither key.
    let v = w.query(&["sparse autoencoder", "-n", "1"]);
    assert!(v.hits[0].explain.is_none() && v.hits[0].score_parts.is_none());
}

// ---- issue 34: what is said matches what is done ----

#[test]
fn ingest_json_and_text_count_the_same_entries() {
    let w = Workdir::with_corpus();
    let broken = crate::common::CORPUS.replace("Dec 9, 2024", "Dec 99, 2024");
    w.write("corpus/mats-research.txt", &broken);
    let json = w.run(&["ingest", "--rebuild", "--json"]);
    assert_eq!(json.code, 1, "{}", json.stderr);
    let v: serde_json::Value = serde_json::from_str(json.stdout.trim()).unwrap();
    let n = |k: &str| v[k].as_u64().unwrap();
    assert_eq!(n("skipped"), 1, "{v}");
    // Every entry found is a record, folded into one, or skipped.
    assert_eq!(
        n("entries"),
        n("records") + n("merged") + n("skipped"),
        "{v}"
    );
    let text = w.run(&["ingest", "--rebuild"]);
    assert_eq!(text.code, 1, "{}", text.stderr);
    let said = format!(
        "{} records indexed from {} entries",
        n("records"),
        n("entries")
    );
    assert!(text.stdout.contains(&said), "{said}: {}", text.stdout);
}

#[test]
fn jsonl_and_ndjson_name_one_format_everywhere() {
    let w = corpus();
    let export = w.run(&["export", "--format", "jsonl", "sparse"]);
    assert_eq!(export.code, 0, "{}", export.stderr);
    let r = w.run(&["export", "--format", "ndjson", "sparse"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, export.stdout);
    let query = w.run(&["query", "--format", "ndjson", "sparse"]);
    assert_eq!(query.code, 0, "{}", query.stderr);
    let r = w.run(&["query", "--format", "jsonl", "sparse"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ids = |out: &str| -> Vec<String> {
        out.lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect()
    };
    assert_eq!(ids(&r.stdout), ids(&query.stdout));
    assert_eq!(
        w.run(&["watch", "add", "sae", "sparse autoencoder"]).code,
        0
    );
    let r = w.run(&["watch", "run", "--format", "jsonl", "--dry-run"]);
    assert!(r.code <= 1, "{}", r.stderr);
    // And the help says so.
    let help = w.run(&["query", "--help"]).stdout;
    assert!(help.contains("ndjson or jsonl"), "{help}");
    let help = w.run(&["export", "--help"]).stdout;
    assert!(help.contains("also named ndjson"), "{help}");
}

#[test]
fn counts_of_one_are_singular() {
    let w = Workdir::empty();
    w.write("corpus/one.txt", crate::common::synthetic_export(1, 7));
    let r = w.run(&["ingest", "corpus"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("1 record indexed from 1 entry"),
        "{}",
        r.stdout
    );
    assert_eq!(
        w.run(&["watch", "add", "all", "--since", "1990", "--backfill"])
            .code,
        0
    );
    let r = w.run(&["watch", "run", "--format", "atom", "--output", "feeds"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("(1 entry)"), "{}", r.stderr);
    // `rm` counts what the e-mail reported (a feed keeps its own record).
    assert_eq!(w.run(&["watch", "run", "--format", "json"]).code, 0);
    let r = w.run(&["watch", "rm", "all"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("(it had reported 1 paper)"),
        "{}",
        r.stdout
    );
    let r = w.run(&["query", "", "--format", "ndjson", "--limit", "0"]);
    assert!(
        r.stderr.contains("note: 0 of 1 hit written, 1 left out"),
        "{}",
        r.stderr
    );
    let r = w.run(&["query", "", "--offset", "5"]);
    assert!(
        r.stdout
            .contains("1 paper matches, --offset 5 is past the end"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_index_directory_that_cannot_be_made_is_named_so() {
    let w = Workdir::with_corpus();
    w.write("afile", "x");
    let mut places = vec![w.path("afile/index").display().to_string()];
    if std::path::Path::new("/proc/self").exists() {
        places.push("/proc/x".to_owned());
    }
    for dir in places {
        let r = w.run(&["--index", &dir, "ingest", "corpus"]);
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.starts_with(&format!(
                "litsearch: cannot create the index directory {dir}: "
            )),
            "{}",
            r.stderr
        );
        assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    }
}

// ---- issue 34: said, not silent ----

#[test]
fn an_empty_date_range_is_an_error_naming_both_flags() {
    let w = corpus();
    let r = w.run(&["query", "sparse", "--since", "2025", "--until", "2024"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "litsearch: --since 2025 is after --until 2024: no date lies between them (swap them?)\n"
    );
    let r = w.run(&["export", "--since", "2025-03", "--until", "2025-02-28"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r
        .stderr
        .contains("--since 2025-03 is after --until 2025-02-28"));
    // One day, or one month, is a range.
    let r = w.run(&[
        "query", "sparse", "--since", "2025-03", "--until", "2025-03",
    ]);
    assert_ne!(r.code, 2, "{}", r.stderr);
}

#[test]
fn explain_with_csv_is_refused() {
    let w = corpus();
    let r = w.run(&["query", "sparse", "--explain", "--format", "csv"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .starts_with("litsearch: --explain is not supported with --format csv"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "");
    let r = w.run(&["query", "sparse", "--explain", "--format", "ndjson"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn the_no_results_line_quotes_a_phrase_once() {
    let w = corpus();
    let r = w.run(&["query", "\"sparse autoencoderz\"", "--exact"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "No results for \"sparse autoencoderz\".");
}

#[test]
fn a_year_of_two_digits_is_refused_naming_the_four_digit_ones() {
    let w = corpus();
    let r = w.run(&["query", "sparse", "--year", "25"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(
        r.stderr,
        "litsearch: --year 25: no such year: write the four digits, 2025 or 1925\n"
    );
    let r = w.run(&["export", "--year", "202"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--year 202: no such year"),
        "{}",
        r.stderr
    );
    // Four digits are years, found or not.
    assert_eq!(w.run(&["query", "sparse", "--year", "2025"]).code, 0);
    assert_eq!(w.run(&["query", "sparse", "--year", "1925"]).code, 1);
}

#[test]
fn export_of_a_misspelt_query_writes_nothing_and_names_the_correction() {
    let w = corpus();
    let query = w.run(&["query", "sycophnacy"]);
    assert!(
        query.stderr.contains("corrected sycophnacy → sycophancy"),
        "{}",
        query.stderr
    );
    let r = w.run(&["export", "sycophnacy"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
    let found = w.query(&["sycophancy", "--limit", "0"]).total;
    assert_eq!(
        r.stderr,
        format!(
            "note: nothing matches the query as written; corrected sycophnacy → sycophancy would \
             find {found} paper{} (export takes the query as written)\n",
            if found == 1 { "" } else { "s" }
        )
    );
    // Quiet says nothing; a query that matches says nothing either.
    assert_eq!(w.run(&["--quiet", "export", "sycophnacy"]).stderr, "");
    assert_eq!(w.run(&["export", "sycophancy"]).stderr, "");
}

#[test]
fn query_and_export_csv_give_the_source_in_the_same_two_columns() {
    let w = corpus();
    let read = |args: &[&str]| -> Vec<std::collections::HashMap<String, String>> {
        let r = w.run(args);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let mut csv = csv::Reader::from_reader(r.stdout.as_bytes());
        csv.deserialize()
            .map(|row| row.expect("a CSV row"))
            .collect()
    };
    let query = read(&["query", "sycophancy", "--format", "csv", "--exact"]);
    let export = read(&["export", "sycophancy", "--format", "csv"]);
    assert!(!query.is_empty());
    let source = |row: &std::collections::HashMap<String, String>| {
        (
            row["id"].clone(),
            row["source_file"].clone(),
            row["source_line"].clone(),
        )
    };
    let mut from_query: Vec<_> = query.iter().map(source).collect();
    let mut from_export: Vec<_> = export.iter().map(source).collect();
    from_query.sort();
    from_export.sort();
    assert_eq!(from_query, from_export);
    assert!(from_query
        .iter()
        .all(|(_, file, line)| file == "corpus/mats-research.txt" && line.parse::<u64>().is_ok()));
    assert!(!query[0].contains_key("source"));
}
