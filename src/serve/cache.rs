//! The server's answer cache: search results by request, for the index generation that
//! answered them, so a repeated search (a shared link, a page reloaded) is not searched again.
//!
//! Entries are keyed by the engine's epoch as well as the request: an ingest makes the server
//! open a new engine under a new epoch, so an answer of the old index can never be served for
//! the new one, even one stored by a search that was still running on the old engine.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use crate::search::{SearchRequest, SearchResults};

/// Answers kept by default (`serve --cache`); each is one page of results and its facets.
pub const DEFAULT_ENTRIES: usize = 256;
/// The most `serve --cache` accepts: a page of results each (`limit` at most 100 hits).
pub const MAX_ENTRIES: usize = 100_000;

/// Search results by (engine epoch, request), least recently used evicted first.
pub struct SearchCache {
    capacity: usize,
    inner: Mutex<Entries>,
}

/// The answers of one epoch, the newest stored for: every use and eviction is a map lookup
/// and an ordered-map step (logarithmic), never a walk over all entries, at any `--cache`.
#[derive(Default)]
struct Entries {
    map: HashMap<String, Entry>,
    /// The keys by last use, oldest first: the next to evict.
    by_use: BTreeMap<u64, String>,
    /// Bumped at every use; an entry's `used` says how recently it served.
    clock: u64,
    /// The epoch of every entry.
    epoch: u64,
}

struct Entry {
    results: Arc<SearchResults>,
    used: u64,
}

/// A request as the cache names it: every field that shapes the answer (the request's
/// `Debug` form lists them all, in declaration order, so equal requests are equal keys).
pub fn key(request: &SearchRequest) -> String {
    format!("{request:?}")
}

impl SearchCache {
    /// A cache of `capacity` answers; 0 keeps none.
    pub fn new(capacity: usize) -> SearchCache {
        SearchCache {
            capacity,
            inner: Mutex::new(Entries::default()),
        }
    }

    /// The answer stored for `key` by an engine of this `epoch`.
    pub fn get(&self, epoch: u64, key: &str) -> Option<Arc<SearchResults>> {
        let mut entries = self.inner.lock().ok()?;
        entries.clock += 1;
        let now = entries.clock;
        if entries.epoch != epoch {
            return None;
        }
        let entry = entries.map.get_mut(key)?;
        let last = std::mem::replace(&mut entry.used, now);
        let results = entry.results.clone();
        entries.by_use.remove(&last);
        entries.by_use.insert(now, key.to_owned());
        Some(results)
    }

    /// Stores an answer, evicting the least recently used one when full. An answer of an
    /// older epoch than one already stored is not kept (its index is gone), and the first
    /// answer of a newer epoch drops the older ones.
    pub fn put(&self, epoch: u64, key: String, results: Arc<SearchResults>) {
        if self.capacity == 0 {
            return;
        }
        let Ok(mut entries) = self.inner.lock() else {
            return;
        };
        if epoch < entries.epoch {
            return;
        }
        if epoch > entries.epoch {
            entries.map.clear();
            entries.by_use.clear();
            entries.epoch = epoch;
        }
        entries.clock += 1;
        let used = entries.clock;
        if let Some(old) = entries.map.get(&key).map(|e| e.used) {
            entries.by_use.remove(&old);
        } else if entries.map.len() >= self.capacity {
            if let Some((_, oldest)) = entries.by_use.pop_first() {
                entries.map.remove(&oldest);
            }
        }
        entries.by_use.insert(used, key.clone());
        entries.map.insert(key, Entry { results, used });
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().map_or(0, |e| e.map.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::RelaxReport;

    fn results(total: usize) -> Arc<SearchResults> {
        Arc::new(SearchResults {
            total,
            took_ms: 1.0,
            relaxed: RelaxReport::default(),
            hits: Vec::new(),
            facets: Vec::new(),
        })
    }

    fn request(query: &str) -> SearchRequest {
        SearchRequest {
            query: query.to_owned(),
            ..SearchRequest::default()
        }
    }

    #[test]
    fn an_answer_serves_the_same_request_of_the_same_epoch_only() {
        let cache = SearchCache::new(4);
        cache.put(1, key(&request("probes")), results(3));
        assert_eq!(cache.get(1, &key(&request("probes"))).unwrap().total, 3);
        assert!(cache.get(2, &key(&request("probes"))).is_none());
        assert!(cache.get(1, &key(&request("probe"))).is_none());
        let mut paged = request("probes");
        paged.offset = 10;
        assert!(cache.get(1, &key(&paged)).is_none());
        let mut filtered = request("probes");
        filtered.filters.tags.push("Interpretability".to_owned());
        assert!(cache.get(1, &key(&filtered)).is_none());
    }

    #[test]
    fn a_newer_epoch_drops_the_older_answers() {
        let cache = SearchCache::new(4);
        cache.put(1, key(&request("a")), results(1));
        cache.put(1, key(&request("b")), results(1));
        cache.put(2, key(&request("c")), results(2));
        assert_eq!(cache.len(), 1);
        // A search that started on the old engine and ends late is not kept either way.
        assert!(cache.get(1, &key(&request("a"))).is_none());
        cache.put(1, key(&request("d")), results(1));
        assert_eq!(cache.len(), 1);
        assert!(cache.get(1, &key(&request("d"))).is_none());
        assert_eq!(cache.get(2, &key(&request("c"))).unwrap().total, 2);
    }

    /// At a large size the order of use still decides: the keys read since they were stored
    /// outlive every one stored before them, the others go oldest first.
    #[test]
    fn a_large_cache_evicts_by_last_use() {
        let cache = SearchCache::new(1_000);
        let k = |i: usize| key(&request(&format!("q{i}")));
        for i in 0..1_000 {
            cache.put(1, k(i), results(i));
        }
        for i in (0..1_000).step_by(10) {
            assert!(cache.get(1, &k(i)).is_some());
        }
        // 900 more: the 900 not read go, the 100 read stay.
        for i in 1_000..1_900 {
            cache.put(1, k(i), results(i));
        }
        assert_eq!(cache.len(), 1_000);
        for i in 0..1_000 {
            assert_eq!(cache.get(1, &k(i)).is_some(), i % 10 == 0, "q{i}");
        }
        // Reading them again made them the newest: the next puts evict the oldest of the 900.
        cache.put(1, k(5_000), results(0));
        assert!(cache.get(1, &k(1_000)).is_none());
        assert!(cache.get(1, &k(1_001)).is_some());
    }

    #[test]
    fn when_full_the_least_recently_used_goes() {
        let cache = SearchCache::new(2);
        cache.put(1, key(&request("a")), results(1));
        cache.put(1, key(&request("b")), results(2));
        assert!(cache.get(1, &key(&request("a"))).is_some());
        cache.put(1, key(&request("c")), results(3));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(1, &key(&request("b"))).is_none());
        assert!(cache.get(1, &key(&request("a"))).is_some());
        assert!(cache.get(1, &key(&request("c"))).is_some());
        // Replacing a stored key evicts nothing.
        cache.put(1, key(&request("c")), results(4));
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.get(1, &key(&request("c"))).unwrap().total, 4);
    }

    #[test]
    fn a_cache_of_none_keeps_nothing() {
        let cache = SearchCache::new(0);
        cache.put(1, key(&request("a")), results(1));
        assert_eq!(cache.len(), 0);
        assert!(cache.get(1, &key(&request("a"))).is_none());
    }
}
