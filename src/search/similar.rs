//! Related papers: the paper a key names (`lookup::find_paper`), then the engine's more-like-this
//! search from it; the result types are the seam's (`engine::similar`).

use crate::engine::Engine;
use crate::error::Result;

pub use crate::engine::similar::{KeyTerm, SimilarHit, SimilarResults};

use super::lookup::find_paper;

/// The `limit` papers most like the one `key` names (see `lookup::find_paper`).
pub fn similar<E: Engine>(engine: &E, key: &str, limit: usize) -> Result<SimilarResults> {
    let source = find_paper(engine, key)?.record;
    engine.similar(&source, limit)
}
