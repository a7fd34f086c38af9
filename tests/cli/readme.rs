//! Every example in README.md runs. Each line of a ```sh block runs in a fresh workdir per block
//! (the shipped corpus plus the files the examples name), in order, and must exit with 0 or the
//! status listed for it here, without a panic; `$ litsearch …` lines of output blocks must print
//! what the README shows. A line that cannot run here is listed in `NOT_RUN` with the reason, so
//! a new example is either run or consciously left out — never silently untested.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::Stdio;

use crate::common::{entry, Run, Workdir};

const README: &str = include_str!("../../README.md");

/// Example lines not run at all, each with why.
const NOT_RUN: &[(&str, &str)] = &[
    ("cargo test --locked", "the test suite itself"),
    (
        "cargo run --release --example gen-corpus -- --format arxiv --records 100000 > arxiv-sample.jsonl",
        "a release build of the example inside the tests; .ci/run and the benches run gen-corpus",
    ),
    (
        "litsearch ingest --engine opensearch+http://127.0.0.1:9200/papers --shards 3 corpus/",
        "needs an OpenSearch cluster: tests/opensearch.rs runs ingest and query on one",
    ),
    (
        "litsearch query --engine opensearch+http://127.0.0.1:9200/papers \"sparse autoencoders\" --tag interpretability",
        "needs an OpenSearch cluster: tests/opensearch.rs runs ingest and query on one",
    ),
    (
        "litsearch serve",
        "serves until stopped: tests/cli/serve.rs starts and stops it",
    ),
    (
        "litsearch serve --bind 0.0.0.0:7700",
        "serves until stopped, on every interface: tests/cli/serve.rs starts and stops it",
    ),
    (
        "*/15 *  *   *   *    cd /srv/listing && litsearch ingest --quiet --wait 60 exports/",
        "a crontab line (cron runs it); ingest --quiet, --wait and status 1 are tested in ingest.rs",
    ),
    (
        "*/15 *  *   *   *    cd /srv/listing && out=$(litsearch ingest --wait 60 exports/ 2>&1) || echo \"$out\"",
        "a crontab line (cron runs it and mails what it prints)",
    ),
    (
        "0 7 * * *  cd /path/to/listing && litsearch ingest --quiet && litsearch watch run --deliver 'mail -s \"New papers\" me@example.org'",
        "a crontab line that sends mail; --deliver is tested in output.rs",
    ),
    (
        "0 * * * *  cd /path/to/listing && litsearch ingest --quiet && litsearch watch run --quiet --format atom --output /var/www/feeds",
        "a crontab line writing to /var/www; Atom feeds are tested in watch.rs and output.rs",
    ),
    (
        "scripts/fetch-model",
        "downloads the model (.ci/run runs it); tests/embed.rs runs it into a temporary directory",
    ),
    (
        "scripts/fetch-model bge-small-en-v1.5",
        "downloads a second model; the script's install and repair are tested with the default",
    ),
];

/// Programs README lines pipe into or chain after litsearch: not run here (the litsearch side
/// is, and what it pipes into `jq` must be JSON).
const OUTSIDE_TOOLS: &[(&str, &str)] = &[
    (
        "jq",
        "not installed everywhere; the JSON it reads is checked instead",
    ),
    ("man", "a pager, for people"),
    ("sudo", "installs into /usr/local"),
];

/// Example lines documented to end with another status than 0.
const STATUS: &[(&str, i32, &str)] = &[(
    "litsearch query sycophnacy --exact",
    1,
    "no typo tolerance: nothing matches (exit status 1: the query found nothing)",
)];

/// The fence languages of README blocks; those holding examples are `sh` and `cron` (lines),
/// `text` and the unnamed one (`$ litsearch …` followed by its output). `nginx` and `perl`
/// (a `latexmkrc`) are configuration, not run; the `json` block is the `model.json` example,
/// which tests/embed.rs reads as a model directory's.
const FENCES: &[&str] = &["sh", "cron", "text", "", "nginx", "perl", "json"];

/// One fenced block of the README.
struct Block {
    lang: String,
    /// The 1-based README line of each of its lines, with the line.
    lines: Vec<(usize, String)>,
}

fn blocks() -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in README.lines().enumerate() {
        if let Some(fence) = line.trim_start().strip_prefix("```") {
            match open.take() {
                Some(b) => out.push(b),
                None => {
                    open = Some(Block {
                        lang: fence.trim().to_owned(),
                        lines: Vec::new(),
                    })
                }
            }
        } else if let Some(b) = &mut open {
            b.lines.push((i + 1, line.to_owned()));
        }
    }
    assert!(open.is_none(), "README.md ends inside a fenced block");
    out
}

/// A line as the shell reads it, simply: words (quotes removed), operators, and the comment.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    /// `&&`, `||`, `;`, `|`, `>`, `&`
    Op(&'static str),
}

fn tokenize(line: &str) -> (Vec<Tok>, Option<String>) {
    let mut toks = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for (_, q) in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some((_, q)) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some((_, e)) = chars.next() {
                                word.push(e);
                            }
                        }
                        _ => word.push(q),
                    }
                }
            }
            '#' if !in_word => {
                return (toks, Some(line[at + 1..].trim().to_owned()));
            }
            c if c.is_whitespace() || "&|;>".contains(c) => {
                if in_word {
                    toks.push(Tok::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
                let next = chars.peek().map(|&(_, n)| n);
                match (c, next) {
                    ('&', Some('&')) => {
                        chars.next();
                        toks.push(Tok::Op("&&"));
                    }
                    ('|', Some('|')) => {
                        chars.next();
                        toks.push(Tok::Op("||"));
                    }
                    ('|', _) => toks.push(Tok::Op("|")),
                    (';', _) => toks.push(Tok::Op(";")),
                    ('>', _) => toks.push(Tok::Op(">")),
                    ('&', _) => toks.push(Tok::Op("&")),
                    _ => {}
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        toks.push(Tok::Word(word));
    }
    (toks, None)
}

/// One command of a line: its words, where its stdout goes, and how it joins the one before.
#[derive(Debug)]
struct Command {
    joined_by: &'static str,
    words: Vec<String>,
    stdout_to: Option<String>,
}

fn commands(toks: Vec<Tok>) -> Vec<Command> {
    let mut out = vec![Command {
        joined_by: "",
        words: Vec::new(),
        stdout_to: None,
    }];
    let mut redirect = false;
    for t in toks {
        let last = out.last_mut().unwrap();
        match t {
            Tok::Op(">") => redirect = true,
            Tok::Op(op) => out.push(Command {
                joined_by: op,
                words: Vec::new(),
                stdout_to: None,
            }),
            Tok::Word(w) if redirect => {
                last.stdout_to = Some(w);
                redirect = false;
            }
            Tok::Word(w) => last.words.push(w),
        }
    }
    out
}

/// A workdir as a reader following the README has it: the shipped corpus in `corpus/`, a
/// directory of exports (the corpus and one paper more), one more export file, a BibTeX
/// library in the home directory and a small arXiv snapshot.
fn readme_workdir() -> Workdir {
    let w = Workdir::with_corpus();
    w.write("exports/mats-research.txt", crate::common::CORPUS);
    w.write(
        "exports/new.txt",
        format!(
            "Featured Research\n\n{}",
            entry(
                "Sparse autoencoders for protein language models",
                "We train a sparse autoencoder on a protein language model and find interpretable features.",
                &["Interpretability"],
                "Ada Lovelace",
                "Alan Turing",
                "Nov 1, 2026",
            )
        ),
    );
    w.write(
        "more.txt",
        format!(
            "Featured Research\n\n{}",
            entry(
                "Jailbreaking reward models",
                "Reward models can be jailbroken by adversarial suffixes.",
                &["Adversarial Robustness"],
                "Grace Hopper",
                "Edsger Dijkstra",
                "Oct 3, 2026",
            )
        ),
    );
    w.write(
        "home/library.bib",
        "@article{lovelace2025,\n  title = {Notes on the Analytical Engine},\n  author = {Lovelace, Ada},\n  year = {2025},\n  journal = {Memoirs},\n  keywords = {Interpretability},\n}\n",
    );
    w.write(
        "arxiv-metadata-oai-snapshot.json",
        concat!(
            r#"{"id":"2401.00001","submitter":"Ada Lovelace","authors":"Ada Lovelace and Alan Turing","title":"Mechanistic interpretability of small transformers","comments":null,"journal-ref":null,"doi":null,"report-no":null,"categories":"cs.LG","license":null,"abstract":"We reverse-engineer the circuits of small transformers.","versions":[{"version":"v1","created":"Tue, 2 Jan 2024 00:00:00 GMT"}],"update_date":"2024-01-02","authors_parsed":[["Lovelace","Ada",""],["Turing","Alan",""]]}"#,
            "\n",
            r#"{"id":"2302.00002","submitter":"Alan Turing","authors":"Alan Turing","title":"Computing machinery and attention","comments":null,"journal-ref":null,"doi":null,"report-no":null,"categories":"cs.CL","license":null,"abstract":"Can attention think?","versions":[{"version":"v1","created":"Wed, 1 Feb 2023 00:00:00 GMT"}],"update_date":"2023-02-01","authors_parsed":[["Turing","Alan",""]]}"#,
            "\n"
        ),
    );
    w
}

/// Runs litsearch with `args` in `w`, `~` meaning the workdir's `home/`, feeding `stdin`.
fn litsearch(w: &Workdir, args: &[String], stdin: Option<&str>) -> Run {
    let home = w.path("home");
    let args: Vec<String> = args
        .iter()
        .map(|a| match a.strip_prefix("~/") {
            Some(rest) => home.join(rest).display().to_string(),
            None => a.clone(),
        })
        .collect();
    let mut c = w.cmd();
    c.args(&args)
        .env("HOME", &home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().expect("spawn");
    if let Some(input) = stdin {
        let _ = child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes());
    }
    drop(child.stdin.take());
    Run::from(child.wait_with_output().expect("wait"))
}

/// The example line without its comment, as written in the README (for the lists above).
fn example_text(line: &str) -> String {
    let (toks, comment) = tokenize(line);
    match comment {
        // Cut at the comment: everything before the `#` that starts it.
        Some(c) if !toks.is_empty() => {
            let cut = line.rfind(&format!("# {c}")).or_else(|| line.rfind('#'));
            line[..cut.unwrap_or(line.len())].trim().to_owned()
        }
        _ => line.trim().to_owned(),
    }
}

/// Runs one example line in `w`; returns the status of the last litsearch it ran.
fn run_line(w: &Workdir, at: usize, line: &str) -> i32 {
    let (toks, comment) = tokenize(line);
    let mut status = 0;
    let mut last: Option<Run> = None;
    let mut ran_any = false;
    for cmd in commands(toks) {
        let Some(program) = cmd.words.first() else {
            continue;
        };
        let run_it = match cmd.joined_by {
            "&&" => status == 0,
            "||" => status != 0,
            _ => true,
        };
        if !run_it {
            continue;
        }
        let args: Vec<String> = match program.as_str() {
            "litsearch" => cmd.words[1..].to_vec(),
            // `cargo run --release -- ARGS` is litsearch ARGS, built as the tests build it.
            "cargo" if cmd.words.len() >= 4 && cmd.words[1..4] == ["run", "--release", "--"] => {
                cmd.words[4..].to_vec()
            }
            other => {
                let known = OUTSIDE_TOOLS.iter().any(|(tool, _)| tool == &other);
                assert!(
                    known,
                    "README.md:{at}: `{other}` in `{line}` is neither run by this test nor listed \
                     in OUTSIDE_TOOLS (or the whole line in NOT_RUN) with a reason"
                );
                if other == "jq" {
                    let out = last.as_ref().map_or("", |r| r.stdout.as_str());
                    let whole = serde_json::from_str::<serde_json::Value>(out).is_ok();
                    let lines = out
                        .lines()
                        .filter(|l| !l.trim().is_empty())
                        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok());
                    assert!(
                        whole || lines,
                        "README.md:{at}: `{line}` pipes into jq what is not JSON:\n{out}"
                    );
                }
                continue;
            }
        };
        let stdin = match (cmd.joined_by, &last) {
            ("|", Some(prev)) => Some(prev.stdout.clone()),
            _ => None,
        };
        let r = litsearch(w, &args, stdin.as_deref());
        assert!(
            !r.stderr.contains("panicked"),
            "README.md:{at}: `{line}` panicked:\n{}",
            r.stderr
        );
        if let Some(to) = &cmd.stdout_to {
            let path = match to.strip_prefix("~/") {
                Some(rest) => w.path("home").join(rest),
                None => w.path(to),
            };
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, &r.stdout).unwrap();
        }
        // A comment that begins like the output (`# litsearch 0.1.0 (index schema 5)`) is it.
        if let Some(shown) = comment.as_deref().filter(|c| c.starts_with("litsearch ")) {
            assert_eq!(
                r.stdout.trim(),
                shown,
                "README.md:{at}: `{line}` prints something else than the README says"
            );
        }
        status = r.code;
        last = Some(r);
        ran_any = true;
    }
    assert!(ran_any, "README.md:{at}: `{line}` ran no litsearch");
    status
}

#[test]
fn every_readme_example_runs_or_is_listed() {
    let not_run: BTreeSet<&str> = NOT_RUN.iter().map(|(l, _)| *l).collect();
    let mut seen_not_run = BTreeSet::new();
    let mut seen_status = BTreeSet::new();
    let mut ran = 0;
    for block in blocks() {
        assert!(
            FENCES.contains(&block.lang.as_str()),
            "README.md:{}: a ```{} block: say in tests/cli/readme.rs how its examples are run",
            block.lines.first().map_or(0, |l| l.0),
            block.lang
        );
        if !matches!(block.lang.as_str(), "sh" | "cron") {
            continue;
        }
        let w = readme_workdir();
        for (at, line) in &block.lines {
            let (toks, _) = tokenize(line);
            if toks.is_empty() {
                continue; // a comment or a blank line
            }
            let text = example_text(line);
            if not_run.contains(text.as_str()) {
                seen_not_run.insert(text);
                continue;
            }
            assert_ne!(
                block.lang, "cron",
                "README.md:{at}: a crontab line neither run nor listed in NOT_RUN: {text}"
            );
            let expected = STATUS
                .iter()
                .find(|(l, _, _)| *l == text)
                .map_or(0, |(_, s, _)| *s);
            if expected != 0 {
                seen_status.insert(text.clone());
            }
            let status = run_line(&w, *at, line);
            assert_eq!(
                status, expected,
                "README.md:{at}: `{text}` exited {status}, expected {expected} (list documented \
                 statuses in STATUS)"
            );
            ran += 1;
        }
    }
    assert!(ran > 30, "only {ran} README examples ran");
    // The lists name only lines the README still has.
    for (line, why) in NOT_RUN {
        assert!(
            seen_not_run.contains(*line),
            "NOT_RUN lists a line README.md no longer has: {line} ({why})"
        );
    }
    for (line, _, _) in STATUS {
        assert!(
            seen_status.contains(*line),
            "STATUS lists a line README.md no longer has: {line}"
        );
    }
}

/// Numbers (counts, seconds) replaced, for output whose numbers depend on the run.
fn numbers_out(s: &str) -> String {
    let mut out = String::new();
    let mut in_number = false;
    for c in s.chars() {
        if c.is_ascii_digit() || (in_number && c == '.') {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

/// Whether `shown` (the README's lines, `…` standing for lines left out) is in `printed`: each
/// run of lines between `…`s printed whole and in order.
fn shows_in(printed: &[String], shown: &[String]) -> bool {
    let mut from = 0;
    for chunk in shown.split(|l| l.trim() == "…") {
        if chunk.is_empty() {
            continue;
        }
        match (from..=printed.len().saturating_sub(chunk.len()))
            .find(|&i| printed.get(i..i + chunk.len()) == Some(chunk))
        {
            Some(i) => from = i + chunk.len(),
            None => return false,
        }
    }
    true
}

/// `$ litsearch …` lines in output blocks print what follows them, on a fresh workdir with the
/// shipped corpus indexed (an `ingest`'s counts and seconds aside; JSON by its keys).
#[test]
fn readme_output_examples_match_the_binary() {
    let mut checked = 0;
    for block in blocks() {
        if !matches!(block.lang.as_str(), "text" | "") {
            continue;
        }
        let lines = &block.lines;
        let mut i = 0;
        while i < lines.len() {
            let (at, line) = &lines[i];
            i += 1;
            let Some(command) = line.strip_prefix("$ ") else {
                continue;
            };
            let mut shown = Vec::new();
            while i < lines.len() && !lines[i].1.starts_with("$ ") {
                shown.push(lines[i].1.as_str());
                i += 1;
            }
            let (toks, _) = tokenize(command);
            let words: Vec<String> = toks
                .into_iter()
                .map(|t| match t {
                    Tok::Word(w) => w,
                    Tok::Op(op) => panic!("README.md:{at}: `{op}` in an output example"),
                })
                .collect();
            assert_eq!(words[0], "litsearch", "README.md:{at}");
            // Shown on an index that exists (an `ingest` that builds one adds `, rebuilt`).
            let w = readme_workdir();
            w.ingest();
            let r = litsearch(&w, &words[1..], None);
            let printed = format!("{}{}", r.stdout, r.stderr);
            let printed: Vec<&str> = printed.lines().collect();
            if words[1] == "ingest" && words.iter().any(|w| w == "--json") {
                let keys = |s: &str| -> Vec<String> {
                    let v: serde_json::Value = serde_json::from_str(s).unwrap_or_else(|e| {
                        panic!("README.md:{at}: {e}: {s}");
                    });
                    v.as_object().unwrap().keys().cloned().collect()
                };
                assert_eq!(keys(printed[0]), keys(shown[0]), "README.md:{at}");
                // And README's example is an ingest summary as the tests read it.
                let _: crate::common::shapes::IngestSummary =
                    crate::common::shapes::strict(shown[0]);
            } else {
                // An ingest's counts and seconds depend on the index it found.
                let plain = |l: &&str| -> String {
                    if words[1] == "ingest" {
                        numbers_out(l)
                    } else {
                        (*l).to_owned()
                    }
                };
                let got: Vec<String> = printed.iter().map(plain).collect();
                let want: Vec<String> = shown.iter().map(plain).collect();
                assert!(
                    shows_in(&got, &want),
                    "README.md:{at}: `{command}` prints\n{}\nnot what the README shows:\n{}",
                    got.join("\n"),
                    want.join("\n")
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} output examples");
}

/// The keys and columns the README lists for query's JSON hits, CSV and export's CSV.
#[test]
fn readme_key_and_column_lists_match_the_binary() {
    let w = Workdir::with_corpus();
    w.ingest();
    let between = |after: &str, before: &str| -> Vec<String> {
        let start = README.find(after).unwrap_or_else(|| panic!("{after:?}")) + after.len();
        let end = start + README[start..].find(before).unwrap();
        // `source: {file, line}` is the key `source`.
        README[start..end]
            .replace(": {file, line}", "")
            .split(',')
            .map(|k| k.trim().to_owned())
            .collect()
    };
    let hit_keys = between("Each JSON hit: `", "`;");
    let keys_of = |v: &serde_json::Value| -> Vec<String> {
        v["hits"][0].as_object().unwrap().keys().cloned().collect()
    };
    let identifiers = ["doi", "url", "arxiv"];
    let without: Vec<String> = hit_keys
        .iter()
        .filter(|k| !identifiers.contains(&k.as_str()))
        .cloned()
        .collect();
    let v = w.query_json(&["sycophancy", "-n", "1"]);
    assert_eq!(
        keys_of(&v),
        without,
        "README's JSON hit keys, a record without ids"
    );
    // A record with all three shows them where the README lists them.
    let ids = Workdir::empty();
    ids.write(
        "ids.jsonl",
        r#"{"title": "Probing with identifiers", "date": "2024-01-05", "authors": ["Ada Lovelace"], "doi": "10.1145/1234.5678", "url": "https://example.org/p", "arxiv": "2401.05566"}"#,
    );
    let r = ids.run(&["ingest", "ids.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = ids.query_json(&["probing", "-n", "1"]);
    assert_eq!(
        keys_of(&v),
        hit_keys,
        "README's JSON hit keys, a record with ids"
    );

    // The first line of a command's CSV, split into columns.
    let csv_header = |args: &[&str]| -> Vec<String> {
        let r = w.run(args);
        let first = r.stdout.lines().next().unwrap_or_default().to_owned();
        first.split(',').map(str::to_owned).collect()
    };
    assert_eq!(
        csv_header(&["query", "sycophancy", "--format", "csv"]),
        between("CSV columns: `", "`."),
        "README's CSV columns"
    );
    assert_eq!(
        csv_header(&["export", "--format", "csv"]),
        between("CSV has a header row `", "`;"),
        "README's export CSV header"
    );
}

#[test]
fn tokenizer_reads_lines_as_the_shell_does() {
    let (toks, comment) =
        tokenize(r#"litsearch query 'a "b"' "c d" --json | jq -r '.x' > out.txt # note"#);
    let w = |s: &str| Tok::Word(s.to_owned());
    assert_eq!(
        toks,
        vec![
            w("litsearch"),
            w("query"),
            w("a \"b\""),
            w("c d"),
            w("--json"),
            Tok::Op("|"),
            w("jq"),
            w("-r"),
            w(".x"),
            Tok::Op(">"),
            w("out.txt"),
        ]
    );
    assert_eq!(comment.as_deref(), Some("note"));
    let (toks, _) = tokenize("a && b || c ; d");
    assert_eq!(
        toks,
        vec![
            w("a"),
            Tok::Op("&&"),
            w("b"),
            Tok::Op("||"),
            w("c"),
            Tok::Op(";"),
            w("d")
        ]
    );
}
