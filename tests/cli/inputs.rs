//! Inputs from anywhere: standard input and pipes (`-`, `/dev/stdin`, a FIFO), `--format`,
//! each on the shipped corpus and what `parse`/`export` make of it.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::shapes::{self, IngestSummary, Record};
use crate::common::{Run, Workdir, CORPUS};

/// Runs `litsearch ARGS` in `w` with `input` on its standard input.
fn run_with_stdin(w: &Workdir, args: &[&str], input: &[u8]) -> Run {
    let mut child = w
        .cmd()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    // Written from a thread: a reader that stops early must not deadlock the test.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    Run::from(out)
}

/// Records of `parse ARGS` (exit 0 asserted), read strictly.
fn parsed(w: &Workdir, args: &[&str], input: &[u8]) -> Vec<Record> {
    let mut all = vec!["parse"];
    all.extend_from_slice(args);
    let r = run_with_stdin(w, &all, input);
    assert_eq!(r.code, 0, "parse {args:?}: {}", r.stderr);
    shapes::strict_lines(&r.stdout)
}

/// The records without where they were read from, to compare two reads of one content.
fn contents(records: &[Record]) -> Vec<Record> {
    records
        .iter()
        .map(|r| Record {
            source: shapes::Source::default(),
            ..r.clone()
        })
        .collect()
}

#[test]
fn the_corpus_piped_to_ingest_dash_is_indexed_as_the_file_is() {
    let from_file = Workdir::with_corpus();
    let file: IngestSummary = shapes::strict(&from_file.run(&["ingest", "--json"]).stdout);

    let w = Workdir::empty();
    let r = run_with_stdin(&w, &["ingest", "--json", "-"], CORPUS.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let piped: IngestSummary = shapes::strict(&r.stdout);
    assert_eq!(
        (piped.records, piped.entries, piped.added),
        (file.records, file.entries, file.added)
    );
    let hit = &w.query(&["sycophancy"]).hits[0];
    assert_eq!(
        hit.title,
        "Towards Understanding Sycophancy in Language Models"
    );
    // The record says where it came from: standard input, at the entry's own line.
    let shown = w.run(&["show", &hit.id, "--json"]);
    let record: Record = shapes::strict(&shown.stdout);
    let line = CORPUS
        .lines()
        .position(|l| l == "Towards Understanding Sycophancy in Language Models")
        .expect("title in the corpus") as u64
        + 1;
    assert_eq!(record.source.file, "<stdin>");
    assert_eq!(record.source.line, line);

    // The same input again: nothing changed, and nothing was replayed from a mark it cannot
    // have (a stream is read once, and parsed every time).
    let again = run_with_stdin(&w, &["ingest", "--json", "-"], CORPUS.as_bytes());
    assert_eq!(again.code, 0, "{}", again.stderr);
    let again: IngestSummary = shapes::strict(&again.stdout);
    assert_eq!((again.unchanged, again.added), (file.records, 0));
}

#[test]
fn parse_dash_tells_each_format_by_its_content() {
    let w = Workdir::with_corpus();
    let page = parsed(&w, &["-"], CORPUS.as_bytes());
    assert!(page.len() > 20, "{}", page.len());
    assert!(page.iter().all(|r| r.source.file == "<stdin>"));
    w.ingest();
    for format in ["jsonl", "json", "csv"] {
        let export = w.run(&["export", "--format", format]);
        assert_eq!(export.code, 0, "{}", export.stderr);
        let back = parsed(&w, &["-"], export.stdout.as_bytes());
        assert_eq!(
            contents(&back).len(),
            page.len(),
            "export --format {format} piped back"
        );
        let mut back = contents(&back);
        let mut want = contents(&page);
        back.sort_by(|a, b| a.id.cmp(&b.id));
        want.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(back, want, "export --format {format} piped back");
    }
    let bib =
        "@article{k1,\n  title = {Piped BibTeX},\n  author = {Doe, Jane},\n  year = 2024,\n}\n";
    let records = parsed(&w, &["-"], bib.as_bytes());
    assert_eq!(records[0].title, "Piped BibTeX");
    let ris = "TY  - JOUR\nTI  - Piped RIS\nAU  - Doe, Jane\nPY  - 2024\nER  - \n";
    let records = parsed(&w, &["-"], ris.as_bytes());
    assert_eq!(records[0].title, "Piped RIS");
}

#[test]
fn format_names_what_an_input_holds_whatever_its_name() {
    let w = Workdir::with_corpus();
    w.ingest();
    let jsonl = w.run(&["export", "--format", "jsonl"]).stdout;
    w.write("records.txt", &jsonl);
    // By its name a page export, which it is not…
    let r = w.run(&["parse", "records.txt"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("records.txt: not a page export"),
        "{}",
        r.stderr
    );
    // …and read as what --format says (ndjson is its other name).
    for name in ["jsonl", "ndjson"] {
        let r = w.run(&["parse", "--format", name, "records.txt"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            shapes::strict_lines::<Record>(&r.stdout).len(),
            jsonl.lines().count()
        );
    }
    // A format the content does not hold is refused, naming the input.
    let r = w.run(&["ingest", "--format", "bib", "corpus/mats-research.txt"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("corpus/mats-research.txt:1: not a BibTeX file"),
        "{}",
        r.stderr
    );
    let r = run_with_stdin(&w, &["parse", "--format", "csv", "-"], CORPUS.as_bytes());
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("<stdin>:1: not a records CSV"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_bad_line_on_standard_input_is_named_stdin_and_its_line() {
    let w = Workdir::empty();
    let input = "{\"title\": \"One\", \"date\": \"2024-01-02\"}\n\nnot json\n";
    let r = run_with_stdin(&w, &["parse", "-"], input.as_bytes());
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("<stdin>:3: not JSON"), "{}", r.stderr);
    assert_eq!(shapes::strict_lines::<Record>(&r.stdout).len(), 1);
}

#[test]
fn dev_stdin_is_read_as_a_stream() {
    let w = Workdir::empty();
    let r = run_with_stdin(&w, &["ingest", "--json", "/dev/stdin"], CORPUS.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    let summary: IngestSummary = shapes::strict(&r.stdout);
    assert!(summary.records > 20, "{summary:?}");
}

/// A FIFO in `w` named `name`.
fn fifo(w: &Workdir, name: &str) -> std::path::PathBuf {
    let path = w.path(name);
    let status = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
    assert!(status.success());
    path
}

/// The child's output once it exits; it is killed, and the test fails, after `limit`.
fn finished_within(mut child: std::process::Child, limit: Duration) -> std::process::Output {
    let started = Instant::now();
    while child.try_wait().expect("try_wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait");
            panic!(
                "still running after {limit:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("wait")
}

#[test]
fn a_pipe_with_no_writer_yet_holds_no_lock() {
    let w = Workdir::with_corpus();
    let pipe = fifo(&w, "feed");
    // Waits for a writer: before the lock, so other ingests go on meanwhile.
    let waiting = w
        .cmd()
        .args(["ingest", "--json", "feed"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    std::thread::sleep(Duration::from_millis(300));
    let other = w.run(&["ingest", "--json", "corpus"]);
    assert_eq!(other.code, 0, "another ingest meanwhile: {}", other.stderr);

    // Then the writer comes: the waiting ingest reads the pipe once (a second open would wait
    // for ever, holding the lock) and syncs from it.
    std::fs::write(&pipe, CORPUS).expect("write to the pipe");
    let out = finished_within(waiting, Duration::from_secs(60));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let summary: IngestSummary = shapes::strict(&String::from_utf8_lossy(&out.stdout));
    // The same papers, now read from the pipe: each moved, none added or removed.
    assert_eq!((summary.added, summary.removed), (0, 0), "{summary:?}");
    assert_eq!(summary.moved, summary.records, "{summary:?}");
}
