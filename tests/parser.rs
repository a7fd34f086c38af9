//! The export parser on the shipped corpus and on the traps real exports hold.

mod common;

use common::{corpus_records, CORPUS};
use litsearch::inputs::parse_str;

/// Read off corpus/mats-research.txt by hand: title, ISO date, featured, tags.
const EXPECTED: &[(&str, &str, bool, &[&str])] = &[
    ("Sparse Autoencoders Find Highly Interpretable Features in Language Models", "2023-09-15", true, &[]),
    ("Towards Understanding Sycophancy in Language Models", "2023-10-20", true, &[]),
    ("Steering Language Models With Activation Engineering", "2023-08-20", true, &[]),
    ("Emergent Misalignment: Narrow finetuning can produce broadly misaligned LLMs", "2025-02-24", true, &["Model Organisms", "Scheming and Deception", "Alignment Training"]),
    ("Biases in the Blind Spot: Detecting What LLMs Fail to Mention", "2026-02-11", true, &[]),
    ("AI agents find $4.6M in blockchain smart contract exploits", "2025-12-01", true, &[]),
    ("Overcoming Sparsity Artifacts in Crosscoders to Interpret Chat-Tuning", "2025-04-03", false, &["Interpretability", "Safeguards"]),
    ("A Benchmark for Scalable Oversight Protocols", "2025-03-31", false, &["Scalable Oversight"]),
    ("Identifying Sparsely Active Circuits Through Local Loss Landscape Decomposition", "2025-03-31", false, &["Interpretability"]),
    ("Too Late to Recall: The Two-Hop Problem in Multimodal Knowledge Retrieval", "2025-03-30", false, &["Interpretability"]),
    ("Learning Multi-Level Features with Matryoshka Sparse Autoencoders", "2025-03-21", false, &["Interpretability"]),
    ("Auditing language models for hidden objectives", "2025-03-14", false, &["Scheming and Deception", "Interpretability", "Dangerous Capability Evals", "Monitoring"]),
    ("SAEBench: A Comprehensive Benchmark for Sparse Autoencoders in Language Model Interpretability", "2025-03-12", false, &["Interpretability", "Safeguards"]),
    ("Chain-of-Thought Reasoning In The Wild Is Not Always Faithful", "2025-03-11", false, &["Scheming and Deception", "Monitoring", "Interpretability"]),
    ("Higher-Order Belief in Incomplete Information MAIDs", "2025-03-08", false, &["Agent Foundations", "Multi-Agent Safety", "Scheming and Deception"]),
    ("Are Sparse Autoencoders Useful? A Case Study in Sparse Probing", "2025-02-23", false, &["Interpretability"]),
    ("Forecasting Frontier Language Model Agent Capabilities", "2025-02-21", false, &["Dangerous Capability Evals"]),
    ("Sparse Autoencoders Do Not Find Canonical Units of Analysis", "2025-02-07", false, &["Interpretability"]),
    ("Studying Cross-cluster Modularity in Neural Networks", "2025-02-04", false, &["Interpretability"]),
    ("Constrained belief updates explain geometric structures in transformer representations", "2025-02-04", false, &["Interpretability"]),
    ("Open Problems in Mechanistic Interpretability", "2025-01-27", false, &["Interpretability"]),
    ("Tell Me About Yourself: LLMs are Aware of their Learned Behaviors", "2025-01-19", false, &["Dangerous Capability Evals", "Scheming and Deception", "Interpretability"]),
    ("BatchTopK Sparse Autoencoders", "2024-12-09", false, &["Interpretability"]),
    ("MISR: Measuring Instrumental Self-Reasoning in Frontier Models", "2024-12-05", false, &["Dangerous Capability Evals", "Scheming and Deception", "Model Organisms"]),
    ("Best-of-N Jailbreaking", "2024-12-04", false, &["Red-Teaming", "Adversarial Robustness", "Safeguards"]),
];

#[test]
fn shipped_corpus_yields_25_records_from_26_entries() {
    assert_eq!(CORPUS.matches("\nDate:").count(), 26);
    let records = corpus_records();
    assert_eq!(records.len(), 25);
    for (title, date, featured, tags) in EXPECTED {
        let r = records
            .iter()
            .find(|r| r.title == *title)
            .unwrap_or_else(|| panic!("missing {title}"));
        assert_eq!(r.date, *date, "{title}");
        assert_eq!(r.featured, *featured, "{title}");
        assert_eq!(r.tags, *tags, "{title}");
        assert!(!r.abstract_text.is_empty(), "{title}");
        assert!(!r.authors.is_empty() && !r.fellows.is_empty(), "{title}");
    }
}

#[test]
fn paper_listed_twice_is_one_featured_record_with_tags() {
    let records = corpus_records();
    let em: Vec<_> = records
        .iter()
        .filter(|r| r.title.starts_with("Emergent Misalignment"))
        .collect();
    assert_eq!(em.len(), 1);
    assert!(em[0].featured);
    assert_eq!(
        em[0].tags,
        [
            "Model Organisms",
            "Scheming and Deception",
            "Alignment Training"
        ]
    );
    // It starts where the featured copy starts.
    assert_eq!(em[0].source.line, 61);
}

#[test]
fn names_are_split_trimmed_and_keep_accents() {
    let records = corpus_records();
    let biases = records
        .iter()
        .find(|r| r.title.starts_with("Biases in the Blind Spot"))
        .unwrap();
    assert_eq!(
        biases.authors,
        [
            "Iván Arcuschin",
            "David Chanin",
            "Adrià Garriga-Alonso",
            "Oana-Maria Camburu"
        ]
    );
    assert_eq!(biases.fellows, ["Iván Arcuschin Moreno"]);
    let crosscoders = records
        .iter()
        .find(|r| r.title.starts_with("Overcoming Sparsity"))
        .unwrap();
    assert_eq!(
        crosscoders.fellows,
        [
            "Caden Juang",
            "Julian Minder",
            "Clément Dumas",
            "Bilal Chughtai"
        ]
    );
}

#[test]
fn latex_and_glued_quotes_are_cleaned() {
    let records = corpus_records();
    let find = |p: &str| {
        records
            .iter()
            .find(|r| r.title.starts_with(p))
            .unwrap()
            .abstract_text
            .clone()
    };
    let sae = find("Sparse Autoencoders Find Highly");
    assert!(sae.contains("cause of polysemanticity is superposition, where"));
    assert!(!sae.contains('\\') && !sae.contains("citep") && !sae.contains("wang2022"));
    let steering = find("Steering Language Models");
    assert!(
        steering.contains("(such as \"Love\" versus \"Hate\")"),
        "{steering}"
    );
    let crosscoders = find("Overcoming Sparsity");
    assert!(crosscoders.contains("concepts such as false information and personal question"));
    let canonical = find("Sparse Autoencoders Do Not Find");
    assert!(canonical.contains("\"Einstein\""));
    // NBSP in body text becomes a plain space.
    let agents = find("AI agents find");
    assert!(agents.contains("as we've written about before") && !agents.contains('\u{a0}'));
    assert!(agents.contains("worth $3,694, with GPT-5"));
}

#[test]
fn ids_are_stable_and_independent_of_position() {
    let records = corpus_records();
    let again = corpus_records();
    assert_eq!(
        records.iter().map(|r| &r.id).collect::<Vec<_>>(),
        again.iter().map(|r| &r.id).collect::<Vec<_>>()
    );
    let mut ids: Vec<_> = records.iter().map(|r| r.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 25);
    // Moving an entry and editing its abstract keeps its id.
    let entry = "BatchTopK Sparse Autoencoders\n\nEdited abstract.\n\nInterpretability\n\nAuthors:\n\nA\n\nFellows:\n\nB\n\nDate:\n\nDec 9, 2024\n";
    let (moved, _) = parse_str("x.txt", &format!("All Research\n\n{entry}"));
    let original = records
        .iter()
        .find(|r| r.title == "BatchTopK Sparse Autoencoders")
        .unwrap();
    assert_eq!(moved[0].id, original.id);
}

const ENTRY: &str = "Title {T}\n\nAn abstract about {T}.\n\nInterpretability\n\nAuthors:\n\nA One, B Two\n\nFellows:\n\nA One\n\nDate:\n\n{D}\n\n";

fn entry(title: &str, date: &str) -> String {
    ENTRY.replace("{T}", title).replace("{D}", date)
}

#[test]
fn same_title_different_dates_are_two_papers() {
    let text = format!(
        "All Research\n\n{}{}",
        entry("Shared", "Jan 1, 2024"),
        entry("Shared", "Feb 2, 2025")
    );
    let (records, diags) = parse_str("x.txt", &text);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(records.len(), 2);
    assert_ne!(records[0].id, records[1].id);
}

#[test]
fn nbsp_headers_crlf_and_bom_parse_like_plain_text() {
    let plain = format!(
        "Page header\n\nFeatured Research\n\n{}All MATS Research\n\n{}",
        entry("X", "Sep 15, 2023"),
        entry("Y", "2023-09-16")
    );
    let nbsp = plain
        .replace("Featured Research", "Featured\u{a0}Research")
        .replace("All MATS Research", "All MATS\u{a0}Research");
    let crlf = format!(
        "\u{feff}{}",
        nbsp.replace('\n', "\r\n")
            .replace("\r\n\r\n", "  \r\n\r\n\r\n")
    );
    let (a, da) = parse_str("a.txt", &plain);
    let (b, db) = parse_str("b.txt", &crlf);
    assert!(da.is_empty() && db.is_empty(), "{da:?} {db:?}");
    assert_eq!(a.len(), 2);
    let strip = |v: Vec<litsearch::Record>| {
        v.into_iter()
            .map(|mut r| {
                r.source = Default::default();
                r
            })
            .collect::<Vec<_>>()
    };
    let (a, b) = (strip(a), strip(b));
    assert_eq!(
        a.iter().map(|r| (&r.title, r.featured)).collect::<Vec<_>>(),
        b.iter().map(|r| (&r.title, r.featured)).collect::<Vec<_>>()
    );
    assert_eq!(a, b);
}

#[test]
fn duplicate_with_other_authors_is_reported_with_file_and_line() {
    let first = entry("Twice", "Mar 3, 2025").replace("Interpretability\n\n", "Read more\n\n");
    let second = entry("Twice", "Mar 3, 2025").replace("A One, B Two", "Someone Else");
    let text = format!("Featured Research\n\n{first}All Research\n\n{second}");
    let (records, diags) = parse_str("dup.txt", &text);
    assert_eq!(records.len(), 1);
    assert!(records[0].featured);
    assert_eq!(records[0].tags, ["Interpretability"]);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let line = text
        .lines()
        .position(|l| l == "Title Twice")
        .map(|i| i + 1)
        .unwrap();
    let second_line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == "Title Twice")
        .nth(1)
        .unwrap()
        .0
        + 1;
    assert!(line < second_line);
    assert!(
        diags[0]
            .to_string()
            .starts_with(&format!("dup.txt:{second_line}: ")),
        "{}",
        diags[0]
    );
    assert!(diags[0].message.contains("different authors"));
}

#[test]
fn malformed_entries_are_reported_and_skipped_not_fatal() {
    let bad_date = entry("Bad date", "Feb 30, 2025");
    let good = entry("Good", "Feb 3, 2025");
    let text = format!("All Research\n\n{bad_date}{good}");
    let (records, diags) = parse_str("bad.txt", &text);
    assert_eq!(
        records.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(),
        ["Title Good"]
    );
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0]
            .to_string()
            .starts_with("bad.txt:19: date \"Feb 30, 2025\" does not exist"),
        "{}",
        diags[0]
    );
}

/// Found by `fuzz_parser`: an entry whose only block is `Read more` used to panic.
#[test]
fn regression_read_more_without_title_is_skipped_not_a_panic() {
    let (records, diags) = parse_str("f.txt", "Read more\nDate: 2024-01-01");
    assert!(records.is_empty());
    assert_eq!(diags.len(), 1);
    assert!(
        diags[0]
            .to_string()
            .starts_with("f.txt:1: entry has only `Read more`"),
        "{}",
        diags[0]
    );
}
