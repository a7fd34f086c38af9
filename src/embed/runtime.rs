//! The network, run by ONNX Runtime: its shared library loaded once per process from the path
//! the model directory gives (`ort`'s `load-dynamic`, so nothing is downloaded at build time).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use ort::value::Tensor;

use super::batch::TokenBatch;
use super::error::{one_line, EmbedError};

/// What the network is fed, by input name (BERT exports name them so).
#[derive(Debug, Clone, Copy)]
enum Feed {
    Ids,
    Mask,
    TypeIds,
}

pub struct Network {
    session: Session,
    path: PathBuf,
    feeds: Vec<(String, Feed)>,
}

/// ONNX Runtime allows one environment per process: the first library loaded serves every model.
static ENVIRONMENT: OnceLock<ort::environment::Environment> = OnceLock::new();

fn environment(library: &Path) -> Result<ort::environment::Environment, EmbedError> {
    static CREATING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = CREATING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(environment) = ENVIRONMENT.get() {
        return Ok(environment.clone());
    }
    let fail = |why: String| EmbedError::Runtime {
        path: library.to_path_buf(),
        why: one_line(why),
    };
    let environment = ort::init_from(library)
        .map_err(|e| fail(e.to_string()))?
        .with_name("litsearch")
        .with_telemetry(false)
        .build()
        .map_err(|e| fail(e.to_string()))?;
    Ok(ENVIRONMENT.get_or_init(|| environment).clone())
}

impl Network {
    /// Loads ONNX Runtime from `library` (once per process) and the network from `onnx`, to run
    /// on `threads` threads.
    pub fn load(onnx: &Path, library: &Path, threads: usize) -> Result<Network, EmbedError> {
        let environment = environment(library)?;
        let fail = |why: String| EmbedError::Model {
            path: onnx.to_path_buf(),
            why: one_line(why),
        };
        let session = Session::builder(&environment)
            .map_err(|e| fail(e.to_string()))?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(|e| fail(e.to_string()))?
            .with_intra_threads(threads.max(1))
            .map_err(|e| fail(e.to_string()))?
            .with_inter_threads(1)
            .map_err(|e| fail(e.to_string()))?
            // Idle pool threads spin by default, waiting for work: on a machine whose cores are
            // busy with anything else that took 2 threads from 20 texts a second to 6 (measured,
            // BENCHMARKS.md "Sentence embeddings"); without spinning 2 threads are never slower.
            .with_intra_op_spinning(false)
            .map_err(|e| fail(e.to_string()))?
            .commit_from_file(onnx)
            .map_err(|e| fail(format!("cannot load the network: {e}")))?;
        let feeds = session
            .inputs()
            .iter()
            .map(|input| {
                let feed = match input.name() {
                    "input_ids" => Feed::Ids,
                    "attention_mask" => Feed::Mask,
                    "token_type_ids" => Feed::TypeIds,
                    other => {
                        return Err(fail(format!(
                            "the network takes an input \"{other}\"; litsearch feeds BERT-style \
                             input_ids, attention_mask and token_type_ids only"
                        )))
                    }
                };
                Ok((input.name().to_string(), feed))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if !feeds.iter().any(|(_, f)| matches!(f, Feed::Ids)) {
            return Err(fail("the network takes no input_ids".into()));
        }
        Ok(Network {
            session,
            path: onnx.to_path_buf(),
            feeds,
        })
    }

    /// The network's first output for one batch: `[batch, seq, dim]` token vectors, flat, and `dim`.
    pub fn run(&mut self, batch: &TokenBatch) -> Result<(Vec<f32>, usize), EmbedError> {
        let fail = |why: String| EmbedError::Model {
            path: self.path.clone(),
            why: one_line(why),
        };
        let shape = [batch.batch, batch.seq];
        let mut inputs = Vec::with_capacity(self.feeds.len());
        for (name, feed) in &self.feeds {
            let data = match feed {
                Feed::Ids => &batch.ids,
                Feed::Mask => &batch.mask,
                Feed::TypeIds => &batch.type_ids,
            };
            let tensor =
                Tensor::from_array((shape, data.clone())).map_err(|e| fail(e.to_string()))?;
            inputs.push((name.clone(), tensor));
        }
        let outputs = self
            .session
            .run(inputs)
            .map_err(|e| fail(format!("inference failed: {e}")))?;
        let (out_shape, values) = outputs[0]
            .try_extract_tensor::<f32>()
            .map_err(|e| fail(format!("its first output is not a float tensor: {e}")))?;
        let dims: Vec<i64> = out_shape.iter().copied().collect();
        match dims[..] {
            [b, s, d] if b as usize == batch.batch && s as usize == batch.seq && d > 0 => {
                Ok((values.to_vec(), d as usize))
            }
            _ => Err(fail(format!(
                "its first output has shape {dims:?}; token vectors [batch {}, sequence {}, dimension] were expected",
                batch.batch, batch.seq
            ))),
        }
    }
}
