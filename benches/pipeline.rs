//! Criterion benches of the three stages on generated exports: parsing (bytes/s), indexing
//! (records/s, parsing included, as `litsearch ingest` does it) and in-process search
//! (top-10 + snippets + all facet counts through `litsearch::search::search`).
//!
//! ```text
//! cargo bench --bench pipeline                                   # 10k and 100k records
//! LITSEARCH_BENCH_RECORDS=1000 cargo bench --bench pipeline -- --test   # CI smoke: each once
//! ```

#[path = "../examples/gen-corpus/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use litsearch::diagnostic::Diagnostic;
use litsearch::engine::local::{ingest, IndexRoot};
use litsearch::engine::{IngestObserver, IngestOptions};
use litsearch::inputs::{collect_inputs, read_records, RecordSink};
use litsearch::search::{search, Filters, SearchRequest};
use litsearch::Record;

/// Record counts to bench, from `LITSEARCH_BENCH_RECORDS` (comma-separated).
fn sizes() -> Vec<usize> {
    std::env::var("LITSEARCH_BENCH_RECORDS")
        .ok()
        .map(|s| {
            s.split(',')
                .filter_map(|n| n.trim().replace('_', "").parse().ok())
                .collect()
        })
        .filter(|v: &Vec<usize>| !v.is_empty())
        .unwrap_or_else(|| vec![10_000, 100_000])
}

/// A generated export of `records` entries in a temp dir (kept for the whole run).
struct Corpus {
    _dir: tempfile::TempDir,
    export: PathBuf,
    bytes: u64,
    records: usize,
}

fn corpus(records: usize) -> Corpus {
    let dir = tempfile::tempdir().expect("temp dir");
    let export = dir.path().join("export.txt");
    let bytes = corpus::write_corpus_file(&export, records, 1).expect("write export");
    Corpus {
        _dir: dir,
        export,
        bytes,
        records,
    }
}

struct CountingSink(u64);

impl RecordSink for CountingSink {
    type Error = std::convert::Infallible;

    fn record(&mut self, _record: Record) -> Result<(), Self::Error> {
        self.0 += 1;
        Ok(())
    }
    fn diagnostic(&mut self, _diagnostic: &Diagnostic) {}
}

struct Quiet;

impl IngestObserver for Quiet {
    fn diagnostic(&mut self, _diagnostic: &Diagnostic) {}
}

fn build_index(export: &Path, dir: &Path) {
    let opts = IngestOptions {
        rebuild: true,
        ..IngestOptions::default()
    };
    ingest(
        &IndexRoot::new(dir),
        &[export.to_path_buf()],
        &opts,
        &mut Quiet,
    )
    .expect("ingest");
}

fn benches(c: &mut Criterion) {
    for n in sizes() {
        let corpus = corpus(n);

        let mut group = c.benchmark_group("parse");
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(5));
        group.throughput(Throughput::Bytes(corpus.bytes));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                let inputs = collect_inputs(
                    std::slice::from_ref(&corpus.export),
                    &Default::default(),
                    &mut Vec::new(),
                )
                .unwrap();
                let mut sink = CountingSink(0);
                read_records(&inputs, &mut sink).expect("read the generated export");
                assert_eq!(sink.0 as usize, corpus.records);
            })
        });
        group.finish();

        let mut group = c.benchmark_group("ingest");
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(10));
        group.throughput(Throughput::Elements(corpus.records as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter_with_setup(
                || tempfile::tempdir().expect("temp dir"),
                |dir| build_index(&corpus.export, &dir.path().join("index")),
            )
        });
        group.finish();

        let dir = tempfile::tempdir().expect("temp dir");
        let root = IndexRoot::new(dir.path().join("index"));
        build_index(&corpus.export, &root.dir);
        let open = root.open().expect("open");
        let mut group = c.benchmark_group(format!("query/{n}"));
        group.measurement_time(Duration::from_secs(3));
        let queries: &[(&str, &str, &[&str])] = &[
            ("two-common", "language models", &[]),
            ("rare", "quill", &[]),
            ("phrase", "\"steering vector\"", &[]),
            ("very-common", "models", &[]),
            ("author", "author:\"Neel Nanda\"", &[]),
            ("tag-filter", "deception", &["Interpretability"]),
            ("typo", "interpretabilty", &[]),
        ];
        for &(name, query, tags) in queries {
            let request = SearchRequest {
                query: query.to_owned(),
                filters: Filters {
                    tags: tags.iter().map(|t| t.to_string()).collect(),
                    ..Filters::default()
                },
                ..SearchRequest::default()
            };
            group.bench_function(name, |b| b.iter(|| search(&open, &request).unwrap()));
        }
        group.finish();
    }
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
