//! The citation keys of one sync, the same for every engine: a record keeps the key its source
//! gives, else the key the index gave it before, else one made for it; one paper per key.
//!
//! Keys are unique case aside (`citekey::fold`). A key the index already gives a paper stays
//! that paper's for the whole sync, so a re-ingest never moves a key from one paper to another;
//! a key taken is suffixed (`smith2020a`), and a source's own key taken is reported.

use std::collections::HashMap;

use crate::citekey::{base_key, fold, with_suffix};
use crate::diagnostic::Diagnostic;
use crate::record::Record;

/// Who holds a key.
struct Holder {
    id: u64,
    /// Where the holder was read in this sync (index into `files`, line), if it was.
    read_at: Option<(u32, u64)>,
}

/// Every key held, by folded key, and the keys given in this sync, by id.
#[derive(Default)]
pub struct KeyLedger {
    holders: HashMap<String, Holder>,
    /// A copy of a paper read again (the merger's replacement) keeps the key first given.
    given: HashMap<u64, Box<str>>,
    /// Input file names, each stored once.
    files: Vec<String>,
}

impl KeyLedger {
    /// A ledger where each key the index gives is its paper's (`(id number, key)`).
    pub fn new<'a>(indexed: impl Iterator<Item = (u64, &'a str)>) -> KeyLedger {
        let mut ledger = KeyLedger::default();
        for (id, key) in indexed {
            ledger
                .holders
                .insert(fold(key), Holder { id, read_at: None });
        }
        ledger
    }

    /// Sets `record.key` (its id number `id`; `indexed`: the key the index gave it before).
    /// A warning when the record's own key is another paper's.
    pub fn assign(
        &mut self,
        id: u64,
        record: &mut Record,
        indexed: Option<&str>,
    ) -> Option<Diagnostic> {
        if let Some(key) = self.given.get(&id) {
            record.key = key.to_string();
            return None;
        }
        let own = std::mem::take(&mut record.key);
        let mut warning = None;
        let key = if own.is_empty() {
            match indexed.filter(|k| self.is_free_for(k, id)) {
                Some(k) => k.to_owned(),
                None => self.first_free(
                    &base_key(&record.authors, &record.date, &record.title),
                    0,
                    id,
                ),
            }
        } else if self.is_free_for(&own, id) {
            own
        } else {
            let key = match indexed.filter(|k| self.is_free_for(k, id)) {
                Some(k) => k.to_owned(),
                None => self.first_free(&own, 1, id),
            };
            let other = match self.holders.get(&fold(&own)).and_then(|h| h.read_at) {
                Some((file, line)) => format!(
                    "given at {}:{line} to another paper",
                    self.files.get(file as usize).map_or("", String::as_str)
                ),
                None => "another indexed paper's".to_owned(),
            };
            warning = Some(Diagnostic::new(
                &record.source.file,
                record.source.line,
                format!("citation key `{own}` is {other}; this one is `{key}`"),
            ));
            key
        };
        let file = self.file_index(&record.source.file);
        self.holders.insert(
            fold(&key),
            Holder {
                id,
                read_at: Some((file, record.source.line)),
            },
        );
        self.given.insert(id, key.clone().into_boxed_str());
        record.key = key;
        warning
    }

    fn is_free_for(&self, key: &str, id: u64) -> bool {
        self.holders.get(&fold(key)).is_none_or(|h| h.id == id)
    }

    /// `base` with the first suffix from the `from`-th on that is free for `id`.
    fn first_free(&self, base: &str, from: usize, id: u64) -> String {
        (from..)
            .map(|n| with_suffix(base, n))
            .find(|k| self.is_free_for(k, id))
            .unwrap_or_else(|| base.to_owned())
    }

    fn file_index(&mut self, file: &str) -> u32 {
        let i = match self.files.iter().rposition(|f| f == file) {
            Some(i) => i,
            None => {
                self.files.push(file.to_owned());
                self.files.len() - 1
            }
        };
        u32::try_from(i).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Source;

    fn paper(key: &str, title: &str, file: &str, line: u64) -> Record {
        Record {
            id: String::new(),
            key: key.to_owned(),
            title: title.to_owned(),
            abstract_text: String::new(),
            authors: vec!["Ada Lovelace".to_owned()],
            fellows: Vec::new(),
            tags: Vec::new(),
            date: "1843".to_owned(),
            featured: false,
            doi: String::new(),
            url: String::new(),
            arxiv: String::new(),
            source: Source {
                file: file.to_owned(),
                line,
            },
        }
    }

    #[test]
    fn a_source_key_is_kept_and_a_second_paper_with_it_suffixed_and_reported() {
        let mut ledger = KeyLedger::new(std::iter::empty());
        let mut a = paper("Ada:1843", "Notes", "a.bib", 3);
        assert!(ledger.assign(1, &mut a, None).is_none());
        assert_eq!(a.key, "Ada:1843");
        let mut b = paper("ada:1843", "Sketch", "b.bib", 9);
        let warning = ledger.assign(2, &mut b, None).unwrap().to_string();
        assert_eq!(b.key, "ada:1843a");
        assert!(warning.contains("b.bib:9"), "{warning}");
        assert!(
            warning.contains("given at a.bib:3 to another paper"),
            "{warning}"
        );
        // The same paper read again keeps its first key, unreported.
        let mut again = paper("other", "Notes", "c.bib", 1);
        assert!(ledger.assign(1, &mut again, None).is_none());
        assert_eq!(again.key, "Ada:1843");
    }

    #[test]
    fn made_keys_are_suffixed_and_an_indexed_key_stays_its_papers() {
        let mut ledger = KeyLedger::new([(7, "lovelace1843notes")].into_iter());
        // Another paper of the same base key comes first: the index's key is not its.
        let mut other = paper("", "Notes again", "x", 1);
        ledger.assign(8, &mut other, None);
        assert_eq!(other.key, "lovelace1843notesa");
        let mut kept = paper("", "Notes", "x", 2);
        ledger.assign(7, &mut kept, Some("lovelace1843notes"));
        assert_eq!(kept.key, "lovelace1843notes");
        // A source key another indexed paper holds: the record keeps its own indexed key.
        let mut clash = paper("lovelace1843notes", "Third", "y.bib", 4);
        let warning = ledger
            .assign(9, &mut clash, Some("third"))
            .unwrap()
            .to_string();
        assert_eq!(clash.key, "third");
        assert!(warning.contains("`lovelace1843notes` is"), "{warning}");
    }
}
