//! Replacing a file whole: written beside it, fsynced and renamed over it, so a crash leaves
//! the old content or the new, never a torn file. Used for index pointers and saved searches.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path` through a temporary file in the same directory, fsynced and renamed,
/// so a crash leaves the old content or the new, never a torn file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically_io(path, bytes).map_err(|e| Error::io(path, e))
}

/// `write_atomically` with the bare io::Error (for tantivy's directory, which wants one).
pub fn write_atomically_io(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    // Readable by all (as a plain file would be under the usual umask), not tempfile's 0600,
    // so an index built by cron under one user can be queried by another.
    let mut tmp = tempfile::Builder::new()
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
