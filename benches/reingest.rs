//! The cost of a no-change re-ingest (the cron case) against a full build of the same export,
//! measured side by side in one run. Prints the medians and their ratio.
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
use litsearch::index::{ingest, IndexRoot, IngestObserver, IngestOptions, SyncSummary};

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
    let root = IndexRoot::new(dir.path().join("index"));
    let run = |rebuild: bool| -> (Duration, SyncSummary) {
        let opts = IngestOptions {
            rebuild,
            ..IngestOptions::default()
        };
        let started = Instant::now();
        let summary =
            ingest(&root, std::slice::from_ref(&export), &opts, &mut Silent).expect("ingest");
        (started.elapsed(), summary)
    };
    let mut full = Vec::new();
    for _ in 0..full_runs {
        let (t, s) = run(true);
        assert_eq!(s.added as usize, s.records as usize);
        full.push(t);
    }
    let mut noop = Vec::new();
    for _ in 0..noop_runs {
        let (t, s) = run(false);
        assert_eq!(
            (s.added, s.updated, s.removed),
            (0, 0, 0),
            "an unchanged export must change nothing"
        );
        noop.push(t);
    }
    let (full, noop) = (median(full), median(noop));
    println!(
        "reingest: {records} records, {:.1} MB export: full build {:.2} s, no-change re-ingest {:.2} s, ratio {:.3}",
        bytes as f64 / 1e6,
        full.as_secs_f64(),
        noop.as_secs_f64(),
        noop.as_secs_f64() / full.as_secs_f64()
    );
}
