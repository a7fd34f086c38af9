//! The files a local sync keeps beside the index: the sync mark (`litsearch-sync.json`, in the
//! generation: an identical export at the same commit needs no parsing), the short forms the
//! records define (`acronyms.tsv`, in the generation) and `departed.json`.

use std::collections::HashMap;
use std::path::Path;

use super::store::IndexRoot;
use crate::error::{Error, Result};
use crate::record::{id_from_number, id_to_number};

/// When each paper removed from the index had first entered it (`index/departed.json`, kept
/// outside the generations so rebuilds keep it): a paper that comes back keeps its first_seen.
#[derive(Default)]
pub(super) struct Departed {
    first_seen: HashMap<u64, i64>,
    changed: bool,
}

const DEPARTED: &str = "departed.json";

impl Departed {
    /// Best effort: an unreadable file only means returning papers count as new.
    pub(super) fn load(root: &IndexRoot) -> Departed {
        let first_seen = std::fs::read(root.dir.join(DEPARTED))
            .ok()
            .and_then(|b| serde_json::from_slice::<HashMap<String, i64>>(&b).ok())
            .map(|m| {
                m.into_iter()
                    .filter_map(|(id, t)| Some((id_to_number(&id)?, t)))
                    .collect()
            })
            .unwrap_or_default();
        Departed {
            first_seen,
            changed: false,
        }
    }

    pub(super) fn returning(&mut self, id: u64) -> Option<i64> {
        let t = self.first_seen.remove(&id)?;
        self.changed = true;
        Some(t)
    }

    pub(super) fn left(&mut self, id: u64, first_seen: i64) {
        self.first_seen.insert(id, first_seen);
        self.changed = true;
    }

    pub(super) fn save(&self, root: &IndexRoot) -> Result<()> {
        if !self.changed {
            return Ok(());
        }
        let by_hex: std::collections::BTreeMap<String, i64> = self
            .first_seen
            .iter()
            .map(|(id, t)| (id_from_number(*id), *t))
            .collect();
        let json = serde_json::to_vec(&by_hex).expect("map serializes");
        crate::atomic_write::write_atomically(&root.dir.join(DEPARTED), &json)
    }
}

/// What the last sync of a generation read: an identical export at the same commit is a no-op
/// that needs no parsing, whose warnings are replayed from here.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct SyncMark {
    pub(super) inputs: u64,
    pub(super) opstamp: u64,
    pub(super) entries: u64,
    pub(super) merged: u64,
    #[serde(default)]
    pub(super) skipped: u64,
    /// Warnings of the read.
    #[serde(default)]
    pub(super) warnings: u64,
    #[serde(default)]
    pub(super) diagnostics: Vec<MarkDiagnostic>,
}

#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct MarkDiagnostic {
    pub(super) file: String,
    pub(super) line: u64,
    pub(super) message: String,
}

const SYNC_MARK: &str = "litsearch-sync.json";

impl SyncMark {
    /// Writes the mark into the staging generation.
    pub(super) fn write(&self, staging: &Path) -> Result<()> {
        let json = serde_json::to_vec(self).expect("mark serializes");
        crate::atomic_write::write_atomically(&staging.join(SYNC_MARK), &json)
    }

    /// Too many warnings to keep: the live generation's mark (linked in) describes another
    /// export, and goes.
    pub(super) fn remove(staging: &Path) {
        let _ = std::fs::remove_file(staging.join(SYNC_MARK));
    }
}

pub(super) fn read_sync_mark(generation: &std::path::Path) -> Option<SyncMark> {
    let bytes = std::fs::read(generation.join(SYNC_MARK)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A hash of the inputs' paths, what each is read as (`--format` may change it) and contents
/// (and of the flag that changes what a sync keeps);
/// none when an input is a stream, which can be read only once (and is then always parsed).
pub(super) fn inputs_fingerprint(
    inputs: &[crate::inputs::Input],
    keep_missing: bool,
) -> Result<Option<u64>> {
    use std::io::Read;
    if inputs.iter().any(|input| input.is_stream()) {
        return Ok(None);
    }
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    hasher.update(&[u8::from(keep_missing)]);
    let mut buf = vec![0u8; 1 << 20];
    for input in inputs {
        hasher.update(input.path.to_string_lossy().as_bytes());
        hasher.update(&[0]);
        hasher.update(format!("{:?}", input.kind).as_bytes());
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
    Ok(Some(hasher.digest()))
}

/// The short forms the records of a generation define, one `SHORT<TAB>long form<TAB>records`
/// per line (`acronyms::Synonyms::to_tsv`).
const ACRONYMS: &str = "acronyms.tsv";

/// Writes a generation's short forms (replacing the hard-linked file of the one before, never
/// writing through it); none: no file.
pub(super) fn write_acronyms(staging: &Path, acronyms: &crate::acronyms::Synonyms) -> Result<()> {
    let path = staging.join(ACRONYMS);
    let _ = std::fs::remove_file(&path);
    if acronyms.is_empty() {
        return Ok(());
    }
    crate::atomic_write::write_atomically(&path, acronyms.to_tsv().as_bytes())
}

/// A generation's short forms; none when it has no file (built before they were mined).
pub(super) fn read_acronyms(generation: &Path) -> Result<crate::acronyms::Synonyms> {
    match std::fs::read_to_string(generation.join(ACRONYMS)) {
        Ok(text) => Ok(crate::acronyms::Synonyms::from_tsv(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Default::default()),
        Err(e) => Err(Error::io(generation.join(ACRONYMS), e)),
    }
}
