//! The writer lock of an index directory: one ingest (or one `watch run`) at a time.
//! An OS file lock, so a killed holder releases it; the file's text names the holder.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

pub struct DirLock {
    file: File,
    path: PathBuf,
}

impl DirLock {
    /// Takes the lock `name` in `dir`, waiting up to `wait` for a holder to finish.
    pub fn acquire(dir: &Path, name: &str, purpose: &str, wait: Duration) -> Result<DirLock> {
        let path = dir.join(name);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
                    Error::ReadOnly {
                        dir: dir.to_path_buf(),
                        purpose: purpose.to_owned(),
                    }
                }
                _ => Error::io(&path, e),
            })?;
        let deadline = Instant::now() + wait;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) => {
                    if Instant::now() >= deadline {
                        let mut holder = String::new();
                        let _ = file.seek(SeekFrom::Start(0));
                        let _ = file.read_to_string(&mut holder);
                        let holder = holder.trim();
                        let holder = if holder.is_empty() {
                            "another litsearch process holds it".to_owned()
                        } else {
                            holder.to_owned()
                        };
                        return Err(Error::Busy {
                            dir: dir.to_path_buf(),
                            holder,
                        });
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
        let note = format!(
            "held by `litsearch {purpose}` (pid {}) since {}",
            std::process::id(),
            crate::clock::now_rfc3339()
        );
        // Best effort: the lock itself is what matters, the text only names the holder.
        let _ = file.set_len(0);
        let _ = file.seek(SeekFrom::Start(0));
        let _ = file.write_all(note.as_bytes());
        let _ = file.flush();
        Ok(DirLock { file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}
