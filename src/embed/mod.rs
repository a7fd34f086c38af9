//! Sentence embeddings (issue 29): a model directory (ONNX network, tokenizer, `model.json`)
//! turns texts into unit vectors, offline; `Embedder` ties the parts below together.
//!
//! `model_dir.rs` finds and checks the directory, `batch.rs` tokenizes into length-sorted
//! batches, `runtime.rs` runs the network through ONNX Runtime, `pool.rs` pools and normalises.

mod batch;
mod error;
mod model_dir;
mod pool;
mod runtime;

pub use error::{EmbedError, ModelOrigin, HOW_TO_GET_A_MODEL};
pub use model_dir::{
    choose_model_dir, ModelConfig, ModelDir, Pooling, CONFIG_FILE, DEFAULT_MODEL, ONNX_FILE,
    RUNTIME_FILE, TOKENIZER_FILE,
};

use crate::record::Record;
use error::one_line;
use pool::HiddenStates;

/// How an embedder runs: threads of ONNX Runtime's intra-op pool, texts per batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbedOptions {
    pub threads: usize,
    pub batch_size: usize,
}

impl Default for EmbedOptions {
    /// Every core, one text a batch. The int8 models quantize each activation tensor with one
    /// scale computed over the whole batch, padding included, so a text batched with others gets
    /// a slightly different vector (cosine 0.996 measured, in Python's onnxruntime too): one at a
    /// time, a paper's vector depends on its text alone, and it was no slower (BENCHMARKS.md).
    fn default() -> Self {
        EmbedOptions {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            batch_size: 1,
        }
    }
}

/// What a text is, for the prefix the model was trained with ("query: " / "passage: " for e5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    Query,
    Passage,
}

/// The text of a paper that is embedded: its title, then its abstract.
pub fn passage_text(record: &Record) -> String {
    if record.abstract_text.is_empty() {
        record.title.clone()
    } else {
        format!("{}\n{}", record.title, record.abstract_text)
    }
}

/// A loaded model: texts in, one unit vector of `config().dimension` numbers per text out.
pub struct Embedder {
    model: ModelDir,
    batcher: batch::Batcher,
    network: runtime::Network,
    batch_size: usize,
}

impl Embedder {
    /// Loads the model in `model` with ONNX Runtime from `ORT_DYLIB_PATH`, else from the
    /// model directory's `libonnxruntime.so`.
    pub fn open(model: ModelDir, options: EmbedOptions) -> Result<Embedder, EmbedError> {
        let library = model.runtime_library(|name| std::env::var_os(name))?;
        // The runtime first: it is the one part that a model copied from elsewhere may lack.
        let network = runtime::Network::load(&model.onnx_path(), &library, options.threads)?;
        let batcher = batch::Batcher::load(&model.tokenizer_path(), model.config.max_tokens)?;
        Ok(Embedder {
            model,
            batcher,
            network,
            batch_size: options.batch_size.max(1),
        })
    }

    pub fn config(&self) -> &ModelConfig {
        &self.model.config
    }

    /// One unit vector per text, in the order given; each text gets its kind's prefix.
    pub fn embed(&mut self, kind: TextKind, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let prefix = match kind {
            TextKind::Query => &self.model.config.query_prefix,
            TextKind::Passage => &self.model.config.passage_prefix,
        };
        let prefixed: Vec<String> = texts.iter().map(|t| format!("{prefix}{t}")).collect();
        let prefixed: Vec<&str> = prefixed.iter().map(String::as_str).collect();
        let encoded = self
            .batcher
            .encode(&prefixed)
            .map_err(|e| EmbedError::Tokenizer {
                path: self.model.tokenizer_path(),
                why: one_line(e),
            })?;
        let mut vectors = vec![Vec::new(); texts.len()];
        for batch in self.batcher.batches(&encoded, self.batch_size) {
            let (hidden, dim) = self.network.run(&batch)?;
            if dim != self.model.config.dimension {
                return Err(EmbedError::Model {
                    path: self.model.onnx_path(),
                    why: format!(
                        "the network gives vectors of {dim} numbers, {} says {}",
                        CONFIG_FILE, self.model.config.dimension
                    ),
                });
            }
            let states = HiddenStates {
                hidden: &hidden,
                mask: &batch.mask,
                batch: batch.batch,
                seq: batch.seq,
                dim,
            };
            for (row, vector) in batch
                .rows
                .iter()
                .zip(pool::pool(&states, self.model.config.pooling))
            {
                vectors[*row] = vector;
            }
        }
        Ok(vectors)
    }
}
