//! The tantivy index: schema, on-disk layout, opening, and syncing it with exports.

pub mod docs;
pub mod ingest;
pub mod lock;
mod reader_dir;
pub mod schema;
pub mod store;

mod fold_tokenizer;
mod memo_stem;

pub use docs::{from_document, StoredRecord};
pub use ingest::{ingest, IngestObserver, IngestOptions, SyncSummary};
pub use store::{IndexRoot, OpenIndex};
