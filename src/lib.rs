//! litsearch: full-text search for research-paper listings exported as text.
//!
//! Data flows one way: `export` (text → `Record`s) → `index` (records → tantivy) →
//! `search` (query → `Hit`s) → `output` (hits → text, JSON, CSV). `commands` glues them to the
//! command line defined in `cli`.

pub mod cli;
pub mod clock;
pub mod commands;
pub mod error;
pub mod export;
pub mod index;
pub mod output;
pub mod record;
pub mod records_io;
pub mod search;
pub mod text;
pub mod watch;

pub use error::{Error, Result};
pub use record::Record;
