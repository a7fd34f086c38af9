//! Hostile and broken input, one CLI test per case: each asserts the exit status, the message,
//! and that the index still answers as before.

use crate::common::{entry, Workdir, CORPUS};

/// A workdir with the shipped corpus indexed; `answers` checks the index is as before.
fn indexed() -> Workdir {
    let w = Workdir::with_corpus();
    w.ingest();
    w
}

fn answers(w: &Workdir) {
    let v = w.query(&["sycophancy"]);
    assert_eq!(
        v.hits[0].title,
        "Towards Understanding Sycophancy in Language Models"
    );
    let all = w.query(&[
        "--year", "2023", "--year", "2024", "--year", "2025", "--year", "2026", "--limit", "0",
    ]);
    assert!(all.total >= 25);
}

/// Ingests the shipped corpus plus `extra` (written as corpus/extra.txt).
fn ingest_extra(w: &Workdir, extra: &[u8], args: &[&str]) -> crate::common::Run {
    w.write("corpus/extra.txt", extra);
    let mut all = vec!["ingest"];
    all.extend_from_slice(args);
    w.run(&all)
}

fn listing(entries: &str) -> String {
    format!("All Research\n\n{entries}")
}

fn good(title: &str) -> String {
    entry(
        title,
        "An abstract.",
        &["Monitoring"],
        "A B, C D",
        "A B",
        "Mar 3, 2025",
    )
}

#[test]
fn entry_missing_authors_is_kept_with_a_warning() {
    let w = indexed();
    let e = good("Lacks Authors").replace("Authors:\n\nA B, C D\n\n", "");
    let r = ingest_extra(&w, listing(&e).as_bytes(), &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("corpus/extra.txt:3: entry \"Lacks Authors\": `Authors:` missing"),
        "{}",
        r.stderr
    );
    assert_eq!(w.titles(&["lacks authors"]), ["Lacks Authors"]);
    answers(&w);
}

#[test]
fn entry_missing_fellows_is_kept_with_a_warning() {
    let w = indexed();
    let e = good("Lacks Fellows").replace("Fellows:\n\nA B\n\n", "");
    let r = ingest_extra(&w, listing(&e).as_bytes(), &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("corpus/extra.txt:3: entry \"Lacks Fellows\": `Fellows:` missing"),
        "{}",
        r.stderr
    );
    answers(&w);
}

#[test]
fn entry_missing_date_is_skipped_and_the_next_entry_survives() {
    let w = indexed();
    let e = good("Lacks Date").replace("Date:\n\nMar 3, 2025\n\n", "") + &good("Next One");
    let r = ingest_extra(&w, listing(&e).as_bytes(), &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("corpus/extra.txt:3: entry \"Lacks Date\": `Date:` missing; entry skipped"),
        "{}",
        r.stderr
    );
    assert!(w.titles(&["lacks date", "--exact"]).is_empty());
    assert_eq!(w.titles(&["\"next one\""]), ["Next One"]);
    answers(&w);
}

#[test]
fn empty_title_is_skipped() {
    let w = indexed();
    let e = good("\\emph{}");
    let r = ingest_extra(&w, listing(&e).as_bytes(), &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("corpus/extra.txt:3: empty title; entry skipped"),
        "{}",
        r.stderr
    );
    answers(&w);
}

#[test]
fn missing_abstract_is_kept_with_a_warning() {
    let w = indexed();
    let e = "No Abstract Here\n\nMonitoring\nSafeguards\n\nAuthors:\n\nA B\n\nFellows:\n\nA B\n\nDate:\n\nMar 3, 2025\n\n";
    let r = ingest_extra(&w, listing(e).as_bytes(), &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("corpus/extra.txt:3: entry \"No Abstract Here\": abstract missing"),
        "{}",
        r.stderr
    );
    assert_eq!(w.titles(&["\"no abstract here\""]), ["No Abstract Here"]);
    answers(&w);
}

#[test]
fn unparsable_and_impossible_dates_are_skipped() {
    let w = indexed();
    let e = good("Bad One").replace("Mar 3, 2025", "soonish")
        + &good("Bad Two").replace("Mar 3, 2025", "Feb 30, 2025");
    let r = ingest_extra(&w, listing(&e).as_bytes(), &[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("corpus/extra.txt:19: expected a date like `Sep 15, 2023` or `2023-09-15`, found \"soonish\"; entry skipped"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("corpus/extra.txt:37: date \"Feb 30, 2025\" does not exist; entry skipped"),
        "{}",
        r.stderr
    );
    answers(&w);
}

#[test]
fn file_cut_off_mid_entry_is_reported() {
    let w = indexed();
    // A download cut inside the fellows' names.
    let e = good("Whole")
        + "Cut Off Paper\n\nAn abstract.\n\nMonitoring\n\nAuthors:\n\nA B\n\nFellows:\n\nA";
    let r = ingest_extra(&w, listing(&e).as_bytes(), &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("corpus/extra.txt:21: file ends in the middle of entry \"Cut Off Paper\""),
        "{}",
        r.stderr
    );
    assert_eq!(w.titles(&["title:whole"]), ["Whole"]);
    answers(&w);
}

#[test]
fn bom_and_crlf_parse_cleanly() {
    let w = Workdir::empty();
    let crlf = format!("\u{feff}{}", CORPUS.replace('\n', "\r\n"));
    w.write("corpus/mats-research.txt", crlf);
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    assert!(r.stdout.starts_with("added 25,"));
    answers(&w);
}

#[test]
fn invalid_utf8_is_located_by_line_and_byte_offset() {
    let w = indexed();
    let mut bytes = listing(&good("Bad Bytes")).into_bytes();
    let at = bytes.windows(8).position(|p| p == b"abstract").unwrap();
    bytes[at] = 0xff;
    let r = ingest_extra(&w, &bytes, &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(&format!(
            "corpus/extra.txt:5: invalid UTF-8 at byte offset {at}"
        )),
        "{}",
        r.stderr
    );
    assert_eq!(w.titles(&["\"bad bytes\""]), ["Bad Bytes"]);
    answers(&w);
}

#[test]
fn nul_bytes_are_reported_and_neutralised() {
    let w = indexed();
    let text = listing(&good("Nul\0Title"));
    let r = ingest_extra(&w, text.as_bytes(), &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("corpus/extra.txt:3: NUL bytes in line"),
        "{}",
        r.stderr
    );
    assert_eq!(w.titles(&["\"nul title\""]), ["Nul Title"]);
    answers(&w);
}

#[test]
fn a_100_mb_line_is_cut_with_bounded_memory() {
    let w = indexed();
    let mut text = listing(&good("Before Long Line")).into_bytes();
    // An entry whose abstract is one line of 100 MB.
    text.extend_from_slice(b"Long Abstract Paper\n\n");
    text.extend(b"word ".iter().cycle().take(100 * 1024 * 1024));
    text.extend_from_slice(
        b"\n\nMonitoring\n\nAuthors:\n\nA B\n\nFellows:\n\nA B\n\nDate:\n\nMar 3, 2025\n\n",
    );
    text.extend_from_slice(good("After Long Line").as_bytes());
    let r = ingest_extra(&w, &text, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("corpus/extra.txt:23: line longer than 1048576 bytes; cut there"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("corpus/extra.txt:21: abstract longer than 65536 bytes; cut there"),
        "{}",
        r.stderr
    );
    assert_eq!(
        w.titles(&["\"long abstract paper\""]),
        ["Long Abstract Paper"]
    );
    assert_eq!(w.titles(&["\"after long line\""]), ["After Long Line"]);
    assert_eq!(w.titles(&["\"before long line\""]), ["Before Long Line"]);
    answers(&w);
}

#[test]
fn empty_and_whitespace_files_are_refused_without_touching_the_index() {
    let w = indexed();
    w.write("empty.txt", "");
    let r = w.run(&["ingest", "empty.txt"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("empty.txt: empty file; expected a listing page export"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("refusing to ingest: the exports hold no records"),
        "{}",
        r.stderr
    );
    w.write("blank.txt", " \n\t\n\u{a0}\n");
    let r = w.run(&["ingest", "blank.txt"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("blank.txt: no entries found"),
        "{}",
        r.stderr
    );
    answers(&w);
}

#[test]
fn files_that_are_not_exports_are_named_and_refused() {
    let w = indexed();
    let cases: [(&str, &[u8], &str); 4] = [
        (
            "page.html",
            b"<!DOCTYPE html><html><body>x</body></html>",
            "HTML or XML",
        ),
        ("data.txt", b"{\"papers\": []}", "JSON"),
        ("paper.pdf", b"%PDF-1.7\n\x00\x01binary", "a PDF"),
        (
            "blob.bin",
            &[
                0u8, 1, 2, 3, 0xfe, 0, 0, 7, 8, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 9,
            ],
            "binary data",
        ),
    ];
    for (name, bytes, what) in cases {
        w.write(name, bytes);
        let r = w.run(&["ingest", name]);
        assert_eq!(r.code, 2, "{name}");
        assert_eq!(r.stderr.lines().count(), 1, "{name}: {}", r.stderr);
        assert!(r.stderr.contains(&format!("{name}: not a page export: it looks like {what}; expected the text of a listing page")), "{}", r.stderr);
    }
    // A .json file is taken for a records file, and refused as one when it holds none.
    w.write("data.json", b"{\"papers\": []}");
    let r = w.run(&["ingest", "data.json"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("data.json:1: not a JSON records file"),
        "{}",
        r.stderr
    );
    answers(&w);
}

#[test]
fn directory_mixing_exports_and_other_files_skips_the_others() {
    let w = indexed();
    w.write("corpus/notes.html", "<html></html>");
    w.write("corpus/scan.pdf", "%PDF-1.4 x");
    // Skipped silently (a cron run stays at 0)…
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr, "");
    // …and listed with --verbose.
    let r = w.run(&["ingest", "--verbose"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("corpus/notes.html: skipped: not a page export"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("corpus/scan.pdf: skipped: not a page export"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("unchanged 25"), "{}", r.stdout);
    answers(&w);
}

#[test]
fn missing_and_unreadable_paths_are_one_line_errors() {
    let w = indexed();
    let r = w.run(&["ingest", "nowhere.txt"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "litsearch: nowhere.txt: no such file or directory"
    );
    std::os::unix::fs::symlink("loop", w.path("loop")).unwrap();
    let r = w.run(&["ingest", "loop"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with("litsearch: loop: cannot read:"),
        "{}",
        r.stderr
    );
    answers(&w);
}

#[test]
fn absurd_sizes_are_bounded() {
    let w = indexed();
    let authors: Vec<String> = (0..5000).map(|i| format!("Author Number{i}")).collect();
    let many_authors = entry(
        "Many Authors",
        "An abstract.",
        &["Monitoring"],
        &authors.join(", "),
        "A B",
        "Mar 3, 2025",
    );
    let tag_lines = vec!["Monitoring"; 5000];
    let many_tags = entry(
        "Many Tag Lines",
        "An abstract.",
        &tag_lines,
        "A B",
        "A B",
        "Mar 3, 2025",
    );
    let long_title = format!("Long {}", "word ".repeat(2000));
    let long = entry(
        &long_title,
        "An abstract.",
        &["Monitoring"],
        "A B",
        "A B",
        "Mar 3, 2025",
    );
    let r = ingest_extra(
        &w,
        listing(&(many_authors + &many_tags + &long)).as_bytes(),
        &[],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("more than 2000 names after `Authors:`; the rest ignored"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("title longer than 1000 characters; cut there"),
        "{}",
        r.stderr
    );
    let v = w.query(&["title:\"many tag lines\""]);
    assert_eq!(v.hits[0].tags, ["Monitoring"]);
    let v = w.query(&["title:\"many authors\""]);
    assert_eq!(v.hits[0].authors.len(), 2000);
    answers(&w);
}

#[test]
fn strict_turns_warnings_into_failure() {
    let w = indexed();
    let r = ingest_extra(
        &w,
        listing(&good("Lacks Fellows").replace("Fellows:\n\nA B\n\n", "")).as_bytes(),
        &["--strict"],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("refusing to ingest: --strict and 1 warning(s)"),
        "{}",
        r.stderr
    );
    assert!(w.titles(&["\"lacks fellows\""]).is_empty());
    answers(&w);
}

#[test]
fn hostile_queries_get_a_message_or_a_sensible_result() {
    let w = indexed();
    let long = "x".repeat(100_000);
    let errors: [(&[&str], &str); 8] = [
        (&["query", "sparse \"auto"], "query:1:8: unbalanced quote"),
        (&["query", "(sparse"], "query:1:1: unbalanced parenthesis"),
        (&["query", "titel:sparse"], "unknown field `titel:`"),
        (
            &["query", &long],
            "query is 100000 characters long; the limit is 2000",
        ),
        (&["query", "*"], "nothing to search for"),
        (
            &["query", "x", "--since", "2025-13-45"],
            "--since: expected a date",
        ),
        (
            &["query", "x", "--limit", "-3"],
            "expected a whole number of hits",
        ),
        (&["query", "foo:bar"], "unknown field `foo:`"),
    ];
    for (args, message) in errors {
        let r = w.run(args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(message), "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"));
    }
    for q in ["?", "\\", "-"] {
        let r = w.run(&["query", q]);
        assert_eq!(r.code, 2, "{q}");
        assert!(
            r.stderr.contains("nothing to search for") || r.stderr.contains("nothing to exclude"),
            "{q}: {}",
            r.stderr
        );
    }
    for q in [
        "the of and",
        "a[b",
        "sparse?",
        "\"foo:bar\"",
        "arXiv:2310.01405",
    ] {
        let r = w.run(&["query", q, "--json"]);
        assert!(r.code == 0 || r.code == 1, "{q}: {}", r.stderr);
        let _: crate::common::shapes::Results = crate::common::shapes::strict(&r.stdout);
    }
    let v = w.query(&["sparse", "--limit", "0"]);
    assert!(v.total > 0 && v.hits.is_empty());
    let v = w.query(&["sparse", "--limit", "18446744073709551615"]);
    assert_eq!(v.hits.len() as u64, v.total);
    answers(&w);
}

#[test]
fn index_problems_are_one_line_with_what_to_do() {
    let w = Workdir::empty();
    let r = w.run(&["query", "x"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "litsearch: no index in the directory \"index\" (--index, LITSEARCH_INDEX): run \
         `litsearch ingest PATH…` first"
    );
    w.write("afile", "x");
    let r = w.run(&["--index", "afile", "query", "x"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("afile is not a directory"),
        "{}",
        r.stderr
    );
    let r = w.run(&["--index", "afile", "ingest"]);
    assert_eq!(r.code, 2);
}

fn damage(w: &Workdir, what: &str) {
    let generation = w.read("index/CURRENT").trim().to_owned();
    let dir = w.path(&format!("index/{generation}"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort_by_key(|p| std::cmp::Reverse(std::fs::metadata(p).unwrap().len()));
    match what {
        "meta" => {
            let meta = dir.join("meta.json");
            let len = std::fs::metadata(&meta).unwrap().len();
            std::fs::OpenOptions::new()
                .write(true)
                .open(&meta)
                .unwrap()
                .set_len(len / 2)
                .unwrap();
        }
        ext => {
            let file = files
                .iter()
                .find(|p| p.extension().is_some_and(|e| e == ext))
                .unwrap();
            let mut bytes = std::fs::read(file).unwrap();
            let n = bytes.len();
            for b in &mut bytes[n / 4..n / 2] {
                *b ^= 0x5a;
            }
            std::fs::write(file, bytes).unwrap();
        }
    }
}

#[test]
fn damaged_index_files_give_one_line_and_ingest_heals_them() {
    // A damaged meta.json shows at once. Damage inside a segment file shows only if the bytes
    // are read, and then as a tantivy error, a panic caught by main, or (bytes that still decode)
    // a wrong count, depending on where it lands. Whatever a query does, it is one line and no
    // panic; and ingest finds the damage by checksum and rebuilds.
    for what in ["meta", "store", "term", "fast", "idx"] {
        let w = indexed();
        damage(&w, what);
        let r = w.run(&["query", "sparse", "--json"]);
        if what == "meta" || r.code != 0 {
            assert_eq!(r.code, 2, "{what}: {}", r.stdout);
            assert_eq!(r.stderr.lines().count(), 1, "{what}: {}", r.stderr);
            assert!(
                r.stderr.contains("litsearch ingest --rebuild"),
                "{what}: {}",
                r.stderr
            );
        }
        assert!(!r.stderr.contains("panicked"), "{what}: {}", r.stderr);
        let r = w.run(&["ingest", "--json"]);
        assert_eq!(r.code, 0, "{what}: {}", r.stderr);
        assert!(r.stderr.contains("rebuilding it"), "{what}: {}", r.stderr);
        answers(&w);
    }
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let w = indexed();
    let title = "Evil \u{1b}[31mRed\u{1b}[0m \u{1b}]0;pwned\u{7} Back\u{8}space Carriage\rReturn";
    let e = entry(
        title,
        "Abstract with \u{1b}[2J clear screen and \u{9b}31m C1.",
        &["Monitoring"],
        "Eve \u{1b}[5mBlink",
        "Eve",
        "Mar 3, 2025",
    );
    let r = ingest_extra(&w, listing(&e).as_bytes(), &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = w.run(&["query", "evil"]);
    assert!(
        !r.stdout.contains('\u{1b}')
            && !r.stdout.contains('\u{7}')
            && !r.stdout.contains('\u{8}')
            && !r.stdout.contains('\r')
            && !r.stdout.contains('\u{9b}'),
        "{:?}",
        r.stdout
    );
    assert!(r.stdout.contains("Evil"));
    let v = w.query(&["evil"]);
    assert!(v.hits[0].title.starts_with("Evil"));
    let r = w.run(&["query", "evil", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(r.stdout.as_bytes());
    assert_eq!(reader.records().count(), 1);
}

#[test]
fn snippets_never_split_characters_or_graphemes() {
    let w = indexed();
    let abstract_text = format!("{} needle {}", "e\u{301}".repeat(400), "ü".repeat(400));
    let r = ingest_extra(
        &w,
        listing(&entry(
            "Grapheme Paper",
            &abstract_text,
            &["Monitoring"],
            "A B",
            "A B",
            "Mar 3, 2025",
        ))
        .as_bytes(),
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = w.query(&["needle"]);
    let snippet = v.hits[0].snippet.as_str();
    assert!(snippet.contains("<mark>needle</mark>"), "{snippet}");
    let body = snippet.trim_start_matches('…').trim_end_matches('…');
    assert!(!body.starts_with('\u{301}'), "{body}");
    assert!(body.chars().count() < 260);
}

/// Runs the binary as `nobody`, so that file permissions apply (root bypasses them).
fn as_nobody(w: &Workdir, bin: &std::path::Path, args: &[&str]) -> crate::common::Run {
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(bin)
        .args(args)
        .current_dir(w.dir.path())
        .env_remove("LITSEARCH_INDEX")
        .output()
        .expect("setpriv");
    crate::common::Run::from(out)
}

#[test]
fn read_only_index_still_answers_and_ingest_explains() {
    use std::os::unix::fs::{chown, PermissionsExt};
    let root = std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false);
    if !root
        || std::process::Command::new("setpriv")
            .arg("--version")
            .output()
            .is_err()
    {
        eprintln!("skipped: needs root and setpriv to drop privileges (CI has both)");
        return;
    }
    let w = Workdir::with_corpus();
    std::fs::set_permissions(w.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = w.path("litsearch-bin");
    std::fs::copy(assert_cmd::cargo::cargo_bin("litsearch"), &bin).unwrap();
    std::fs::create_dir(w.path("ro")).unwrap();
    chown(w.path("ro"), Some(65534), Some(65534)).unwrap();
    let r = as_nobody(&w, &bin, &["--index", "ro/index", "ingest", "corpus"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Make everything read-only, as a shared or mounted index would be.
    let mut stack = vec![w.path("ro")];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o555)).unwrap();
        } else {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
        }
    }
    let r = as_nobody(
        &w,
        &bin,
        &["--index", "ro/index", "query", "sycophancy", "--json"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Towards Understanding Sycophancy"));
    let r = as_nobody(&w, &bin, &["--index", "ro/index", "ingest", "corpus"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr.trim(),
        "litsearch: cannot write to the index at ro/index: `litsearch ingest` needs write access to it (queries still work)"
    );
}
