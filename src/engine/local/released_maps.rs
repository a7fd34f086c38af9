//! Segment files mapped for ingest's reads, whose pages are handed back to the page cache as
//! the reads go on, so that reading a whole index (a merge, the side files) costs no RSS.
//!
//! A mapping keeps every page it has touched resident in the process until it is unmapped.
//! A rebuild's merge reads every segment whole (tantivy stacks the doc stores as one copy of
//! each file and walks every posting list), so through tantivy's own mmap directory peak RSS
//! grew with the index: 2.4 GB at 1M records, 1.9 GB of it file pages. Here a thread tells
//! the kernel every `RELEASE_EVERY` that the mapped pages are not needed (`MADV_DONTNEED`):
//! the pages stay in the page cache, a read after that is a minor fault, and RSS holds only
//! what was touched since the last release.

use std::io;
use std::ops::Deref;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use memmap2::{Mmap, UncheckedAdvice};
use tantivy::directory::{FileHandle, OwnedBytes};

/// How often mapped pages are let go: at the ~1.5 GB/s a merge copies a doc store, about
/// 40 MB of pages between two releases.
const RELEASE_EVERY: Duration = Duration::from_millis(25);

/// One read-only mapping of a whole file.
struct Mapped(Mmap);

/// A mapping as tantivy's bytes: the `Arc` keeps it mapped while any slice of it lives.
struct SharedMap(Arc<Mapped>);

impl Deref for SharedMap {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0 .0
    }
}

// SAFETY: the bytes are the mapping's, which neither moves nor changes while the `Arc` lives.
unsafe impl stable_deref_trait::StableDeref for SharedMap {}

/// The mappings made for one ingest's directory; clones share them.
#[derive(Clone, Default, Debug)]
pub struct ReleasedMaps {
    maps: Arc<Mutex<Vec<Weak<Mapped>>>>,
}

impl std::fmt::Debug for Mapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mapped({} bytes)", self.0.len())
    }
}

impl ReleasedMaps {
    /// The file at `path`, mapped read-only and registered for release.
    pub fn open(&self, path: &Path) -> io::Result<Arc<dyn FileHandle>> {
        let file = std::fs::File::open(path)?;
        if file.metadata()?.len() == 0 {
            // An empty file cannot be mapped.
            return Ok(Arc::new(OwnedBytes::empty()));
        }
        // SAFETY: segment files are written once and never changed or truncated afterwards
        // (tantivy writes new files and renames its metadata over).
        let map = unsafe { Mmap::map(&file)? };
        let mapped = Arc::new(Mapped(map));
        let mut maps = self.maps.lock().unwrap_or_else(|e| e.into_inner());
        maps.retain(|m| m.strong_count() > 0);
        maps.push(Arc::downgrade(&mapped));
        Ok(Arc::new(OwnedBytes::new(SharedMap(mapped))))
    }

    /// Hands every page of every live mapping back to the page cache.
    pub fn release(&self) {
        let live: Vec<Arc<Mapped>> = {
            let maps = self.maps.lock().unwrap_or_else(|e| e.into_inner());
            maps.iter().filter_map(Weak::upgrade).collect()
        };
        for mapped in live {
            // SAFETY: a read-only shared mapping of a file that does not change: after
            // MADV_DONTNEED a read faults the same bytes back in from the page cache, even one
            // another thread makes meanwhile. Failure only means the pages stay resident.
            let _ = unsafe { mapped.0.unchecked_advise(UncheckedAdvice::DontNeed) };
        }
    }

    /// Starts releasing every `RELEASE_EVERY` until the returned guard is dropped.
    pub fn keep_released(&self) -> Releaser {
        let stop = Arc::new(AtomicBool::new(false));
        let maps = self.clone();
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("litsearch-release".into())
            .spawn(move || {
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::park_timeout(RELEASE_EVERY);
                    maps.release();
                }
            })
            .ok();
        Releaser { stop, thread }
    }

    /// How many mappings are live (tests).
    #[cfg(test)]
    fn live(&self) -> usize {
        let maps = self.maps.lock().unwrap();
        maps.iter().filter(|m| m.strong_count() > 0).count()
    }
}

/// Stops the releasing thread when dropped.
pub struct Releaser {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Releaser {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Resident pages of this process's mappings of `path` (from /proc/self/smaps).
    fn resident_kb(path: &Path) -> u64 {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let name = path.to_string_lossy();
        let mut inside = false;
        let mut kb = 0;
        for line in smaps.lines() {
            if line.contains('-') && line.split_whitespace().count() >= 5 {
                inside = line.ends_with(name.as_ref());
            } else if inside {
                if let Some(rest) = line.strip_prefix("Rss:") {
                    kb += rest
                        .trim()
                        .trim_end_matches(" kB")
                        .trim()
                        .parse::<u64>()
                        .unwrap();
                }
            }
        }
        kb
    }

    fn file_of(bytes: usize) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        let data: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8).collect();
        std::io::Write::write_all(&mut file, &data).unwrap();
        file
    }

    #[test]
    fn a_released_mapping_reads_the_same_bytes_with_its_pages_given_back() {
        let file = file_of(8 << 20);
        let maps = ReleasedMaps::default();
        let handle = maps.open(file.path()).unwrap();
        let before = handle.read_bytes(0..8 << 20).unwrap();
        let sum: u64 = before.as_slice().iter().map(|&b| u64::from(b)).sum();
        assert!(resident_kb(file.path()) >= 8 << 10, "every page was read");
        maps.release();
        assert!(
            resident_kb(file.path()) < 1 << 10,
            "released pages are not resident"
        );
        let again: u64 = before.as_slice().iter().map(|&b| u64::from(b)).sum();
        assert_eq!(sum, again, "the bytes read after a release are the file's");
        assert_eq!(before.as_slice()[1000], (1000 % 251) as u8);
    }

    #[test]
    fn the_releasing_thread_keeps_a_whole_read_from_staying_resident() {
        let file = file_of(32 << 20);
        let maps = ReleasedMaps::default();
        let handle = maps.open(file.path()).unwrap();
        let bytes = handle.read_bytes(0..32 << 20).unwrap();
        let releaser = maps.keep_released();
        let mut sum = 0u64;
        for b in bytes.as_slice() {
            sum += u64::from(*b);
        }
        std::thread::sleep(RELEASE_EVERY * 4);
        assert!(
            resident_kb(file.path()) < 4 << 10,
            "the thread released what was read"
        );
        drop(releaser);
        assert_eq!(
            sum,
            bytes.as_slice().iter().map(|&b| u64::from(b)).sum::<u64>()
        );
    }

    #[test]
    fn mappings_are_forgotten_once_dropped_and_an_empty_file_is_no_mapping() {
        let maps = ReleasedMaps::default();
        let file = file_of(4096);
        let handle = maps.open(file.path()).unwrap();
        assert_eq!(maps.live(), 1);
        let other = file_of(4096);
        let kept = maps.open(other.path()).unwrap();
        assert_eq!(
            maps.live(),
            2,
            "a second mapping keeps the first one registered"
        );
        drop(handle);
        assert_eq!(maps.live(), 1);
        let third = maps.open(file.path()).unwrap();
        assert_eq!(
            maps.live(),
            2,
            "opening forgets the dropped, keeps the live"
        );
        drop((kept, third));
        assert_eq!(maps.live(), 0);
        let empty = tempfile::NamedTempFile::new().unwrap();
        assert_eq!(maps.open(empty.path()).unwrap().len(), 0);
        assert_eq!(maps.live(), 0);
    }
}
