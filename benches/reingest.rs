//! The cost of a no-change re-ingest (the cron case) against a full build of the same export,
//! measured side by side in one run, for a clean export and for one with a few bad entries (9
//! skipped, 19 kept with a warning, as real exports have). Prints the medians and their ratios.
//!
//! ```text
//! cargo bench --bench reingest                                  # 100,000 records
//! LITSEARCH_BENCH_RECORDS=20000 cargo bench --bench reingest
//! cargo test --bench reingest                                   # CI smoke: 1,000 records, once
//! ```

#[path = "../examples/gen-corpus/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::time::{Duration, Instant};

use litsearch::diagnostic::Diagnostic;
use litsearch::engine::local::{ingest, IndexRoot};
use litsearch::engine::{IngestObserver, IngestOptions, SyncSummary};

struct Silent;
impl IngestObserver for Silent {
    fn diagnostic(&mut self, _: &Diagnostic) {}
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test` (the CI smoke) it is absent.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let records: usize = if smoke {
        1_000
    } else {
        std::env::var("LITSEARCH_BENCH_RECORDS")
            .ok()
            .and_then(|s| s.replace('_', "").parse().ok())
            .unwrap_or(100_000)
    };
    let (full_runs, noop_runs) = if smoke { (1, 1) } else { (3, 5) };
    let dir = tempfile::tempdir().expect("temp dir");
    let export = dir.path().join("export.txt");
    let bytes = corpus::write_corpus_file(&export, records, 1).expect("write export");
    measure(
        "reingest",
        &dir.path().join("clean"),
        &export,
        records,
        bytes,
        full_runs,
        noop_runs,
    );
    let bad = dir.path().join("export-with-warnings.txt");
    let text = std::fs::read_to_string(&export).expect("read export");
    std::fs::write(&bad, with_bad_entries(&text, 9, 19)).expect("write export");
    let bytes = std::fs::metadata(&bad).expect("export").len();
    measure(
        "reingest with 9 skipped entries and 19 warnings",
        &dir.path().join("warnings"),
        &bad,
        records,
        bytes,
        full_runs,
        noop_runs,
    );
}

/// The export with `skipped` entries given an impossible date and `warned` more without their
/// `Authors:` block, spread over the file.
fn with_bad_entries(text: &str, skipped: usize, warned: usize) -> String {
    let starts: Vec<usize> = text.match_indices("Authors:\n\n").map(|(i, _)| i).collect();
    let step = (starts.len() / (skipped + warned + 1)).max(1);
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for (n, &at) in starts
        .iter()
        .step_by(step)
        .take(skipped + warned)
        .enumerate()
    {
        out.push_str(&text[from..at]);
        let authors_end = at + text[at + 10..].find("\n\n").map_or(0, |e| e + 12);
        if n < skipped {
            // Keep the authors; spoil the date after them.
            let date = text[at..].find("Date:\n\n").map_or(at, |d| at + d + 7);
            out.push_str(&text[at..date]);
            out.push_str("Smarch 99, 2024");
            from = date + text[date..].find('\n').unwrap_or(0);
        } else {
            from = authors_end;
        }
    }
    out.push_str(&text[from..]);
    out
}

#[allow(clippy::too_many_arguments)]
fn measure(
    what: &str,
    index: &std::path::Path,
    export: &std::path::Path,
    records: usize,
    bytes: u64,
    full_runs: usize,
    noop_runs: usize,
) {
    let root = IndexRoot::new(index);
    let run = |rebuild: bool| -> (Duration, SyncSummary) {
        let opts = IngestOptions {
            rebuild,
            ..IngestOptions::default()
        };
        let started = Instant::now();
        let summary = ingest(
            &root,
            std::slice::from_ref(&export.to_path_buf()),
            &opts,
            &mut Silent,
        )
        .expect("ingest");
        (started.elapsed(), summary)
    };
    let mut full = Vec::new();
    let mut built = SyncSummary::default();
    for _ in 0..full_runs {
        let (t, s) = run(true);
        assert_eq!(s.added as usize, s.records as usize);
        full.push(t);
        built = s;
    }
    let mut noop = Vec::new();
    for _ in 0..noop_runs {
        let (t, s) = run(false);
        assert_eq!(
            (s.added, s.updated, s.removed),
            (0, 0, 0),
            "an unchanged export must change nothing"
        );
        assert_eq!(
            (s.warnings, s.skipped),
            (built.warnings, built.skipped),
            "the same warnings"
        );
        noop.push(t);
    }
    let (full, noop) = (median(full), median(noop));
    println!(
        "{what}: {records} records, {:.1} MB export ({} warnings): full build {:.2} s, no-change re-ingest {:.2} s, ratio {:.3}",
        bytes as f64 / 1e6,
        built.warnings,
        full.as_secs_f64(),
        noop.as_secs_f64(),
        noop.as_secs_f64() / full.as_secs_f64()
    );
}
