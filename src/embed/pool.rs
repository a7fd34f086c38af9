//! A batch of token vectors → one unit vector per text: mean over the tokens the attention
//! mask keeps, or the `[CLS]` token's, then L2 normalisation (so a dot product is the cosine).

use super::model_dir::Pooling;

/// The network's output for a batch: `hidden[(b * seq + t) * dim + d]`, with `mask[b * seq + t]`
/// 1 for a real token and 0 for padding.
pub struct HiddenStates<'a> {
    pub hidden: &'a [f32],
    pub mask: &'a [i64],
    pub batch: usize,
    pub seq: usize,
    pub dim: usize,
}

/// One vector per text of the batch, in batch order, each of length 1 (or all zeros when the
/// pooled vector is zero, which a real model never gives).
pub fn pool(states: &HiddenStates<'_>, pooling: Pooling) -> Vec<Vec<f32>> {
    let HiddenStates {
        hidden,
        mask,
        batch,
        seq,
        dim,
    } = *states;
    (0..batch)
        .map(|b| {
            let token = |t: usize| &hidden[(b * seq + t) * dim..(b * seq + t + 1) * dim];
            let mut v = match pooling {
                Pooling::Cls => token(0).to_vec(),
                Pooling::Mean => {
                    let mut sum = vec![0f32; dim];
                    let mut kept = 0usize;
                    for t in (0..seq).filter(|&t| mask[b * seq + t] != 0) {
                        for (s, x) in sum.iter_mut().zip(token(t)) {
                            *s += x;
                        }
                        kept += 1;
                    }
                    // sentence-transformers clamps the count at 1e-9; no text has zero tokens here
                    // (the special tokens are always kept), so only an empty mask divides by one.
                    let n = kept.max(1) as f32;
                    sum.iter_mut().for_each(|s| *s /= n);
                    sum
                }
            };
            normalize(&mut v);
            v
        })
        .collect()
}

/// Scales `v` to length 1 (a zero vector stays zero).
pub fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_pooling_skips_padding_and_normalizes() {
        // Two texts of three positions, dimension 2; the second has one padded position whose
        // vector would pull the mean away if it were counted.
        let hidden = [
            1.0, 0.0, 3.0, 0.0, 2.0, 0.0, // text 0: mean (2, 0)
            0.0, 1.0, 0.0, 3.0, 100.0, 0.0, // text 1: mean of the first two, (0, 2)
        ];
        let mask = [1, 1, 1, 1, 1, 0];
        let states = HiddenStates {
            hidden: &hidden,
            mask: &mask,
            batch: 2,
            seq: 3,
            dim: 2,
        };
        assert_eq!(
            pool(&states, Pooling::Mean),
            vec![vec![1.0, 0.0], vec![0.0, 1.0]]
        );
    }

    #[test]
    fn cls_pooling_takes_the_first_token() {
        let hidden = [3.0, 4.0, 0.0, 1.0];
        let mask = [1, 1];
        let states = HiddenStates {
            hidden: &hidden,
            mask: &mask,
            batch: 1,
            seq: 2,
            dim: 2,
        };
        assert_eq!(pool(&states, Pooling::Cls), vec![vec![0.6, 0.8]]);
    }
}
