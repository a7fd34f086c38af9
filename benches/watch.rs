//! `watch run` of 20 saved searches against one `query`, over an index of 100,000 generated
//! records (LITSEARCH_BENCH_RECORDS to scale) of which 100 are new since the searches last ran.
//!
//! cargo bench --bench watch
//!
//! The index is built once, in a temp dir, from records written in the page-export format by a
//! small deterministic generator.

use std::fmt::Write as _;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use litsearch::engine::local::{ingest, IndexRoot, OpenIndex};
use litsearch::engine::Engine;
use litsearch::engine::{IngestObserver, IngestOptions};
use litsearch::search::{search, Filters, SearchRequest};
use litsearch::watch::{new_watch, record, run_watch, RunOptions, Watch, WatchFile};

const NEW: usize = 100;

/// 20 saved searches of the kinds people save: words, phrases, ORs, tags, authors.
const SEARCHES: [(&str, &str, Option<&str>); 20] = [
    ("sae", "sparse autoencoder", None),
    ("steering", "activation steering", None),
    ("syco", "sycophancy", None),
    ("hacking", "reward hacking", None),
    ("deception", "deceptive alignment", None),
    ("evals", "dangerous capability evaluations", None),
    ("jailbreak", "jailbreak OR jailbreaking", None),
    ("cot", "\"chain of thought\" faithfulness", None),
    ("circuits", "circuit discovery", Some("Interpretability")),
    ("probes", "linear probes", None),
    ("unlearning", "unlearning", None),
    ("control", "ai control monitoring", None),
    ("scheming", "scheming", Some("Scheming and Deception")),
    ("redteam", "adversarial robustness", Some("Red-Teaming")),
    ("superposition", "superposition features", None),
    ("rlhf", "human feedback preference", None),
    ("honesty", "honesty lying", None),
    ("agents", "agents sabotage", None),
    ("oversight", "scalable oversight debate", None),
    ("governance", "compute governance", Some("Governance")),
];

const TOPICS: [&str; 24] = [
    "sparse autoencoder",
    "activation steering",
    "sycophancy",
    "reward hacking",
    "deceptive alignment",
    "dangerous capability evaluations",
    "jailbreaking",
    "chain of thought faithfulness",
    "circuit discovery",
    "linear probes",
    "unlearning",
    "ai control monitoring",
    "scheming",
    "adversarial robustness",
    "superposition features",
    "human feedback preference",
    "honesty lying",
    "agents sabotage",
    "scalable oversight debate",
    "compute governance",
    "model organisms",
    "situational awareness",
    "emergent misalignment",
    "latent knowledge",
];
const TAGS: [&str; 6] = [
    "Interpretability",
    "Scheming and Deception",
    "Red-Teaming",
    "Governance",
    "Evaluations",
    "Safeguards",
];
const FILLER: [&str; 40] = [
    "we",
    "study",
    "language",
    "models",
    "and",
    "show",
    "that",
    "training",
    "with",
    "data",
    "improves",
    "results",
    "across",
    "tasks",
    "our",
    "method",
    "baseline",
    "benchmark",
    "large",
    "small",
    "network",
    "layer",
    "attention",
    "token",
    "prompt",
    "dataset",
    "analysis",
    "find",
    "evidence",
    "behaviour",
    "internal",
    "representations",
    "policy",
    "gradient",
    "scaling",
    "laws",
    "experiments",
    "suggest",
    "future",
    "work",
];
const NAMES: [&str; 16] = [
    "Ada Lovelace",
    "Alan Turing",
    "Grace Hopper",
    "Claude Shannon",
    "Emmy Noether",
    "Kurt Goedel",
    "John Neumann",
    "Ada Yonath",
    "Marie Curie",
    "Niels Bohr",
    "Lise Meitner",
    "Paul Dirac",
    "Rosalind Franklin",
    "Barbara Liskov",
    "Donald Knuth",
    "Edsger Dijkstra",
];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A small deterministic generator (xorshift), so every run builds the same index.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// Records `from..to` in the page-export format.
fn export(from: usize, to: usize) -> String {
    let mut out = String::with_capacity((to - from) * 900);
    for n in from..to {
        let mut rng =
            Rng(0x9E37_79B9_7F4A_7C15 ^ (n as u64).wrapping_mul(0x2545_F491_4F6C_DD1D) | 1);
        let topic = rng.pick(&TOPICS);
        let title = format!(
            "On {topic} in {} {} number {n}",
            rng.pick(&FILLER),
            rng.pick(&FILLER)
        );
        let mut abstract_text = String::new();
        for i in 0..70 {
            if i == 20 {
                abstract_text.push_str(topic);
            } else {
                abstract_text.push_str(rng.pick(&FILLER));
            }
            abstract_text.push(if i % 12 == 11 { '.' } else { ' ' });
            if i % 12 == 11 {
                abstract_text.push(' ');
            }
        }
        let tags = format!("{}\n{}", rng.pick(&TAGS), rng.pick(&TAGS));
        let authors = format!(
            "{}, {}, {}",
            rng.pick(&NAMES),
            rng.pick(&NAMES),
            rng.pick(&NAMES)
        );
        let fellow = rng.pick(&NAMES);
        let date = format!(
            "{} {}, {}",
            MONTHS[(rng.next() % 12) as usize],
            1 + rng.next() % 28,
            2019 + rng.next() % 8
        );
        let _ = write!(
            out,
            "{title}\n\n{}\n\n{tags}\n\nAuthors:\n\n{authors}\n\nFellows:\n\n{fellow}\n\nDate:\n\n{date}\n\n",
            abstract_text.trim()
        );
    }
    out
}

struct Quiet;
impl IngestObserver for Quiet {
    fn diagnostic(&mut self, _: &litsearch::diagnostic::Diagnostic) {}
}

fn ingest_at(root: &IndexRoot, dir: &Path, now: i64) {
    let opts = IngestOptions {
        now,
        ..IngestOptions::default()
    };
    let summary = ingest(root, &[dir.to_path_buf()], &opts, &mut Quiet).expect("ingest");
    eprintln!(
        "ingested: {} records (+{} new) in {:.1} s",
        summary.records, summary.added, summary.seconds
    );
}

/// The index with `records` old records, 20 saved searches, then `NEW` new records.
/// The saved searches are in `index/watches.json`.
fn setup(records: usize) -> (tempfile::TempDir, OpenIndex, Vec<Watch>) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let exports = tmp.path().join("exports");
    std::fs::create_dir_all(&exports).expect("mkdir");
    std::fs::write(exports.join("old.txt"), export(0, records)).expect("write");
    let root = IndexRoot::new(tmp.path().join("index"));
    let now = litsearch::clock::now_unix();
    ingest_at(&root, &exports, now - 30 * 86_400);
    let index = root.open().expect("open");
    let watches: Vec<Watch> = SEARCHES
        .iter()
        .map(|(name, query, tag)| {
            let filters = Filters {
                tags: tag.iter().map(|t| t.to_string()).collect(),
                ..Filters::default()
            };
            new_watch(&index, name, query, filters, false)
                .expect("watch")
                .0
        })
        .collect();
    let mut file = WatchFile::default();
    for w in &watches {
        file.put(w.clone());
    }
    file.save(&root.dir.join("watches.json")).expect("save");
    drop(index);
    std::fs::write(exports.join("new.txt"), export(records, records + NEW)).expect("write");
    ingest_at(&root, &exports, now);
    let index = root.open().expect("open");
    (tmp, index, watches)
}

fn bench(c: &mut Criterion) {
    let records = std::env::var("LITSEARCH_BENCH_RECORDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let (tmp, index, watches) = setup(records);
    let reported: usize = watches
        .iter()
        .map(|w| {
            run_watch(&index, w, RunOptions::default())
                .expect("run")
                .hits
                .len()
        })
        .sum();
    eprintln!(
        "{} saved searches report {reported} new papers",
        watches.len()
    );
    let mut group = c.benchmark_group(format!("watch_{records}"));
    group.sample_size(20);
    // What `watch run` does after opening the index and loading its saved searches: run
    // each, print the report.
    group.bench_function("watch_run_20_searches", |b| {
        b.iter(|| {
            let reports: Vec<_> = watches
                .iter()
                .map(|w| run_watch(&index, w, RunOptions::default()).expect("run"))
                .collect();
            let mut out = Vec::new();
            litsearch::output::digest::write_json(&mut out, &reports).expect("json");
            out
        })
    });
    // And its fixed cost, whatever the number of searches: load the saved searches, record
    // what was reported, save them atomically (fsync); to another file, so every iteration
    // has the same work.
    let state = tmp.path().join("index").join("watches.json");
    let saved = tmp.path().join("watches-after.json");
    let reports: Vec<_> = WatchFile::load(&state)
        .expect("load")
        .watches
        .iter()
        .map(|w| run_watch(&index, w, RunOptions::default()).expect("run"))
        .collect();
    let newest = index.newest_first_seen().expect("newest");
    group.bench_function("watch_state_load_record_save", |b| {
        b.iter(|| {
            let mut file = WatchFile::load(&state).expect("load");
            for (watch, report) in file.watches.iter_mut().zip(&reports) {
                record(watch, report, newest, 0);
            }
            file.save(&saved).expect("save");
        })
    });
    group.bench_function("query_sparse_autoencoder", |b| {
        let request = SearchRequest {
            query: "sparse autoencoder".to_owned(),
            ..SearchRequest::default()
        };
        b.iter(|| {
            let results = search(&index, &request).expect("search");
            let mut out = Vec::new();
            serde_json::to_writer(
                &mut out,
                &litsearch::output::json::ResultsJson::new(&request.query, &results),
            )
            .expect("json");
            out
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
