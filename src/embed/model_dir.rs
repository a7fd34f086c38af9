//! Which model directory (`--model`, else `LITSEARCH_MODEL`, else under the XDG data directory)
//! and what it holds: the files checked by name, `model.json` read into a `ModelConfig`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::error::{EmbedError, ModelOrigin};

/// The model `scripts/fetch-model` installs when asked for none.
pub const DEFAULT_MODEL: &str = "e5-small-v2";
pub const ONNX_FILE: &str = "model.onnx";
pub const TOKENIZER_FILE: &str = "tokenizer.json";
pub const CONFIG_FILE: &str = "model.json";
/// ONNX Runtime's library beside the model, used unless `ORT_DYLIB_PATH` names another.
pub const RUNTIME_FILE: &str = "libonnxruntime.so";

/// How a model turns a sequence of token vectors into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// The mean of the token vectors the attention mask keeps (e5, MiniLM).
    Mean,
    /// The first token's vector, `[CLS]` (bge).
    Cls,
}

/// `model.json`: what the ONNX file does not say about how the model was trained to be used.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Recorded with the vectors, so vectors of another model are never compared with these.
    pub name: String,
    pub dimension: usize,
    pub pooling: Pooling,
    /// Put before a query ("query: " for e5) and before a paper's text ("passage: ").
    #[serde(default)]
    pub query_prefix: String,
    #[serde(default)]
    pub passage_prefix: String,
    /// Longer texts are cut to this many tokens, special tokens included.
    pub max_tokens: usize,
    /// Where the files came from, for people.
    #[serde(default)]
    pub source: String,
}

/// A model directory whose files are all there, and its `model.json`.
#[derive(Debug, Clone)]
pub struct ModelDir {
    pub dir: PathBuf,
    pub config: ModelConfig,
}

/// The model directory asked for: the `--model` flag's value, else `LITSEARCH_MODEL`, else
/// `$XDG_DATA_HOME/litsearch/models/e5-small-v2` (`~/.local/share/…` when XDG_DATA_HOME is unset
/// or not absolute, as the XDG spec says). `env` is the process environment in use.
pub fn choose_model_dir(
    flag: Option<&Path>,
    env: impl Fn(&str) -> Option<OsString>,
) -> (PathBuf, ModelOrigin) {
    if let Some(dir) = flag {
        return (dir.to_path_buf(), ModelOrigin::Flag);
    }
    if let Some(dir) = env("LITSEARCH_MODEL").filter(|d| !d.is_empty()) {
        return (PathBuf::from(dir), ModelOrigin::Environment);
    }
    let data_home = env("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute())
        .unwrap_or_else(|| PathBuf::from(env("HOME").unwrap_or_default()).join(".local/share"));
    (
        data_home.join("litsearch/models").join(DEFAULT_MODEL),
        ModelOrigin::Default,
    )
}

impl ModelDir {
    /// The directory `choose_model_dir` picks in this process's environment, opened.
    pub fn from_flag_or_env(flag: Option<&Path>) -> Result<ModelDir, EmbedError> {
        let (dir, origin) = choose_model_dir(flag, |name| std::env::var_os(name));
        ModelDir::open(&dir, origin)
    }

    /// Checks that the model's files are there and reads `model.json`. A directory that is not
    /// there is "no model"; one lacking a file names that file.
    pub fn open(dir: &Path, origin: ModelOrigin) -> Result<ModelDir, EmbedError> {
        if !dir.is_dir() {
            return Err(EmbedError::NoModel {
                dir: dir.to_path_buf(),
                origin,
            });
        }
        for (file, what) in [
            (
                CONFIG_FILE,
                "the model's name, dimension, pooling and prefixes",
            ),
            (ONNX_FILE, "the network, as ONNX"),
            (TOKENIZER_FILE, "the model's Hugging Face tokenizer"),
        ] {
            let path = dir.join(file);
            if !path.is_file() {
                return Err(EmbedError::MissingFile { path, what });
            }
        }
        let config = read_config(&dir.join(CONFIG_FILE))?;
        Ok(ModelDir {
            dir: dir.to_path_buf(),
            config,
        })
    }

    pub fn onnx_path(&self) -> PathBuf {
        self.dir.join(ONNX_FILE)
    }

    pub fn tokenizer_path(&self) -> PathBuf {
        self.dir.join(TOKENIZER_FILE)
    }

    /// ONNX Runtime's library: `ORT_DYLIB_PATH` when set (whether it is there is for the loader
    /// to say, naming it), else the one beside the model, which must be there.
    pub fn runtime_library(
        &self,
        env: impl Fn(&str) -> Option<OsString>,
    ) -> Result<PathBuf, EmbedError> {
        if let Some(path) = env("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(path));
        }
        let beside = self.dir.join(RUNTIME_FILE);
        if beside.exists() {
            Ok(beside)
        } else {
            Err(EmbedError::NoRuntime { tried: beside })
        }
    }
}

fn read_config(path: &Path) -> Result<ModelConfig, EmbedError> {
    let bad = |line, column, why: String| EmbedError::BadConfig {
        path: path.to_path_buf(),
        line,
        column,
        why,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(0, 0, e.to_string()))?;
    let config: ModelConfig =
        serde_json::from_str(&text).map_err(|e| bad(e.line(), e.column(), e.to_string()))?;
    // The line of a bad value is the line its key is on.
    let line_of = |key: &str| {
        text.lines()
            .position(|l| l.contains(&format!("\"{key}\"")))
            .map_or(1, |i| i + 1)
    };
    if config.dimension == 0 {
        return Err(bad(
            line_of("dimension"),
            1,
            "dimension must be at least 1".into(),
        ));
    }
    if config.max_tokens < 2 {
        return Err(bad(
            line_of("max_tokens"),
            1,
            "max_tokens must be at least 2 (the special tokens alone take two)".into(),
        ));
    }
    if config.name.trim().is_empty() {
        return Err(bad(line_of("name"), 1, "name must not be empty".into()));
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn the_flag_wins_over_the_environment_which_wins_over_the_default() {
        let env = env_of(&[("LITSEARCH_MODEL", "/m/env"), ("HOME", "/home/u")]);
        assert_eq!(
            choose_model_dir(Some(Path::new("/m/flag")), &env),
            (PathBuf::from("/m/flag"), ModelOrigin::Flag)
        );
        assert_eq!(
            choose_model_dir(None, &env),
            (PathBuf::from("/m/env"), ModelOrigin::Environment)
        );
        assert_eq!(
            choose_model_dir(None, env_of(&[("HOME", "/home/u")])),
            (
                PathBuf::from("/home/u/.local/share/litsearch/models/e5-small-v2"),
                ModelOrigin::Default
            )
        );
    }

    #[test]
    fn xdg_data_home_is_used_only_when_absolute() {
        let absolute = env_of(&[("XDG_DATA_HOME", "/data"), ("HOME", "/home/u")]);
        assert_eq!(
            choose_model_dir(None, absolute).0,
            PathBuf::from("/data/litsearch/models/e5-small-v2")
        );
        let relative = env_of(&[("XDG_DATA_HOME", "data"), ("HOME", "/home/u")]);
        assert_eq!(
            choose_model_dir(None, relative).0,
            PathBuf::from("/home/u/.local/share/litsearch/models/e5-small-v2")
        );
    }

    #[test]
    fn ort_dylib_path_overrides_the_library_beside_the_model() {
        let dir = tempfile::tempdir().unwrap();
        let model = ModelDir {
            dir: dir.path().to_path_buf(),
            config: ModelConfig {
                name: "x".into(),
                dimension: 3,
                pooling: Pooling::Mean,
                query_prefix: String::new(),
                passage_prefix: String::new(),
                max_tokens: 8,
                source: String::new(),
            },
        };
        let message = model.runtime_library(env_of(&[])).unwrap_err().to_string();
        assert!(message.contains("libonnxruntime.so"), "{message}");
        assert!(message.contains("ORT_DYLIB_PATH is not set"), "{message}");
        assert!(message.contains("scripts/fetch-model"), "{message}");
        std::fs::write(dir.path().join(RUNTIME_FILE), b"").unwrap();
        assert_eq!(
            model.runtime_library(env_of(&[])).unwrap(),
            dir.path().join(RUNTIME_FILE)
        );
        assert_eq!(
            model
                .runtime_library(env_of(&[(
                    "ORT_DYLIB_PATH",
                    "/lib/libonnxruntime.so.1.31.1"
                )]))
                .unwrap(),
            PathBuf::from("/lib/libonnxruntime.so.1.31.1")
        );
    }
}
