//! Deterministic generator of large listings for benchmarks: page exports in the shipped format,
//! or the same papers as arXiv snapshot JSON lines, BibTeX or RIS.
//!
//! ```text
//! cargo run --release --example gen-corpus -- --records 1000000 --seed 1 > /tmp/big.txt
//! cargo run --release --example gen-corpus -- --format arxiv --records 1000000 > /tmp/big.jsonl
//! cargo run --release --example gen-corpus -- --format bibtex --records 100000 > /tmp/big.bib
//! ```
//! See `corpus.rs` for what it writes. Never commit generated corpora.

// `write_corpus_file` is for the benches that include this module.
#[allow(dead_code)]
mod corpus;

use std::io::{self, BufWriter, Write};

const USAGE: &str =
    "usage: gen-corpus [--records N] [--seed S] [--format page|arxiv|bibtex|ris] > FILE";

fn main() -> io::Result<()> {
    let mut records = 10_000usize;
    let mut seed = 1u64;
    let mut format = corpus::Format::Page;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let invalid = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
        let value = |v: Option<String>| -> io::Result<u64> {
            v.and_then(|s| s.replace('_', "").parse().ok())
                .ok_or_else(|| invalid(format!("{a} needs a number")))
        };
        match a.as_str() {
            "--records" | "-n" => records = value(args.next())? as usize,
            "--seed" | "-s" => seed = value(args.next())?,
            "--format" | "-f" => {
                let name = args.next().unwrap_or_default();
                format = corpus::Format::parse(&name).ok_or_else(|| {
                    invalid(format!(
                        "--format {name:?}: expected page, arxiv, bibtex or ris; {USAGE}"
                    ))
                })?;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(invalid(format!("unknown argument {other}; {USAGE}"))),
        }
    }
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    corpus::write_corpus_as(&mut out, format, records, seed)?;
    out.flush()
}
