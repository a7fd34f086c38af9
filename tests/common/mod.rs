//! Shared harness for CLI tests: a temp dir per test holding a copy of the shipped corpus,
//! the built binary run in it with a scrubbed environment, and readers for its output.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;

pub mod shapes;

pub const CORPUS: &str = include_str!("../../corpus/mats-research.txt");

pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    /// An empty directory.
    pub fn empty() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A directory with `corpus/mats-research.txt`, as in a fresh clone.
    pub fn with_corpus() -> Workdir {
        let w = Workdir::empty();
        w.write("corpus/mats-research.txt", CORPUS);
        w
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, contents).expect("write");
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).expect("read")
    }

    /// The binary, in this directory, with no LITSEARCH_* or NO_COLOR from the caller.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("litsearch").expect("binary");
        c.current_dir(self.dir.path());
        for (k, _) in std::env::vars() {
            if k.starts_with("LITSEARCH_") || k == "NO_COLOR" || k == "CLICOLOR_FORCE" {
                c.env_remove(k);
            }
        }
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.cmd().args(args).output().expect("run"))
    }

    /// Ingests the shipped corpus, asserting success.
    pub fn ingest(&self) -> Run {
        let r = self.run(&["ingest"]);
        assert_eq!(r.code, 0, "ingest failed: {}", r.stderr);
        r
    }

    /// `query … --json` read strictly (`shapes::Results`), asserting exit 0 or 1.
    pub fn query(&self, args: &[&str]) -> shapes::Results {
        shapes::strict(&self.query_stdout(args))
    }

    /// `query … --json` as untyped JSON, for tests comparing whole documents; the text is
    /// first read strictly, so a key added or dropped fails here too.
    pub fn query_json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.query_stdout(args);
        let _: shapes::Results = shapes::strict(&out);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}"))
    }

    fn query_stdout(&self, args: &[&str]) -> String {
        let mut all = vec!["query", "--json"];
        all.extend_from_slice(args);
        let r = self.run(&all);
        assert!(
            r.code == 0 || r.code == 1,
            "query {args:?} failed ({}): {}",
            r.code,
            r.stderr
        );
        r.stdout
    }

    /// Titles of the hits of `query … --json`, in order.
    pub fn titles(&self, args: &[&str]) -> Vec<String> {
        self.query(args).titles()
    }
}

/// The outcome of one run.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Records of the shipped corpus, parsed by the library (for counts computed independently).
pub fn corpus_records() -> Vec<litsearch::Record> {
    let (records, diags) = litsearch::inputs::parse_str("corpus/mats-research.txt", CORPUS);
    assert!(diags.is_empty(), "{diags:?}");
    records
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}

/// One entry in the page-export format.
pub fn entry(
    title: &str,
    abstract_text: &str,
    tags: &[&str],
    authors: &str,
    fellows: &str,
    date: &str,
) -> String {
    let middle = if tags.is_empty() {
        "Read more".to_owned()
    } else {
        tags.join("\n")
    };
    format!("{title}\n\n{abstract_text}\n\n{middle}\n\nAuthors:\n\n{authors}\n\nFellows:\n\n{fellows}\n\nDate:\n\n{date}\n\n")
}

/// A page export of `n` distinct synthetic papers (deterministic), for scale and timing tests.
pub fn synthetic_export(n: usize, seed: u64) -> String {
    const WORDS: &[&str] = &[
        "model",
        "sparse",
        "feature",
        "alignment",
        "reward",
        "circuit",
        "probe",
        "agent",
        "deception",
        "oversight",
        "latent",
        "dictionary",
        "activation",
        "benchmark",
        "evaluation",
        "training",
        "language",
        "representation",
        "steering",
        "safety",
        "monitor",
        "scheming",
        "gradient",
        "token",
    ];
    const TAGS: &[&str] = &[
        "Interpretability",
        "Safeguards",
        "Monitoring",
        "Scheming and Deception",
        "Model Organisms",
    ];
    const MONTHS: &[&str] = &[
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = String::from("Synthetic listing\n\nAll Research\n\n");
    for i in 0..n {
        let pick = |r: u64| WORDS[(r % WORDS.len() as u64) as usize];
        let title = format!(
            "Paper {i} on {} {} {}",
            pick(next()),
            pick(next()),
            pick(next())
        );
        let abstract_text: Vec<&str> = (0..40).map(|_| pick(next())).collect();
        let tag = TAGS[(next() % TAGS.len() as u64) as usize];
        let date = format!(
            "{} {}, {}",
            MONTHS[(next() % 12) as usize],
            1 + next() % 28,
            2019 + next() % 8
        );
        out.push_str(&entry(
            &title,
            &abstract_text.join(" "),
            &[tag],
            "Ana Pérez, Bo Li",
            "Ana Pérez",
            &date,
        ));
    }
    out
}

/// Whether an outside tool's test is skipped by its variable (said on stderr), else `false`.
pub fn skipped(var: &str, what: &str) -> bool {
    if std::env::var_os(var).is_some_and(|v| !v.is_empty() && v != "0") {
        eprintln!("skipped: {what} ({var} is set)");
        return true;
    }
    false
}

/// Fails with what to install when `program` is not on PATH (or at that path).
pub fn require(program: &str, install: &str, var: &str) {
    let found = if program.contains('/') {
        std::path::Path::new(program).exists()
    } else {
        std::env::var_os("PATH")
            .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
    };
    assert!(
        found,
        "{program} is missing: {install} (or set {var}=1 to skip this test)"
    );
}
