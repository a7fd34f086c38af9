//! Deterministic generator of large page exports in the shipped format, for benchmarks.
//!
//! ```text
//! cargo run --release --example gen-corpus -- --records 1000000 --seed 1 > /tmp/big.txt
//! ```
//! See `corpus.rs` for what it writes. Never commit generated corpora.

// `write_corpus_file` is for the benches that include this module.
#[allow(dead_code)]
mod corpus;

use std::io::{self, BufWriter, Write};

fn main() -> io::Result<()> {
    let mut records = 10_000usize;
    let mut seed = 1u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let value = |v: Option<String>| -> io::Result<u64> {
            v.and_then(|s| s.replace('_', "").parse().ok())
                .ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidInput, format!("{a} needs a number"))
                })
        };
        match a.as_str() {
            "--records" | "-n" => records = value(args.next())? as usize,
            "--seed" | "-s" => seed = value(args.next())?,
            "-h" | "--help" => {
                println!("usage: gen-corpus [--records N] [--seed S] > export.txt");
                return Ok(());
            }
            other => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("unknown argument {other}; usage: gen-corpus [--records N] [--seed S]"),
                ))
            }
        }
    }
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    corpus::write_corpus(&mut out, records, seed)?;
    out.flush()
}
