//! A model directory whose ONNX Runtime library is not one: the error names the file. Its own
//! test binary, because ONNX Runtime is loaded once per process and tests/embed.rs loads the real one.

use litsearch::embed::{EmbedOptions, Embedder, ModelDir, ModelOrigin};

#[test]
fn a_runtime_library_that_is_not_onnx_runtime_is_named() {
    if std::env::var_os("ORT_DYLIB_PATH").is_some() {
        eprintln!("SKIPPED: ORT_DYLIB_PATH is set, so the library beside the model is not used");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for file in ["model.onnx", "tokenizer.json", "libonnxruntime.so"] {
        std::fs::write(dir.path().join(file), "not what its name says").unwrap();
    }
    std::fs::write(
        dir.path().join("model.json"),
        r#"{"name": "m", "dimension": 3, "pooling": "mean", "max_tokens": 8}"#,
    )
    .unwrap();
    let model = ModelDir::open(dir.path(), ModelOrigin::Flag).unwrap();
    let Err(err) = Embedder::open(model, EmbedOptions::default()) else {
        panic!("a text file loaded as ONNX Runtime")
    };
    let message = err.to_string();
    assert!(!message.contains('\n'), "{message}");
    let library = dir.path().join("libonnxruntime.so");
    assert!(
        message.starts_with(&format!("{}: cannot load ONNX Runtime", library.display())),
        "{message}"
    );
}
