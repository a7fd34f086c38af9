//! A sync of the records with an engine, for every engine: what it is asked (`IngestOptions`)
//! and reports (`SyncSummary`, the `--json` keys; `IngestObserver`), and the one driver
//! (`collect`, `run`) that reads the inputs, diffs them by content hash (`Diff`) and applies
//! the guards, handing the changes to the engine's `SyncWriter`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::acronyms::{Miner, Synonyms};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::inputs::{collect_inputs, read_records, Input, InputChoice, ReadError, RecordSink};
use crate::record::Record;

use super::keys::KeyLedger;

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
    /// How the inputs are read (`--format`).
    pub choice: InputChoice,
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
            // tantivy's indexing arenas, most of an ingest's memory. A rebuild merges its
            // segments into one anyway, so a bigger budget only saves merge work: 128 MB per
            // thread took 1M records in 77 s and 449 MB, 48 MB in 86 s and 269 MB (BENCHMARKS.md,
            // "Where ingest's memory went"); 64 MB keeps 100k records well under 300 MB.
            memory_budget: 64 * 1024 * 1024 * threads,
            now: crate::clock::now_unix(),
            shards: None,
            replicas: None,
            choice: InputChoice::default(),
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
    /// Entries found in the exports, the skipped ones included: records + merged + skipped.
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
    /// A file met in a directory that is not an input (`--verbose` lists them).
    fn skipped(&mut self, _note: &Diagnostic) {}
    /// The read starts; `total_bytes`: what it will go through, when known (no input is
    /// a stream or compressed).
    fn start(&mut self, _total_bytes: Option<u64>) {}
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
#[derive(Debug, Clone)]
pub struct Known {
    pub hash: u64,
    /// `source_hash`: where the record was read from last time.
    pub source: u64,
    pub first_seen: i64,
    /// The citation key the engine gave it (none from an index older than keys).
    pub key: Option<Box<str>>,
    /// The exports hold it (set while reading).
    pub seen: bool,
}

impl Known {
    pub fn new(hash: u64, source: u64, first_seen: i64) -> Known {
        Known {
            hash,
            source,
            first_seen,
            key: None,
            seen: false,
        }
    }

    /// With the key the engine holds for it (empty: none).
    pub fn with_key(mut self, key: &str) -> Known {
        self.key = (!key.is_empty()).then(|| key.into());
        self
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
    keys: KeyLedger,
    /// Warnings of the key ledger (a source's key another paper's).
    key_warnings: u64,
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
        let keys = KeyLedger::new(
            known
                .iter()
                .filter_map(|(id, k)| Some((*id, k.key.as_deref()?))),
        );
        Diff {
            known_before: known.len() as u64,
            known,
            keys,
            key_warnings: 0,
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

    /// Gives `record` its citation key (`engine::keys`); a warning when its source's key is
    /// another paper's.
    pub fn key(&mut self, record: &mut Record) -> Option<Diagnostic> {
        let id = crate::record::id_to_number(&record.id).unwrap_or_default();
        let indexed = self.known.get(&id).and_then(|k| k.key.as_deref());
        let warning = self.keys.assign(id, record, indexed);
        self.key_warnings += u64::from(warning.is_some());
        warning
    }

    /// What to do with `record`, keyed (`key`). `returning`: the first_seen of a record new
    /// to the engine that an engine remembers from an earlier stay (a paper removed, now
    /// back), if any.
    pub fn record(
        &mut self,
        record: &Record,
        returning: &mut dyn FnMut(u64) -> Option<i64>,
    ) -> Change {
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
                    first_seen: returning(key).unwrap_or(self.now),
                    replace: false,
                }
            }
        };
        self.written.insert(key);
        change
    }

    /// Ends the read: the summary so far and the records gone, or the refusal (`--strict`,
    /// no records, more removed than `--max-remove`) that must leave the engine unchanged.
    pub fn finish(
        mut self,
        stats: &crate::inputs::ReadStats,
        opts: &IngestOptions,
    ) -> Result<Finished> {
        let mut summary = std::mem::take(&mut self.summary);
        summary.entries = stats.entries + stats.skipped;
        summary.skipped = stats.skipped;
        summary.merged = stats.merged;
        summary.warnings = stats.warnings + self.key_warnings;
        let mut vanished: Vec<(u64, i64)> = self
            .known
            .iter()
            .filter(|(_, k)| !k.seen)
            .map(|(id, k)| (*id, k.first_seen))
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
        if would_remove == 0 {
            vanished.clear();
        }
        // What the engine must delete: nothing when keeping the missing, or when a rebuild's
        // new index never held them.
        let delete = if self.rebuilding {
            Vec::new()
        } else {
            vanished.iter().map(|(id, _)| *id).collect()
        };
        Ok(Finished {
            summary,
            gone: vanished,
            delete,
        })
    }
}

/// A diff that passed the guards.
pub struct Finished {
    pub summary: SyncSummary,
    /// The records that left the exports and so the engine, with their first_seen (sorted).
    pub gone: Vec<(u64, i64)>,
    /// The ids to delete from the index being written (none for a rebuild).
    pub delete: Vec<u64>,
}

/// The guards every engine applies before keeping a sync: `--strict` with warnings, exports
/// holding no records, more removed than `--max-remove` (the last two lifted by `--force`).
pub fn refusal(
    summary: &SyncSummary,
    stats: &crate::inputs::ReadStats,
    known_before: u64,
    would_remove: u64,
    opts: &IngestOptions,
) -> Option<Error> {
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
    Some(Error::Refused { reason })
}

/// `--strict` refuses a sync that met any warning.
pub fn strict_refusal(warnings: u64) -> Error {
    Error::Refused {
        reason: format!("--strict and {warnings} warning(s) while reading the exports"),
    }
}

/// What an engine supplies to a sync: where its changes go. The driver (`run`) decides what
/// changes and whether the sync may stand; a writer only writes, then commits (or switches)
/// once `run` has returned.
pub trait SyncWriter {
    /// Writes a record read from the exports: a new one (`replace` false), or the copy that
    /// replaces the one with its id.
    fn upsert(&mut self, record: Record, first_seen: i64, replace: bool) -> Result<()>;

    /// The guards passed: deletes these records (ids as numbers) from the index written.
    fn delete(&mut self, ids: &[u64]) -> Result<()>;

    /// The first_seen of a record new to the index that the engine remembers from an earlier
    /// stay (removed, now back), so that `--added-since` and `watch` do not call it new.
    fn returning(&mut self, _id: u64) -> Option<i64> {
        None
    }

    /// The records that left the exports (and the index), with their first_seen.
    fn departed(&mut self, _gone: &[(u64, i64)]) {}

    /// A warning read from the exports (already given to the observer).
    fn warned(&mut self, _diagnostic: &Diagnostic) {}

    /// The read ended: an error the writer kept while the read went on stops the sync here,
    /// before the guards.
    fn read_ended(&mut self) -> Result<()> {
        Ok(())
    }

    /// The short forms the records define (every record read, changed or not), to be stored
    /// with what is written and switched with it: what queries expand (`search::expand`).
    fn defined(&mut self, acronyms: Synonyms);
}

/// The inputs of a sync.
pub struct Inputs {
    pub files: Vec<Input>,
}

/// The inputs `paths` name, read as `choice` says; each file a walk skipped is told to the
/// observer (no warning: a PNG beside the exports is not a problem). A stream's first bytes
/// are awaited here, so call it before taking a lock.
pub fn collect(
    paths: &[PathBuf],
    choice: &InputChoice,
    observer: &mut dyn IngestObserver,
) -> Result<Inputs> {
    let mut skipped = Vec::new();
    let files = collect_inputs(paths, choice, &mut skipped)?;
    for note in &skipped {
        observer.skipped(note);
    }
    Ok(Inputs { files })
}

/// Reads the inputs into the diff against `known` (the engine's records: of the old index
/// when rebuilding), hands each change to `writer` as it is read, applies the guards and,
/// when they pass, the deletions. The summary lacks `records`, `rebuilt` and `seconds`,
/// which the engine knows once it has committed.
pub fn run(
    inputs: &Inputs,
    known: HashMap<u64, Known>,
    rebuilding: bool,
    opts: &IngestOptions,
    observer: &mut dyn IngestObserver,
    writer: &mut dyn SyncWriter,
) -> Result<SyncSummary> {
    let mut driver = Driver {
        diff: Diff::new(known, rebuilding, opts.now),
        writer,
        observer,
        acronyms: Miner::default(),
    };
    driver
        .observer
        .start(inputs.files.iter().map(|i| i.size).sum());
    let read = read_records(&inputs.files, &mut driver).map_err(ReadError::flatten);
    driver.observer.finish();
    let stats = read?;
    let Driver {
        diff,
        writer,
        acronyms,
        ..
    } = driver;
    writer.read_ended()?;
    writer.defined(acronyms.finish());
    let finished = diff.finish(&stats, opts)?;
    writer.departed(&finished.gone);
    writer.delete(&finished.delete)?;
    Ok(finished.summary)
}

/// The sink the records are read into: each one diffed, and written when it changed.
struct Driver<'a> {
    diff: Diff,
    writer: &'a mut dyn SyncWriter,
    observer: &'a mut dyn IngestObserver,
    acronyms: Miner,
}

impl RecordSink for Driver<'_> {
    type Error = Error;

    fn record(&mut self, mut record: Record) -> Result<()> {
        // A SIGTERM noted (during a local ingest) stops the read at the next record.
        crate::interrupt::stop_if_signalled()?;
        self.acronyms.record(&record.title, &record.abstract_text);
        if let Some(warning) = self.diff.key(&mut record) {
            self.diagnostic(&warning);
        }
        let writer = &mut *self.writer;
        match self.diff.record(&record, &mut |id| writer.returning(id)) {
            Change::Unchanged => Ok(()),
            Change::Write {
                first_seen,
                replace,
            } => self.writer.upsert(record, first_seen, replace),
        }
    }

    fn diagnostic(&mut self, diagnostic: &Diagnostic) {
        self.writer.warned(diagnostic);
        self.observer.diagnostic(diagnostic);
    }

    fn progress(&mut self, bytes_done: u64) {
        self.observer.progress(bytes_done);
    }
}
