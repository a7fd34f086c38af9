//! litsearch: full-text search for research-paper listings exported as text.
//!
//! Data flows one way: `inputs` (files → `Record`s) → `engine` (records → the local tantivy
//! index or a remote engine) → `search` (query → `Hit`s, relaxation above the engines) →
//! `output` (hits → text, JSON, CSV). `commands` glues them to the command line defined in `cli`.

pub mod acronyms;
pub mod atomic_write;
pub mod citations;
pub mod citekey;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod date;
pub mod diagnostic;
pub mod embed;
pub mod engine;
pub mod error;
pub mod inputs;
pub mod interrupt;
pub mod lock;
pub mod output;
pub mod record;
pub mod request;
pub mod search;
pub mod serve;
pub mod text;
pub mod watch;

pub use error::{Error, Result};
pub use record::Record;
