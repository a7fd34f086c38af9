//! The on-disk layout of an index directory and opening it for search.
//!
//! ```text
//! index/
//!   CURRENT          name of the live generation, replaced atomically (temp file + rename)
//!   gen-<n>/         a tantivy index + litsearch.json (schema version)
//!   ingest.lock      writer lock (see lock.rs)
//!   watches.json     saved searches (`watch`), outside the generations so rebuilds keep it
//!   departed.json    first_seen of papers removed from the index, kept for their return
//!   watch.lock       held by `watch add|rm|run`
//! ```
//! Every ingest that writes builds a new generation (an incremental one from hard links to the
//! live one's files) and flips CURRENT, so readers see the old index or the new, never a mix,
//! and a failed ingest only has its own directory to remove.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, ReloadPolicy};

use super::schema::{register_tokenizers, Fields, SCHEMA_VERSION};
use crate::atomic_write::write_atomically;
use crate::error::{Error, Result};

const CURRENT: &str = "CURRENT";
const GEN_META: &str = "litsearch.json";
const GEN_PREFIX: &str = "gen-";
/// Retries of an open that failed while another process was committing.
const OPEN_RETRIES: u32 = 5;

/// What litsearch records beside each tantivy index.
#[derive(Debug, Serialize, Deserialize)]
pub struct GenerationMeta {
    pub schema_version: u32,
    pub litsearch_version: String,
    pub created: String,
}

/// An index directory (the `--index` path).
#[derive(Debug, Clone)]
pub struct IndexRoot {
    pub dir: PathBuf,
}

/// An index opened for reading.
pub struct OpenIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub generation: PathBuf,
    /// The generation's `meta.json` as it was just before opening (see `is_stale`).
    stamp: Option<FileStamp>,
    /// The segments' side files of flat facet ordinals, mapped at the first facet count.
    flat: std::sync::OnceLock<std::sync::Arc<super::facets::FlatOrdinals>>,
    /// The generation's short forms (`acronyms.tsv`), read at the first query needing them.
    pub(super) acronyms: std::sync::OnceLock<std::sync::Arc<crate::acronyms::Synonyms>>,
}

/// What tells one `meta.json` from the next: tantivy replaces it by rename at every commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    inode: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl FileStamp {
    fn of(path: &Path) -> Option<FileStamp> {
        let meta = fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&meta);
        #[cfg(not(unix))]
        let inode = 0;
        Some(FileStamp {
            inode,
            len: meta.len(),
            modified: meta.modified().ok(),
        })
    }
}

impl OpenIndex {
    /// The first segment file whose content fails its checksum, read with plain reads (a buffer
    /// at a time) rather than through a mapping: tantivy's own check maps each file whole, and
    /// every ingest runs it, so an incremental sync held the whole index in RSS (1.9 GB at 1M
    /// records) from its start to its end.
    pub fn damaged_file(&self) -> Result<Option<PathBuf>> {
        let managed = self.index.directory().list_managed_files();
        let mut active: Vec<PathBuf> = self
            .index
            .load_metas()?
            .list_segment_files()
            .into_iter()
            .filter(|path| managed.contains(path))
            .collect();
        active.sort();
        for path in active {
            if !checksum_holds(&self.generation.join(&path))? {
                return Ok(Some(path));
            }
        }
        Ok(None)
    }

    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// The side files of flat facet ordinals of this generation's segments (its searcher never
    /// changes: a sync makes a new generation).
    pub(super) fn flat_ordinals(&self) -> std::sync::Arc<super::facets::FlatOrdinals> {
        self.flat
            .get_or_init(|| {
                std::sync::Arc::new(super::facets::FlatOrdinals::open(
                    &self.searcher(),
                    &self.generation,
                ))
            })
            .clone()
    }

    /// Whether an ingest has changed the index since it was opened: `CURRENT` names another
    /// generation (a rebuild), or the generation's commit changed (an incremental sync).
    /// Costs a small read and a stat, so a long-lived server can ask before every request.
    /// The stamp was taken before opening, so a commit racing the open reads as stale (one
    /// needless reopen), never as fresh.
    pub fn is_stale(&self) -> bool {
        let Some(root) = self.generation.parent() else {
            return false;
        };
        match IndexRoot::new(root).current_generation() {
            Ok(Some(live)) if live == self.generation => {
                FileStamp::of(&self.generation.join("meta.json")) != self.stamp
            }
            // Another generation is live; or CURRENT is unreadable right now, in which case the
            // open index keeps answering and the next request asks again.
            Ok(Some(_)) => true,
            Ok(None) | Err(_) => false,
        }
    }
}

impl IndexRoot {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        IndexRoot { dir: dir.into() }
    }

    /// The live generation's directory, if CURRENT names one.
    pub fn current_generation(&self) -> Result<Option<PathBuf>> {
        if !self.dir.exists() {
            return Ok(None);
        }
        if !self.dir.is_dir() {
            return Err(Error::IndexNotADirectory {
                dir: self.dir.clone(),
            });
        }
        let path = self.dir.join(CURRENT);
        let name = match fs::read_to_string(&path) {
            Ok(s) => s.trim().to_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        if !name.starts_with(GEN_PREFIX) || name.contains(['/', '\\']) || name.contains("..") {
            return Err(Error::Corrupt {
                dir: self.dir.clone(),
                detail: format!("{CURRENT} names no generation"),
            });
        }
        Ok(Some(self.dir.join(name)))
    }

    /// Opens the live index for reading, checking its schema version.
    ///
    /// Another process may be committing meanwhile: a rebuild can remove the generation between
    /// reading CURRENT and opening it, and a commit or merge can delete segment files between
    /// reading `meta.json` and opening them. Both are transient, so a failed open is retried on
    /// fresh state before it is reported.
    pub fn open(&self) -> Result<OpenIndex> {
        let mut attempt = 0;
        loop {
            let generation = self.current_generation()?.ok_or_else(|| Error::NoIndex {
                dir: self.dir.clone(),
            })?;
            let result = if generation.is_dir() {
                open_generation(&self.dir, &generation)
            } else {
                Err(Error::Corrupt {
                    dir: self.dir.clone(),
                    detail: format!("{} is missing", generation.display()),
                })
            };
            match result {
                Err(Error::Corrupt { .. }) if attempt < OPEN_RETRIES => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20 * attempt as u64));
                }
                other => return other,
            }
        }
    }

    /// A fresh directory for a new generation.
    pub fn new_generation_dir(&self) -> Result<PathBuf> {
        fs::create_dir_all(&self.dir).map_err(|source| Error::CannotCreateIndex {
            dir: self.dir.clone(),
            source,
        })?;
        let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
        let dir = self
            .dir
            .join(format!("{GEN_PREFIX}{nanos}-{}", std::process::id()));
        fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(dir)
    }

    /// Makes `generation` the live one: meta first, then CURRENT by rename, each fsynced.
    pub fn publish(&self, generation: &Path) -> Result<()> {
        let meta = GenerationMeta {
            schema_version: SCHEMA_VERSION,
            litsearch_version: env!("CARGO_PKG_VERSION").to_owned(),
            created: crate::clock::now_rfc3339(),
        };
        let meta_json = serde_json::to_vec_pretty(&meta).expect("meta serializes");
        write_atomically(&generation.join(GEN_META), &meta_json)?;
        let name = generation
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        write_atomically(&self.dir.join(CURRENT), format!("{name}\n").as_bytes())
    }

    /// Removes generations other than the live one (left by rebuilds or crashed ingests).
    /// Call only while holding the ingest lock.
    /// Refuses a directory that holds anything but an index (an export directory, a home
    /// directory given by mistake): an index is written only into a new or empty directory
    /// or one holding an index, so it never mixes with other files.
    pub fn check_holds_only_an_index(&self) -> Result<()> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Ok(());
        };
        let mut foreign: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| !is_index_entry(name))
            .collect();
        if foreign.is_empty() {
            return Ok(());
        }
        foreign.sort();
        let found = match foreign.len() {
            1 => foreign[0].clone(),
            n => format!("{} and {} more", foreign[0], n - 1),
        };
        Err(Error::NotAnIndex {
            dir: self.dir.clone(),
            found,
        })
    }

    pub fn remove_stale_generations(&self) -> Result<()> {
        let live = self.current_generation()?;
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Ok(());
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let is_gen = entry.file_name().to_string_lossy().starts_with(GEN_PREFIX);
            if is_gen && path.is_dir() && Some(&path) != live.as_ref() {
                let _ = fs::remove_dir_all(&path);
            }
        }
        Ok(())
    }
}

/// What litsearch itself keeps in an index directory (`write_atomically`'s temp files included).
fn is_index_entry(name: &str) -> bool {
    name == CURRENT
        || name.starts_with(GEN_PREFIX)
        || name.starts_with(".tmp")
        || matches!(
            name,
            "ingest.lock" | "watch.lock" | "watches.json" | "departed.json" | ".DS_Store"
        )
}

fn open_generation(root: &Path, generation: &Path) -> Result<OpenIndex> {
    let corrupt = |detail: String| Error::Corrupt {
        dir: root.to_path_buf(),
        detail,
    };
    let meta_path = generation.join(GEN_META);
    let meta_text = fs::read_to_string(&meta_path)
        .map_err(|e| corrupt(format!("{}: {e}", meta_path.display())))?;
    let meta: GenerationMeta = serde_json::from_str(&meta_text)
        .map_err(|e| corrupt(format!("{}: {e}", meta_path.display())))?;
    if meta.schema_version != SCHEMA_VERSION {
        return Err(Error::VersionMismatch {
            dir: root.to_path_buf(),
            found: meta.schema_version,
            expected: SCHEMA_VERSION,
            built_by: meta.litsearch_version,
        });
    }
    let stamp = FileStamp::of(&generation.join("meta.json"));
    let directory = super::reader_dir::ReaderDirectory::open(generation)
        .map_err(|e| corrupt(one_line(&e.to_string())))?;
    let mut index = Index::open(directory).map_err(|e| corrupt(one_line(&e.to_string())))?;
    register_tokenizers(&index);
    // Segments are searched in parallel: a common word's facet counting visits every match.
    // A rebuilt index has one segment, which one thread searches: no pool to start then.
    let segments = index
        .searchable_segment_metas()
        .map_err(|e| corrupt(one_line(&e.to_string())))?
        .len();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads > 1 && segments > 1 {
        index
            .set_multithread_executor(threads)
            .map_err(|e| corrupt(one_line(&e.to_string())))?;
    }
    let fields = Fields::resolve(&index.schema()).map_err(|e| corrupt(one_line(&e.to_string())))?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|e: tantivy::TantivyError| corrupt(one_line(&e.to_string())))?;
    Ok(OpenIndex {
        index,
        reader,
        fields,
        generation: generation.to_path_buf(),
        stamp,
        flat: Default::default(),
        acronyms: Default::default(),
    })
}

/// A tantivy error as a short phrase a user can act on.
fn one_line(s: &str) -> String {
    if s.contains("Footer magic") || s.contains("corrupted") {
        return "a file of the index is truncated or corrupt".to_owned();
    }
    let flat = crate::text::squash_spaces(s);
    match flat.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &flat[..i]),
        None => flat,
    }
}

/// Whether a tantivy file's content matches the CRC32 in its footer (the last bytes: the footer
/// itself, then its length as a u32, then a magic u32), read 1 MB at a time. A file too short
/// to hold a footer fails.
fn checksum_holds(path: &Path) -> Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    use tantivy::HasLen;
    let io = |e| Error::io(path, e);
    let mut file = fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let footer = tantivy::directory::FileSlice::from(read_tail(&mut file, len).map_err(io)?);
    // The footer is parsed by tantivy from the file's tail; the content is everything before it.
    let tail_len = footer.len() as u64;
    let Ok((footer, rest)) = tantivy::directory::footer::Footer::extract_footer(footer) else {
        return Ok(false);
    };
    let content_len = len - tail_len + rest.len() as u64;
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut hasher = crc32fast::Hasher::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut left = content_len;
    while left > 0 {
        let want = left.min(buf.len() as u64) as usize;
        file.read_exact(&mut buf[..want]).map_err(io)?;
        hasher.update(&buf[..want]);
        left -= want as u64;
    }
    Ok(hasher.finalize() == footer.crc)
}

/// The last bytes of a file, enough to hold a tantivy footer (its version, crc, length and
/// magic: well under a hundred bytes).
fn read_tail(file: &mut fs::File, len: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    const TAIL: u64 = 4096;
    let start = len.saturating_sub(TAIL);
    let mut tail = Vec::with_capacity((len - start) as usize);
    file.seek(SeekFrom::Start(start))?;
    file.read_to_end(&mut tail)?;
    Ok(tail)
}
