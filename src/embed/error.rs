//! What can go wrong between a model directory and its vectors, each as one line naming the file
//! and saying what to do (fetch a model, point at one, fix a field).

use std::path::PathBuf;

/// Where a model directory was chosen, for the error that says how to choose another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelOrigin {
    Flag,
    Environment,
    Default,
}

impl std::fmt::Display for ModelOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ModelOrigin::Flag => "given by --model",
            ModelOrigin::Environment => "given by LITSEARCH_MODEL",
            ModelOrigin::Default => "the default",
        })
    }
}

/// How to get a model, said by every error about a missing one.
pub const HOW_TO_GET_A_MODEL: &str = "install the default with scripts/fetch-model, or point --model DIR \
     (or LITSEARCH_MODEL) at a directory holding model.onnx, tokenizer.json and model.json (README, \"Semantic search\")";

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("no embedding model in {} ({origin}): {HOW_TO_GET_A_MODEL}", dir.display())]
    NoModel { dir: PathBuf, origin: ModelOrigin },
    #[error("{}: missing from the model directory ({what}): {HOW_TO_GET_A_MODEL}", path.display())]
    MissingFile { path: PathBuf, what: &'static str },
    #[error("{}:{line}:{column}: {why}", path.display())]
    BadConfig {
        path: PathBuf,
        line: usize,
        column: usize,
        why: String,
    },
    #[error("ONNX Runtime not found: no {} and ORT_DYLIB_PATH is not set: scripts/fetch-model puts ONNX Runtime's libonnxruntime.so beside the model, or set ORT_DYLIB_PATH to one (version 1.17 or newer)", tried.display())]
    NoRuntime { tried: PathBuf },
    #[error("{}: cannot load ONNX Runtime: {why}", path.display())]
    Runtime { path: PathBuf, why: String },
    #[error("{}: cannot read the tokenizer: {why}", path.display())]
    Tokenizer { path: PathBuf, why: String },
    #[error("{}: {why}", path.display())]
    Model { path: PathBuf, why: String },
}

/// A library's message on one line: ONNX Runtime's errors can span several.
pub(crate) fn one_line(message: impl std::fmt::Display) -> String {
    message
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
