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
    /// Shards and replicas of an index a remote engine creates (its own defaults: none).
    pub shards: Option<u32>,
    pub replicas: Option<u32>,
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
            shards: None,
            replicas: None,
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

/// An observer that says nothing, for tests that sync.
#[cfg(test)]
pub(crate) struct Quiet;

#[cfg(test)]
impl IngestObserver for Quiet {
    fn diagnostic(&mut self, _: &Diagnostic) {}
}

/// What a sync remembers of one record already in the engine.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    pub hash: u64,
    /// `source_hash`: where the record was read from last time.
    pub source: u64,
    pub first_seen: i64,
    /// The exports hold it (set while reading).
    pub seen: bool,
}

impl Known {
    pub fn new(hash: u64, source: u64, first_seen: i64) -> Known {
        Known {
            hash,
            source,
            first_seen,
            seen: false,
        }
    }
}

/// A hash of where a record was read from (file and line): a record read from elsewhere with
/// the same content is rewritten (`moved`), not counted as a change.
pub fn source_hash(source: &crate::record::Source) -> u64 {
    let mut bytes = source.file.as_bytes().to_vec();
    bytes.push(0);
    bytes.extend_from_slice(&source.line.to_le_bytes());
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

/// What to do with one record read from the exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The engine holds it as it is.
    Unchanged,
    /// Write it; `replace`: a copy with this id is in the engine (or was written by this run).
    Write { first_seen: i64, replace: bool },
}

/// The content-hash diff of a sync, the same for every engine: which records to write, which
/// vanished, the counts, and the guards that refuse a suspicious sync before anything is kept.
pub struct Diff {
    known: std::collections::HashMap<u64, Known>,
    /// Ids written by this run (a paper re-emitted by the merger replaces its earlier copy).
    written: std::collections::HashSet<u64>,
    pub summary: SyncSummary,
    rebuilding: bool,
    now: i64,
    known_before: u64,
}

impl Diff {
    /// `known`: the engine's records (of the old index when rebuilding, so first_seen survives
    /// and the removal guard still applies). New records get a first_seen newer than every known
    /// one, even when the clock stepped back: `watch run` looks only at records first seen after
    /// the newest it has seen.
    pub fn new(known: std::collections::HashMap<u64, Known>, rebuilding: bool, now: i64) -> Diff {
        let now = known
            .values()
            .map(|k| k.first_seen.saturating_add(1))
            .max()
            .map_or(now, |after| now.max(after));
        Diff {
            known_before: known.len() as u64,
            known,
            written: Default::default(),
            summary: SyncSummary::default(),
            rebuilding,
            now,
        }
    }

    /// The first_seen given to new records.
    pub fn now(&self) -> i64 {
        self.now
    }

    pub fn record(&mut self, record: &crate::record::Record) -> Change {
        let key = crate::record::id_to_number(&record.id).unwrap_or_default();
        let hash = record.content_hash();
        if self.written.contains(&key) {
            let first_seen = self.known.get(&key).map_or(self.now, |k| k.first_seen);
            return Change::Write {
                first_seen,
                replace: true,
            };
        }
        let change = match self.known.get_mut(&key) {
            Some(k) if k.hash == hash && !k.seen && !self.rebuilding => {
                k.seen = true;
                if k.source == source_hash(&record.source) {
                    self.summary.unchanged += 1;
                    return Change::Unchanged;
                }
                // Same content, another place in the exports: rewritten so that `show`,
                // `query` and `export` give the true file:line, but not counted as a change.
                self.summary.moved += 1;
                Change::Write {
                    first_seen: k.first_seen,
                    replace: true,
                }
            }
            Some(k) => {
                k.seen = true;
                if self.rebuilding {
                    self.summary.added += 1;
                } else {
                    self.summary.updated += 1;
                }
                Change::Write {
                    first_seen: k.first_seen,
                    replace: !self.rebuilding,
                }
            }
            None => {
                self.summary.added += 1;
                Change::Write {
                    first_seen: self.now,
                    replace: false,
                }
            }
        };
        self.written.insert(key);
        change
    }

    /// Ends the read: the summary so far and the ids to remove, or the refusal (`--strict`,
    /// no records, more removed than `--max-remove`) that must leave the engine unchanged.
    pub fn finish(
        mut self,
        stats: &crate::inputs::ReadStats,
        input_notes: u64,
        opts: &IngestOptions,
    ) -> crate::error::Result<(SyncSummary, Vec<u64>)> {
        let mut summary = std::mem::take(&mut self.summary);
        summary.entries = stats.entries;
        summary.skipped = stats.skipped;
        summary.merged = stats.merged;
        summary.warnings = stats.warnings + input_notes;
        let mut vanished: Vec<u64> = self
            .known
            .iter()
            .filter(|(_, k)| !k.seen)
            .map(|(id, _)| *id)
            .collect();
        vanished.sort_unstable();
        // A rebuild starts empty, so a vanished record cannot be kept: it is gone either way.
        let would_remove = if opts.keep_missing && !self.rebuilding {
            0
        } else {
            vanished.len() as u64
        };
        if let Some(refusal) = refusal(&summary, stats, self.known_before, would_remove, opts) {
            return Err(refusal);
        }
        summary.removed = would_remove;
        // What the engine must delete: nothing when keeping the missing, or when a rebuild's
        // new index never held them.
        if opts.keep_missing || self.rebuilding {
            vanished.clear();
        }
        Ok((summary, vanished))
    }
}

/// The guards every engine applies before keeping a sync: `--strict` with warnings, exports
/// holding no records, more removed than `--max-remove` (the last two lifted by `--force`).
pub fn refusal(
    summary: &SyncSummary,
    stats: &crate::inputs::ReadStats,
    known_before: u64,
    would_remove: u64,
    opts: &IngestOptions,
) -> Option<crate::error::Error> {
    let reason = if opts.strict && summary.warnings > 0 {
        return Some(strict_refusal(summary.warnings));
    } else if stats.records == 0 && !opts.force {
        if known_before > 0 {
            format!("the exports hold no records, and the index has {known_before}")
        } else {
            "the exports hold no records (expected entries with `Authors:`, `Fellows:` and `Date:`)"
                .to_owned()
        }
    } else if !opts.force
        && known_before > 0
        && (would_remove as f64) * 100.0 > opts.max_remove_pct * known_before as f64
    {
        format!(
            "the exports would remove {would_remove} of {known_before} indexed records (more than --max-remove {}%)",
            opts.max_remove_pct
        )
    } else {
        return None;
    };
    Some(crate::error::Error::Refused { reason })
}

/// `--strict` refuses a sync that met any warning.
pub fn strict_refusal(warnings: u64) -> crate::error::Error {
    crate::error::Error::Refused {
        reason: format!("--strict and {warnings} warning(s) while reading the exports"),
    }
}
