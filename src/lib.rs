//! litsearch: full-text search for research-paper listings exported as text.
//!
//! Data flows one way: `inputs` (files → `Record`s) → `index` (records → tantivy) →
//! `search` (query → `Hit`s) → `output` (hits → text, JSON, CSV). `commands` glues them to the
//! command line defined in `cli`.

pub mod cli;
pub mod clock;
pub mod commands;
pub mod date;
pub mod diagnostic;
pub mod error;
pub mod index;
pub mod inputs;
pub mod output;
pub mod record;
pub mod search;
pub mod text;
pub mod watch;

pub use error::{Error, Result};
pub use record::Record;
