//! The directory an ingest writes through: tantivy's mmap directory, remembering the first
//! failed write (file and OS error) and writing tantivy's own metadata files readable by all;
//! files are read through mappings whose pages are given back as ingest goes (`released_maps`).
//!
//! tantivy reports a failed segment write as "an index writer was killed", without the cause;
//! the remembered error lets ingest say "No space left on device" and name the file instead.
//! tantivy writes `meta.json` and `.managed.json` through a temp file that is 0600, so an index
//! built by cron under one account could not be opened by another: these are written 0644.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::released_maps::ReleasedMaps;

use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

/// The first write that failed: the file's full path and the OS error.
pub type WriteFailure = Arc<Mutex<Option<(PathBuf, io::Error)>>>;

#[derive(Debug, Clone)]
pub struct WriterDirectory {
    inner: MmapDirectory,
    root: PathBuf,
    failure: WriteFailure,
    maps: ReleasedMaps,
}

impl WriterDirectory {
    /// The directory at `path`; its first failed write is recorded in `failure`.
    pub fn open(path: &Path, failure: WriteFailure) -> Result<WriterDirectory, OpenDirectoryError> {
        Ok(WriterDirectory {
            inner: MmapDirectory::open(path)?,
            root: path.to_path_buf(),
            failure,
            maps: ReleasedMaps::default(),
        })
    }

    /// The mappings of the files read through this directory (and its clones).
    pub fn maps(&self) -> ReleasedMaps {
        self.maps.clone()
    }

    fn note<T>(&self, path: &Path, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result {
            remember(&self.failure, &self.root.join(path), e);
        }
        result
    }
}

fn remember(slot: &WriteFailure, path: &Path, e: &io::Error) {
    if let Ok(mut slot) = slot.lock() {
        if slot.is_none() {
            *slot = Some((path.to_path_buf(), copy_io_error(e)));
        }
    }
}

/// An equal io::Error (they are not Clone): the OS error code when there is one.
pub fn copy_io_error(e: &io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}

impl Directory for WriterDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        let full = self.root.join(path);
        self.maps.open(&full).map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => OpenReadError::FileDoesNotExist(path.to_path_buf()),
            _ => OpenReadError::wrap_io_error(e, full),
        })
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let ptr = self.inner.open_write(path).inspect_err(|e| {
            if let OpenWriteError::IoError { io_error, filepath } = e {
                remember(&self.failure, &self.root.join(filepath), io_error);
            }
        })?;
        // The fresh writer's buffer is empty, so taking the file out of it cannot fail.
        let file = ptr.into_inner().map_err(|e| OpenWriteError::IoError {
            io_error: Arc::new(copy_io_error(e.error())),
            filepath: self.root.join(path),
        })?;
        Ok(io::BufWriter::new(Box::new(NotedWrite {
            inner: file,
            path: self.root.join(path),
            failure: self.failure.clone(),
        })))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        let result = crate::atomic_write::write_atomically_io(&self.root.join(path), data);
        self.note(path, result)
    }

    fn sync_directory(&self) -> io::Result<()> {
        let result = self.inner.sync_directory();
        self.note(Path::new(""), result)
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}

/// A segment file being written; its first error is remembered before tantivy sees it.
struct NotedWrite {
    inner: Box<dyn TerminatingWrite + Send + Sync>,
    path: PathBuf,
    failure: WriteFailure,
}

impl NotedWrite {
    fn note<T>(&self, result: io::Result<T>) -> io::Result<T> {
        if let Err(e) = &result {
            remember(&self.failure, &self.path, e);
        }
        result
    }
}

impl Write for NotedWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.note(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.note(result)
    }
}

impl TerminatingWrite for NotedWrite {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        let result = self.inner.terminate_ref(token);
        self.note(result)
    }
}
