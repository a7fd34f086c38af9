//! What people read, checked in: every `--help`, the man page, the text output of `query`,
//! `show`, `similar`, `facets` and the `watch` digest on the shipped corpus, the ingest summary
//! (first, incremental, no change, with warnings) and the error messages people meet (query
//! syntax, unknown field, missing index, a bad line in a BibTeX, RIS or page export, a refused
//! sync, a strict refusal), 100 columns, no colour, as insta snapshots in
//! tests/cli/snapshots/, so every change to them shows in review.
//! After an intended change: `INSTA_UPDATE=always cargo test --test cli snapshots`, then read
//! the diff of the .snap files.

use clap::CommandFactory;

use crate::common::{Run, Workdir};

/// The binary at a fixed width, without colour, whatever the terminal running the tests.
fn fixed(w: &Workdir, args: &[&str]) -> Run {
    Run::from(
        w.cmd()
            .args(args)
            .env("COLUMNS", "100")
            .env("NO_COLOR", "1")
            .env("TERM", "dumb")
            .output()
            .expect("run"),
    )
}

/// Exit status, stdout and stderr in one text, timestamps and durations of this run replaced.
fn shown(r: &Run) -> String {
    redact_seconds(&redact_durations(&redact_times(&format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        r.code, r.stdout, r.stderr
    ))))
}

/// `(0.06 s)` (how long an ingest took) → `([s])`.
fn redact_seconds(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('(') {
        let after = &rest[at + 1..];
        let digits = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        if digits > 0 && after[digits..].starts_with(" s)") {
            out.push_str(&rest[..at]);
            out.push_str("([s])");
            rest = &after[digits + 3..];
        } else {
            out.push_str(&rest[..at + 1]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// `in 31.8 ms` (how long a query took) → `in [ms]`.
fn redact_durations(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find(" in ") {
        let after = &rest[at + 4..];
        let digits = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        if digits > 0 && after[digits..].starts_with(" ms") {
            out.push_str(&rest[..at]);
            out.push_str(" in [ms]");
            rest = &after[digits + 3..];
        } else {
            out.push_str(&rest[..at + 4]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// `2026-11-29T09:06:50Z` (when a paper was first seen, when a digest ran) → `[time]`.
fn redact_times(s: &str) -> String {
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        let is_time = b.len() - i >= shape.len()
            && shape.iter().zip(&b[i..]).all(|(want, got)| match want {
                b'd' => got.is_ascii_digit(),
                w => w == got,
            });
        if is_time {
            out.push_str("[time]");
            i += shape.len();
        } else {
            let c = s[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Every command path: `[]`, `["query"]`, `["watch", "add"]`, … (not clap's own `help`).
fn command_paths(cmd: &clap::Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    for sub in cmd.get_subcommands() {
        if sub.get_name() != "help" {
            let mut path = prefix.clone();
            path.push(sub.get_name().to_owned());
            command_paths(sub, path, out);
        }
    }
}

#[test]
fn help_of_every_command() {
    let w = Workdir::empty();
    let mut paths = Vec::new();
    command_paths(&litsearch::cli::Cli::command(), Vec::new(), &mut paths);
    assert!(paths.len() > 10, "{paths:?}");
    for path in paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let r = fixed(&w, &args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        let name = format!("help-{}", path.join("-"));
        insta::assert_snapshot!(name.trim_end_matches('-'), r.stdout);
    }
}

#[test]
fn man_page() {
    let r = fixed(&Workdir::empty(), &["man"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    insta::assert_snapshot!("man", r.stdout);
}

fn indexed() -> Workdir {
    let w = Workdir::with_corpus();
    w.ingest();
    w
}

#[test]
fn query_text_output() {
    let w = indexed();
    for (name, args) in [
        ("query-words", &["query", "sparse autoencoder"][..]),
        (
            "query-filters-offset",
            &[
                "query",
                "language models",
                "--year",
                "2025",
                "-n",
                "3",
                "--offset",
                "3",
            ][..],
        ),
        ("query-typo-relaxed", &["query", "interpretabilty"][..]),
        ("query-any-word-relaxed", &["query", "sycophancy zebra"][..]),
        ("query-nothing", &["query", "zebra"][..]),
        (
            "query-explain",
            &["query", "sparse autoencoder", "--explain", "-n", "2"][..],
        ),
        ("query-syntax-error", &["query", "\"unclosed phrase"][..]),
    ] {
        insta::assert_snapshot!(name, shown(&fixed(&w, args)));
    }
}

#[test]
fn show_text_output() {
    let w = indexed();
    insta::assert_snapshot!("show", shown(&fixed(&w, &["show", "batchtopk"])));
    insta::assert_snapshot!(
        "show-ambiguous",
        shown(&fixed(&w, &["show", "sparse autoencoders"]))
    );
}

#[test]
fn facets_text_output() {
    let w = indexed();
    insta::assert_snapshot!("facets", shown(&fixed(&w, &["facets"])));
    insta::assert_snapshot!(
        "facets-tags",
        shown(&fixed(&w, &["facets", "--field", "tags"]))
    );
}

#[test]
fn watch_digest_text_output() {
    let w = crate::watch::two_new_sae_papers();
    insta::assert_snapshot!("watch-digest", shown(&fixed(&w, &["watch", "run"])));
    insta::assert_snapshot!(
        "watch-digest-nothing-new",
        shown(&fixed(&w, &["watch", "run"]))
    );
}

#[test]
fn similar_text_output() {
    let w = indexed();
    insta::assert_snapshot!(
        "similar",
        shown(&fixed(&w, &["similar", "BatchTopK Sparse Autoencoders"]))
    );
    insta::assert_snapshot!(
        "similar-limit",
        shown(&fixed(
            &w,
            &[
                "similar",
                "towards understanding sycophancy",
                "--limit",
                "3"
            ]
        ))
    );
}

/// The shipped corpus with one more entry, in the page-export format, whose date does not
/// exist (line 1 of `extra.txt` is its title).
const BAD_DATE_ENTRY: &str =
    "Broken Paper\n\nSomething.\n\nInterpretability\n\nAuthors:\n\nAna Perez\n\nFellows:\n\nAna Perez\n\nDate:\n\nFeb 30, 2025\n\n";

#[test]
fn ingest_text_summary() {
    let w = Workdir::with_corpus();
    insta::assert_snapshot!("ingest-first", shown(&fixed(&w, &["ingest"])));
    insta::assert_snapshot!("ingest-no-change", shown(&fixed(&w, &["ingest"])));
    w.write("corpus/mats-research.txt", crate::ingest::edited_corpus());
    insta::assert_snapshot!("ingest-incremental", shown(&fixed(&w, &["ingest"])));
    w.write("corpus/extra.txt", BAD_DATE_ENTRY);
    insta::assert_snapshot!("ingest-with-warnings", shown(&fixed(&w, &["ingest"])));
}

const BAD_BIB: &str = "@article{good,\n  title = {A Good Entry},\n  author = {Ada Lovelace},\n  year = 2023\n}\n@article{broken,\n  title = {A Broken Entry\n  year = 2023\n}\n";
const BAD_RIS: &str =
    "TY  - JOUR\nTI  - A RIS Paper\nPY  - 2021\nER  - \nTI  - An Orphan Title\nER  - \n";

#[test]
fn error_messages() {
    let w = indexed();
    for (name, args) in [
        ("error-query-unbalanced", &["query", "title:(sparse"][..]),
        ("error-query-dangling-and", &["query", "sparse AND"][..]),
        ("error-query-unknown-field", &["query", "tittle:sparse"][..]),
        (
            "error-missing-index",
            &["--index", "elsewhere", "query", "sparse"][..],
        ),
        ("error-unknown-paper", &["show", "zebra stripes"][..]),
    ] {
        insta::assert_snapshot!(name, shown(&fixed(&w, args)));
    }

    // A bad line in each kind of export: a warning naming file and line, the rest indexed.
    w.write("bad/refs.bib", BAD_BIB);
    w.write("bad/refs.ris", BAD_RIS);
    w.write(
        "bad/page.txt",
        format!(
            "Listing\n\nAll Research\n\n{}{BAD_DATE_ENTRY}",
            crate::common::entry(
                "A Good Paper",
                "Something sound.",
                &["Monitoring"],
                "Bo Li",
                "Bo Li",
                "Jan 2, 2025"
            )
        ),
    );
    // Each into an index of its own, so no guard of an earlier one applies.
    for (name, file, index) in [
        ("error-bibtex-line", "bad/refs.bib", "bib-index"),
        ("error-ris-line", "bad/refs.ris", "ris-index"),
        ("error-page-line", "bad/page.txt", "page-index"),
    ] {
        insta::assert_snapshot!(name, shown(&fixed(&w, &["--index", index, "ingest", file])));
    }
    insta::assert_snapshot!(
        "error-strict-refusal",
        shown(&fixed(
            &w,
            &["--index", "strict", "ingest", "--strict", "bad/refs.bib"]
        ))
    );

    // More than half of the records vanish: the sync is refused.
    let cut = crate::common::CORPUS
        .find("Auditing language models for hidden objectives")
        .unwrap();
    let tail = crate::common::CORPUS
        .find("Frequently asked questions")
        .unwrap();
    w.write(
        "corpus/mats-research.txt",
        format!(
            "{}{}",
            &crate::common::CORPUS[..cut],
            &crate::common::CORPUS[tail..]
        ),
    );
    insta::assert_snapshot!("error-max-remove", shown(&fixed(&w, &["ingest"])));
}
