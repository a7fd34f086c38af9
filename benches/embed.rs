//! Embedding throughput (issue 29): the Rust embedder (src/embed/) beside Python's onnxruntime
//! on the same model and texts, in one run, alternating, per thread count and batch size.
//! Texts: the shipped corpus's papers (title and abstract, as `passage_text` makes them), cycled
//! to LITSEARCH_BENCH_TEXTS (500). Loading the model is not timed on either side. Each side's
//! best of LITSEARCH_BENCH_ROUNDS (2) rounds, the sides taking turns to go first.
//!
//! ```text
//! cargo bench --bench embed                                   # 500 texts, 1 and 2 threads, batch 1 and 16
//! LITSEARCH_BENCH_TEXTS=100 LITSEARCH_BENCH_THREADS=2 LITSEARCH_BENCH_BATCHES=1 cargo bench --bench embed
//! cargo test --bench embed                                    # CI smoke: 10 texts, once
//! ```
//!
//! Needs the model (scripts/fetch-model, or LITSEARCH_MODEL) and Python's onnxruntime,
//! tokenizers and numpy; LITSEARCH_SKIP_MODEL=1 skips it, saying so.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Instant;

use litsearch::embed::{passage_text, EmbedOptions, Embedder, ModelDir, TextKind};

const CORPUS: &str = include_str!("../corpus/mats-research.txt");
const PYTHON_SIDE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/embed_python.py");

fn list(name: &str, default: &[usize]) -> Vec<usize> {
    std::env::var(name).map_or_else(
        |_| default.to_vec(),
        |s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect(),
    )
}

/// Python's seconds and vectors for the texts.
fn python(
    model: &ModelDir,
    texts: &[String],
    threads: usize,
    batch_size: usize,
    spinning: bool,
) -> (f64, Vec<Vec<f32>>) {
    let request = serde_json::json!({
        "model_dir": model.dir, "texts": texts, "threads": threads, "batch_size": batch_size,
        "spinning": spinning,
    });
    let mut child = Command::new("python3")
        .arg(PYTHON_SIDE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(request.to_string().as_bytes())
        .expect("request");
    let out = child.wait_with_output().expect("python3 ran");
    assert!(
        out.status.success(),
        "benches/embed_python.py failed: it needs python3 -m pip install onnxruntime tokenizers numpy"
    );
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    (
        reply["seconds"].as_f64().expect("seconds"),
        serde_json::from_value(reply["vectors"].clone()).expect("vectors"),
    )
}

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn main() {
    if std::env::var("LITSEARCH_SKIP_MODEL").is_ok_and(|v| !v.is_empty() && v != "0") {
        eprintln!("SKIPPED: the embedding bench needs the model (LITSEARCH_SKIP_MODEL=1)");
        return;
    }
    // `cargo bench` passes `--bench`; under `cargo test` (the CI smoke) it is absent.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let count = if smoke {
        10
    } else {
        list("LITSEARCH_BENCH_TEXTS", &[500])[0]
    };
    let threads = if smoke {
        vec![1]
    } else {
        list("LITSEARCH_BENCH_THREADS", &[1, 2])
    };
    let batches = if smoke {
        vec![1]
    } else {
        list("LITSEARCH_BENCH_BATCHES", &[1, 16])
    };
    let rounds = if smoke {
        1
    } else {
        list("LITSEARCH_BENCH_ROUNDS", &[2])[0].max(1)
    };
    let model = ModelDir::from_flag_or_env(None).unwrap_or_else(|e| panic!("{e}"));
    let (records, _) = litsearch::inputs::parse_str("corpus/mats-research.txt", CORPUS);
    let texts: Vec<String> = records
        .iter()
        .map(passage_text)
        .cycle()
        .take(count)
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();

    println!(
        "{} ({} texts, {} distinct, {} chars on average)",
        model.config.name,
        texts.len(),
        records.len().min(texts.len()),
        texts.iter().map(|t| t.chars().count()).sum::<usize>() / texts.len().max(1)
    );
    // Python twice: onnxruntime's defaults (idle threads spin), and without spinning as the Rust
    // embedder runs; the ratio is against the faster of the two.
    println!(
        "threads  batch  rust docs/s  python docs/s (spinning, not)  rust ÷ best python  least cosine  rust load ms  first query ms"
    );
    for &threads in &threads {
        for &batch_size in &batches {
            let options = EmbedOptions {
                threads,
                batch_size,
            };
            // Each side's best of the rounds; the sides take turns, first one then the other.
            let (mut rust, mut spinning, mut still) = (f64::INFINITY, f64::INFINITY, f64::INFINITY);
            let (mut open_ms, mut query_ms, mut least) = (0.0, 0.0, f32::INFINITY);
            for round in 0..rounds {
                let mut run_rust = || {
                    let opened = Instant::now();
                    let mut embedder =
                        Embedder::open(model.clone(), options).unwrap_or_else(|e| panic!("{e}"));
                    open_ms = opened.elapsed().as_secs_f64() * 1e3;
                    // One query first, so no first-run set-up is timed: what a search pays before
                    // its first result (the load, one query) is printed beside.
                    let first = Instant::now();
                    embedder
                        .embed(
                            TextKind::Query,
                            &["sparse autoencoders for interpretability"],
                        )
                        .expect("embed");
                    query_ms = first.elapsed().as_secs_f64() * 1e3;
                    let start = Instant::now();
                    let ours = embedder.embed(TextKind::Passage, &refs).expect("embed");
                    rust = rust.min(start.elapsed().as_secs_f64());
                    ours
                };
                let run_python = |spinning: &mut f64, still: &mut f64| {
                    let (seconds, theirs) = python(&model, &texts, threads, batch_size, true);
                    *spinning = spinning.min(seconds);
                    *still = still.min(python(&model, &texts, threads, batch_size, false).0);
                    theirs
                };
                let (ours, theirs) = if round % 2 == 0 {
                    let ours = run_rust();
                    (ours, run_python(&mut spinning, &mut still))
                } else {
                    let theirs = run_python(&mut spinning, &mut still);
                    (run_rust(), theirs)
                };
                least = ours
                    .iter()
                    .zip(&theirs)
                    .map(|(a, b)| cosine(a, b))
                    .fold(least, f32::min);
            }
            let n = texts.len() as f64;
            println!(
                "{threads:>7}  {batch_size:>5}  {:>11.1}  {:>14.1} {:>15.1}  {:>17.2}×  {least:>12.5}  {open_ms:>12.0}  {query_ms:>14.1}",
                n / rust,
                n / spinning,
                n / still,
                spinning.min(still) / rust
            );
        }
    }
}
