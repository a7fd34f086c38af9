//! Syncs an index with a set of exports: adds new records, replaces changed ones (by content
//! hash), removes vanished ones, leaves the rest untouched. One commit, under the writer lock,
//! with guards against exports that would wipe the index.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use tantivy::indexer::NoMergePolicy;
use tantivy::{Index, IndexWriter, Term};

use super::docs::to_document;
use super::schema::{build_schema, register_tokenizers, Fields, FIRST_SEEN, HASH, ID_NUM};
use super::store::{IndexRoot, OpenIndex};
use crate::engine::{Change, Diff, IngestObserver, IngestOptions, Known, SyncSummary};
use crate::error::{Error, Result};
use crate::export::{collect_inputs, read_records, Diagnostic, ReadStats, RecordSink};
use crate::lock::DirLock;
use crate::record::Record;

pub fn ingest(
    root: &IndexRoot,
    paths: &[PathBuf],
    opts: &IngestOptions,
    observer: &mut dyn IngestObserver,
) -> Result<SyncSummary> {
    let started = Instant::now();
    let mut notes = Vec::new();
    let inputs = collect_inputs(paths, &mut notes)?;
    for note in &notes {
        observer.diagnostic(note);
    }
    if root.dir.exists() && !root.dir.is_dir() {
        return Err(Error::IndexNotADirectory {
            dir: root.dir.clone(),
        });
    }
    std::fs::create_dir_all(&root.dir).map_err(|e| Error::io(&root.dir, e))?;
    let _lock = DirLock::acquire(&root.dir, "ingest.lock", "ingest", opts.wait)?;
    root.remove_stale_generations()?;

    let mut live = None;
    if !opts.rebuild {
        match root.open() {
            Ok(open) => live = Some(open),
            Err(Error::NoIndex { .. }) => {}
            Err(Error::Corrupt { detail, .. }) => {
                note_rebuild(root, observer, &format!("index is damaged ({detail})"))
            }
            Err(Error::VersionMismatch {
                found, built_by, ..
            }) => note_rebuild(
                root,
                observer,
                &format!("index was built by {built_by} (schema {found})"),
            ),
            Err(e) => return Err(e),
        }
    }
    // Known records: of the live index when syncing in place; of whatever old index can still be
    // read when rebuilding (so first_seen survives and the removal guard still applies).
    // Damaged index files make tantivy panic rather than err: such an index is rebuilt.
    // Checksums are verified on every sync (one sequential read of the index) so that cron heals
    // a damaged index instead of reporting "unchanged" over it forever.
    let known_live = live.as_ref().map(|open| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let damaged = open.index.validate_checksum()?;
            if let Some(file) = damaged.iter().next() {
                return Err(Error::Corrupt {
                    dir: root.dir.clone(),
                    detail: format!("{} fails its checksum", file.display()),
                });
            }
            known_records(open)
        }))
        .unwrap_or_else(|_| {
            Err(Error::Corrupt {
                dir: root.dir.clone(),
                detail: "unreadable fast fields".to_owned(),
            })
        })
    });
    if let Some(Err(Error::Corrupt { detail, .. })) = &known_live {
        note_rebuild(root, observer, &format!("index is damaged ({detail})"));
    }
    let known = match known_live {
        Some(Ok(known)) => known,
        Some(Err(_)) => {
            live = None;
            previous_records(root)
        }
        None => previous_records(root),
    };
    let rebuilding = live.is_none();
    // An export identical to the one the live index was last synced with (and no commit since)
    // needs no parsing: hashing the files is far cheaper than reading entries out of them.
    let fingerprint = inputs_fingerprint(&inputs, opts.keep_missing)?;
    if let Some(open) = live.as_ref().filter(|_| notes.is_empty()) {
        let opstamp = open.index.load_metas()?.opstamp;
        if let Some(mark) = read_sync_mark(&open.generation) {
            if mark.inputs == fingerprint && mark.opstamp == opstamp {
                let records = known.len() as u64;
                return Ok(SyncSummary {
                    unchanged: records,
                    records,
                    entries: mark.entries,
                    merged: mark.merged,
                    seconds: started.elapsed().as_secs_f64(),
                    ..SyncSummary::default()
                });
            }
        }
    }
    let (index, generation) = match &live {
        Some(open) => (open.index.clone(), None),
        None => {
            let dir = root.new_generation_dir()?;
            let index = Index::create_in_dir(&dir, build_schema())?;
            register_tokenizers(&index);
            (index, Some(dir))
        }
    };
    let result = sync(
        &index,
        &inputs,
        known,
        rebuilding,
        opts,
        notes.len() as u64,
        observer,
    );
    let mut summary = match result {
        Ok(s) => s,
        Err(e) => {
            if let Some(dir) = &generation {
                let _ = std::fs::remove_dir_all(dir);
            }
            return Err(e);
        }
    };
    if summary.warnings == 0 {
        let target = generation
            .clone()
            .or_else(|| live.as_ref().map(|o| o.generation.clone()));
        if let Some(dir) = target {
            let mark = SyncMark {
                inputs: fingerprint,
                opstamp: index.load_metas()?.opstamp,
                entries: summary.entries,
                merged: summary.merged,
            };
            let json = serde_json::to_vec(&mark).expect("mark serializes");
            crate::atomic_write::write_atomically(&dir.join(SYNC_MARK), &json)?;
        }
    }
    if let Some(dir) = &generation {
        root.publish(dir)?;
        root.remove_stale_generations()?;
    }
    summary.rebuilt = rebuilding;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

struct SyncSink<'a> {
    index: &'a Index,
    fields: Fields,
    writer: Option<IndexWriter>,
    diff: Diff,
    rebuilding: bool,
    opts: &'a IngestOptions,
    observer: &'a mut dyn IngestObserver,
}

impl SyncSink<'_> {
    fn writer(&mut self) -> Result<&mut IndexWriter> {
        if self.writer.is_none() {
            let threads = self.opts.threads.max(1);
            let budget = self.opts.memory_budget.max(threads * 20 * 1024 * 1024);
            let writer: IndexWriter = self.index.writer_with_num_threads(threads, budget)?;
            if self.rebuilding {
                // A rebuild writes every record once: merging its segments while it runs would
                // re-read (mmap) and rewrite most of the index, which at 1M records cost CPU on a
                // 2-core machine and took peak RSS from ~0.4 GB to 1.4 GB.
                writer.set_merge_policy(Box::new(NoMergePolicy));
            }
            self.writer = Some(writer);
        }
        Ok(self.writer.as_mut().expect("just set"))
    }
}

impl RecordSink for SyncSink<'_> {
    fn record(&mut self, record: Record) -> Result<()> {
        let Change::Write {
            first_seen,
            replace,
        } = self.diff.record(&record)
        else {
            return Ok(());
        };
        let fields = self.fields;
        let doc = to_document(&fields, &record, record.content_hash(), first_seen);
        let w = self.writer()?;
        if replace {
            w.delete_term(Term::from_field_text(fields.id, &record.id));
        }
        w.add_document(doc)?;
        Ok(())
    }

    fn diagnostic(&mut self, diagnostic: &Diagnostic) {
        self.observer.diagnostic(diagnostic);
    }

    fn progress(&mut self, bytes_done: u64) {
        self.observer.progress(bytes_done);
    }
}

fn sync(
    index: &Index,
    inputs: &[crate::export::Input],
    known: HashMap<u64, Known>,
    rebuilding: bool,
    opts: &IngestOptions,
    input_notes: u64,
    observer: &mut dyn IngestObserver,
) -> Result<SyncSummary> {
    let fields = Fields::resolve(&index.schema())?;
    observer.start(inputs.iter().map(|i| i.size).sum());
    let mut sink = SyncSink {
        index,
        fields,
        writer: None,
        diff: Diff::new(known, rebuilding, opts.now),
        rebuilding,
        opts,
        observer,
    };
    let read = read_records(inputs, &mut sink);
    sink.observer.finish();
    let stats: ReadStats = match read {
        Ok(s) => s,
        Err(e) => {
            rollback(sink.writer.take());
            return Err(e);
        }
    };
    let diff = std::mem::replace(&mut sink.diff, Diff::new(HashMap::new(), rebuilding, 0));
    let (mut summary, vanished) = match diff.finish(&stats, input_notes, opts) {
        Ok(done) => done,
        Err(e) => {
            rollback(sink.writer.take());
            return Err(e);
        }
    };
    if !vanished.is_empty() {
        let w = sink.writer()?;
        for id in &vanished {
            w.delete_term(Term::from_field_text(fields.id, &format!("{id:016x}")));
        }
    }
    if let Some(mut writer) = sink.writer.take() {
        writer.commit()?;
        writer.wait_merging_threads()?;
    } else if rebuilding {
        // An empty but valid index still needs a commit to exist.
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 20 * 1024 * 1024)?;
        writer.commit()?;
        writer.wait_merging_threads()?;
    }
    let reader = index.reader()?;
    summary.records = reader.searcher().num_docs();
    Ok(summary)
}

/// What the last clean sync of a generation read: an identical export at the same commit is a
/// no-op that needs no parsing.
#[derive(serde::Serialize, serde::Deserialize)]
struct SyncMark {
    inputs: u64,
    opstamp: u64,
    entries: u64,
    merged: u64,
}

const SYNC_MARK: &str = "litsearch-sync.json";

fn read_sync_mark(generation: &std::path::Path) -> Option<SyncMark> {
    let bytes = std::fs::read(generation.join(SYNC_MARK)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A hash of the inputs' paths and contents (and of the flag that changes what a sync keeps).
fn inputs_fingerprint(inputs: &[crate::export::Input], keep_missing: bool) -> Result<u64> {
    use std::io::Read;
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&[u8::from(keep_missing)]);
    let mut buf = vec![0u8; 1 << 20];
    for input in inputs {
        hasher.update(input.path.to_string_lossy().as_bytes());
        hasher.update(&[0]);
        let mut file = std::fs::File::open(&input.path).map_err(|e| Error::io(&input.path, e))?;
        loop {
            let n = file.read(&mut buf).map_err(|e| Error::io(&input.path, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        hasher.update(&[0xff]);
    }
    Ok(hasher.digest())
}

fn note_rebuild(root: &IndexRoot, observer: &mut dyn IngestObserver, why: &str) {
    observer.diagnostic(&Diagnostic::new(
        &root.dir.display().to_string(),
        0,
        format!("{why}; rebuilding it"),
    ));
}

fn rollback(writer: Option<IndexWriter>) {
    if let Some(mut w) = writer {
        let _ = w.rollback();
    }
}

/// Id number → (hash, first_seen) of every live record.
fn known_records(open: &OpenIndex) -> Result<HashMap<u64, Known>> {
    let searcher = open.searcher();
    let mut known = HashMap::with_capacity(searcher.num_docs() as usize);
    for segment in searcher.segment_readers() {
        let ff = segment.fast_fields();
        let ids = ff.u64(ID_NUM)?;
        let hashes = ff.u64(HASH)?;
        let first = ff.i64(FIRST_SEEN)?;
        for doc in segment.doc_ids_alive() {
            let id = ids.first(doc).unwrap_or_default();
            known.insert(
                id,
                Known::new(
                    hashes.first(doc).unwrap_or_default(),
                    first.first(doc).unwrap_or_default(),
                ),
            );
        }
    }
    Ok(known)
}

/// Best effort: the records of whatever generation CURRENT names, even one of another schema
/// version, with their hash cleared so that every record counts as rebuilt.
fn previous_records(root: &IndexRoot) -> HashMap<u64, Known> {
    std::panic::catch_unwind(|| read_previous_records(root)).unwrap_or_default()
}

fn read_previous_records(root: &IndexRoot) -> HashMap<u64, Known> {
    let Ok(Some(generation)) = root.current_generation() else {
        return HashMap::new();
    };
    let Ok(index) = Index::open_in_dir(&generation) else {
        return HashMap::new();
    };
    let Ok(reader) = index.reader() else {
        return HashMap::new();
    };
    let searcher = reader.searcher();
    let mut known = HashMap::new();
    for segment in searcher.segment_readers() {
        let ff = segment.fast_fields();
        let (Ok(ids), Ok(first)) = (ff.u64(ID_NUM), ff.i64(FIRST_SEEN)) else {
            return HashMap::new();
        };
        for doc in segment.doc_ids_alive() {
            if let Some(id) = ids.first(doc) {
                known.insert(id, Known::new(0, first.first(doc).unwrap_or_default()));
            }
        }
    }
    known
}
