//! Texts → token batches: the model's own tokenizer (`tokenizer.json`), each text cut to the
//! model's maximum, texts of similar length batched together so little is spent on padding.

use std::path::Path;

use tokenizers::{Tokenizer, TruncationParams};

use super::error::{one_line, EmbedError};

/// One batch as the network takes it: `batch` rows of `seq` tokens, row-major, padded with the
/// tokenizer's pad id where `mask` is 0. `rows[i]` is the position, among the texts given, of row i.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBatch {
    pub ids: Vec<i64>,
    pub mask: Vec<i64>,
    pub type_ids: Vec<i64>,
    pub batch: usize,
    pub seq: usize,
    pub rows: Vec<usize>,
}

pub struct Batcher {
    tokenizer: Tokenizer,
    pad_id: u32,
}

impl Batcher {
    /// Loads `tokenizer.json`, truncating at `max_tokens` (special tokens included) and padding
    /// nothing: padding is per batch, here.
    pub fn load(path: &Path, max_tokens: usize) -> Result<Batcher, EmbedError> {
        let fail = |why: String| EmbedError::Tokenizer {
            path: path.to_path_buf(),
            why: one_line(why),
        };
        let mut tokenizer = Tokenizer::from_file(path).map_err(|e| fail(e.to_string()))?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: max_tokens,
                ..Default::default()
            }))
            .map_err(|e| fail(e.to_string()))?;
        tokenizer.with_padding(None);
        // BERT's vocabulary names its pad token [PAD]; the mask hides it, so only its id matters.
        let pad_id = tokenizer
            .get_padding()
            .map(|p| p.pad_id)
            .or_else(|| tokenizer.token_to_id("[PAD]"))
            .or_else(|| tokenizer.token_to_id("<pad>"))
            .unwrap_or(0);
        Ok(Batcher { tokenizer, pad_id })
    }

    /// The token ids of each text, special tokens added, cut to the maximum.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>, tokenizers::Error> {
        texts
            .iter()
            .map(|text| {
                self.tokenizer
                    .encode(*text, true)
                    .map(|e| e.get_ids().to_vec())
            })
            .collect()
    }

    /// Batches of at most `batch_size` texts, shortest first, each padded to its longest text.
    pub fn batches(&self, encoded: &[Vec<u32>], batch_size: usize) -> Vec<TokenBatch> {
        let mut order: Vec<usize> = (0..encoded.len()).collect();
        order.sort_by_key(|&i| encoded[i].len());
        order
            .chunks(batch_size.max(1))
            .map(|rows| {
                let seq = rows.iter().map(|&i| encoded[i].len()).max().unwrap_or(0);
                let mut ids = Vec::with_capacity(rows.len() * seq);
                let mut mask = Vec::with_capacity(rows.len() * seq);
                for &i in rows {
                    let tokens = &encoded[i];
                    ids.extend(tokens.iter().map(|&t| i64::from(t)));
                    ids.extend(std::iter::repeat_n(
                        i64::from(self.pad_id),
                        seq - tokens.len(),
                    ));
                    mask.extend(std::iter::repeat_n(1, tokens.len()));
                    mask.extend(std::iter::repeat_n(0, seq - tokens.len()));
                }
                TokenBatch {
                    type_ids: vec![0; ids.len()],
                    ids,
                    mask,
                    batch: rows.len(),
                    seq,
                    rows: rows.to_vec(),
                }
            })
            .collect()
    }
}
