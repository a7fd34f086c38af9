//! Syncs an index with a set of exports through the one driver (`engine::sync`): adds new
//! records, replaces changed ones, removes vanished ones, in a staging generation made live
//! by one flip. One commit, under the writer lock; the side files in `side_files.rs`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use tantivy::indexer::NoMergePolicy;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use super::docs::to_document;
use super::released_maps::Releaser;
use super::schema::{
    build_schema, register_tokenizers, Fields, FIRST_SEEN, HASH, ID_NUM, KEY, SOURCE_HASH,
};
use super::side_files::{
    inputs_fingerprint, read_sync_mark, write_acronyms, Departed, MarkDiagnostic, SyncMark,
};
use super::store::{IndexRoot, OpenIndex};
use super::writer_dir::{WriteFailure, WriterDirectory};
use crate::acronyms::Synonyms;
use crate::diagnostic::Diagnostic;
use crate::engine::sync::{self, Inputs, SyncWriter};
use crate::engine::{IngestObserver, IngestOptions, Known, SyncSummary};
use crate::error::{Error, Result};
use crate::interrupt::stop_if_signalled;
use crate::lock::DirLock;
use crate::record::{id_from_number, id_to_number, Record};

pub fn ingest(
    root: &IndexRoot,
    paths: &[PathBuf],
    opts: &IngestOptions,
    observer: &mut dyn IngestObserver,
) -> Result<SyncSummary> {
    let started = Instant::now();
    unmap_freed_arenas();
    let inputs = sync::collect(paths, &opts.choice, observer)?;
    if root.dir.exists() && !root.dir.is_dir() {
        return Err(Error::IndexNotADirectory {
            dir: root.dir.clone(),
        });
    }
    root.check_holds_only_an_index()?;
    std::fs::create_dir_all(&root.dir).map_err(|source| Error::CannotCreateIndex {
        dir: root.dir.clone(),
        source,
    })?;
    let _lock = DirLock::acquire(&root.dir, "ingest.lock", "ingest", opts.wait)?;
    // From here a SIGTERM (cron stopped, machine shutting down) stops the sync cleanly.
    crate::interrupt::catch_termination();
    crate::interrupt::stop_here_for_tests();
    root.remove_stale_generations()?;

    let mut live = None;
    if !opts.rebuild {
        match root.open() {
            Ok(open) => live = Some(open),
            Err(Error::NoIndex { .. }) => {}
            Err(Error::Corrupt { detail, .. }) => {
                note_rebuild(root, observer, &format!("index is damaged ({detail})"))
            }
            // A newer litsearch's index is never replaced by an older binary unasked (a cron
            // job on an old binary would otherwise destroy it at every run).
            Err(
                e @ Error::VersionMismatch {
                    found, expected, ..
                },
            ) if found > expected => return Err(e),
            Err(Error::VersionMismatch {
                found, built_by, ..
            }) => note_rebuild(
                root,
                observer,
                &format!("index was built by an older litsearch ({built_by}, schema {found})"),
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
            if let Some(file) = open.damaged_file()? {
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
    // needs no parsing: hashing the files is far cheaper than reading entries out of them. Its
    // warnings are those of the last sync, replayed: the same lines, the same exit status.
    let fingerprint = inputs_fingerprint(&inputs.files, opts.keep_missing)?;
    if let Some(open) = live.as_ref() {
        let opstamp = open.index.load_metas()?.opstamp;
        if let Some(mark) = read_sync_mark(&open.generation) {
            if Some(mark.inputs) == fingerprint && mark.opstamp == opstamp {
                for d in &mark.diagnostics {
                    observer.diagnostic(&Diagnostic::new(&d.file, d.line, d.message.clone()));
                }
                let warnings = mark.warnings;
                if opts.strict && warnings > 0 {
                    return Err(crate::engine::sync::strict_refusal(warnings));
                }
                let records = known.len() as u64;
                return Ok(SyncSummary {
                    unchanged: records,
                    records,
                    entries: mark.entries,
                    merged: mark.merged,
                    skipped: mark.skipped,
                    warnings,
                    seconds: started.elapsed().as_secs_f64(),
                    ..SyncSummary::default()
                });
            }
        }
    }
    // Everything this sync writes goes to a staging generation (the live one's files hard-linked
    // in, or nothing for a rebuild) made live by the flip of CURRENT: a refusal, an error, a full
    // disk or a signal before the flip removes the staging directory and leaves the index
    // directory exactly as it was found.
    stop_if_signalled()?;
    let staging = root
        .new_generation_dir()
        .map_err(|e| index_write_error(e, root, None))?;
    let failure: WriteFailure = Default::default();
    let mut departed = Departed::load(root);
    let outcome = stage(&staging, live.as_ref(), &failure).and_then(|(index, _released)| {
        let Written {
            summary,
            replay,
            acronyms,
        } = write(
            &index,
            &inputs,
            known,
            rebuilding,
            opts,
            observer,
            &mut departed,
        )?;
        if let (Some(diagnostics), Some(fingerprint)) = (replay, fingerprint) {
            let mark = SyncMark {
                inputs: fingerprint,
                opstamp: index.load_metas()?.opstamp,
                entries: summary.entries,
                merged: summary.merged,
                skipped: summary.skipped,
                warnings: summary.warnings,
                diagnostics,
            };
            mark.write(&staging)?;
        } else {
            SyncMark::remove(&staging);
        }
        write_acronyms(&staging, &acronyms)?;
        super::facets::write_flat_ordinals(&index, &staging)?;
        drop(index);
        stop_if_signalled()?;
        root.publish(&staging)?;
        Ok(summary)
    });
    let mut summary = match outcome {
        Ok(summary) => summary,
        Err(e) => {
            discard(&staging);
            return Err(index_write_error(e, root, Some(&failure)));
        }
    };
    // After the flip, best effort: a lost record only means a paper removed now counts as new
    // if it ever returns.
    if let Err(e) = departed.save(root) {
        observer.diagnostic(&Diagnostic::new(
            &root.dir.display().to_string(),
            0,
            format!("{e}; a paper removed now will count as new if it returns"),
        ));
    }
    root.remove_stale_generations()?;
    summary.rebuilt = rebuilding;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Opens the staging generation for writing: the live generation's files hard-linked in (tantivy
/// never rewrites a file, it writes new ones and renames its metadata over), or a new index.
/// Until the `Releaser` is dropped, the pages its reads map are given back as they go (a
/// rebuild's merge reads every segment whole).
fn stage(
    staging: &Path,
    live: Option<&OpenIndex>,
    failure: &WriteFailure,
) -> Result<(Index, Releaser)> {
    if let Some(open) = live {
        link_files(&open.generation, staging)?;
    }
    let dir = WriterDirectory::open(staging, failure.clone())
        .map_err(|e| Error::Engine(e.to_string()))?;
    let released = dir.maps().keep_released();
    let index = match live {
        Some(_) => Index::open(dir)?,
        None => Index::create(dir, build_schema(), tantivy::IndexSettings::default())?,
    };
    register_tokenizers(&index);
    Ok((index, released))
}

/// Hard-links every file of `from` into `to` (a copy where the filesystem has no hard links),
/// except tantivy's lock files, which belong to their directory.
fn link_files(from: &Path, to: &Path) -> Result<()> {
    let entries = std::fs::read_dir(from).map_err(|e| Error::io(from, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(from, e))?;
        let name = entry.file_name();
        let is_file = entry.file_type().map(|t| t.is_file()).unwrap_or(false);
        if !is_file || name.to_string_lossy().starts_with(".tantivy-") {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst).map_err(|e| Error::io(&dst, e))?;
        }
    }
    Ok(())
}

/// Merges a rebuilt index's segments into one, in the staging generation (so a failure leaves
/// the live one as it was). A query then opens one set of columns and names its top facet
/// values from one dictionary, whose ordinals are in value order, instead of looking each
/// candidate up in every segment (ten at 1M records): the cost of the facets, most of a
/// query's. Incremental syncs leave merging to tantivy's merge policy, so a cron run adding a
/// few papers does not rewrite the whole index.
fn merge_into_one(index: &Index, writer: &mut IndexWriter) -> Result<()> {
    let segments = index.searchable_segment_ids()?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    Ok(())
}

/// Makes glibc map every allocation of 1 MB and more on its own, so that it is unmapped when
/// freed. tantivy's indexing arenas are 1 MB pages, freed each time a segment is written; glibc
/// raises its threshold to 32 MB after the first such free, and the pages then came from its
/// heaps and stayed there, fragmented: 440 MB of RSS held through the merge at 1M records
/// against 110 MB with this (BENCHMARKS.md, "Where ingest's memory went"). Process-wide, but
/// set only by ingest: queries allocate count arrays of that size per search and keep reusing
/// glibc's heap.
fn unmap_freed_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes a malloc parameter; any value is valid.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Removes a staging generation. A merge thread tantivy did not join may still be closing a
/// file in it, so the removal is retried; what is left, the next ingest removes.
fn discard(staging: &Path) {
    for attempt in 0..5 {
        match std::fs::remove_dir_all(staging) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound && attempt < 4 => {
                std::thread::sleep(std::time::Duration::from_millis(20 << attempt));
            }
            _ => return,
        }
    }
}

/// A failure to write the index, with the file and the OS error (tantivy's own message for a
/// failed segment write hides both); other errors pass unchanged.
fn index_write_error(e: Error, root: &IndexRoot, failure: Option<&WriteFailure>) -> Error {
    match e {
        Error::Refused { .. } | Error::Interrupted { .. } | Error::Input(_) => e,
        Error::Io { path, source } if path.starts_with(&root.dir) => {
            Error::IndexWrite { path, source }
        }
        other => match failure.and_then(|f| f.lock().ok()?.take()) {
            Some((path, source)) => Error::IndexWrite { path, source },
            None => other,
        },
    }
}

/// The local engine's `SyncWriter`: the changes the driver hands it, as tantivy documents.
struct SyncSink<'a> {
    index: &'a Index,
    fields: Fields,
    writer: Option<IndexWriter>,
    rebuilding: bool,
    opts: &'a IngestOptions,
    departed: &'a mut Departed,
    /// Changes held back from the writer while they fit in `pending_limit` bytes, so that a
    /// guard refusing the sync usually decides before a segment is written at all.
    pending: Vec<Change>,
    pending_bytes: usize,
    pending_limit: usize,
    /// `--strict` saw a warning: the sync will be refused, nothing more is indexed.
    doomed: bool,
    /// The diagnostics of the read, to replay when the same export comes again (`None` past
    /// `MAX_REPLAYED`: such an export is parsed every time).
    replay: Option<Vec<MarkDiagnostic>>,
    /// The short forms the records define, written with the generation.
    acronyms: Synonyms,
}

/// Diagnostics kept for replay; an export with more is parsed again at every sync.
const MAX_REPLAYED: usize = 10_000;

/// A change for the writer, with the record's id number (so a batch knows which ids it adds).
enum Change {
    Delete(u64, Term),
    Add(u64, TantivyDocument),
}

/// Bytes of changed records held back before the writer starts (when a guard may refuse).
const PENDING_LIMIT: usize = 32 * 1024 * 1024;

/// Bytes of changed records handed to the writer together once it runs, so that their deletes
/// are one query: tantivy keeps every delete until the commit, and one per record (a term
/// query's weight, ~1.5 KB) took 1.5 GB at 1M updated records; a term set per batch of ~2,000
/// records holds only the terms.
const BATCH_LIMIT: usize = 8 * 1024 * 1024;

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

    /// Replaces (or adds) the record `key`: held back while the pending changes fit (before the
    /// writer starts, while a guard may refuse; after, as a batch), then written.
    fn change(
        &mut self,
        key: u64,
        replaces: Option<Term>,
        doc: TantivyDocument,
        bytes: usize,
    ) -> Result<()> {
        if self.doomed {
            return Ok(());
        }
        self.pending
            .extend(replaces.map(|term| Change::Delete(key, term)));
        self.pending.push(Change::Add(key, doc));
        self.pending_bytes += bytes;
        let limit = match self.writer {
            None => self.pending_limit.max(BATCH_LIMIT),
            Some(_) => BATCH_LIMIT,
        };
        if self.pending_bytes > limit {
            self.flush_pending()?;
        }
        Ok(())
    }

    /// The writer, with the held-back changes handed to it: in groups whose deletes go first
    /// as one query, which is the order they came in as long as no delete in a group follows
    /// the same id's add (a paper the merger sends again replaces its copy of this run): such a
    /// delete starts the next group.
    fn flush_pending(&mut self) -> Result<&mut IndexWriter> {
        let pending = std::mem::take(&mut self.pending);
        self.pending_bytes = 0;
        let w = self.writer()?;
        let mut deletes = Vec::new();
        let mut adds = Vec::new();
        let mut added = std::collections::HashSet::new();
        for change in pending {
            match change {
                Change::Delete(key, term) => {
                    if added.contains(&key) {
                        write_group(w, &mut deletes, &mut adds)?;
                        added.clear();
                    }
                    deletes.push(term);
                }
                Change::Add(key, doc) => {
                    added.insert(key);
                    adds.push(doc);
                }
            }
        }
        write_group(w, &mut deletes, &mut adds)?;
        Ok(w)
    }

    fn id_term(&self, id: &str) -> Term {
        Term::from_field_text(self.fields.id, id)
    }
}

/// Deletes every term of `deletes` (one query for many), then adds `adds`, emptying both.
fn write_group(
    w: &mut IndexWriter,
    deletes: &mut Vec<Term>,
    adds: &mut Vec<TantivyDocument>,
) -> Result<()> {
    delete_all(w, std::mem::take(deletes))?;
    for doc in adds.drain(..) {
        w.add_document(doc)?;
    }
    Ok(())
}

/// Deletes the records holding any of `terms`: one term query for one, a term set for more.
fn delete_all(w: &mut IndexWriter, mut terms: Vec<Term>) -> Result<()> {
    match terms.len() {
        0 => {}
        1 => {
            w.delete_term(terms.pop().expect("one term"));
        }
        _ => {
            w.delete_query(Box::new(tantivy::query::TermSetQuery::new(terms)))?;
        }
    }
    Ok(())
}

impl SyncWriter for SyncSink<'_> {
    fn defined(&mut self, acronyms: Synonyms) {
        self.acronyms = acronyms;
    }

    fn upsert(&mut self, record: Record, first_seen: i64, replace: bool) -> Result<()> {
        let key = id_to_number(&record.id).unwrap_or_default();
        let term = replace.then(|| self.id_term(&record.id));
        let doc = to_document(&self.fields, &record, record.content_hash(), first_seen);
        self.change(key, term, doc, approximate_size(&record))
    }

    fn delete(&mut self, ids: &[u64]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let id = self.fields.id;
        let w = self.flush_pending()?;
        let terms = ids
            .iter()
            .map(|number| Term::from_field_text(id, &id_from_number(*number)))
            .collect();
        delete_all(w, terms)
    }

    /// A paper removed earlier and now back keeps when it first entered the index.
    fn returning(&mut self, id: u64) -> Option<i64> {
        self.departed.returning(id)
    }

    fn departed(&mut self, gone: &[(u64, i64)]) {
        for &(id, first_seen) in gone {
            self.departed.left(id, first_seen);
        }
    }

    fn warned(&mut self, diagnostic: &Diagnostic) {
        if let Some(kept) = &mut self.replay {
            if kept.len() < MAX_REPLAYED {
                kept.push(MarkDiagnostic {
                    file: diagnostic.file.clone(),
                    line: diagnostic.line,
                    message: diagnostic.message.clone(),
                });
            } else {
                self.replay = None;
            }
        }
        if self.opts.strict {
            self.doomed = true;
            self.pending.clear();
        }
    }
}

/// Syncs the staging index with the inputs through the one driver (`engine::sync::run`), then
/// commits: the summary and the diagnostics to replay.
fn write(
    index: &Index,
    inputs: &Inputs,
    known: HashMap<u64, Known>,
    rebuilding: bool,
    opts: &IngestOptions,
    observer: &mut dyn IngestObserver,
    departed: &mut Departed,
) -> Result<Written> {
    let fields = Fields::resolve(&index.schema())?;
    let known_before = known.len() as u64;
    let mut sink = SyncSink {
        index,
        fields,
        writer: None,
        rebuilding,
        opts,
        pending: Vec::new(),
        pending_bytes: 0,
        // Only when a guard can refuse: a first build or a forced sync writes straight away.
        pending_limit: if (known_before > 0 && !opts.force) || opts.strict {
            PENDING_LIMIT
        } else {
            0
        },
        doomed: false,
        departed,
        replay: Some(Vec::new()),
        acronyms: Synonyms::default(),
    };
    let mut summary = sync::run(inputs, known, rebuilding, opts, observer, &mut sink)?;
    if !sink.pending.is_empty() {
        sink.flush_pending()?;
    }
    stop_if_signalled()?;
    if let Some(mut writer) = sink.writer.take() {
        writer.commit()?;
        if rebuilding {
            merge_into_one(index, &mut writer)?;
        }
        writer.wait_merging_threads()?;
    } else if rebuilding {
        // An empty but valid index still needs a commit to exist.
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 20 * 1024 * 1024)?;
        writer.commit()?;
        writer.wait_merging_threads()?;
    }
    let reader = index.reader()?;
    summary.records = reader.searcher().num_docs();
    Ok(Written {
        summary,
        replay: sink.replay.take(),
        acronyms: std::mem::take(&mut sink.acronyms),
    })
}

/// What a sync wrote, with what goes into the generation beside it.
struct Written {
    summary: SyncSummary,
    /// The read's diagnostics to replay for the same export; None: too many to keep.
    replay: Option<Vec<MarkDiagnostic>>,
    acronyms: Synonyms,
}

fn note_rebuild(root: &IndexRoot, observer: &mut dyn IngestObserver, why: &str) {
    observer.diagnostic(&Diagnostic::new(
        &root.dir.display().to_string(),
        0,
        format!("{why}; rebuilding it"),
    ));
}

/// About what a record weighs in memory as a document, to bound the held-back changes.
fn approximate_size(record: &Record) -> usize {
    let lists = [&record.authors, &record.fellows, &record.tags];
    let listed: usize = lists
        .iter()
        .flat_map(|l| l.iter())
        .map(|s| s.len() + 32)
        .sum();
    record.title.len() + record.abstract_text.len() + listed + 256
}

/// Id number → (hash, first_seen) of every live record.
fn known_records(open: &OpenIndex) -> Result<HashMap<u64, Known>> {
    let searcher = open.searcher();
    let mut known = HashMap::with_capacity(searcher.num_docs() as usize);
    for segment in searcher.segment_readers() {
        let ff = segment.fast_fields();
        let ids = ff.u64(ID_NUM)?;
        let hashes = ff.u64(HASH)?;
        let sources = ff.u64(SOURCE_HASH)?;
        let first = ff.i64(FIRST_SEEN)?;
        let keys = ff.str(KEY)?;
        let mut key = String::new();
        for doc in segment.doc_ids_alive() {
            let id = ids.first(doc).unwrap_or_default();
            key.clear();
            if let Some((keys, ord)) = keys
                .as_ref()
                .and_then(|k| Some((k, k.term_ords(doc).next()?)))
            {
                keys.ord_to_str(ord, &mut key)
                    .map_err(tantivy::TantivyError::from)?;
            }
            known.insert(
                id,
                Known::new(
                    hashes.first(doc).unwrap_or_default(),
                    sources.first(doc).unwrap_or_default(),
                    first.first(doc).unwrap_or_default(),
                )
                .with_key(&key),
            );
        }
    }
    Ok(known)
}

/// Best effort: the records of whatever generation CURRENT names, even one of another schema
/// version, with their hash cleared so that every record counts as rebuilt (their first_seen
/// and citation keys kept).
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
        // An index older than keys has none: its papers get keys made anew.
        let keys = ff.str(KEY).ok().flatten();
        let mut key = String::new();
        for doc in segment.doc_ids_alive() {
            if let Some(id) = ids.first(doc) {
                key.clear();
                if let Some(keys) = &keys {
                    if let Some(ord) = keys.term_ords(doc).next() {
                        let _ = keys.ord_to_str(ord, &mut key);
                    }
                }
                known.insert(
                    id,
                    Known::new(0, 0, first.first(doc).unwrap_or_default()).with_key(&key),
                );
            }
        }
    }
    known
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Quiet;
    use crate::engine::Target;

    fn export(dir: &Path, name: &str, titles: std::ops::Range<usize>) -> PathBuf {
        let text: String = titles
            .map(|i| {
                format!(
                    "Probe number {i}\n\nAn abstract about probe {i}.\n\nRead more\n\nAuthors:\n\n\
                     Ada Lovelace\n\nFellows:\n\nAda Lovelace\n\nDate:\n\nJan 5, 2025\n\n"
                )
            })
            .collect();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The live generation's directory and its tantivy meta.json.
    fn live_generation(index: &Path) -> (PathBuf, serde_json::Value) {
        let current = std::fs::read_to_string(index.join("CURRENT")).unwrap();
        let generation = index.join(current.trim());
        let meta = std::fs::read(generation.join("meta.json")).unwrap();
        (generation, serde_json::from_slice(&meta).unwrap())
    }

    /// Segments of the live generation, from its meta.json.
    fn segments(index: &Path) -> usize {
        live_generation(index).1["segments"]
            .as_array()
            .unwrap()
            .len()
    }

    /// The side files of flat facet ordinals of the live generation, and its segments' ids.
    fn flat_files_and_segments(index: &Path) -> (Vec<String>, Vec<String>) {
        let (generation, meta) = live_generation(index);
        let mut files: Vec<String> = std::fs::read_dir(&generation)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter_map(|name| name.strip_suffix(".flatords").map(str::to_owned))
            .collect();
        let mut ids: Vec<String> = meta["segments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
            .collect();
        files.sort();
        ids.sort();
        (files, ids)
    }

    /// An index to be, two exports (300 papers, 20 more), two-thread sync options and the same
    /// as a rebuild; the directory lives as long as `_dir` is bound.
    struct TwoExports {
        _dir: tempfile::TempDir,
        index: PathBuf,
        target: Target,
        first: PathBuf,
        more: PathBuf,
        opts: IngestOptions,
        rebuild: IngestOptions,
    }

    fn two_exports() -> TwoExports {
        let dir = tempfile::tempdir().unwrap();
        let opts = IngestOptions {
            threads: 2,
            ..IngestOptions::default()
        };
        let index = dir.path().join("index");
        TwoExports {
            target: Target::local(index.clone()),
            index,
            first: export(dir.path(), "a.txt", 0..300),
            more: export(dir.path(), "b.txt", 300..320),
            opts: opts.clone(),
            rebuild: IngestOptions {
                rebuild: true,
                ..opts
            },
            _dir: dir,
        }
    }

    /// Papers as JSON lines: `tagged` lists the titles whose copy carries a tag.
    fn json_lines(dir: &Path, name: &str, titles: &[(&str, bool)]) -> PathBuf {
        let text: String = titles
            .iter()
            .map(|(title, tagged)| {
                let tags = if *tagged { r#"["Probes"]"# } else { "[]" };
                format!(
                    r#"{{"title": "{title}", "abstract": "About {title}.", "authors": ["Ada Lovelace"], "date": "2025-01-05", "tags": {tags}}}"#
                ) + "\n"
            })
            .collect();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Changes go to the writer in batches whose deletes are one query ahead of the batch's
    /// documents; a paper the merger sends again within the batch (a later copy adds a tag)
    /// must replace its first copy, not sit beside it. On a first build, on an update of every
    /// paper, and with many papers deleted at once.
    #[test]
    fn a_batch_replaces_a_paper_sent_twice_and_deletes_many_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let index = dir.path().join("index");
        let target = Target::local(index.clone());
        let opts = IngestOptions {
            threads: 2,
            ..IngestOptions::default()
        };
        let titles: Vec<String> = (0..50).map(|i| format!("Probe number {i}")).collect();
        let mut first: Vec<(&str, bool)> = titles.iter().map(|t| (t.as_str(), false)).collect();
        first.push((titles[3].as_str(), true));
        first.push((titles[7].as_str(), true));
        let first = json_lines(dir.path(), "a.jsonl", &first);
        let summary = target.sync(&[first], &opts, &mut Quiet).unwrap();
        assert_eq!(summary.records, 50, "the second copies replaced the first");

        let tagged = |index: &Path| {
            let open = IndexRoot::new(index).open().unwrap();
            let records = super::super::lookup::all_records(&open).unwrap();
            let mut tagged: Vec<String> = records
                .into_iter()
                .filter(|r| !r.record.tags.is_empty())
                .map(|r| r.record.title)
                .collect();
            tagged.sort();
            tagged
        };
        assert_eq!(tagged(&index), ["Probe number 3", "Probe number 7"]);

        // Every paper changes (all tagged now) and one is sent twice again: 50 deletes, one batch.
        let mut second: Vec<(&str, bool)> = titles.iter().map(|t| (t.as_str(), true)).collect();
        second.insert(10, (titles[20].as_str(), false));
        let second = json_lines(dir.path(), "b.jsonl", &second);
        let summary = target.sync(&[second], &opts, &mut Quiet).unwrap();
        assert_eq!(summary.records, 50, "{summary:?}");
        assert_eq!(
            tagged(&index).len(),
            50,
            "every paper's new copy is the one kept"
        );

        // 40 papers gone at once: one term-set delete.
        let third: Vec<(&str, bool)> = titles[..10].iter().map(|t| (t.as_str(), true)).collect();
        let third = json_lines(dir.path(), "c.jsonl", &third);
        let forced = IngestOptions {
            force: true,
            ..opts.clone()
        };
        let summary = target.sync(&[third], &forced, &mut Quiet).unwrap();
        assert_eq!((summary.removed, summary.records), (40, 10), "{summary:?}");
    }

    /// Every sync leaves one side file per live segment and none of a segment that is gone: a
    /// first build, papers added (a new segment), papers removed (deletes, same segments), and
    /// a rebuild (every segment replaced).
    #[test]
    fn every_live_segment_has_its_flat_ordinals_and_no_other_does() {
        let TwoExports {
            _dir,
            index,
            target,
            first,
            more,
            opts,
            rebuild,
        } = two_exports();
        let mut seen = Vec::new();
        for (inputs, opts) in [
            (vec![first.clone()], &opts),
            (vec![first.clone(), more.clone()], &opts),
            (vec![first.clone()], &opts),
            (vec![first.clone(), more.clone()], &rebuild),
        ] {
            target.sync(&inputs, opts, &mut Quiet).unwrap();
            let (files, ids) = flat_files_and_segments(&index);
            assert_eq!(files, ids, "after a sync of {} inputs", inputs.len());
            let open = IndexRoot::new(&index).open().unwrap();
            assert_eq!(
                open.flat_ordinals().len(),
                ids.len(),
                "queries map them all"
            );
            seen.push(ids);
        }
        assert!(seen[1].len() > seen[0].len(), "added papers are a segment");
        assert_ne!(seen[3], seen[2], "a rebuild replaces the segments");
    }

    #[test]
    fn a_rebuild_leaves_one_segment_and_an_incremental_sync_merges_nothing() {
        let TwoExports {
            _dir,
            index,
            target,
            first,
            more,
            opts,
            rebuild,
        } = two_exports();
        target
            .sync(std::slice::from_ref(&first), &opts, &mut Quiet)
            .unwrap();
        assert_eq!(segments(&index), 1, "a first ingest builds the index");
        // An incremental sync adds its papers as a segment of their own: not rewritten.
        target
            .sync(&[first.clone(), more.clone()], &opts, &mut Quiet)
            .unwrap();
        assert!(segments(&index) > 1);
        let summary = target.sync(&[first, more], &rebuild, &mut Quiet).unwrap();
        assert_eq!(summary.records, 320);
        assert_eq!(
            segments(&index),
            1,
            "a rebuild merges its segments into one"
        );
    }
}
