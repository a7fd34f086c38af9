//! The bibliography round trip (issue 30): citation keys kept, made and found; export as
//! BibTeX, BibLaTeX, RIS and CSL-JSON, read back; the real tools (LaTeX, biber, pandoc).

use crate::common::shapes::{self, Record};
use crate::common::Workdir;

/// `export` (JSON lines) read strictly.
fn exported(w: &Workdir) -> Vec<Record> {
    let r = w.run(&["export"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    shapes::strict_lines(&r.stdout)
}

fn key_of(records: &[Record], title: &str) -> String {
    records
        .iter()
        .find(|r| r.title == title)
        .and_then(|r| r.key.clone())
        .unwrap_or_else(|| panic!("no key for \"{title}\" in {records:#?}"))
}

const KNUTH: &str = r#"@book{Knuth:1984:TB,
  author = {Donald E. Knuth},
  title = {The {\TeX}book},
  year = 1984,
}
@article{lamport94,
  author = {Leslie Lamport},
  title = {{\LaTeX}: A Document Preparation System},
  year = 1994,
}
"#;

#[test]
fn bibtex_keys_are_kept_exactly_and_other_papers_get_made_ones() {
    let w = Workdir::with_corpus();
    w.write("corpus/lib.bib", KNUTH);
    w.ingest();
    let records = exported(&w);
    assert_eq!(records.len(), 27);
    assert_eq!(key_of(&records, "The TeXbook"), "Knuth:1984:TB");
    assert_eq!(
        key_of(
            &records,
            "Steering Language Models With Activation Engineering"
        ),
        "turner2023steering"
    );
    let keys: Vec<String> = records.iter().filter_map(|r| r.key.clone()).collect();
    assert_eq!(keys.len(), records.len(), "every indexed paper has a key");
    let mut folded: Vec<String> = keys.iter().map(|k| k.to_lowercase()).collect();
    folded.sort();
    folded.dedup();
    assert_eq!(folded.len(), keys.len(), "unique case aside: {keys:?}");
    assert!(keys.iter().all(|k| k.is_ascii()), "{keys:?}");

    // `show KEY` (case aside) and `key:KEY` find the paper; JSON hits carry the key.
    let r = w.run(&["show", "knuth:1984:tb"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("The TeXbook\n"), "{}", r.stdout);
    assert!(
        r.stdout.contains("key:        Knuth:1984:TB\n"),
        "{}",
        r.stdout
    );
    let q = w.query(&["key:LAMPORT94"]);
    assert_eq!(q.titles(), ["LaTeX: A Document Preparation System"]);
    assert_eq!(q.hits[0].key, "lamport94");
    let q = w.query(&["key:lamport9"]);
    assert!(q.hits.is_empty(), "a key is matched whole");
}

fn lovelace(title: &str) -> String {
    format!(r#"{{"title": "{title}", "date": "1843", "authors": ["Ada Lovelace"]}}"#)
}

#[test]
fn a_made_key_is_kept_across_reingests_whatever_comes_first() {
    let w = Workdir::empty();
    w.write("in/a.jsonl", lovelace("Notes on the Engine") + "\n");
    let r = w.run(&["ingest", "in"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        key_of(&exported(&w), "Notes on the Engine"),
        "lovelace1843notes"
    );
    // A new paper of the same made key, read before it: the first paper keeps its key.
    w.write(
        "in/a.jsonl",
        lovelace("Notes, a Sequel") + "\n" + &lovelace("Notes on the Engine") + "\n",
    );
    let r = w.run(&["ingest", "in"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let records = exported(&w);
    assert_eq!(key_of(&records, "Notes on the Engine"), "lovelace1843notes");
    assert_eq!(key_of(&records, "Notes, a Sequel"), "lovelace1843notesa");
    // A rebuild keeps them too.
    let r = w.run(&["ingest", "in", "--rebuild"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let records = exported(&w);
    assert_eq!(key_of(&records, "Notes on the Engine"), "lovelace1843notes");
    assert_eq!(key_of(&records, "Notes, a Sequel"), "lovelace1843notesa");
}

#[test]
fn one_key_given_to_two_papers_by_two_files_is_reported_and_the_second_suffixed() {
    let w = Workdir::empty();
    w.write(
        "in/a.bib",
        "@article{smith2020,\n  title = {First Paper}, author = {Smith, Ann}, year = 2020}\n",
    );
    w.write(
        "in/b.bib",
        "% another library\n@article{Smith2020,\n  title = {Second Paper}, author = {Smith, Bo}, year = 2020}\n",
    );
    let r = w.run(&["ingest", "in"]);
    assert_eq!(r.code, 1, "a warning: {}", r.stderr);
    let warning = r
        .stderr
        .lines()
        .find(|l| l.contains("citation key"))
        .unwrap_or_else(|| panic!("{}", r.stderr));
    assert!(warning.contains("in/b.bib:2:"), "{warning}");
    assert!(warning.contains("in/a.bib:1"), "{warning}");
    assert!(warning.contains("`Smith2020a`"), "{warning}");
    let records = exported(&w);
    assert_eq!(key_of(&records, "First Paper"), "smith2020");
    assert_eq!(key_of(&records, "Second Paper"), "Smith2020a");
    // Again: the same keys, the same report.
    let r = w.run(&["ingest", "in", "--rebuild"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("citation key `Smith2020`"),
        "{}",
        r.stderr
    );
    assert_eq!(key_of(&exported(&w), "Second Paper"), "Smith2020a");
}

#[test]
fn a_records_file_key_is_kept_and_one_that_cannot_be_cited_is_refused() {
    let w = Workdir::empty();
    w.write(
        "r.jsonl",
        r#"{"title": "Kept", "date": "2020", "key": "mine:2020"}
{"title": "Refused", "date": "2020", "authors": ["Bo Li"], "key": "two words"}
"#,
    );
    let r = w.run(&["parse", "r.jsonl"]);
    let parsed: Vec<Record> = shapes::strict_lines(&r.stdout);
    assert_eq!(parsed[0].key.as_deref(), Some("mine:2020"));
    assert_eq!(parsed[1].key, None);
    assert!(
        r.stderr
            .contains("r.jsonl:2: key \"two words\" cannot be a citation key"),
        "{}",
        r.stderr
    );
    let r = w.run(&["ingest", "r.jsonl"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let records = exported(&w);
    assert_eq!(key_of(&records, "Kept"), "mine:2020");
    assert_eq!(key_of(&records, "Refused"), "li2020refused");
}

/// Titles of `export --format jsonl` plus `args`, in order, and the run.
fn exported_titles(w: &Workdir, args: &[&str], stdin: Option<&str>) -> (Vec<String>, i32, String) {
    let mut all = vec!["export"];
    all.extend_from_slice(args);
    let mut cmd = assert_cmd::Command::from_std(w.cmd());
    cmd.args(&all);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let r = crate::common::Run::from(cmd.output().expect("run"));
    let records: Vec<Record> = shapes::strict_lines(&r.stdout);
    (
        records.into_iter().map(|r| r.title).collect(),
        r.code,
        r.stderr,
    )
}

#[test]
fn export_takes_keys_pasted_citations_and_aux_files() {
    let w = Workdir::with_corpus();
    w.write("corpus/lib.bib", KNUTH);
    w.ingest();
    let steering = "Steering Language Models With Activation Engineering";
    let (titles, code, _) = exported_titles(&w, &["--keys", "lamport94,turner2023steering"], None);
    assert_eq!(code, 0);
    assert_eq!(titles, ["LaTeX: A Document Preparation System", steering]);
    let (titles, code, _) = exported_titles(
        &w,
        &["--keys", "-"],
        Some("as in \\citep[p.~3]{Knuth:1984:TB} and \\cite{lamport94, Knuth:1984:TB}\n"),
    );
    assert_eq!(code, 0);
    assert_eq!(
        titles,
        ["The TeXbook", "LaTeX: A Document Preparation System"]
    );
    // BibTeX's .aux and biblatex's, as pdflatex writes them.
    w.write(
        "paper.aux",
        "\\relax\n\\citation{turner2023steering}\n\\bibstyle{plain}\n\\citation{lamport94,turner2023steering}\n\\bibdata{refs}\n",
    );
    let (titles, _, _) = exported_titles(&w, &["--aux", "paper.aux"], None);
    assert_eq!(titles, [steering, "LaTeX: A Document Preparation System"]);
    w.write(
        "biblatex.aux",
        "\\relax\n\\abx@aux@refcontext{nty/global//global/global}\n\\abx@aux@cite{0}{Knuth:1984:TB}\n\\abx@aux@segm{0}{0}{Knuth:1984:TB}\n",
    );
    let (titles, _, _) = exported_titles(&w, &["--aux", "biblatex.aux"], None);
    assert_eq!(titles, ["The TeXbook"]);
    w.write("all.aux", "\\citation{*}\n");
    let (titles, _, _) = exported_titles(&w, &["--aux", "all.aux"], None);
    assert_eq!(titles.len(), 27);
    // A key no paper has: named with the nearest, the rest written, exit 1.
    let (titles, code, stderr) =
        exported_titles(&w, &["--keys", "turner2023steer,lamport94"], None);
    assert_eq!(code, 1);
    assert_eq!(titles, ["LaTeX: A Document Preparation System"]);
    assert_eq!(
        stderr.trim(),
        "litsearch: no paper has the key \"turner2023steer\" (nearest: turner2023steering)"
    );
    let r = w.run(&["export", "--keys", "lamport94", "sparse"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn bibtex_ris_and_csl_exports_read_back_as_the_same_records_and_keys() {
    let w = Workdir::with_corpus();
    w.write("corpus/lib.bib", KNUTH);
    w.ingest();
    let first = exported(&w);
    for (format, file) in [
        ("bibtex", "out.bib"),
        ("biblatex", "out2.bib"),
        ("ris", "out.ris"),
        ("csl-json", "out.json"),
    ] {
        let r = w.run(&["export", "--format", format]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        w.write(&format!("{format}/{file}"), &r.stdout);
        let index = format!("ix-{format}");
        let r = w.run(&["--index", &index, "ingest", format]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        // A .bib read back gives the same keys and papers; read back again, the same ids.
        let r = w.run(&["--index", &index, "export", "--format", format]);
        w.write(&format!("{format}-again/{file}"), &r.stdout);
        let again_index = format!("ix-{format}-again");
        let r = w.run(&[
            "--index",
            &again_index,
            "ingest",
            &format!("{format}-again"),
        ]);
        assert_eq!(r.code, 0, "{format}: {}", r.stderr);
        let once: Vec<Record> = shapes::strict_lines(&w.run(&["--index", &index, "export"]).stdout);
        let twice: Vec<Record> =
            shapes::strict_lines(&w.run(&["--index", &again_index, "export"]).stdout);
        let strip = |rs: &[Record]| -> Vec<(Option<String>, String, Vec<String>, String)> {
            let mut v: Vec<_> = rs
                .iter()
                .map(|r| {
                    (
                        r.key.clone(),
                        r.title.clone(),
                        r.authors.clone(),
                        r.date.clone(),
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(strip(&once), strip(&first), "{format}: the corpus's papers");
        let ids = |rs: &[Record]| -> Vec<(String, Option<String>)> {
            let mut v: Vec<_> = rs.iter().map(|r| (r.id.clone(), r.key.clone())).collect();
            v.sort();
            v
        };
        assert_eq!(
            ids(&once),
            ids(&twice),
            "{format}: ids and keys of a second trip"
        );
    }
}

// --- the real tools -----------------------------------------------------------------------

/// The tools a test needs, or why it cannot run: a failure naming what to install, unless
/// LITSEARCH_SKIP_LATEX=1 (then it says that it skipped).
fn tools_or_skip(tools: &[&str], test: &str) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| {
            std::process::Command::new(t)
                .arg("--version")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .is_err()
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("LITSEARCH_SKIP_LATEX").as_deref() == Ok("1") {
        eprintln!(
            "{test}: skipped (LITSEARCH_SKIP_LATEX=1; missing {})",
            missing.join(", ")
        );
        return false;
    }
    panic!(
        "{test}: {} not found: install Debian's texlive-latex-base texlive-latex-recommended \
         texlive-bibtex-extra biber pandoc poppler-utils (as .ci/run does), or set \
         LITSEARCH_SKIP_LATEX=1 to skip",
        missing.join(", ")
    );
}

/// biblatex's own example bibliography, from Debian's texlive-bibtex-extra: real entries no one
/// here wrote.
const BIBLATEX_EXAMPLES: &str =
    "/usr/share/texlive/texmf-dist/bibtex/bib/biblatex/biblatex/biblatex-examples.bib";

/// Five papers of the shipped corpus and five of biblatex-examples.bib, by key, with titles.
const CITED: [(&str, &str); 10] = [
    (
        "xiao2025ai",
        "AI agents find $4.6M in blockchain smart contract exploits",
    ),
    (
        "turner2023steering",
        "Steering Language Models With Activation Engineering",
    ),
    (
        "cunningham2023sparse",
        "Sparse Autoencoders Find Highly Interpretable Features in Language Models",
    ),
    (
        "arcuschin2026biases",
        "Biases in the Blind Spot: Detecting What LLMs Fail to Mention",
    ),
    (
        "minder2025overcoming",
        "Overcoming Sparsity Artifacts in Crosscoders to Interpret Chat-Tuning",
    ),
    ("markey", "Tame the BeaST"),
    ("baez/article", "Higher-Dimensional Algebra V: 2-Groups"),
    (
        "herrmann",
        "A carbocyclic carbene as an efficient catalyst ligand for C–C coupling reactions",
    ),
    ("worman", "The Cast of Character"),
    (
        "angenendt",
        "In Honore Salvatoris – Vom Sinn und Unsinn der Patrozinienkunde",
    ),
];

/// Text as compared with a PDF's: lowercase (styles change case), one space, no quotes.
fn comparable(s: &str) -> String {
    s.to_lowercase()
        .replace(['“', '”', '"'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An index of the corpus and biblatex-examples.bib, and a LaTeX document citing the ten.
fn latex_workdir() -> Workdir {
    let w = Workdir::with_corpus();
    let examples = std::fs::read(BIBLATEX_EXAMPLES)
        .unwrap_or_else(|e| panic!("{BIBLATEX_EXAMPLES}: {e} (install texlive-bibtex-extra)"));
    w.write("corpus/biblatex-examples.bib", examples);
    let r = w.run(&["ingest"]);
    assert!(r.code <= 1, "{}", r.stderr);
    w
}

fn run_tool(w: &Workdir, tool: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(tool)
        .args(args)
        .current_dir(w.path(""))
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{tool} {args:?} failed:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// The document's body: each of the ten cited with `\cite`, on a page wide enough that no
/// title is broken across lines (so `pdftotext` gives each whole).
fn latex_body() -> String {
    let cites: Vec<String> = CITED
        .iter()
        .map(|(k, _)| format!("\\cite{{{k}}}"))
        .collect();
    format!(
        "\\pdfpagewidth=80cm \\textwidth=75cm \\hyphenpenalty=10000 \\exhyphenpenalty=10000\n\\begin{{document}}\nSee {}.\n",
        cites.join(", ")
    )
}

fn assert_titles_in(text: &str, what: &str) {
    let text = comparable(text);
    for (key, title) in CITED {
        assert!(
            text.contains(&comparable(title)),
            "{what}: no \"{title}\" ({key}) in:\n{text}"
        );
    }
}

#[test]
fn a_latex_document_compiles_with_bibtex_from_an_aux_export() {
    if !tools_or_skip(&["pdflatex", "bibtex", "pdftotext"], "bibtex") {
        return;
    }
    let w = latex_workdir();
    w.write(
        "paper.tex",
        format!("\\documentclass{{article}}\n{}\\bibliographystyle{{plain}}\n\\bibliography{{refs}}\n\\end{{document}}\n", latex_body()),
    );
    run_tool(&w, "pdflatex", &["-interaction=nonstopmode", "paper"]);
    let r = w.run(&["export", "--format", "bibtex", "--aux", "paper.aux"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    w.write("refs.bib", &r.stdout);
    run_tool(&w, "bibtex", &["paper"]);
    let blg = w.read("paper.blg");
    assert!(
        !blg.contains("Warning--") && !blg.contains("error message"),
        "{blg}"
    );
    run_tool(&w, "pdflatex", &["-interaction=nonstopmode", "paper"]);
    run_tool(&w, "pdflatex", &["-interaction=nonstopmode", "paper"]);
    let log = w.read("paper.log");
    assert!(!log.contains("undefined"), "undefined citations:\n{log}");
    assert_titles_in(&run_tool(&w, "pdftotext", &["paper.pdf", "-"]), "bibtex");
}

#[test]
fn a_latex_document_compiles_with_biblatex_and_biber_from_an_aux_export() {
    if !tools_or_skip(&["pdflatex", "biber", "pdftotext"], "biber") {
        return;
    }
    let w = latex_workdir();
    w.write(
        "paper.tex",
        format!("\\documentclass{{article}}\n\\usepackage[backend=biber]{{biblatex}}\n\\addbibresource{{refs.bib}}\n{}\\printbibliography\n\\end{{document}}\n", latex_body()),
    );
    run_tool(&w, "pdflatex", &["-interaction=nonstopmode", "paper"]);
    let r = w.run(&["export", "--format", "biblatex", "--aux", "paper.aux"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    w.write("refs.bib", &r.stdout);
    run_tool(&w, "biber", &["paper"]);
    let blg = w.read("paper.blg");
    assert!(!blg.contains("WARN") && !blg.contains("ERROR"), "{blg}");
    run_tool(&w, "pdflatex", &["-interaction=nonstopmode", "paper"]);
    run_tool(&w, "pdflatex", &["-interaction=nonstopmode", "paper"]);
    let log = w.read("paper.log");
    assert!(!log.contains("undefined"), "undefined citations:\n{log}");
    assert_titles_in(&run_tool(&w, "pdftotext", &["paper.pdf", "-"]), "biber");
}

#[test]
fn pandoc_citeproc_cites_the_ten_from_a_csl_json_export() {
    if !tools_or_skip(&["pandoc"], "pandoc") {
        return;
    }
    let w = latex_workdir();
    let keys: Vec<&str> = CITED.iter().map(|(k, _)| *k).collect();
    let r = w.run(&["export", "--format", "csl-json", "--keys", &keys.join(",")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    w.write("refs.json", &r.stdout);
    let cites: Vec<String> = keys.iter().map(|k| format!("[@{k}]")).collect();
    w.write("paper.md", format!("See {}.\n", cites.join(" ")));
    let out = std::process::Command::new("pandoc")
        .args([
            "paper.md",
            "--citeproc",
            "--bibliography",
            "refs.json",
            "-t",
            "plain",
            "--wrap=none",
        ])
        .current_dir(w.path(""))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !stderr.contains("not found"),
        "{stderr}"
    );
    assert_titles_in(&String::from_utf8_lossy(&out.stdout), "pandoc");
}
