//! The CLI tests, one binary with a module per area: one link instead of six, each module
//! driving the built `litsearch` through the shared harness in `tests/common`.

#[path = "../common/mod.rs"]
mod common;

mod bib;
mod failed_ingest;
mod fields;
mod formats;
mod foundation;
mod hostile;
mod ingest;
mod inputs;
mod output;
mod query;
mod readme;
mod serve;
mod snapshots;
mod tools;
mod watch;
