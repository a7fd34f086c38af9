//! `litsearch ingest` from cron: sync semantics, guards against broken exports, overlap,
//! crashes at random moments, queries during ingest, schema versions and quiet output.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::shapes::{self, IngestSummary};
use crate::common::{entry, synthetic_export, Workdir, CORPUS};

/// `ingest --json …`: exit code, the summary read strictly, stderr.
fn summary(w: &Workdir, args: &[&str]) -> (i32, IngestSummary, String) {
    let mut all = vec!["ingest", "--json"];
    all.extend_from_slice(args);
    let r = w.run(&all);
    let v = shapes::strict(r.stdout.trim());
    (r.code, v, r.stderr)
}

fn counts(v: &IngestSummary) -> [u64; 4] {
    [v.added, v.updated, v.removed, v.unchanged]
}

fn total(w: &Workdir, args: &[&str]) -> u64 {
    w.query(args).total
}

/// The corpus with BatchTopK's abstract edited, Best-of-N gone and two papers added.
pub(crate) fn edited_corpus() -> String {
    let edited = CORPUS.replace(
        "Sparse autoencoders (SAEs) have emerged as a powerful tool for interpreting language model activations by decomposing",
        "Sparse autoencoders (SAEs) have emerged as an edited tool for interpreting language model activations by decomposing",
    );
    let start = edited.find("Best-of-N Jailbreaking\n").unwrap();
    let end = edited.find("Frequently asked questions").unwrap();
    let new = entry(
        "Quokka Circuits in Small Models",
        "We study quokka circuits.",
        &["Interpretability"],
        "A B",
        "A B",
        "Nov 1, 2026",
    ) + &entry(
        "Wombat Probes",
        "We study wombat probes.",
        &["Monitoring"],
        "C D",
        "C D",
        "Nov 2, 2026",
    );
    format!("{}{}{}", &edited[..start], new, &edited[end..])
}

#[test]
fn reingest_reports_exactly_what_changed() {
    let w = Workdir::with_corpus();
    let (code, v, _) = summary(&w, &[]);
    assert_eq!(code, 0);
    assert_eq!(counts(&v), [25, 0, 0, 0]);
    // Every key of the summary, and no other: `summary` reads it strictly.
    assert!(v.seconds >= 0.0 && v.skipped == 0, "{v:?}");
    let (_, v, _) = summary(&w, &[]);
    assert_eq!(counts(&v), [0, 0, 0, 25], "an unchanged export is a no-op");
    assert_eq!(v.entries, 26, "the no-op remembers what the last sync read");
    // A one-letter edit that keeps the file's size is still seen (contents are hashed).
    let same_size = CORPUS.replacen("polysemanticity", "polysemanticitY", 1);
    assert_eq!(same_size.len(), CORPUS.len());
    w.write("corpus/mats-research.txt", &same_size);
    let (_, v, _) = summary(&w, &[]);
    assert_eq!(counts(&v), [0, 1, 0, 24]);
    w.write("corpus/mats-research.txt", CORPUS);
    let (_, v, _) = summary(&w, &[]);
    assert_eq!(counts(&v), [0, 1, 0, 24]);

    w.write("corpus/mats-research.txt", edited_corpus());
    let (code, v, stderr) = summary(&w, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(counts(&v), [2, 1, 1, 23]);
    assert_eq!(w.titles(&["quokka"]), ["Quokka Circuits in Small Models"]);
    assert_eq!(
        total(&w, &["jailbreaking", "--exact", "--tag", "Red-Teaming"]),
        0
    );
    assert_eq!(
        w.titles(&["edited tool", "--exact"]),
        ["BatchTopK Sparse Autoencoders"]
    );

    // The plain summary line reads as documented.
    w.write("corpus/mats-research.txt", CORPUS);
    let r = w.run(&["ingest"]);
    assert!(
        r.stdout
            .starts_with("added 1, updated 1, removed 2, unchanged 23 ("),
        "{}",
        r.stdout
    );
}

#[test]
fn keep_missing_keeps_vanished_records_and_rebuild_starts_over() {
    let w = Workdir::with_corpus();
    w.ingest();
    w.write("corpus/mats-research.txt", edited_corpus());
    let (_, v, _) = summary(&w, &["--keep-missing"]);
    assert_eq!(counts(&v), [2, 1, 0, 23]);
    assert_eq!(
        total(&w, &["--year", "2024", "--tag", "Red-Teaming"]),
        1,
        "Best-of-N is kept"
    );
    let (code, v, _) = summary(&w, &["--rebuild"]);
    assert_eq!(code, 0);
    assert!(v.rebuilt);
    assert_eq!(v.records, 26);
    assert_eq!(total(&w, &["--tag", "Red-Teaming"]), 0);
}

#[test]
fn empty_or_half_exports_never_wipe_the_index() {
    let w = Workdir::with_corpus();
    w.ingest();
    let before = total(&w, &["--year", "2025", "--limit", "0"]);

    w.write(
        "corpus/mats-research.txt",
        "AI alignment & security research\n\nFeatured Research\n\n",
    );
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("refusing to ingest: the exports hold no records, and the index has 25"),
        "{}",
        r.stderr
    );
    // One warning naming the file, then the one-line failure.
    assert_eq!(r.stderr.lines().count(), 2, "{}", r.stderr);
    assert!(r
        .stderr
        .starts_with("corpus/mats-research.txt: no entries found"));
    assert_eq!(total(&w, &["--year", "2025", "--limit", "0"]), before);

    w.write("corpus/mats-research.txt", "");
    assert_eq!(w.run(&["ingest"]).code, 2);

    // Cut the listing after "Auditing…": more than half of the records vanish.
    let cut = CORPUS
        .find("Auditing language models for hidden objectives")
        .unwrap();
    let tail = CORPUS.find("Frequently asked questions").unwrap();
    let half = format!("{}{}", &CORPUS[..cut], &CORPUS[tail..]);
    let (kept, _) = litsearch::inputs::parse_str("x", &half);
    let vanishing = 25 - kept.len();
    assert!(vanishing * 2 > 25, "the cut must remove more than half");
    w.write("corpus/mats-research.txt", &half);
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains(&format!("would remove {vanishing} of 25")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--max-remove"));
    assert_eq!(total(&w, &["--year", "2025", "--limit", "0"]), before);
    let pct = (vanishing * 100).div_ceil(25);
    assert_eq!(
        w.run(&["ingest", "--max-remove", &(pct - 1).to_string()])
            .code,
        2
    );
    assert_eq!(total(&w, &["--year", "2025", "--limit", "0"]), before);
    let (code, v, _) = summary(&w, &["--max-remove", &pct.to_string()]);
    assert_eq!(code, 0);
    assert_eq!(counts(&v)[2], vanishing as u64);

    // --force accepts even an empty export.
    w.write("corpus/mats-research.txt", "nothing here\n");
    let (code, v, _) = summary(&w, &["--force"]);
    assert_eq!(code, 1, "applied, with the 'no entries found' warning");
    assert_eq!(v.records, 0);
}

#[test]
fn strict_refuses_on_warnings_and_leaves_the_index() {
    let w = Workdir::with_corpus();
    w.ingest();
    let broken = CORPUS.replace("Dec 9, 2024", "Dec 99, 2024");
    w.write("corpus/mats-research.txt", &broken);
    let r = w.run(&["ingest", "--strict"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--strict"), "{}", r.stderr);
    assert_eq!(
        w.titles(&["title:BatchTopK"]),
        ["BatchTopK Sparse Autoencoders"]
    );
    // Without --strict: the bad entry is skipped, the rest synced, status 1 (warnings).
    let r = w.run(&["ingest", "--max-remove", "10"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("corpus/mats-research.txt:452: date \"Dec 99, 2024\" does not exist"),
        "{}",
        r.stderr
    );
}

#[test]
fn version_mismatch_is_explained_to_queries_and_rebuilt_by_ingest() {
    let w = Workdir::with_corpus();
    w.ingest();
    let current = w.read("index/CURRENT");
    let meta_path = format!("index/{}/litsearch.json", current.trim());
    let meta = w.read(&meta_path).replace(
        &format!(
            "\"schema_version\": {}",
            litsearch::engine::local::schema::SCHEMA_VERSION
        ),
        "\"schema_version\": 0",
    );
    w.write(&meta_path, meta);
    let r = w.run(&["query", "sparse"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("built by an older litsearch"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("run `litsearch ingest --rebuild`"),
        "{}",
        r.stderr
    );
    let (code, v, _) = summary(&w, &[]);
    assert_eq!(code, 0);
    assert!(v.rebuilt);
    assert_eq!(
        total(&w, &["sparse", "--limit", "0"]),
        total(&w, &["sparse", "--limit", "0"])
    );
    assert_eq!(w.run(&["query", "sparse"]).code, 0);
    assert_ne!(
        w.read("index/CURRENT"),
        current,
        "a new generation replaced the old one"
    );
    assert!(
        !w.path(&format!("index/{}", current.trim())).exists(),
        "the old generation is removed"
    );
}

/// Real exports carry a few bad entries: an unchanged one is still not parsed again (the
/// generation stays as it is), and its warnings are replayed, the same lines and status.
#[test]
fn an_unchanged_export_with_warnings_is_not_parsed_again_and_its_warnings_replay() {
    let w = Workdir::with_corpus();
    let bad = CORPUS.replace("Dec 9, 2024", "Dec 99, 2024").replace(
        "Authors:\n\nJohn Hughes, Sara Price, Aengus Lynch, Rylan Schaeffer, Fazl Barez, Sanmi Koyejo, Henry Sleight, Erik Jones, Ethan Perez, Mrinank Sharma\n\n",
        "",
    );
    w.write("corpus/mats-research.txt", &bad);
    w.write("corpus/notes.md", "Not an export, just notes.\n");
    let first = w.run(&["ingest", "--json"]);
    assert_eq!(first.code, 1, "{}", first.stderr);
    let v1: IngestSummary = shapes::strict(first.stdout.trim());
    assert!(v1.warnings >= 3, "{v1:?}");
    assert_eq!(v1.skipped, 1, "{v1:?}");
    let generation = w.read("index/CURRENT");

    let again = w.run(&["ingest", "--json"]);
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert_eq!(again.stderr, first.stderr, "the same warning lines");
    let v2: IngestSummary = shapes::strict(again.stdout.trim());
    let kept = |v: &IngestSummary| [v.warnings, v.skipped, v.entries, v.merged, v.records];
    assert_eq!(
        kept(&v2),
        kept(&v1),
        "warnings, skipped, entries, merged, records: {v2:?}"
    );
    assert_eq!(v2.unchanged, v1.records, "{v2:?}");
    assert_eq!(
        w.read("index/CURRENT"),
        generation,
        "no new generation: the export was not synced again"
    );

    // --strict refuses the replayed warnings as it refuses parsed ones.
    let strict = w.run(&["ingest", "--strict"]);
    assert_eq!(strict.code, 2, "{}", strict.stderr);
    assert!(
        strict.stderr.starts_with(&first.stderr),
        "{}",
        strict.stderr
    );
    assert!(strict.stderr.contains("--strict and"), "{}", strict.stderr);

    // Once the export is fixed, nothing is replayed.
    w.write("corpus/mats-research.txt", CORPUS);
    std::fs::remove_file(w.path("corpus/notes.md")).unwrap();
    assert_eq!(w.run(&["ingest"]).code, 0);
    let clean = w.run(&["ingest"]);
    assert_eq!(clean.code, 0, "{}", clean.stderr);
    assert!(clean.stderr.is_empty(), "{}", clean.stderr);
}

/// An index built by cron under one account is read by another: every file of a generation,
/// tantivy's `meta.json` and `.managed.json` included, is readable by all (after a rebuild and
/// after an incremental sync alike).
#[test]
fn index_files_are_readable_by_everyone() {
    use std::os::unix::fs::PermissionsExt;
    let w = Workdir::with_corpus();
    let check = |when: &str| {
        let generation = w.read("index/CURRENT");
        let dir = w.path(&format!("index/{}", generation.trim()));
        for name in ["meta.json", ".managed.json", "litsearch.json"] {
            let mode = std::fs::metadata(dir.join(name))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o044, 0o044, "{when}: {name} is {:o}", mode & 0o777);
        }
    };
    w.ingest();
    check("rebuild");
    w.write("corpus/mats-research.txt", edited_corpus());
    w.ingest();
    check("incremental sync");
}

#[test]
fn quiet_prints_nothing_and_no_terminal_means_no_progress() {
    let w = Workdir::with_corpus();
    let r = w.run(&["ingest", "--quiet"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.is_empty() && r.stderr.is_empty(), "{r:?}");
    w.write(
        "corpus/mats-research.txt",
        CORPUS.replace("Dec 9, 2024", "Dec 99, 2024"),
    );
    let r = w.run(&["ingest", "--quiet", "--max-remove", "10"]);
    assert_eq!(r.code, 1, "warnings still show in the status");
    assert!(r.stdout.is_empty() && r.stderr.is_empty(), "{r:?}");
    let r = w.run(&["ingest"]);
    assert!(
        !r.stderr.contains('\x1b') && !r.stderr.contains('\r'),
        "{:?}",
        r.stderr
    );
}

fn big_workdir(records: usize) -> Workdir {
    let w = Workdir::empty();
    w.write("corpus/big.txt", synthetic_export(records, 7));
    w
}

fn spawn(w: &Workdir, args: &[&str]) -> Child {
    w.cmd()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The state letter of a process (`T` when stopped), from /proc.
fn process_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

fn signal(pid: u32, name: &str) {
    let ok = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name} {pid}");
}

#[test]
fn second_ingest_exits_75_naming_the_holder_or_waits() {
    // The holder stops itself (SIGSTOP) once it holds the lock, and goes on at SIGCONT: the
    // overlap does not depend on how long an ingest takes.
    let w = big_workdir(6000);
    let mut first = w
        .cmd()
        .args(["ingest"])
        .env("LITSEARCH_TEST_STOP_HOLDING_LOCK", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while process_state(first.id()) != Some('T') {
        assert!(Instant::now() < deadline, "first ingest never stopped");
        assert!(
            first.try_wait().unwrap().is_none(),
            "first ingest ended without stopping"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 75, "{r:?}");
    assert!(
        r.stderr
            .contains(&format!("held by `litsearch ingest` (pid {})", first.id())),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1);
    let waiting = w
        .cmd()
        .args(["ingest", "--wait", "120", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    signal(first.id(), "CONT");
    let r = crate::common::Run::from(waiting.wait_with_output().unwrap());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(first.wait().unwrap().success());
    let v: IngestSummary = shapes::strict(&r.stdout);
    assert_eq!(
        v.unchanged, 6000,
        "the waiting ingest found the first one's work"
    );
    assert_eq!(
        total(
            &w,
            &[
                "--limit", "0", "--year", "2019", "--year", "2020", "--year", "2021", "--year",
                "2022", "--year", "2023", "--year", "2024", "--year", "2025", "--year", "2026"
            ]
        ),
        6000
    );
}

#[test]
fn sigkill_at_random_moments_never_breaks_the_index() {
    let w = big_workdir(4000);
    let started = Instant::now();
    w.ingest();
    let full = started.elapsed();
    let variant_a = synthetic_export(4000, 7);
    let variant_b = synthetic_export(4300, 8);
    let mut seed = 0x9e3779b97f4a7c15u64;
    for round in 0..8 {
        w.write(
            "corpus/big.txt",
            if round % 2 == 0 {
                &variant_b
            } else {
                &variant_a
            },
        );
        let args: &[&str] = if round % 3 == 0 {
            &["ingest", "--rebuild", "--force"]
        } else {
            &["ingest", "--force"]
        };
        let mut child = spawn(&w, args);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = full.mul_f64((seed % 1000) as f64 / 1000.0);
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let r = w.run(&["query", "model", "--json", "--limit", "1"]);
        assert_eq!(
            r.code, 0,
            "round {round} (killed after {delay:?}): {}",
            r.stderr
        );
    }
    w.write("corpus/big.txt", &variant_b);
    let r = w.run(&["ingest", "--force", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: IngestSummary = shapes::strict(&r.stdout);
    assert_eq!(v.records, 4300);
    let r = w.run(&["ingest", "--json"]);
    let v: IngestSummary = shapes::strict(&r.stdout);
    assert_eq!(v.unchanged, 4300, "{v:?}");
    let gens = std::fs::read_dir(w.path("index"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("gen-")
        })
        .count();
    assert_eq!(gens, 1, "leftover generations are cleaned up");
}

#[test]
fn queries_during_ingest_never_fail() {
    let w = big_workdir(4000);
    w.ingest();
    let variant_a = synthetic_export(4000, 7);
    let variant_b = synthetic_export(4000, 9);
    let dir = w.dir.path().to_path_buf();
    let writer = std::thread::spawn(move || {
        let bin = assert_cmd::cargo::cargo_bin("litsearch");
        for round in 0..4 {
            std::fs::write(
                dir.join("corpus/big.txt"),
                if round % 2 == 0 {
                    &variant_b
                } else {
                    &variant_a
                },
            )
            .unwrap();
            let mut args = vec!["ingest", "--force"];
            if round == 2 {
                args.push("--rebuild");
            }
            let out = std::process::Command::new(&bin)
                .current_dir(&dir)
                .args(&args)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    });
    let mut queries = 0;
    while !writer.is_finished() {
        let r = w.run(&["query", "model", "--json", "--limit", "3"]);
        assert_eq!(
            r.code, 0,
            "query {queries} failed during ingest: {}",
            r.stderr
        );
        let v: shapes::Results = shapes::strict(&r.stdout);
        let total = v.total;
        assert!(total > 0);
        queries += 1;
    }
    writer.join().unwrap();
    assert!(queries > 3, "only {queries} queries overlapped the ingests");
}

#[test]
fn a_newer_index_is_refused_not_rebuilt_unless_asked() {
    let w = Workdir::with_corpus();
    w.ingest();
    let current = w.read("index/CURRENT");
    let meta_path = format!("index/{}/litsearch.json", current.trim());
    let schema = litsearch::engine::local::schema::SCHEMA_VERSION;
    let meta = w
        .read(&meta_path)
        .replace(
            &format!("\"schema_version\": {schema}"),
            "\"schema_version\": 99",
        )
        .replace(
            &format!("\"litsearch_version\": \"{}\"", env!("CARGO_PKG_VERSION")),
            "\"litsearch_version\": \"9.9.0\"",
        );
    assert!(meta.contains("9.9.0") && meta.contains(": 99"), "{meta}");
    w.write(&meta_path, &meta);
    let named = format!(
        "built by a newer litsearch (9.9.0, schema 99); this litsearch ({}) uses schema {schema}",
        env!("CARGO_PKG_VERSION")
    );
    // An ingest (as cron would run it) refuses, on one line, and leaves the index as it is.
    let r = w.run(&["ingest"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&named), "{}", r.stderr);
    assert!(r.stderr.contains("--rebuild"), "{}", r.stderr);
    assert_eq!(r.stderr.trim().lines().count(), 1, "{}", r.stderr);
    assert_eq!(w.read("index/CURRENT"), current);
    assert_eq!(w.read(&meta_path), meta, "the newer index is untouched");
    // A query says the same plainly.
    let r = w.run(&["query", "sparse"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains(&named), "{}", r.stderr);
    assert!(r.stderr.contains("upgrade litsearch"), "{}", r.stderr);
    // Asked for, the rebuild replaces it.
    let (code, v, stderr) = summary(&w, &["--rebuild"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(v.rebuilt);
    assert_eq!(w.run(&["query", "sparse"]).code, 0);
}
