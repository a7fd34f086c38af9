//! Saved searches that report new papers: their state file, running them, their Atom feeds.
//! Printing their reports is `output::digest`'s job; `commands::watch` glues it to the CLI.

pub mod deliver;
pub mod feed;
pub mod run;
pub mod state;

pub use run::{
    current_matches, new_watch, record, run_watch, saved_request, Change, Reported, RunOptions,
    WatchReport,
};
pub use state::{check_name, state_path, Watch, WatchFile};
