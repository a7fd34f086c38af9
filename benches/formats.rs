//! Ingest speed and peak memory of every input format against the page export's, side by side
//! in one run: the same generated papers as a page export, BibTeX, RIS and arXiv snapshot lines.
//!
//! Each round ingests every format once, in turns, as the `litsearch` binary (a fresh index, so
//! a full build with parsing included) whose peak RSS is read from `wait4`; each format keeps
//! its fastest round. Prints records/s, the ratio to the page export's and peak RSS (the target:
//! BibTeX and arXiv ≥ 0.8× the page export's docs/s, RSS bounded as for page exports).
//!
//! ```text
//! cargo bench --bench formats                                     # 100,000 records, 3 rounds
//! LITSEARCH_BENCH_RECORDS=1000000 LITSEARCH_BENCH_ROUNDS=1 cargo bench --bench formats
//! cargo test --bench formats                                      # CI smoke: 300 records, once
//! ```

#[path = "../examples/gen-corpus/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use corpus::Format;

const FORMATS: [Format; 4] = [Format::Page, Format::Bibtex, Format::Arxiv, Format::Ris];

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name)
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
}

/// Runs `litsearch --index INDEX ingest --json FILE`; its wall time, peak RSS in bytes and the
/// records the index holds afterwards.
fn ingest(file: &Path, index: &Path) -> (Duration, u64, u64) {
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_litsearch"))
        .arg("--index")
        .arg(index)
        .args(["ingest", "--json"])
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start litsearch");
    let pid = child.id() as libc::pid_t;
    // Read the pipes on threads so a chatty child cannot block on a full pipe before exiting.
    let mut child = child;
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is valid; `wait4` fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; both pointers are to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = started.elapsed();
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "ingest of {} failed ({status}): {stderr}",
        file.display()
    );
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).expect("--json summary");
    let records = summary["records"].as_u64().expect("records in the summary");
    // Linux reports ru_maxrss in kilobytes.
    (elapsed, usage.ru_maxrss as u64 * 1024, records)
}

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test` (the CI smoke) it is absent.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let records =
        env_number("LITSEARCH_BENCH_RECORDS").unwrap_or(if smoke { 300 } else { 100_000 });
    let rounds = if smoke {
        1
    } else {
        env_number("LITSEARCH_BENCH_ROUNDS").unwrap_or(3).max(1)
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut files = Vec::new();
    for format in FORMATS {
        let path = dir.path().join(format!("papers.{}", format.extension()));
        let bytes = corpus::write_corpus_file_as(&path, format, records, 1).expect("generate");
        files.push((format, path, bytes));
    }
    // Per format: the fastest round's time, the highest peak RSS of any round.
    let mut best = vec![(Duration::MAX, 0u64); FORMATS.len()];
    for round in 0..rounds {
        for (i, (format, path, _)) in files.iter().enumerate() {
            let index = dir.path().join(format!("index-{i}"));
            let (t, rss, indexed) = ingest(path, &index);
            assert_eq!(
                indexed as usize, records,
                "{format:?}: every generated paper is one record"
            );
            eprintln!(
                "round {}: {format:?} {:.2} s, peak RSS {:.0} MB",
                round + 1,
                t.as_secs_f64(),
                rss as f64 / 1e6
            );
            best[i] = (best[i].0.min(t), best[i].1.max(rss));
            std::fs::remove_dir_all(&index).expect("remove the index");
        }
    }
    let page_rate = records as f64 / best[0].0.as_secs_f64();
    println!(
        "formats: {records} records, fastest of {rounds} round(s) taking turns, whole process"
    );
    println!("| format | file MB | ingest s | docs/s | ÷ page export's docs/s | peak RSS MB |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (i, (format, _, bytes)) in files.iter().enumerate() {
        let rate = records as f64 / best[i].0.as_secs_f64();
        println!(
            "| {format:?} | {:.1} | {:.2} | {:.0} | {:.2}× | {:.0} |",
            *bytes as f64 / 1e6,
            best[i].0.as_secs_f64(),
            rate,
            rate / page_rate,
            best[i].1 as f64 / 1e6
        );
    }
}
