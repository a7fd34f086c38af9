//! Running saved searches: for each, the records that match now and that it has not reported
//! (or, with `include_updated`, that changed since). Looking changes nothing; `record` does,
//! and callers call it only once the output is delivered (at least once, never skipped).

use std::collections::BTreeMap;

use serde::Serialize;

use super::state::Watch;
use crate::engine::{Engine, Restrictions};
use crate::error::Result;
use crate::record::id_to_number;
use crate::search::{matching_records, search_restricted, Filters, Hit, SearchRequest, Sort};

#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Also report records whose content changed since this search reported them.
    pub include_updated: bool,
}

/// Why a record is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Never reported by this search.
    New,
    /// Reported before, and its content has changed since.
    Updated,
}

#[derive(Debug, Clone)]
pub struct Reported {
    pub hit: Hit,
    pub change: Change,
    pub content_hash: u64,
}

/// What one saved search has to report.
#[derive(Debug, Clone)]
pub struct WatchReport {
    pub name: String,
    pub query: String,
    pub filters: Filters,
    /// Most recently added first.
    pub hits: Vec<Reported>,
}

impl WatchReport {
    pub fn count(&self, change: Change) -> usize {
        self.hits.iter().filter(|r| r.change == change).count()
    }
}

/// The request a saved search runs: every word as written (no typo correction or word left out,
/// which would make a watch's matches depend on which records happen to be new).
pub fn saved_request(query: &str, filters: Filters) -> SearchRequest {
    SearchRequest {
        query: query.to_owned(),
        filters,
        sort: Some(Sort::Added),
        limit: 0,
        exact: true,
        facets: Vec::new(),
        ..SearchRequest::default()
    }
}

/// Ids and content hashes of every record a search matches now (what `watch add` counts as
/// already reported). Also checks the query against the index.
pub fn current_matches<E: Engine>(
    engine: &E,
    query: &str,
    filters: &Filters,
) -> Result<Vec<(u64, u64)>> {
    Ok(matching_records(
        engine,
        &saved_request(query, filters.clone()),
        &Restrictions::default(),
    )?
    .into_iter()
    .map(|m| (m.id, m.content_hash))
    .collect())
}

/// A new saved search. Unless `backfill`, the records matching now count as reported, and only
/// records first seen from now on are searched at its first run. Checks the query against the
/// index. Returns the watch and how many records match now.
pub fn new_watch<E: Engine>(
    engine: &E,
    name: &str,
    query: &str,
    filters: Filters,
    backfill: bool,
) -> Result<(Watch, usize)> {
    let matches = current_matches(engine, query, &filters)?;
    let mut watch = Watch {
        name: name.to_owned(),
        query: query.to_owned(),
        filters,
        created: crate::clock::now_rfc3339(),
        last_run: None,
        scanned_through: if backfill {
            None
        } else {
            engine.newest_first_seen()?
        },
        reported: Default::default(),
        outputs: Default::default(),
    };
    if !backfill {
        for (id, hash) in &matches {
            watch.record_reported(*id, *hash);
        }
    }
    Ok((watch, matches.len()))
}

/// What `watch` has to report now. Only records first seen after its last run are searched,
/// plus, with `include_updated`, the ones it reported before.
pub fn run_watch<E: Engine>(engine: &E, watch: &Watch, opts: RunOptions) -> Result<WatchReport> {
    // Ingest gives new records a first_seen above every existing one, so the records first
    // seen after the newest this watch looked at are exactly the ones it has not seen.
    let newer = Restrictions {
        first_seen_after: watch.scanned_through,
        ..Restrictions::default()
    };
    let request = saved_request(&watch.query, watch.filters.clone());
    let mut todo: BTreeMap<u64, (Change, u64)> = BTreeMap::new();
    for m in matching_records(engine, &request, &newer)? {
        match watch.reported_hash(m.id) {
            None => {
                todo.insert(m.id, (Change::New, m.content_hash));
            }
            Some(h) if opts.include_updated && h != m.content_hash => {
                todo.insert(m.id, (Change::Updated, m.content_hash));
            }
            Some(_) => {}
        }
    }
    if opts.include_updated && !watch.reported.is_empty() {
        let reported = Restrictions {
            ids: Some(watch.reported_ids().collect()),
            ..Restrictions::default()
        };
        for m in matching_records(engine, &request, &reported)? {
            if watch.reported_hash(m.id) != Some(m.content_hash) {
                todo.insert(m.id, (Change::Updated, m.content_hash));
            }
        }
    }
    let mut report = WatchReport {
        name: watch.name.clone(),
        query: watch.query.clone(),
        filters: watch.filters.clone(),
        hits: Vec::new(),
    };
    if todo.is_empty() {
        return Ok(report);
    }
    let request = SearchRequest {
        limit: todo.len(),
        ..saved_request(&watch.query, watch.filters.clone())
    };
    let todo_ids = Restrictions {
        ids: Some(todo.keys().copied().collect()),
        ..Restrictions::default()
    };
    let results = search_restricted(engine, &request, &todo_ids)?;
    for hit in results.hits {
        let Some(&(change, content_hash)) =
            id_to_number(&hit.record.id).and_then(|id| todo.get(&id))
        else {
            continue;
        };
        report.hits.push(Reported {
            hit,
            change,
            content_hash,
        });
    }
    Ok(report)
}

/// Remembers a delivered report: its records as reported, and how far the index was searched.
/// `newest` is the newest first_seen of the index the report was made from.
pub fn record(watch: &mut Watch, report: &WatchReport, newest: Option<i64>, now: i64) {
    for r in &report.hits {
        if let Some(id) = id_to_number(&r.hit.record.id) {
            watch.record_reported(id, r.content_hash);
        }
    }
    if let Some(newest) = newest {
        watch.scanned_through = Some(watch.scanned_through.map_or(newest, |t| t.max(newest)));
    }
    watch.last_run = Some(crate::clock::unix_to_rfc3339(now));
}
