//! The embedder (src/embed/) on the real default model: vectors checked against Python's
//! onnxruntime on the shipped corpus, batching, truncation, a paraphrase, and every way a model
//! directory can be wrong. The model comes from scripts/fetch-model (`.ci/run` runs it); without
//! it these tests fail saying so, unless LITSEARCH_SKIP_MODEL=1 (then they say they skipped).
//! The ones about a missing or broken model directory need no model and always run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use litsearch::embed::{
    passage_text, EmbedError, EmbedOptions, Embedder, ModelDir, ModelOrigin, TextKind,
};

const CORPUS: &str = include_str!("../corpus/mats-research.txt");
const REFERENCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/embed/reference.py");

/// The installed model (LITSEARCH_MODEL, else the default directory), or None when skipped.
fn model() -> Option<ModelDir> {
    if std::env::var("LITSEARCH_SKIP_MODEL").is_ok_and(|v| !v.is_empty() && v != "0") {
        eprintln!("SKIPPED: this test needs the embedding model (LITSEARCH_SKIP_MODEL=1)");
        return None;
    }
    match ModelDir::from_flag_or_env(None) {
        Ok(model) => Some(model),
        Err(e) => panic!(
            "this test needs the embedding model: run scripts/fetch-model (or set LITSEARCH_MODEL), \
             or set LITSEARCH_SKIP_MODEL=1 to skip it\n{e}"
        ),
    }
}

fn embedder(model: ModelDir) -> Embedder {
    Embedder::open(model, EmbedOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The first 20 papers of the shipped corpus as the embedder reads them, and one text far over
/// the model's 512 tokens (all 25 abstracts), which must be cut as Python's tokenizer cuts it.
fn corpus_texts() -> Vec<String> {
    let (records, _) = litsearch::inputs::parse_str("corpus/mats-research.txt", CORPUS);
    assert!(
        records.len() >= 20,
        "the shipped corpus has {} papers",
        records.len()
    );
    let mut texts: Vec<String> = records.iter().take(20).map(passage_text).collect();
    let all: Vec<&str> = records.iter().map(|r| r.abstract_text.as_str()).collect();
    texts.push(all.join(" "));
    texts
}

fn cosine(a: &[f32], b: &[f32]) -> f64 {
    let dot: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| f64::from(*x) * f64::from(*y))
        .sum();
    let norm = |v: &[f32]| v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    dot / (norm(a) * norm(b))
}

/// Python's vectors for `texts` (tests/embed/reference.py).
fn python_vectors(model_dir: &Path, kind: &str, texts: &[String]) -> Vec<Vec<f32>> {
    let request = serde_json::json!({"model_dir": model_dir, "kind": kind, "texts": texts});
    let mut child = Command::new("python3")
        .arg(REFERENCE)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3: install Python 3 (Debian: apt-get install python3)");
    serde_json::to_writer(child.stdin.take().expect("stdin"), &request).expect("write request");
    let out = child.wait_with_output().expect("python3 ran");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("ModuleNotFoundError"),
        "the reference embedder needs Python's onnxruntime, tokenizers and numpy: \
         python3 -m pip install onnxruntime tokenizers numpy (or set LITSEARCH_SKIP_MODEL=1)\n{stderr}"
    );
    assert!(out.status.success(), "reference.py failed: {stderr}");
    let reply: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON reply");
    serde_json::from_value(reply["vectors"].clone()).expect("vectors")
}

#[test]
fn rust_vectors_match_python_onnxruntime_on_the_shipped_corpus() {
    let Some(model) = model() else { return };
    let dir = model.dir.clone();
    let texts = corpus_texts();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut embedder = embedder(model);
    for (kind, name) in [(TextKind::Passage, "passage"), (TextKind::Query, "query")] {
        let ours = embedder
            .embed(kind, &refs)
            .unwrap_or_else(|e| panic!("{e}"));
        let theirs = python_vectors(&dir, name, &texts);
        assert_eq!(ours.len(), texts.len());
        assert_eq!(theirs.len(), texts.len());
        for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert_eq!(a.len(), embedder.config().dimension);
            let c = cosine(a, b);
            assert!(
                c >= 0.999,
                "{name} {i} ({:.60}…): cosine {c:.6} with Python's",
                texts[i]
            );
        }
    }
}

#[test]
fn a_text_embeds_alike_alone_and_among_others_and_padding_is_masked() {
    let Some(model) = model() else { return };
    let texts = corpus_texts();
    let short = "Best-of-N Jailbreaking";
    let mut among: Vec<&str> = texts.iter().take(15).map(String::as_str).collect();
    among.insert(7, short);

    // By default a text's vector is its own: the same alone as among others, in any order.
    let mut embedder = embedder(model.clone());
    let alone = embedder
        .embed(TextKind::Passage, &[short])
        .unwrap()
        .remove(0);
    let norm = alone.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-5, "not unit length: {norm}");
    let together = embedder.embed(TextKind::Passage, &among).unwrap();
    assert_eq!(alone, together[7]);

    // In batches of 16, the short text is padded to the longest of its batch: the mask keeps the
    // padding out of the mean, and only the int8 quantization's shared scale moves the vector.
    let options = EmbedOptions {
        batch_size: 16,
        ..EmbedOptions::default()
    };
    let mut batched = Embedder::open(model, options).unwrap();
    let padded = batched.embed(TextKind::Passage, &among).unwrap();
    let c = cosine(&alone, &padded[7]);
    assert!(
        c > 0.99,
        "cosine {c} between the text alone and padded in a batch"
    );
}

#[test]
fn questions_in_other_words_find_their_papers() {
    let Some(model) = model() else { return };
    let mut embedder = embedder(model);
    let (records, _) = litsearch::inputs::parse_str("corpus/mats-research.txt", CORPUS);
    let passages: Vec<String> = records.iter().map(passage_text).collect();
    let passages: Vec<&str> = passages.iter().map(String::as_str).collect();
    let vectors = embedder.embed(TextKind::Passage, &passages).unwrap();
    // Questions sharing no content word with their paper's title, written before any was run.
    // e5-small-v2 (int8) ranks three of them first among the 25 papers, as Python's onnxruntime
    // does (both steering questions and the jailbreaking one miss: a small model); a broken
    // prefix, pooling or mask scrambles the ranking.
    let questions = [
        ("do chatbots tell people what they want to hear", "Towards Understanding Sycophancy in Language Models"),
        ("changing what a model says by adding a vector to its hidden states", "Steering Language Models With Activation Engineering"),
        ("controlling a chatbot's output by adding a direction to its internal states while it generates", "Steering Language Models With Activation Engineering"),
        ("can an AI system describe its own habits that it picked up in training", "Tell Me About Yourself: LLMs are Aware of their Learned Behaviors"),
        ("does the written reasoning of a chatbot reflect how it really reached its answer", "Chain-of-Thought Reasoning In The Wild Is Not Always Faithful"),
        ("trying many random variations of a prompt until a chatbot breaks its rules", "Best-of-N Jailbreaking"),
    ];
    let mut first = Vec::new();
    for (question, title) in questions {
        let q = embedder
            .embed(TextKind::Query, &[question])
            .unwrap()
            .remove(0);
        let best = (0..records.len())
            .max_by(|&a, &b| cosine(&q, &vectors[a]).total_cmp(&cosine(&q, &vectors[b])))
            .unwrap();
        if records[best].title == title {
            first.push(question);
        }
    }
    assert!(
        first.len() >= 3,
        "only these found their paper first: {first:?}"
    );
}

/// A model directory whose files link to the installed model's, `model.json` replaced.
fn model_with_config(model: &ModelDir, config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["model.onnx", "tokenizer.json", "libonnxruntime.so"] {
        std::os::unix::fs::symlink(model.dir.join(file), dir.path().join(file)).unwrap();
    }
    std::fs::write(dir.path().join("model.json"), config).unwrap();
    dir
}

#[test]
fn a_dimension_other_than_the_networks_is_refused_naming_both() {
    let Some(model) = model() else { return };
    let dir = model_with_config(
        &model,
        r#"{"name": "e5-small-v2", "dimension": 768, "pooling": "mean", "max_tokens": 512}"#,
    );
    let wrong = ModelDir::open(dir.path(), ModelOrigin::Flag).unwrap();
    let err = embedder(wrong)
        .embed(TextKind::Passage, &["a text"])
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("model.onnx"), "{message}");
    assert!(
        message.contains("384") && message.contains("768"),
        "{message}"
    );
}

fn empty_model_dir(files: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in files {
        std::fs::write(dir.path().join(file), "{}").unwrap();
    }
    dir
}

#[test]
fn no_model_directory_says_how_to_fetch_one_or_point_at_one() {
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("models/e5-small-v2");
    let err = ModelDir::open(&absent, ModelOrigin::Default).unwrap_err();
    assert!(matches!(err, EmbedError::NoModel { .. }), "{err:?}");
    let message = err.to_string();
    assert!(!message.contains('\n'), "{message}");
    for part in [
        absent.to_str().unwrap(),
        "the default",
        "scripts/fetch-model",
        "--model",
        "LITSEARCH_MODEL",
    ] {
        assert!(message.contains(part), "{part:?} not in: {message}");
    }
}

#[test]
fn a_model_directory_missing_a_file_names_that_file() {
    for (present, missing) in [
        (&["model.onnx", "tokenizer.json"][..], "model.json"),
        (&["model.json", "tokenizer.json"][..], "model.onnx"),
        (&["model.json", "model.onnx"][..], "tokenizer.json"),
    ] {
        let dir = empty_model_dir(present);
        let err = ModelDir::open(dir.path(), ModelOrigin::Environment).unwrap_err();
        let message = err.to_string();
        let path = dir.path().join(missing);
        assert!(
            message.starts_with(&format!("{}: missing", path.display())),
            "{message}"
        );
    }
}

#[test]
fn the_readme_model_json_example_is_read_as_it_says() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("```json\n")
        .expect("README.md has a ```json block")
        + 8;
    let example = &readme[start..start + readme[start..].find("```").unwrap()];
    let dir = empty_model_dir(&["model.onnx", "tokenizer.json"]);
    std::fs::write(dir.path().join("model.json"), example).unwrap();
    let model =
        ModelDir::open(dir.path(), ModelOrigin::Environment).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(model.config.name, "all-MiniLM-L6-v2");
    assert_eq!(model.config.pooling, litsearch::embed::Pooling::Mean);
    assert_eq!(model.config.max_tokens, 256);
}

#[test]
fn a_bad_model_json_is_named_with_its_line() {
    let dir = empty_model_dir(&["model.onnx", "tokenizer.json"]);
    let path = dir.path().join("model.json");
    for (config, line, why) in [
        ("{\n  \"name\": \"m\",\n  \"dimension\": \"384\"\n}", 3, "invalid type"),
        ("{\n  \"name\": \"m\",\n  \"dimension\": 0,\n  \"pooling\": \"mean\",\n  \"max_tokens\": 512\n}", 3, "dimension must be at least 1"),
        ("{\"name\": \"m\", \"dimension\": 3, \"pooling\": \"max\", \"max_tokens\": 8}", 1, "unknown variant"),
        ("{\"name\": \"m\", \"dimension\": 3, \"pooling\": \"cls\", \"max_tokens\": 8, \"dims\": 3}", 1, "unknown field"),
    ] {
        std::fs::write(&path, config).unwrap();
        let message = ModelDir::open(dir.path(), ModelOrigin::Flag).unwrap_err().to_string();
        assert!(message.starts_with(&format!("{}:{line}:", path.display())), "{message}");
        assert!(message.contains(why), "{why:?} not in: {message}");
    }
}

/// scripts/fetch-model into a fresh data directory, the downloads cache shared with the user's.
fn fetch_model(data_home: &Path) -> (bool, String, String) {
    let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/fetch-model"))
        .env("XDG_DATA_HOME", data_home)
        .env_remove("LITSEARCH_MODELS_DIR")
        .output()
        .expect("scripts/fetch-model ran");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn fetch_model_installs_once_and_repairs_a_missing_file() {
    if model().is_none() {
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let expected: PathBuf = data.path().join("litsearch/models/e5-small-v2");
    let (ok, stdout, stderr) = fetch_model(data.path());
    assert!(ok, "{stderr}");
    assert_eq!(
        stdout.lines().last(),
        Some(expected.to_str().unwrap()),
        "{stdout}"
    );
    let installed = ModelDir::open(&expected, ModelOrigin::Flag).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(installed.config.name, "e5-small-v2");
    assert_eq!(installed.config.dimension, 384);
    assert_eq!(installed.config.query_prefix, "query: ");
    assert!(expected.join("libonnxruntime.so").is_file());
    let onnx_modified = std::fs::metadata(expected.join("model.onnx"))
        .unwrap()
        .modified()
        .unwrap();

    // Again: nothing to do, nothing rewritten.
    let (ok, stdout, stderr) = fetch_model(data.path());
    assert!(ok, "{stderr}");
    assert!(stdout.contains("already installed"), "{stdout}");
    let modified = std::fs::metadata(expected.join("model.onnx"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(modified, onnx_modified);

    // A file gone: installed again, whole.
    std::fs::remove_file(expected.join("tokenizer.json")).unwrap();
    let (ok, stdout, stderr) = fetch_model(data.path());
    assert!(ok, "{stderr}");
    assert!(stdout.contains("installed e5-small-v2"), "{stdout}");
    ModelDir::open(&expected, ModelOrigin::Flag).unwrap_or_else(|e| panic!("{e}"));
    // No staging directory left beside it.
    let left: Vec<_> = std::fs::read_dir(expected.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("e5-small-v2")]);
}
