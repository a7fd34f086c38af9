//! What a sync of the records with an engine is asked and what it reports, for every engine:
//! the options of `ingest`, its summary (the `--json` keys) and the observer of its progress.

use std::time::Duration;

use serde::Serialize;

use crate::diagnostic::Diagnostic;

#[derive(Debug, Clone)]
pub struct IngestOptions {
    pub rebuild: bool,
    pub keep_missing: bool,
    /// Refuse when more than this share (percent) of the indexed records would be removed.
    pub max_remove_pct: f64,
    pub force: bool,
    pub wait: Duration,
    pub strict: bool,
    pub threads: usize,
    /// Total writer memory budget in bytes (split among threads).
    pub memory_budget: usize,
    /// Unix seconds recorded as `first_seen` for new records.
    pub now: i64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        IngestOptions {
            rebuild: false,
            keep_missing: false,
            max_remove_pct: 50.0,
            force: false,
            wait: Duration::ZERO,
            strict: false,
            threads,
            // Bigger in-memory segments mean fewer segments for queries to open; 128 MB per
            // thread keeps a 1M-record ingest's peak RSS under 500 MB.
            memory_budget: 128 * 1024 * 1024 * threads,
            now: crate::clock::now_unix(),
        }
    }
}

/// What an ingest did. Serialized as the `--json` summary.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct SyncSummary {
    pub added: u64,
    pub updated: u64,
    pub removed: u64,
    /// Same content, read from another file or line than last time (positions refreshed).
    pub moved: u64,
    pub unchanged: u64,
    /// Entries that could not be read.
    pub skipped: u64,
    /// Entries folded into another copy of the same paper.
    pub merged: u64,
    /// Entries read from the exports.
    pub entries: u64,
    /// Records in the index afterwards.
    pub records: u64,
    pub warnings: u64,
    /// A new generation was built (asked for, first build, or schema change).
    pub rebuilt: bool,
    pub seconds: f64,
}

/// Receives what an ingest reports while it runs.
pub trait IngestObserver {
    fn diagnostic(&mut self, diagnostic: &Diagnostic);
    fn start(&mut self, _total_bytes: u64) {}
    fn progress(&mut self, _bytes_done: u64) {}
    fn finish(&mut self) {}
}
