//! The saved searches of an index and what each has reported: `index/watches.json`, beside the
//! generations (so `ingest --rebuild` keeps it), written atomically, never silently replaced.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::search::Filters;

/// The file's name inside the index directory.
pub const STATE_FILE: &str = "watches.json";
/// Bumped when the file's shape changes incompatibly.
pub const STATE_VERSION: u32 = 1;
/// The lock `watch add`, `rm` and `run` hold while they read and rewrite the file.
pub const WATCH_LOCK: &str = "watch.lock";
/// Longest accepted name (it becomes a file name for Atom feeds).
pub const MAX_NAME_LEN: usize = 40;

/// The whole file: `{"version": 1, "watches": [...]}`, watches in name order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchFile {
    pub version: u32,
    pub watches: Vec<Watch>,
}

impl Default for WatchFile {
    fn default() -> Self {
        WatchFile {
            version: STATE_VERSION,
            watches: Vec::new(),
        }
    }
}

/// One saved search and its memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Watch {
    pub name: String,
    /// The query as typed (may be empty when filters are given).
    pub query: String,
    #[serde(default, skip_serializing_if = "Filters::is_empty")]
    pub filters: Filters,
    /// RFC 3339.
    pub created: String,
    /// RFC 3339 of the last recorded run.
    #[serde(default)]
    pub last_run: Option<String>,
    /// Every record with a newer `first_seen` than this (unix seconds) is yet to be looked at;
    /// `None`: every record is (a new `--backfill` watch). Only narrows the search: what was
    /// reported is decided by `reported`.
    #[serde(default)]
    pub scanned_through: Option<i64>,
    /// Record id → content hash of every record reported by this search,
    /// or counted as reported when it was saved. Kept when a record leaves the index, so a
    /// paper removed and added back is not reported twice.
    #[serde(default)]
    pub reported: ReportedSet,
    /// The other outputs' own records (an Atom feed directory: `atom:/abs/dir`), each kept
    /// apart from the e-mail's (stdout or `--deliver`, the fields above), so a feed set up
    /// later starts with the papers that match. Absent from files written before.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outputs: BTreeMap<String, OutputRecord>,
}

/// What one output of a saved search has reported: as `Watch::scanned_through` and `reported`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputRecord {
    #[serde(default)]
    pub scanned_through: Option<i64>,
    #[serde(default)]
    pub reported: ReportedSet,
}

/// Record id → content hash: numbers in memory; in the file one string of `ID:HASH` pairs of
/// 16 hex digits each, separated by spaces (`"0123456789abcdef:fedcba9876543210 …"`). A watch
/// over a large index may hold thousands, and every run reads and rewrites them: one string
/// parses and prints several times faster than a JSON object of as many entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportedSet(pub BTreeMap<u64, u64>);

impl ReportedSet {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn parse(text: &str) -> Result<ReportedSet, String> {
        let mut out = BTreeMap::new();
        for pair in text.split_ascii_whitespace() {
            let parsed = pair.split_once(':').and_then(|(id, hash)| {
                let hex = |s: &str| {
                    (s.len() == 16)
                        .then(|| u64::from_str_radix(s, 16).ok())
                        .flatten()
                };
                Some((hex(id)?, hex(hash)?))
            });
            let (id, hash) = parsed.ok_or_else(|| {
                format!("reported: \"{pair}\" is not ID:HASH in 16 hex digits each")
            })?;
            out.insert(id, hash);
        }
        Ok(ReportedSet(out))
    }
}

impl Serialize for ReportedSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut text = String::with_capacity(self.0.len() * 34);
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        for (id, hash) in &self.0 {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(hex_in(*id, &mut a));
            text.push(':');
            text.push_str(hex_in(*hash, &mut b));
        }
        s.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for ReportedSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ReportedSet;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string of ID:HASH pairs")
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<ReportedSet, E> {
                ReportedSet::parse(s).map_err(E::custom)
            }
        }
        d.deserialize_str(Visitor)
    }
}

impl Watch {
    /// This search as the output `key` has seen it (`None`: the e-mail's record); an output
    /// not seen before has reported nothing and searches every record.
    pub fn for_output(&self, key: Option<&str>) -> Watch {
        let Some(key) = key else {
            return self.clone();
        };
        let own = self.outputs.get(key).cloned().unwrap_or_default();
        Watch {
            scanned_through: own.scanned_through,
            reported: own.reported,
            outputs: BTreeMap::new(),
            ..self.clone()
        }
    }

    /// Keeps `seen` (a `for_output(key)` view after `run::record`) as the output's record.
    pub fn keep_output(&mut self, key: Option<&str>, seen: Watch) {
        match key {
            None => {
                let outputs = std::mem::take(&mut self.outputs);
                *self = Watch { outputs, ..seen };
            }
            Some(key) => {
                self.last_run = seen.last_run;
                self.outputs.insert(
                    key.to_owned(),
                    OutputRecord {
                        scanned_through: seen.scanned_through,
                        reported: seen.reported,
                    },
                );
            }
        }
    }

    pub fn reported_hash(&self, id: u64) -> Option<u64> {
        self.reported.0.get(&id).copied()
    }

    pub fn record_reported(&mut self, id: u64, content_hash: u64) {
        self.reported.0.insert(id, content_hash);
    }

    pub fn reported_ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.reported.0.keys().copied()
    }
}

/// `record::id_from_number` without an allocation.
fn hex_in(n: u64, buf: &mut [u8; 16]) -> &str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (i, digit) in buf.iter_mut().rev().enumerate() {
        *digit = DIGITS[((n >> (4 * i)) & 0xf) as usize];
    }
    std::str::from_utf8(buf).unwrap_or_default()
}

/// Names are short identifiers: a letter or digit, then letters, digits, `-` or `_`.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid watch name \"{name}\": use up to {MAX_NAME_LEN} letters, digits, '-' or '_', starting with a letter or digit"
        ))
    }
}

/// Where the watches of the index in `index_dir` live.
pub fn state_path(index_dir: &Path) -> PathBuf {
    index_dir.join(STATE_FILE)
}

impl WatchFile {
    /// Reads the file; a missing one is an empty set of watches. Anything unreadable or
    /// invalid is an error naming the file, which is left untouched.
    pub fn load(path: &Path) -> Result<WatchFile> {
        let bad = |detail: String| Error::State {
            path: path.to_path_buf(),
            detail,
        };
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(WatchFile::default()),
            Err(e) => return Err(bad(format!("cannot read the saved searches: {e}"))),
        };
        // Check the version first, so a newer file gets a clearer message than a parse error.
        #[derive(Deserialize)]
        struct Version {
            version: Option<u32>,
        }
        match serde_json::from_slice::<Version>(&bytes) {
            Ok(Version { version: Some(v) }) if v != STATE_VERSION => {
                return Err(bad(format!(
                    "saved searches in format version {v}, this litsearch reads version {STATE_VERSION}"
                )))
            }
            Ok(_) => {}
            Err(e) => return Err(bad(format!("not a valid saved-search file ({e})"))),
        }
        let file: WatchFile = serde_json::from_slice(&bytes)
            .map_err(|e| bad(format!("not a valid saved-search file ({e})")))?;
        file.validate().map_err(bad)?;
        Ok(file)
    }

    fn validate(&self) -> Result<(), String> {
        let mut names = std::collections::BTreeSet::new();
        for w in &self.watches {
            check_name(&w.name)?;
            if !names.insert(w.name.as_str()) {
                return Err(format!("the name \"{}\" is saved twice", w.name));
            }
        }
        Ok(())
    }

    /// Writes the file atomically (temporary file, fsync, rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut bytes = serde_json::to_vec_pretty(self).map_err(|e| Error::State {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        bytes.push(b'\n');
        crate::atomic_write::write_atomically(path, &bytes)
    }

    pub fn get(&self, name: &str) -> Option<&Watch> {
        self.watches.iter().find(|w| w.name == name)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Watch> {
        self.watches.iter_mut().find(|w| w.name == name)
    }

    /// Adds or replaces a watch, keeping name order.
    pub fn put(&mut self, watch: Watch) {
        self.watches.retain(|w| w.name != watch.name);
        let at = self
            .watches
            .partition_point(|w| w.name.as_str() < watch.name.as_str());
        self.watches.insert(at, watch);
    }

    pub fn remove(&mut self, name: &str) -> Option<Watch> {
        let at = self.watches.iter().position(|w| w.name == name)?;
        Some(self.watches.remove(at))
    }

    /// The error for a name that is not saved, listing the ones that are.
    pub fn unknown(&self, name: &str) -> Error {
        let known: Vec<&str> = self.watches.iter().map(|w| w.name.as_str()).collect();
        Error::Usage(if known.is_empty() {
            format!("no saved search named \"{name}\" (none are saved; add one with `litsearch watch add NAME QUERY`)")
        } else {
            format!(
                "no saved search named \"{name}\" (saved: {})",
                known.join(", ")
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(name: &str) -> Watch {
        Watch {
            name: name.to_owned(),
            query: "sparse autoencoder".to_owned(),
            filters: Filters::default(),
            created: "2026-11-25T12:00:00Z".to_owned(),
            last_run: None,
            scanned_through: Some(5),
            reported: ReportedSet::default(),
            outputs: BTreeMap::new(),
        }
    }

    #[test]
    fn names_are_short_identifiers() {
        for ok in ["sae", "SAE-2", "a_b", "7"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", "a b", "a/b", "..", "é", &"x".repeat(41)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn round_trips_and_keeps_name_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = state_path(dir.path());
        assert_eq!(WatchFile::load(&path).unwrap(), WatchFile::default());
        let mut f = WatchFile::default();
        f.put(watch("zeta"));
        let mut a = watch("alpha");
        a.record_reported(0xabc, 0xdef);
        f.put(a);
        f.save(&path).unwrap();
        let back = WatchFile::load(&path).unwrap();
        assert_eq!(back, f);
        assert_eq!(back.watches[0].name, "alpha");
        assert_eq!(back.watches[0].reported_hash(0xabc), Some(0xdef));
        assert_eq!(back.watches[0].reported_ids().collect::<Vec<_>>(), [0xabc]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("\"reported\": \"0000000000000abc:0000000000000def\""),
            "{text}"
        );
        let mut buf = [0; 16];
        assert_eq!(
            hex_in(u64::MAX - 1, &mut buf),
            crate::record::id_from_number(u64::MAX - 1)
        );
    }

    #[test]
    fn bad_files_are_errors_naming_the_file_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = state_path(dir.path());
        for text in [
            "{not json",
            "{\"version\": 9, \"watches\": []}",
            "{\"version\": 1, \"watches\": [{\"name\": \"a b\", \"query\": \"x\", \"created\": \"\"}]}",
            "{\"version\": 1, \"watches\": [], \"extra\": 1}",
            "{\"version\": 1, \"watches\": [{\"name\": \"a\", \"query\": \"x\", \"created\": \"\", \"reported\": \"12:34\"}]}",
        ] {
            std::fs::write(&path, text).unwrap();
            let e = WatchFile::load(&path).unwrap_err().to_string();
            assert!(e.contains("watches.json"), "{e}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        }
    }
}

/// A saved search as `watch list --json` and `watch show --json` print it.
#[derive(Debug, Serialize)]
pub struct WatchJson<'a> {
    name: &'a str,
    query: &'a str,
    filters: &'a Filters,
    created: &'a str,
    last_run: Option<&'a str>,
    /// How many papers it has reported (or counted as reported when saved).
    reported: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    reported_ids: Option<Vec<String>>,
}

impl<'a> WatchJson<'a> {
    pub fn new(w: &'a Watch, with_ids: bool) -> Self {
        WatchJson {
            name: &w.name,
            query: &w.query,
            filters: &w.filters,
            created: &w.created,
            last_run: w.last_run.as_deref(),
            reported: w.reported.len(),
            reported_ids: with_ids.then(|| {
                w.reported_ids()
                    .map(crate::record::id_from_number)
                    .collect()
            }),
        }
    }
}
