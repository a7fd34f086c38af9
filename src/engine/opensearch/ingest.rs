//! Sync with an OpenSearch index, with the local semantics (the engine-neutral `Diff`):
//! in place, only the changes are sent, after the guards have passed; a rebuild writes a new
//! concrete index `NAME-<generation>` and moves the alias to it in one `_aliases` call, so
//! queries see the old index or the new one, never a part. One ingest at a time per alias,
//! through a lock document that expires if its holder dies.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::client::{reason, Client};
use super::schema::{self, Layout};
use super::{alias_target, hits_of};
use crate::diagnostic::Diagnostic;
use crate::engine::{Change, Diff, IngestObserver, IngestOptions, Known, SyncSummary};
use crate::error::{Error, Result};
use crate::inputs::{collect_inputs, read_records, ReadError, RecordSink};
use crate::record::Record;

/// Documents per `_bulk` request, and its size bound.
const BULK_DOCS: usize = 1_000;
const BULK_BYTES: usize = 8 * 1024 * 1024;
/// Retries of a bulk request (or of its items) refused with 429/503, with doubling backoff.
const RETRIES: u32 = 8;
/// How long a lock outlives its last renewal, and how often a running ingest renews it.
const LOCK_TTL_SECS: i64 = 120;
const LOCK_RENEW: Duration = Duration::from_secs(30);

pub fn ingest(
    client: &Client,
    paths: &[PathBuf],
    opts: &IngestOptions,
    layout: Layout,
    observer: &mut dyn IngestObserver,
) -> Result<SyncSummary> {
    let started = Instant::now();
    let mut notes = Vec::new();
    let inputs = collect_inputs(paths, &mut notes)?;
    for note in &notes {
        observer.diagnostic(note);
    }
    let alias = client.url.name.clone();
    let health = client.call("GET", "/_cluster/health", None)?;
    if health.get("status").and_then(Value::as_str) == Some("red") {
        return Err(
            client.error("the cluster is red (a primary shard is unassigned); nothing was changed")
        );
    }
    let mut lock = Lock::acquire(client, &alias, opts.wait)?;
    let result = sync(
        client,
        &alias,
        &inputs,
        opts,
        layout,
        notes.len() as u64,
        observer,
        &mut lock,
    );
    lock.release();
    let mut summary = result?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
fn sync(
    client: &Client,
    alias: &str,
    inputs: &[crate::inputs::Input],
    opts: &IngestOptions,
    layout: Layout,
    input_notes: u64,
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
    let diff = Diff::new(known, rebuild, opts.now);
    if rebuild {
        let index = format!("{alias}-{}", generation());
        client.call(
            "PUT",
            &format!("/{index}"),
            Some(&schema::index_body(layout)),
        )?;
        let written = (|| {
            let mut sink = Sink::new(client, &index, diff, true, observer, lock);
            let summary = sink.run(inputs, input_notes, opts)?;
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
        let mut sink = Sink::new(client, &index, diff, false, observer, lock);
        let mut summary = sink.run(inputs, input_notes, opts)?;
        client.call("POST", &format!("/{index}/_refresh"), None)?;
        summary.records = count(client, alias)?;
        Ok(summary)
    }
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
            "_source": ["id", "content_hash", "first_seen", "source_file", "source_line"],
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

/// Receives the records: diffs them, and sends the changes in bounded `_bulk` requests
/// (a rebuild's as they come, into the index no one reads yet; an in-place sync's after the
/// guards, so that a refused sync leaves the index as it was).
struct Sink<'a, 'l> {
    client: &'a Client,
    index: &'a str,
    diff: Option<Diff>,
    stream: bool,
    /// In-place changes held until the guards pass.
    held: Vec<(Record, i64)>,
    batch: Vec<u8>,
    batch_docs: usize,
    observer: &'a mut dyn IngestObserver,
    lock: &'a mut Lock<'l>,
    /// A bulk failure while reading, reported once the read stops.
    failed: Option<Error>,
}

impl<'a, 'l> Sink<'a, 'l> {
    fn new(
        client: &'a Client,
        index: &'a str,
        diff: Diff,
        stream: bool,
        observer: &'a mut dyn IngestObserver,
        lock: &'a mut Lock<'l>,
    ) -> Self {
        Sink {
            client,
            index,
            diff: Some(diff),
            stream,
            held: Vec::new(),
            batch: Vec::new(),
            batch_docs: 0,
            observer,
            lock,
            failed: None,
        }
    }

    fn run(
        &mut self,
        inputs: &[crate::inputs::Input],
        input_notes: u64,
        opts: &IngestOptions,
    ) -> Result<SyncSummary> {
        self.observer.start(inputs.iter().map(|i| i.size).sum());
        let read = read_records(inputs, self).map_err(ReadError::flatten);
        self.observer.finish();
        let stats = read?;
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        let diff = self.diff.take().expect("one run");
        let (summary, vanished) = diff.finish(&stats, input_notes, opts)?;
        for (record, first_seen) in std::mem::take(&mut self.held) {
            self.index_doc(&record, first_seen)?;
        }
        for id in vanished {
            let action = json!({"delete": {"_index": self.index, "_id": format!("{id:016x}")}});
            self.batch.extend_from_slice(action.to_string().as_bytes());
            self.batch.push(b'\n');
            self.batch_docs += 1;
            if self.batch_docs >= BULK_DOCS {
                self.flush()?;
            }
        }
        self.flush()?;
        Ok(summary)
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

    /// Sends the batch; retries it (or its refused items) on 429/503; reports every item
    /// that failed otherwise, and fails.
    fn flush(&mut self) -> Result<()> {
        if self.batch_docs == 0 {
            return Ok(());
        }
        self.lock.renew_if_due()?;
        let mut body = std::mem::take(&mut self.batch);
        self.batch_docs = 0;
        let mut attempt = 0;
        loop {
            let reply = self.client.send_ndjson("/_bulk", body.clone())?;
            if reply.status == 429 || reply.status == 503 {
                attempt += 1;
                if attempt > RETRIES {
                    return Err(self.client.status_error("POST", "/_bulk", &reply));
                }
                backoff(attempt);
                continue;
            }
            if !reply.ok() {
                return Err(self.client.status_error("POST", "/_bulk", &reply));
            }
            if reply.body.get("errors").and_then(Value::as_bool) != Some(true) {
                return Ok(());
            }
            // Items refused for load are sent again; any other refusal is reported.
            let lines: Vec<&[u8]> = body
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .collect();
            let mut retry = Vec::new();
            let mut failures = Vec::new();
            let mut line = 0;
            for item in reply
                .body
                .get("items")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or(&[])
            {
                let (op, result) = match item.as_object().and_then(|o| o.iter().next()) {
                    Some(x) => x,
                    None => continue,
                };
                let width = if op == "delete" { 1 } else { 2 };
                let status = result.get("status").and_then(Value::as_u64).unwrap_or(0);
                let id = result
                    .get("_id")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_owned();
                if status == 429 || status == 503 {
                    for l in &lines[line..(line + width).min(lines.len())] {
                        retry.extend_from_slice(l);
                        retry.push(b'\n');
                    }
                } else if status >= 300 && !(op == "delete" && status == 404) {
                    failures.push(format!(
                        "record {id}: {op} refused with status {status}{}",
                        reason(
                            &json!({"error": result.get("error").cloned().unwrap_or(Value::Null)})
                        )
                        .map(|r| format!(" ({r})"))
                        .unwrap_or_default()
                    ));
                }
                line += width;
            }
            if !failures.is_empty() {
                for f in &failures {
                    self.observer.diagnostic(&Diagnostic::new(
                        &self.client.url.to_string(),
                        0,
                        f.clone(),
                    ));
                }
                return Err(self.client.error(format!(
                    "{} record(s) refused by the engine (listed above){}",
                    failures.len(),
                    if self.stream {
                        "; the alias was not moved"
                    } else {
                        "; the index holds part of this sync, run ingest again"
                    }
                )));
            }
            if retry.is_empty() {
                return Ok(());
            }
            attempt += 1;
            if attempt > RETRIES {
                return Err(self
                    .client
                    .error("the engine kept refusing records for load (429); try again later"));
            }
            backoff(attempt);
            body = retry;
        }
    }
}

fn backoff(attempt: u32) {
    std::thread::sleep(Duration::from_millis(100 * (1u64 << attempt.min(6))));
}

impl RecordSink for Sink<'_, '_> {
    type Error = Error;

    fn record(&mut self, record: Record) -> Result<()> {
        if self.failed.is_some() {
            return Ok(());
        }
        let Some(diff) = self.diff.as_mut() else {
            return Ok(());
        };
        if let Change::Write { first_seen, .. } = diff.record(&record) {
            if self.stream {
                if let Err(e) = self.index_doc(&record, first_seen) {
                    self.failed = Some(e);
                }
            } else {
                self.held.push((record, first_seen));
            }
        }
        Ok(())
    }

    fn diagnostic(&mut self, diagnostic: &Diagnostic) {
        self.observer.diagnostic(diagnostic);
    }

    fn progress(&mut self, bytes_done: u64) {
        self.observer.progress(bytes_done);
    }
}

/// The ingest lock of an alias: a document created with `op_type=create` (so only one
/// creator wins) that says who holds it and until when; renewed while the ingest runs, taken
/// over once expired (its holder died).
struct Lock<'a> {
    client: &'a Client,
    path: String,
    /// Tells this ingest's lock document from another's.
    token: String,
    seq: Option<(u64, u64)>,
    renewed: Instant,
}

impl<'a> Lock<'a> {
    fn acquire(client: &'a Client, alias: &str, wait: Duration) -> Result<Lock<'a>> {
        let path = format!("/{alias}-lock/_doc/ingest");
        let deadline = Instant::now() + wait;
        let token = format!(
            "{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default()
        );
        loop {
            let body = Self::body(&token);
            let reply = client.send(
                "PUT",
                &format!("{path}?op_type=create&refresh=true"),
                Some(&body),
            )?;
            let mine = if reply.ok() {
                Some(seq_of(&reply.body))
            } else if reply.status != 409 {
                return Err(client.status_error("PUT", &path, &reply));
            } else {
                None
            };
            let held = match mine {
                Some(_) => None,
                None => Some(client.send("GET", &path, None)?),
            };
            // Our own create, applied before a node failed and retried by the cluster: ours.
            let seq = match (&mine, &held) {
                (Some(seq), _) => Some(*seq),
                (None, Some(h))
                    if h.body.pointer("/_source/token").and_then(Value::as_str)
                        == Some(token.as_str()) =>
                {
                    Some(seq_of(&h.body))
                }
                _ => None,
            };
            if let Some(seq) = seq {
                return Ok(Lock {
                    client,
                    path,
                    token,
                    seq,
                    renewed: Instant::now(),
                });
            }
            let held = held.expect("fetched when not ours");
            let expires = held
                .body
                .pointer("/_source/expires")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            if held.ok() && expires < crate::clock::now_unix() {
                // Its holder died: take it over, unless someone else just did.
                if let Some((seq, term)) = seq_of(&held.body) {
                    let _ = client.send(
                        "DELETE",
                        &format!("{path}?if_seq_no={seq}&if_primary_term={term}&refresh=true"),
                        None,
                    );
                }
                continue;
            }
            if Instant::now() >= deadline {
                let holder = held
                    .body
                    .pointer("/_source/holder")
                    .and_then(Value::as_str)
                    .unwrap_or("another ingest")
                    .to_owned();
                return Err(Error::Busy {
                    dir: PathBuf::from(client.url.to_string()),
                    holder,
                });
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    fn body(token: &str) -> Value {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "this host".to_owned());
        json!({
            "token": token,
            "holder": format!("ingest (pid {} on {host}) since {}", std::process::id(), crate::clock::now_unix()),
            "expires": crate::clock::now_unix() + LOCK_TTL_SECS
        })
    }

    fn renew_if_due(&mut self) -> Result<()> {
        if self.renewed.elapsed() < LOCK_RENEW {
            return Ok(());
        }
        let Some((seq, term)) = self.seq else {
            return Ok(());
        };
        let reply = self.client.send(
            "PUT",
            &format!("{}?if_seq_no={seq}&if_primary_term={term}", self.path),
            Some(&Self::body(&self.token)),
        )?;
        if !reply.ok() {
            return Err(self.client.error("lost the ingest lock (it expired and another ingest took it); nothing more was written"));
        }
        self.seq = seq_of(&reply.body);
        self.renewed = Instant::now();
        Ok(())
    }

    fn release(&mut self) {
        if let Some((seq, term)) = self.seq.take() {
            let _ = self.client.send(
                "DELETE",
                &format!(
                    "{}?if_seq_no={seq}&if_primary_term={term}&refresh=true",
                    self.path
                ),
                None,
            );
        }
    }
}

fn seq_of(body: &Value) -> Option<(u64, u64)> {
    Some((
        body.get("_seq_no")?.as_u64()?,
        body.get("_primary_term")?.as_u64()?,
    ))
}
