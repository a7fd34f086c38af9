//! Sync with an OpenSearch index, with the local semantics (the engine-neutral `Diff`):
//! in place, only the changes are sent, after the guards have passed; a rebuild writes a new
//! concrete index `NAME-<generation>` and moves the alias to it in one `_aliases` call, so
//! queries see the old index or the new one, never a part. One ingest at a time per alias
//! (`lock.rs`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::client::{reason, Client};
use super::lock::Lock;
use super::schema::{self, Layout};
use super::{alias_target, hits_of};
use crate::acronyms::Synonyms;
use crate::diagnostic::Diagnostic;
use crate::engine::sync::{self, Inputs, SyncWriter};
use crate::engine::{IngestObserver, IngestOptions, Known, SyncSummary};
use crate::error::{Error, Result};
use crate::record::Record;

/// Documents per `_bulk` request, and its size bound.
const BULK_DOCS: usize = 1_000;
const BULK_BYTES: usize = 8 * 1024 * 1024;
/// Retries of a bulk request (or of its items) refused with 429/503, with doubling backoff.
const RETRIES: u32 = 8;

pub fn ingest(
    client: &Client,
    paths: &[PathBuf],
    opts: &IngestOptions,
    layout: Layout,
    observer: &mut dyn IngestObserver,
) -> Result<SyncSummary> {
    let started = Instant::now();
    let inputs = sync::collect(paths, &opts.choice, observer)?;
    let alias = client.url.name.clone();
    let health = client.call("GET", "/_cluster/health", None)?;
    if health.get("status").and_then(Value::as_str) == Some("red") {
        return Err(
            client.error("the cluster is red (a primary shard is unassigned); nothing was changed")
        );
    }
    let mut lock = Lock::acquire(client, &alias, opts.wait)?;
    let result = write(client, &alias, &inputs, opts, layout, observer, &mut lock);
    lock.release();
    let mut summary = result?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// Syncs the alias through the one driver (`engine::sync::run`): in place, or into a new
/// generation and then the switch.
fn write(
    client: &Client,
    alias: &str,
    inputs: &Inputs,
    opts: &IngestOptions,
    layout: Layout,
    observer: &mut dyn IngestObserver,
    lock: &mut Lock<'_>,
) -> Result<SyncSummary> {
    let live = match alias_target(client, alias)? {
        Some(index) => Some(index),
        None => {
            if client.send("HEAD", &format!("/{alias}"), None)?.ok() {
                return Err(client.error(format!(
                    "{alias} is an index, not an alias: litsearch writes a new index and points the alias {alias} at it; delete or rename the index {alias} first"
                )));
            }
            None
        }
    };
    let mut rebuild = opts.rebuild || live.is_none();
    let mut layout = layout;
    if let Some(index) = &live {
        let mapping = client.call("GET", &format!("/{index}/_mapping"), None)?;
        let version = mapping
            .pointer(&format!("/{index}/mappings/_meta/litsearch_schema"))
            .and_then(Value::as_u64);
        if let Some(refusal) = newer_schema_refusal(index, version, opts.rebuild) {
            return Err(client.error(refusal));
        }
        if version != Some(schema::SCHEMA_VERSION) {
            observer.diagnostic(&Diagnostic::new(
                &client.url.to_string(),
                0,
                format!(
                    "index {index} has schema {} (this litsearch uses {}); rebuilding it",
                    version.map_or("none".to_owned(), |v| v.to_string()),
                    schema::SCHEMA_VERSION
                ),
            ));
            rebuild = true;
        }
        // A rebuild keeps the live index's layout.
        let settings = client.call("GET", &format!("/{index}/_settings"), None)?;
        let get = |key: &str| {
            settings
                .pointer(&format!("/{index}/settings/index/{key}"))
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok())
        };
        if let (Some(shards), Some(replicas)) = (get("number_of_shards"), get("number_of_replicas"))
        {
            layout = Layout { shards, replicas };
        }
    }
    // Known records: the live index's (when rebuilding, so first_seen survives and the removal
    // guard still applies; their hashes then do not matter).
    let known = match &live {
        Some(index) => known_records(client, index)?,
        None => HashMap::new(),
    };
    if rebuild {
        let index = format!("{alias}-{}", generation());
        client.call(
            "PUT",
            &format!("/{index}"),
            Some(&schema::index_body(layout)),
        )?;
        let written = (|| {
            let (summary, acronyms) =
                Sink::new(client, &index, true, lock).run(inputs, known, opts, observer)?;
            put_meta(client, &index, &acronyms)?;
            refresh_and_wait(client, &index)?;
            Ok(summary)
        })();
        let mut summary = match written {
            Ok(s) => s,
            Err(e) => {
                let _ = client.send("DELETE", &format!("/{index}"), None);
                return Err(e);
            }
        };
        // The switch: one call, atomic for every reader.
        let mut actions = vec![json!({"add": {"index": index, "alias": alias}})];
        if let Some(old) = &live {
            actions.insert(0, json!({"remove": {"index": old, "alias": alias}}));
        }
        if let Err(e) = client.call("POST", "/_aliases", Some(&json!({"actions": actions}))) {
            let _ = client.send("DELETE", &format!("/{index}"), None);
            return Err(e);
        }
        remove_old_generations(client, alias, &index);
        summary.records = count(client, alias)?;
        summary.rebuilt = true;
        Ok(summary)
    } else {
        let index = live.expect("in place only with a live index");
        let (mut summary, acronyms) =
            Sink::new(client, &index, false, lock).run(inputs, known, opts, observer)?;
        put_meta(client, &index, &acronyms)?;
        client.call("POST", &format!("/{index}/_refresh"), None)?;
        summary.records = count(client, alias)?;
        Ok(summary)
    }
}

/// The index's `_meta`: its schema and the short forms its records define.
fn put_meta(client: &Client, index: &str, acronyms: &Synonyms) -> Result<()> {
    let body = schema::meta_body(acronyms);
    client.call("PUT", &format!("/{index}/_mapping"), Some(&body))?;
    Ok(())
}

/// A generation number: milliseconds since the epoch (later builds sort after earlier ones).
fn generation() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}

fn count(client: &Client, alias: &str) -> Result<u64> {
    let reply = client.call("GET", &format!("/{alias}/_count"), None)?;
    Ok(reply.get("count").and_then(Value::as_u64).unwrap_or(0))
}

/// Makes the new index's records visible and waits until every primary is assigned.
fn refresh_and_wait(client: &Client, index: &str) -> Result<()> {
    client.call("POST", &format!("/{index}/_refresh"), None)?;
    let health = client.call(
        "GET",
        &format!("/_cluster/health/{index}?wait_for_status=yellow&timeout=60s"),
        None,
    )?;
    if health.get("status").and_then(Value::as_str) == Some("red") {
        return Err(client.error(format!(
            "the new index {index} stayed red; the alias was not moved"
        )));
    }
    Ok(())
}

/// Deletes the alias's earlier generations (`NAME-<digits>`) but `keep`; best effort.
fn remove_old_generations(client: &Client, alias: &str, keep: &str) {
    let Ok(reply) = client.call(
        "GET",
        &format!("/_cat/indices/{alias}-*?format=json&h=index"),
        None,
    ) else {
        return;
    };
    let prefix = format!("{alias}-");
    for row in reply.as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let Some(index) = row.get("index").and_then(Value::as_str) else {
            continue;
        };
        let is_generation = index
            .strip_prefix(&prefix)
            .is_some_and(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
        if is_generation && index != keep {
            let _ = client.send("DELETE", &format!("/{index}"), None);
        }
    }
}

/// Id number → hash and first_seen of every record of `index`.
fn known_records(client: &Client, index: &str) -> Result<HashMap<u64, Known>> {
    let mut known = HashMap::new();
    let mut after: Option<Value> = None;
    loop {
        let mut body = json!({
            "size": 5_000,
            "query": {"match_all": {}},
            "sort": [{"id": "asc"}],
            "_source": ["id", "content_hash", "first_seen", "source_file", "source_line", "key"],
            "track_total_hits": false
        });
        if let Some(a) = &after {
            body["search_after"] = a.clone();
        }
        let reply = client.call("POST", &format!("/{index}/_search"), Some(&body))?;
        let hits = hits_of(&reply);
        for hit in hits {
            let source = hit.get("_source").cloned().unwrap_or(Value::Null);
            if let Some(id) = source
                .get("id")
                .and_then(Value::as_str)
                .and_then(crate::record::id_to_number)
            {
                known.insert(
                    id,
                    Known::new(
                        schema::hash_of(&source),
                        crate::engine::source_hash(&crate::record::Source {
                            file: source
                                .get("source_file")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned(),
                            line: source
                                .get("source_line")
                                .and_then(Value::as_u64)
                                .unwrap_or(0),
                        }),
                        source
                            .get("first_seen")
                            .and_then(Value::as_i64)
                            .unwrap_or(0),
                    )
                    .with_key(
                        source
                            .get("key")
                            .and_then(Value::as_str)
                            .unwrap_or_default(),
                    ),
                );
            }
        }
        if hits.len() < 5_000 {
            return Ok(known);
        }
        after = hits.last().and_then(|h| h.get("sort")).cloned();
    }
}

/// The OpenSearch `SyncWriter`: sends the changes in bounded `_bulk` requests
/// (a rebuild's as they come, into the index no one reads yet; an in-place sync's after the
/// guards, so that a refused sync leaves the index as it was). A second thread posts the
/// bodies one at a time, in order, so the next one is built while one is in flight.
struct Sink<'a, 'l> {
    client: &'a Client,
    index: &'a str,
    /// A rebuild's changes go out as they come (into the index no one reads yet).
    stream: bool,
    /// In-place changes held until the guards pass.
    held: Vec<(Record, i64)>,
    batch: Vec<u8>,
    batch_docs: usize,
    /// To the posting thread, while `run` reads (closed after, so that thread ends).
    queue: Option<SyncSender<Vec<u8>>>,
    lock: &'a mut Lock<'l>,
    /// A failure while reading, reported once the read stops.
    failed: Option<Error>,
    /// The short forms the records define, put in the index's mapping after the sync.
    acronyms: Synonyms,
}

/// Why posting stopped: the error, and the records the engine refused (each reported on a
/// line of its own before the error).
struct Stopped {
    refused: Vec<String>,
    error: Error,
}

impl From<Error> for Stopped {
    fn from(error: Error) -> Stopped {
        Stopped {
            refused: Vec::new(),
            error,
        }
    }
}

impl<'a, 'l> Sink<'a, 'l> {
    fn new(client: &'a Client, index: &'a str, stream: bool, lock: &'a mut Lock<'l>) -> Self {
        Sink {
            client,
            index,
            stream,
            held: Vec::new(),
            batch: Vec::new(),
            batch_docs: 0,
            queue: None,
            lock,
            failed: None,
            acronyms: Synonyms::default(),
        }
    }

    /// Reads, diffs and sends everything, then closes the queue so the posting thread ends
    /// (also when reading panics: the scope would otherwise wait for that thread forever).
    fn run(
        mut self,
        inputs: &Inputs,
        known: HashMap<u64, Known>,
        opts: &IngestOptions,
        observer: &mut dyn IngestObserver,
    ) -> Result<(SyncSummary, Synonyms)> {
        let (client, stream) = (self.client, self.stream);
        let outcome = pipelined(
            |body| post_bulk(client, body, stream),
            |queue| {
                self.queue = Some(queue);
                let produced = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let summary = sync::run(inputs, known, stream, opts, observer, &mut self)?;
                    self.flush()?;
                    Ok(summary)
                }));
                self.queue = None;
                produced.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            },
        );
        let summary = outcome.map_err(|stopped| {
            for refused in stopped.refused {
                observer.diagnostic(&Diagnostic::new(&self.client.url.to_string(), 0, refused));
            }
            stopped.error
        })?;
        Ok((summary, std::mem::take(&mut self.acronyms)))
    }

    fn index_doc(&mut self, record: &Record, first_seen: i64) -> Result<()> {
        let action = json!({"index": {"_index": self.index, "_id": record.id}});
        let doc = schema::to_document(record, record.content_hash(), first_seen);
        self.batch.extend_from_slice(action.to_string().as_bytes());
        self.batch.push(b'\n');
        self.batch.extend_from_slice(doc.to_string().as_bytes());
        self.batch.push(b'\n');
        self.batch_docs += 1;
        if self.batch_docs >= BULK_DOCS || self.batch.len() >= BULK_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Hands the batch to the posting thread (waiting while it still has one queued).
    fn flush(&mut self) -> Result<()> {
        if self.batch_docs == 0 {
            return Ok(());
        }
        self.lock.renew_if_due()?;
        let body = std::mem::take(&mut self.batch);
        self.batch_docs = 0;
        let queue = self.queue.as_ref().expect("flushed while running");
        // A closed queue: the posting thread stopped, and its error is the one reported.
        queue
            .send(body)
            .map_err(|_| self.client.error("posting stopped"))
    }
}

/// Runs `produce` while a second thread hands the bodies it queues to `post`, one at a time
/// and in order. The posting thread's failure wins over the producer's, which it causes.
fn pipelined<T>(
    mut post: impl FnMut(Vec<u8>) -> std::result::Result<(), Stopped> + Send,
    produce: impl FnOnce(SyncSender<Vec<u8>>) -> Result<T>,
) -> std::result::Result<T, Stopped> {
    std::thread::scope(|scope| {
        // One body waits while one is in flight: memory stays at three bodies at most.
        let (queue, bodies) = sync_channel::<Vec<u8>>(1);
        let poster = scope.spawn(move || bodies.into_iter().try_for_each(&mut post));
        let produced = produce(queue);
        poster
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
        produced.map_err(Stopped::from)
    })
}

/// Posts one `_bulk` body; retries it (or its refused items) on 429/503; lists every item
/// refused otherwise, and stops.
fn post_bulk(client: &Client, mut body: Vec<u8>, stream: bool) -> std::result::Result<(), Stopped> {
    let mut attempt = 0;
    loop {
        let reply = client.send_ndjson("/_bulk", body.clone())?;
        if reply.status == 429 || reply.status == 503 {
            attempt += 1;
            if attempt > RETRIES {
                return Err(client.status_error("POST", "/_bulk", &reply).into());
            }
            backoff(attempt);
            continue;
        }
        if !reply.ok() {
            return Err(client.status_error("POST", "/_bulk", &reply).into());
        }
        let Sorted { retry, refused } = sort_items(&body, &reply.body);
        if !refused.is_empty() {
            let error = client.error(format!(
                "{} record(s) refused by the engine (listed above){}",
                refused.len(),
                if stream {
                    "; the alias was not moved"
                } else {
                    "; the index holds part of this sync, run ingest again"
                }
            ));
            return Err(Stopped { refused, error });
        }
        if retry.is_empty() {
            return Ok(());
        }
        attempt += 1;
        if attempt > RETRIES {
            return Err(client
                .error("the engine kept refusing records for load (429); try again later")
                .into());
        }
        backoff(attempt);
        body = retry;
    }
}

/// A `_bulk` reply's items sorted out: the lines to send again (refused for load) and one
/// line for every other refusal.
#[derive(Debug, PartialEq)]
struct Sorted {
    retry: Vec<u8>,
    refused: Vec<String>,
}

fn sort_items(body: &[u8], reply: &Value) -> Sorted {
    let mut sorted = Sorted {
        retry: Vec::new(),
        refused: Vec::new(),
    };
    if reply.get("errors").and_then(Value::as_bool) != Some(true) {
        return sorted;
    }
    let lines: Vec<&[u8]> = body
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut line = 0;
    for item in reply
        .get("items")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let Some((op, result)) = item.as_object().and_then(|o| o.iter().next()) else {
            continue;
        };
        // A delete is one line; index, create and update carry their document.
        let width = if op == "delete" { 1 } else { 2 };
        let status = result.get("status").and_then(Value::as_u64).unwrap_or(0);
        if status == 429 || status == 503 {
            for l in &lines[line.min(lines.len())..(line + width).min(lines.len())] {
                sorted.retry.extend_from_slice(l);
                sorted.retry.push(b'\n');
            }
        } else if status >= 300 && !(op == "delete" && status == 404) {
            let id = result.get("_id").and_then(Value::as_str).unwrap_or("?");
            sorted.refused.push(format!(
                "record {id}: {op} refused with status {status}{}",
                result
                    .get("error")
                    .and_then(|e| reason(&json!({ "error": e })))
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default()
            ));
        }
        line += width;
    }
    sorted
}

fn backoff(attempt: u32) {
    std::thread::sleep(Duration::from_millis(100 * (1u64 << attempt.min(6))));
}

impl SyncWriter for Sink<'_, '_> {
    fn defined(&mut self, acronyms: Synonyms) {
        self.acronyms = acronyms;
    }

    fn upsert(&mut self, record: Record, first_seen: i64, _replace: bool) -> Result<()> {
        if self.failed.is_some() {
            return Ok(());
        }
        if self.stream {
            // Kept, and reported once the read ends: the read goes on to its end.
            if let Err(e) = self.index_doc(&record, first_seen) {
                self.failed = Some(e);
            }
        } else {
            self.held.push((record, first_seen));
        }
        Ok(())
    }

    /// The guards passed: the held changes, then the deletions.
    fn delete(&mut self, ids: &[u64]) -> Result<()> {
        for (record, first_seen) in std::mem::take(&mut self.held) {
            self.index_doc(&record, first_seen)?;
        }
        for id in ids {
            let action = json!({"delete": {"_index": self.index, "_id": format!("{id:016x}")}});
            self.batch.extend_from_slice(action.to_string().as_bytes());
            self.batch.push(b'\n');
            self.batch_docs += 1;
            if self.batch_docs >= BULK_DOCS {
                self.flush()?;
            }
        }
        Ok(())
    }

    fn read_ended(&mut self) -> Result<()> {
        match self.failed.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Why an index of a newer litsearch's schema is not rebuilt over (a cron job on an older
/// binary would otherwise replace it at every run), unless `--rebuild` asks for it.
fn newer_schema_refusal(index: &str, found: Option<u64>, rebuild: bool) -> Option<String> {
    let found = found.filter(|&v| v > schema::SCHEMA_VERSION && !rebuild)?;
    Some(format!(
        "index {index} was built by a newer litsearch (schema {found}); this litsearch ({}) uses \
         schema {}: upgrade litsearch to use it, or run `litsearch ingest --rebuild` to replace \
         it with an index this version reads",
        env!("CARGO_PKG_VERSION"),
        schema::SCHEMA_VERSION
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_newer_schema_is_refused_and_only_without_rebuild() {
        let newer = Some(schema::SCHEMA_VERSION + 1);
        let refusal = newer_schema_refusal("papers-1", newer, false).unwrap();
        assert!(refusal.contains("newer litsearch"), "{refusal}");
        assert!(
            refusal.contains(&format!("schema {}", schema::SCHEMA_VERSION + 1)),
            "{refusal}"
        );
        assert_eq!(newer_schema_refusal("papers-1", newer, true), None);
        let older = Some(schema::SCHEMA_VERSION - 1);
        assert_eq!(newer_schema_refusal("papers-1", older, false), None);
        assert_eq!(newer_schema_refusal("papers-1", None, false), None);
        let same = Some(schema::SCHEMA_VERSION);
        assert_eq!(newer_schema_refusal("papers-1", same, false), None);
    }

    fn body(lines: &[&str]) -> Vec<u8> {
        lines
            .iter()
            .flat_map(|l| format!("{l}\n").into_bytes())
            .collect()
    }

    #[test]
    fn a_reply_without_errors_leaves_nothing_to_do() {
        let sent = body(&[r#"{"index":{"_id":"a"}}"#, r#"{"t":1}"#]);
        let reply = json!({"errors": false, "items": [{"index": {"_id": "a", "status": 201}}]});
        assert_eq!(
            sort_items(&sent, &reply),
            Sorted {
                retry: Vec::new(),
                refused: Vec::new()
            }
        );
    }

    #[test]
    fn refused_items_are_named_and_items_refused_for_load_sent_again() {
        let sent = body(&[
            r#"{"index":{"_id":"a"}}"#,
            r#"{"t":"a"}"#,
            r#"{"delete":{"_id":"b"}}"#,
            r#"{"index":{"_id":"c"}}"#,
            r#"{"t":"c"}"#,
            r#"{"delete":{"_id":"d"}}"#,
            r#"{"index":{"_id":"e"}}"#,
            r#"{"t":"e"}"#,
            r#"{"delete":{"_id":"f"}}"#,
        ]);
        let reply = json!({"errors": true, "items": [
            {"index": {"_id": "a", "status": 201}},
            {"delete": {"_id": "b", "status": 429}},
            {"index": {"_id": "c", "status": 400, "error": {"type": "mapper_parsing_exception", "reason": "failed to parse field [date]"}}},
            // Deleting what is already gone is no failure.
            {"delete": {"_id": "d", "status": 404}},
            {"index": {"_id": "e", "status": 503}},
            {"delete": {"_id": "f", "status": 409}},
        ]});
        let sorted = sort_items(&sent, &reply);
        assert_eq!(
            String::from_utf8(sorted.retry).unwrap(),
            "{\"delete\":{\"_id\":\"b\"}}\n{\"index\":{\"_id\":\"e\"}}\n{\"t\":\"e\"}\n"
        );
        assert_eq!(
            sorted.refused,
            [
                "record c: index refused with status 400 (mapper_parsing_exception: failed to parse field [date])",
                "record f: delete refused with status 409",
            ]
        );
    }

    #[test]
    fn bodies_are_posted_in_order_while_the_next_is_built() {
        let posted = std::sync::Mutex::new(Vec::new());
        let (built_second, second_built) = std::sync::mpsc::channel();
        let record = &posted;
        let built = pipelined(
            move |body| {
                if body == [0] {
                    // The first post is still in flight when the second body is built.
                    second_built
                        .recv_timeout(Duration::from_secs(10))
                        .expect("the second body was not built while the first was posted");
                }
                record.lock().unwrap().push(body);
                Ok(())
            },
            |queue| {
                for i in 0..50u8 {
                    queue.send(vec![i]).unwrap();
                    if i == 1 {
                        built_second.send(()).unwrap();
                    }
                }
                Ok(50)
            },
        );
        assert!(matches!(built, Ok(50)));
        let posted = posted.into_inner().unwrap();
        assert_eq!(posted, (0..50u8).map(|i| vec![i]).collect::<Vec<_>>());
    }

    #[test]
    fn a_posting_failure_stops_the_producer_and_is_the_one_reported() {
        let mut posts = 0;
        let mut sent = 0;
        let outcome = pipelined(
            |_| {
                posts += 1;
                if posts == 3 {
                    return Err(Stopped {
                        refused: vec!["record c: index refused with status 400".into()],
                        error: Error::Engine("3 refused".into()),
                    });
                }
                Ok(())
            },
            |queue| {
                for i in 0..1_000u32 {
                    queue
                        .send(i.to_le_bytes().to_vec())
                        .map_err(|_| Error::Engine("posting stopped".into()))?;
                    sent += 1;
                }
                Ok(())
            },
        );
        let stopped = outcome.expect_err("the third post failed");
        assert_eq!(
            stopped.error.to_string(),
            Error::Engine("3 refused".into()).to_string()
        );
        assert_eq!(stopped.refused, ["record c: index refused with status 400"]);
        assert_eq!(posts, 3);
        // The producer stopped soon after: at most the body in flight and one queued.
        assert!(sent <= 5, "{sent} bodies built after the failure");
    }

    #[test]
    fn a_producer_failure_is_reported_after_what_it_queued_was_posted() {
        let posted = std::sync::Mutex::new(0);
        let outcome: std::result::Result<(), Stopped> = pipelined(
            |_| {
                *posted.lock().unwrap() += 1;
                Ok(())
            },
            |queue| {
                queue.send(vec![1]).unwrap();
                queue.send(vec![2]).unwrap();
                Err(Error::Engine("the shrink guard refused".into()))
            },
        );
        let stopped = outcome.expect_err("the producer failed");
        assert!(stopped.error.to_string().contains("shrink guard"));
        assert!(stopped.refused.is_empty());
        assert_eq!(*posted.lock().unwrap(), 2);
    }
}
