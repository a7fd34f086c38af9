//! Inputs from anywhere: standard input and pipes (`-`, `/dev/stdin`, a FIFO), `--format`,
//! files compressed by the real gzip/xz/zstd/bzip2, each on the shipped corpus and its exports.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::shapes::{self, IngestSummary, Record};
use crate::common::{require, skipped, Run, Workdir, CORPUS};

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
/// The records without where they were read and without citation keys: an export carries the
/// keys the index made, a page export parsed has none.
fn contents(records: &[Record]) -> Vec<Record> {
    records
        .iter()
        .map(|r| Record {
            source: shapes::Source::default(),
            key: None,
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

/// The compressors whose files are read back: (program, its Debian package, extension).
const COMPRESSORS: [(&str, &str, &str); 4] = [
    ("gzip", "gzip", "gz"),
    ("xz", "xz-utils", "xz"),
    ("zstd", "zstd", "zst"),
    ("bzip2", "bzip2", "bz2"),
];

const SKIP_COMPRESSORS: &str = "LITSEARCH_SKIP_COMPRESSORS";

/// `path` compressed by `program` into `path.EXT` (the original kept); false when skipped.
fn compress(program: &str, package: &str, path: &std::path::Path) -> bool {
    require(
        program,
        &format!("apt-get install -y {package}"),
        SKIP_COMPRESSORS,
    );
    let status = Command::new(program)
        .args(["-k", "-q", "-f"])
        .arg(path)
        .status()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(status.success(), "{program} {}", path.display());
    true
}

#[test]
fn exports_compressed_by_each_tool_read_as_the_plain_file() {
    if skipped(SKIP_COMPRESSORS, "the compressed-input tests") {
        return;
    }
    let w = Workdir::with_corpus();
    let plain = contents(&parsed(&w, &["corpus/mats-research.txt"], b""));
    assert!(plain.len() > 20);
    for (program, package, ext) in COMPRESSORS {
        compress(program, package, &w.path("corpus/mats-research.txt"));
        let name = format!("corpus/mats-research.txt.{ext}");
        let records = parsed(&w, &[&name], b"");
        assert!(records.iter().all(|r| r.source.file == name), "{program}");
        assert!(contents(&records) == plain, "{program}: other records");
        // By magic bytes, whatever the name, and through a pipe too.
        let bytes = std::fs::read(w.path(&name)).unwrap();
        w.write("renamed.txt", &bytes);
        assert!(
            contents(&parsed(&w, &["renamed.txt"], b"")) == plain,
            "{program} as .txt"
        );
        assert!(
            contents(&parsed(&w, &["-"], &bytes)) == plain,
            "{program} piped"
        );
        std::fs::remove_file(w.path(&name)).unwrap();
    }
    // A compressed records file is told by the extension under the compressor's.
    w.ingest();
    w.write("records.jsonl", w.run(&["export"]).stdout);
    compress("gzip", "gzip", &w.path("records.jsonl"));
    let records = parsed(&w, &["records.jsonl.gz"], b"");
    assert_eq!(records.len(), plain.len());
    // And an ingest of one is an ingest of the plain file: same papers, same ids.
    let index = Workdir::with_corpus();
    compress("xz", "xz-utils", &index.path("corpus/mats-research.txt"));
    std::fs::remove_file(index.path("corpus/mats-research.txt")).unwrap();
    let r = index.run(&["ingest", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let summary: IngestSummary = shapes::strict(&r.stdout);
    assert_eq!(summary.records as usize, plain.len());
    assert_eq!(
        index.query(&["sycophancy"]).hits[0].id,
        w.query(&["sycophancy"]).hits[0].id
    );
}

#[test]
fn a_bad_entry_in_a_compressed_export_is_named_by_its_decompressed_line() {
    if skipped(SKIP_COMPRESSORS, "the compressed-input tests") {
        return;
    }
    let w = Workdir::empty();
    // A date that does not exist, in the middle of the shipped corpus.
    let at = CORPUS.find("Date:\n\n").expect("a Date: label") + "Date:\n\n".len();
    let end = at + CORPUS[at..].find('\n').unwrap();
    let broken = format!("{}Feb 30, 2025{}", &CORPUS[..at], &CORPUS[end..]);
    let line = 1 + broken[..at].matches('\n').count();
    w.write("listing.txt", &broken);
    let plain = w.run(&["parse", "listing.txt"]);
    assert_eq!(plain.code, 1, "{}", plain.stderr);
    let want = format!("listing.txt:{line}: date \"Feb 30, 2025\" does not exist");
    assert!(plain.stderr.contains(&want), "{}", plain.stderr);
    for (program, package, ext) in COMPRESSORS {
        compress(program, package, &w.path("listing.txt"));
        let r = w.run(&["parse", &format!("listing.txt.{ext}")]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        let want = format!("listing.txt.{ext}:{line}: date \"Feb 30, 2025\" does not exist");
        assert!(r.stderr.contains(&want), "{program}: {}", r.stderr);
    }
}

#[test]
fn a_damaged_compressed_export_is_an_error_and_the_index_stays() {
    if skipped(SKIP_COMPRESSORS, "the compressed-input tests") {
        return;
    }
    let w = Workdir::with_corpus();
    w.ingest();
    let before = w.query(&["sycophancy"]).hits[0].id.clone();
    compress("gzip", "gzip", &w.path("corpus/mats-research.txt"));
    let gz = std::fs::read(w.path("corpus/mats-research.txt.gz")).unwrap();
    std::fs::remove_file(w.path("corpus/mats-research.txt")).unwrap();
    // Cut in the middle, as a copy interrupted would leave it.
    w.write("corpus/mats-research.txt.gz", &gz[..gz.len() / 2]);
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    // Met in a directory: an export that cannot be read is an error, not a file skipped.
    assert!(
        r.stderr
            .starts_with("litsearch: corpus/mats-research.txt.gz: cannot read:"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert_eq!(w.query(&["sycophancy"]).hits[0].id, before);
}

/// Peak resident memory (KB) of `litsearch ARGS` in `w`, by GNU time; with its stderr.
fn peak_rss_kb(w: &Workdir, args: &[&str]) -> (u64, String) {
    require("/usr/bin/time", "apt-get install -y time", SKIP_COMPRESSORS);
    let bin = assert_cmd::cargo::cargo_bin("litsearch");
    let out = Command::new("/usr/bin/time")
        .args(["-f", "peak %M"])
        .arg(bin)
        .args(args)
        .current_dir(w.path(""))
        .stdout(Stdio::null())
        .output()
        .expect("time");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let peak = stderr
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("peak ")?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak in {stderr}"));
    (peak, stderr)
}

#[test]
fn a_compressed_bomb_is_read_in_bounded_memory() {
    if skipped(SKIP_COMPRESSORS, "the compressed-input tests") {
        return;
    }
    let w = Workdir::empty();
    // 16 MiB of prose lines with no entry structure, gzipped once and the member repeated: a
    // 1 GiB page export in a few MB (gzip readers read every member, as `cat a.gz b.gz` needs).
    let line = "the quick brown fox jumps over the lazy dog again and again\n";
    w.write("member.txt", line.repeat((16 << 20) / line.len()));
    compress("gzip", "gzip", &w.path("member.txt"));
    let member = std::fs::read(w.path("member.txt.gz")).unwrap();
    w.write("bomb.txt.gz", member.repeat(64));
    // One line of 1 GiB, the same way.
    w.write("line.txt", "a".repeat(16 << 20));
    compress("gzip", "gzip", &w.path("line.txt"));
    let member = std::fs::read(w.path("line.txt.gz")).unwrap();
    w.write("line.txt.gz", member.repeat(64));
    // 1 GiB of NULs: binary, refused from its first bytes.
    w.write("zeros", vec![0u8; 16 << 20]);
    compress("gzip", "gzip", &w.path("zeros"));
    let member = std::fs::read(w.path("zeros.gz")).unwrap();
    w.write("zeros.txt.gz", member.repeat(64));

    let (peak, stderr) = peak_rss_kb(&w, &["parse", "bomb.txt.gz"]);
    assert!(
        stderr.contains("more text than an entry can hold"),
        "{stderr}"
    );
    assert!(
        peak < 100_000,
        "parse of 1 GiB of prose peaked at {peak} KB"
    );
    let (peak, stderr) = peak_rss_kb(&w, &["parse", "line.txt.gz"]);
    assert!(
        stderr.contains("line.txt.gz:1: line longer than"),
        "{stderr}"
    );
    assert!(peak < 100_000, "parse of a 1 GiB line peaked at {peak} KB");
    // A CSV row whose quote never closes: the rest of the file would be one field.
    let mut csv = std::fs::read(w.path("member.txt.gz")).unwrap().repeat(64);
    w.write("head.csv", "title,date,abstract\nOpen,2024-01-02,\"");
    compress("gzip", "gzip", &w.path("head.csv"));
    csv.splice(0..0, std::fs::read(w.path("head.csv.gz")).unwrap());
    w.write("open-quote.csv.gz", csv);
    let (peak, stderr) = peak_rss_kb(&w, &["parse", "open-quote.csv.gz"]);
    assert!(
        stderr
            .contains("open-quote.csv.gz:2: a row longer than 8388608 bytes (a quote left open?)"),
        "{stderr}"
    );
    assert!(
        peak < 100_000,
        "parse of a 1 GiB CSV field peaked at {peak} KB"
    );

    let r = w.run(&["parse", "zeros.txt.gz"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("zeros.txt.gz: not a page export: it looks like binary data"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_records_file_without_records_says_what_it_expected() {
    let w = Workdir::empty();
    for (name, content, expected) in [
        (
            "blank.jsonl",
            "\n",
            "expected records, one JSON object per line",
        ),
        (
            "header.csv",
            "title,date\n",
            "expected records, a header row naming `title` and `date`",
        ),
        (
            "blank.json",
            "\n",
            "expected records, a JSON array of objects",
        ),
    ] {
        w.write(name, content);
        let r = w.run(&["parse", name]);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("{name}: no entries found; {expected}")),
            "{}",
            r.stderr
        );
        assert!(!r.stderr.contains("page export"), "{}", r.stderr);
    }
}

/// A 1×1 PNG, as an image beside the exports would be.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

fn one_entry(title: &str) -> String {
    format!(
        "All Research\n\n{}",
        crate::common::entry(title, "An abstract.", &["Tag"], "A B", "C D", "Mar 3, 2025")
    )
}

/// The titles `parse ARGS` gives, in order (exit 0 asserted).
fn parsed_titles(w: &Workdir, args: &[&str]) -> Vec<String> {
    parsed(w, args, b"").into_iter().map(|r| r.title).collect()
}

#[test]
fn a_directory_is_walked_in_order_leaving_out_hidden_ignored_and_unknown_files() {
    let w = Workdir::empty();
    w.write("exports/b/shipped.txt", CORPUS);
    w.write("exports/a/deep/first.txt", one_entry("First by Name"));
    w.write("exports/.drafts/draft.txt", one_entry("A Hidden Draft"));
    w.write("exports/old/stale.txt", one_entry("An Ignored Listing"));
    w.write("exports/.gitignore", "old/\n"); // never read as an export, even with --hidden
    w.write("exports/logo.png", PNG);
    fifo(&w, "exports/feed"); // a pipe in a walk is passed over, not waited on

    let titles = parsed_titles(&w, &["exports"]);
    let shipped = contents(&parsed(&w, &["exports/b/shipped.txt"], b""));
    assert_eq!(titles[0], "First by Name", "a/ before b/, depth first");
    assert_eq!(titles.len(), 1 + shipped.len());
    assert!(!titles
        .iter()
        .any(|t| t == "A Hidden Draft" || t == "An Ignored Listing"));

    // The image is no warning: ingest (as cron runs it) exits 0 and says nothing of it…
    let r = w.run(&["ingest", "exports"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("logo.png"), "{}", r.stderr);
    // …unless asked.
    let r = w.run(&["ingest", "--verbose", "exports"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("exports/logo.png: skipped: not a page export: it looks like binary data"),
        "{}",
        r.stderr
    );
    let r = w.run(&["parse", "-v", "exports"]);
    assert!(
        r.stderr.contains("exports/logo.png: skipped"),
        "{}",
        r.stderr
    );

    let with = |flag: &str| parsed_titles(&w, &[flag, "exports"]);
    assert!(with("--hidden").iter().any(|t| t == "A Hidden Draft"));
    assert!(!with("--hidden").iter().any(|t| t == "An Ignored Listing"));
    assert!(with("--no-ignore")
        .iter()
        .any(|t| t == "An Ignored Listing"));
    assert!(!with("--no-ignore").iter().any(|t| t == "A Hidden Draft"));

    // A repository around the directory that keeps it out of git does not hide its papers.
    w.write(".gitignore", "exports/*\n*.txt\n");
    assert_eq!(parsed_titles(&w, &["exports"]), titles);

    // Named explicitly, the image is an error, not a skip.
    let r = w.run(&["ingest", "exports/logo.png"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("exports/logo.png: not a page export"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_file_reached_twice_is_read_once() {
    let w = Workdir::with_corpus();
    let once: IngestSummary = shapes::strict(&w.run(&["ingest", "--json", "corpus"]).stdout);
    let twice = w.run(&[
        "ingest",
        "--json",
        "--rebuild",
        "corpus/",
        "corpus/mats-research.txt",
        "./corpus/mats-research.txt",
        "corpus/../corpus",
    ]);
    assert_eq!(twice.code, 0, "{}", twice.stderr);
    let twice: IngestSummary = shapes::strict(&twice.stdout);
    assert_eq!(
        (twice.entries, twice.merged, twice.records),
        (once.entries, once.merged, once.records)
    );
    let r = w.run(&["parse", "corpus", "corpus/mats-research.txt"]);
    assert_eq!(
        shapes::strict_lines::<Record>(&r.stdout).len() as u64,
        once.records
    );
}

#[test]
fn symbolic_links_are_followed_and_a_loop_ends() {
    let w = Workdir::empty();
    w.write("elsewhere/linked.txt", one_entry("Reached Through a Link"));
    w.write("exports/shipped.txt", CORPUS);
    let link = |target: &str, at: &str| {
        std::os::unix::fs::symlink(w.path(target), w.path(at)).expect("symlink");
    };
    link("elsewhere/linked.txt", "exports/link.txt");
    link("exports", "exports/again"); // a loop back to the walk's root
    let started = Instant::now();
    let r = w.run(&["parse", "--verbose", "exports"]);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let records: Vec<Record> = shapes::strict_lines(&r.stdout);
    assert!(records.iter().any(|r| r.title == "Reached Through a Link"));
    assert_eq!(
        records.len(),
        1 + contents(&parsed(&w, &["exports/shipped.txt"], b"")).len()
    );
    assert!(
        r.stderr
            .contains("exports/again: skipped: a symbolic link back to"),
        "{}",
        r.stderr
    );
}
