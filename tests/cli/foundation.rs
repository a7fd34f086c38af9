//! Day-one path from a fresh clone: ingest, ranked query with snippets, JSON, stemming, accents.

use crate::common::shapes::{self, Results};
use crate::common::Workdir;

#[test]
fn ingest_then_sparse_autoencoder_query_ranks_sae_papers_first() {
    let w = Workdir::with_corpus();
    let r = w.ingest();
    assert!(
        r.stdout
            .starts_with("added 25, updated 0, removed 0, unchanged 0"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("25 records indexed from 26 entries, 1 merged"),
        "{}",
        r.stdout
    );
    let titles = w.titles(&["sparse autoencoder", "--tag", "Interpretability"]);
    assert!(titles.len() >= 5, "{titles:?}");
    for t in &titles[..5] {
        assert!(t.contains("Sparse Autoencoders"), "{titles:?}");
    }
    // Auditing mentions sparse autoencoders only in its abstract: it ranks after them.
    assert_eq!(
        titles.last().map(String::as_str),
        Some("Auditing language models for hidden objectives")
    );
}

#[test]
fn json_output_has_the_documented_keys() {
    let w = Workdir::with_corpus();
    w.ingest();
    // Every documented key, and no other, of the results and of each hit: read strictly.
    let v = w.query(&["sparse autoencoder", "--tag", "Interpretability"]);
    assert_eq!(v.query, "sparse autoencoder");
    assert_eq!(v.total, v.hits.len() as u64);
    let hit = &v.hits[0];
    assert!(hit.snippet.contains("<mark>"), "{}", hit.snippet);
    assert_eq!(
        v.facets.get("tags").and_then(|t| t.get("Interpretability")),
        Some(&v.total)
    );
}

#[test]
fn stemming_finds_plural_and_accents_fold() {
    let w = Workdir::with_corpus();
    w.ingest();
    let titles = w.titles(&["autoencoder", "--exact"]);
    assert!(
        titles.iter().any(|t| t == "BatchTopK Sparse Autoencoders"),
        "{titles:?}"
    );
    let titles = w.titles(&["Ivan Arcuschin", "--exact"]);
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles
        .iter()
        .any(|t| t.starts_with("Biases in the Blind Spot")));
    assert!(titles
        .iter()
        .any(|t| t.starts_with("Chain-of-Thought Reasoning")));
    // And the other way: an accented query finds the plain spelling.
    let titles = w.titles(&["Clément", "--exact"]);
    assert_eq!(
        titles,
        ["Overcoming Sparsity Artifacts in Crosscoders to Interpret Chat-Tuning"]
    );
}

#[test]
fn no_hits_prints_a_clear_line_and_exits_1() {
    let w = Workdir::with_corpus();
    w.ingest();
    let r = w.run(&["query", "zyzzyva", "--exact"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout.trim(), "No results for \"zyzzyva\".");
}

#[test]
fn first_query_on_a_fresh_clone_builds_the_index() {
    let w = Workdir::with_corpus();
    let r = w.run(&["query", "sparse autoencoder", "--tag", "Interpretability"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("building it from corpus/"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.starts_with("1. "), "{}", r.stdout);
    assert!(w.path("index/CURRENT").exists());
    // Piped output carries no escape codes.
    assert!(!r.stdout.contains('\x1b'));
    // The second query does not rebuild.
    let r = w.run(&["query", "sycophancy"]);
    assert!(!r.stderr.contains("building"), "{}", r.stderr);
}

#[test]
fn parse_prints_json_lines_with_the_record_keys() {
    let w = Workdir::with_corpus();
    let r = w.run(&["parse"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<shapes::Record> = shapes::strict_lines(&r.stdout);
    assert_eq!(lines.len(), 25);
    // The strict read says which keys; this says in which order.
    let first: serde_json::Value = serde_json::from_str(r.stdout.lines().next().unwrap()).unwrap();
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["id", "title", "abstract", "authors", "fellows", "tags", "date", "featured", "source"]
    );
    assert_eq!(lines[0].source.file, "corpus/mats-research.txt");
    assert!(!w.path("index").exists(), "parse must not touch an index");

    // In file order: the featured papers (held back to merge with their full-list copies)
    // first, as on the page, then the full list; and again with two files.
    let order = |stdout: &str| -> Vec<(String, u64)> {
        stdout
            .lines()
            .map(shapes::strict::<shapes::Record>)
            .map(|v| (v.source.file, v.source.line))
            .collect()
    };
    let places = order(&r.stdout);
    assert!(places.windows(2).all(|p| p[0] < p[1]), "{places:?}");
    let featured = lines.iter().filter(|l| l.featured).count();
    assert!(featured > 0);
    assert!(lines[..featured].iter().all(|l| l.featured));
    w.write(
        "corpus/second.txt",
        crate::common::CORPUS.replace("Sparse", "Dense"),
    );
    let r = w.run(&["parse"]);
    let places = order(&r.stdout);
    assert!(places.len() > 25);
    assert!(places.windows(2).all(|p| p[0] < p[1]), "{places:?}");
}

#[test]
fn index_flag_and_env_choose_the_directory() {
    let w = Workdir::with_corpus();
    let r = w.run(&["--index", "elsewhere", "ingest"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(w.path("elsewhere/CURRENT").exists());
    let r = w
        .cmd()
        .env("LITSEARCH_INDEX", "fromenv")
        .args(["ingest"])
        .output()
        .unwrap();
    assert!(r.status.success());
    assert!(w.path("fromenv/CURRENT").exists());
    let v: Results = shapes::strict(&String::from_utf8_lossy(
        &w.cmd()
            .env("LITSEARCH_INDEX", "fromenv")
            .args(["query", "--json", "sycophancy"])
            .output()
            .unwrap()
            .stdout,
    ));
    assert_eq!(
        v.titles()[0],
        "Towards Understanding Sycophancy in Language Models"
    );
}

/// The shapes of `tests/common/shapes.rs` are strict both ways: the binary's own output with a
/// key added, or with a key it always writes taken away, is refused.
#[test]
fn strict_shapes_refuse_a_key_added_or_dropped() {
    let w = Workdir::with_corpus();
    w.ingest();
    let r = w.run(&["query", "--json", "sparse autoencoder", "-n", "2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let ok = |v: &serde_json::Value| serde_json::from_value::<Results>(v.clone()).is_ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(ok(&v), "{}", r.stdout);
    let mut added = v.clone();
    added["colour"] = "red".into();
    assert!(!ok(&added), "a key added to the results passes");
    let mut added = v.clone();
    added["hits"][0]["colour"] = "red".into();
    assert!(!ok(&added), "a key added to a hit passes");
    for key in ["total", "facets_truncated"] {
        let mut dropped = v.clone();
        dropped.as_object_mut().unwrap().remove(key);
        assert!(!ok(&dropped), "the results without {key} pass");
    }
    for key in ["first_seen", "title_highlighted", "source"] {
        let mut dropped = v.clone();
        dropped["hits"][1].as_object_mut().unwrap().remove(key);
        assert!(!ok(&dropped), "a hit without {key} passes");
    }
}
