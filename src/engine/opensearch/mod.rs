//! The OpenSearch engine: the same plans, pages, records and facets as the local index, from
//! an OpenSearch cluster over HTTP. All of litsearch's HTTP to the engine lives in this folder.

mod client;
mod explain;
mod facets;
mod ingest;
mod lock;
mod page;
mod query;
pub mod schema;
mod similar;
mod typos;
mod url;

use std::path::PathBuf;

use serde_json::{json, Value};

pub use client::Client;
pub use ingest::ingest;
pub use url::{mask, EngineUrl};

use crate::engine::facets::{FacetCounts, FacetField};
use crate::engine::nothing_to_search;
use crate::engine::similar::SimilarResults;
use crate::engine::{Correction, Engine, MatchMode, MatchedRecord, Page, PageRequest, Plan};
use crate::error::{Error, Result};
use crate::record::{Record, StoredRecord};

/// Records per page when reading every match or record.
const SCAN_PAGE: usize = 2_000;
/// An engine named by `--engine`: where it is, and the directory of the saved searches
/// kept for it on this machine.
#[derive(Debug, Clone)]
pub struct Remote {
    pub url: EngineUrl,
    pub state_dir: PathBuf,
}

impl Remote {
    /// `index_dir`: the local index directory (`--index`); an engine's saved searches live
    /// beside it, in `INDEX.engines/HOST-PORT-NAME/` (the index directory holds only an index).
    pub fn new(url: &str, index_dir: &std::path::Path) -> Result<Remote> {
        let url = EngineUrl::parse(url)?;
        let name = format!(
            "{}-{}",
            url.base()
                .split("://")
                .nth(1)
                .unwrap_or_default()
                .replace([':', '/', '[', ']'], "-"),
            url.name
        );
        let mut base = index_dir.as_os_str().to_owned();
        base.push(".engines");
        Ok(Remote {
            state_dir: PathBuf::from(base).join(name),
            url,
        })
    }
}

impl crate::engine::Place for Remote {
    type Engine = OpenSearchEngine;

    fn open(&self) -> Result<OpenSearchEngine> {
        OpenSearchEngine::open(Client::new(self.url.clone()))
    }

    /// Makes the alias hold exactly the records of `paths`, in an index laid out as `opts`
    /// asks (shards, replicas) or by default.
    fn sync(
        &self,
        paths: &[std::path::PathBuf],
        opts: &crate::engine::IngestOptions,
        observer: &mut dyn crate::engine::IngestObserver,
    ) -> Result<crate::engine::SyncSummary> {
        let defaults = schema::Layout::default();
        let layout = schema::Layout {
            shards: opts.shards.unwrap_or(defaults.shards),
            replicas: opts.replicas.unwrap_or(defaults.replicas),
        };
        ingest(
            &Client::new(self.url.clone()),
            paths,
            opts,
            layout,
            observer,
        )
    }

    fn state_dir(&self) -> &std::path::Path {
        &self.state_dir
    }
}

pub struct OpenSearchEngine {
    client: Client,
    /// The alias every request goes through.
    alias: String,
    /// The index the alias named when opened: whose health a failed search asks.
    index: String,
    /// Its short forms as its mapping's `_meta` gives them (`acronyms::Synonyms::to_tsv`),
    /// read at the first query needing them.
    acronyms_tsv: String,
    acronyms: std::sync::OnceLock<std::sync::Arc<crate::acronyms::Synonyms>>,
}

/// A plan as query DSL, with the query the highlighter matches against.
pub struct Compiled {
    query: Value,
    highlight: Option<Value>,
    corrections: Vec<Correction>,
    /// What each scored clause's terms were typed as (`--explain`).
    origins: Vec<explain::TermOrigin>,
}

/// The concrete index an alias points to, if the alias exists.
pub(crate) fn alias_target(client: &Client, alias: &str) -> Result<Option<String>> {
    let reply = client.send("GET", &format!("/_alias/{alias}"), None)?;
    if reply.status == 404 {
        return Ok(None);
    }
    if !reply.ok() {
        return Err(client.status_error("GET", &format!("/_alias/{alias}"), &reply));
    }
    let indices: Vec<&String> = reply
        .body
        .as_object()
        .map(|m| m.keys().collect())
        .unwrap_or_default();
    match indices.as_slice() {
        [one] => Ok(Some((*one).clone())),
        _ => Err(client.error(format!(
            "alias {alias} points to {} indices; litsearch expects exactly one",
            indices.len()
        ))),
    }
}

impl OpenSearchEngine {
    pub fn open(client: Client) -> Result<OpenSearchEngine> {
        let alias = client.url.name.clone();
        // The alias's mapping names the index it points to and carries the short forms its
        // records define (`_meta`): one request for both.
        let path = format!("/{alias}/_mapping");
        let reply = client.send("GET", &path, None)?;
        if reply.status == 404 {
            return Err(
                client.error("no index there yet: run `litsearch ingest --engine URL PATH…` first")
            );
        }
        if !reply.ok() {
            return Err(client.status_error("GET", &path, &reply));
        }
        let mut indices: Vec<(&String, &Value)> = reply
            .body
            .as_object()
            .map(|m| m.iter().collect())
            .unwrap_or_default();
        let (index, mapping) = match indices.pop() {
            Some((index, _)) if *index == alias => {
                return Err(client.error(format!("{alias} is an index, not an alias: litsearch searches through an alias it manages (run `litsearch ingest --rebuild --engine …` after removing it)")));
            }
            Some(one) if indices.is_empty() => one,
            _ => {
                return Err(client.error(format!(
                    "alias {alias} points to {} indices; litsearch expects exactly one",
                    indices.len() + 1
                )))
            }
        };
        let acronyms = mapping
            .pointer(&format!("/mappings/_meta/{}", schema::ACRONYMS_META))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        // The index's health is not asked here but when a search fails (`failure`): a query
        // is this lookup and its search.
        Ok(OpenSearchEngine {
            index: index.clone(),
            client,
            alias,
            acronyms_tsv: acronyms,
            acronyms: Default::default(),
        })
    }

    fn search(&self, body: &Value, dfs: bool) -> Result<Value> {
        let path = if dfs {
            format!("/{}/_search?search_type=dfs_query_then_fetch", self.alias)
        } else {
            format!("/{}/_search", self.alias)
        };
        self.complete("POST", &path, Some(body))
    }

    /// Sends a request that reads the records and requires a whole answer: a 2xx status and
    /// every shard answering. A failure is explained by the index's health (`failure`).
    fn complete(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let reply = self.client.send(method, path, body)?;
        if !reply.ok() {
            return Err(self.failure(self.client.status_error(method, path, &reply)));
        }
        if let Some(why) = incomplete(&reply.body) {
            return Err(self.failure(self.client.error(why)));
        }
        Ok(reply.body)
    }

    /// A failed search's error: that the index is red (a primary shard unassigned), when its
    /// health says so, else the failure as it came. Asked only once something failed, so a
    /// search that succeeds costs no health request; `timeout=0s` so that an index deleted
    /// since (a rebuild moved the alias) answers at once, not after the default 30 s.
    fn failure(&self, error: Error) -> Error {
        let path = format!("/_cluster/health/{}?timeout=0s", self.index);
        match self.client.send("GET", &path, None) {
            Ok(health)
                if health.ok()
                    && health.body.get("status").and_then(Value::as_str) == Some("red") =>
            {
                self.client.error(format!(
                    "index {} is red (a primary shard is unassigned): the cluster cannot answer for every record",
                    self.index
                ))
            }
            _ => error,
        }
    }

    /// Whether any document matches `query`: each shard stops at its first.
    fn matches_any(&self, query: &Value) -> Result<bool> {
        let body = json!({"size": 0, "query": query, "track_total_hits": 1, "terminate_after": 1});
        Ok(total_of(&self.search(&body, false)?) > 0)
    }

    /// Every document matching `query` in `sort` order, through a point in time and
    /// `search_after`, a page at a time.
    fn scan(
        &self,
        query: &Value,
        sort: Value,
        source: Value,
        each: &mut dyn FnMut(&Value) -> Result<()>,
    ) -> Result<()> {
        let pit = self.complete(
            "POST",
            &format!("/{}/_search/point_in_time?keep_alive=2m", self.alias),
            None,
        )?;
        let Some(pit_id) = pit.get("pit_id").and_then(Value::as_str).map(str::to_owned) else {
            return Err(self
                .client
                .error("no pit_id in the answer to point_in_time"));
        };
        let result = (|| {
            let mut after: Option<Value> = None;
            loop {
                let mut body = json!({
                    "pit": {"id": pit_id, "keep_alive": "2m"},
                    "size": SCAN_PAGE,
                    "query": query,
                    "sort": sort,
                    "_source": source,
                    "track_total_hits": false
                });
                if let Some(a) = &after {
                    body["search_after"] = a.clone();
                }
                let reply = self.complete("POST", "/_search", Some(&body))?;
                let hits = hits_of(&reply);
                for hit in hits {
                    each(hit)?;
                }
                if hits.len() < SCAN_PAGE {
                    return Ok(());
                }
                after = hits.last().and_then(|h| h.get("sort")).cloned();
            }
        })();
        let _ = self.client.send(
            "DELETE",
            "/_search/point_in_time",
            Some(&json!({"pit_id": [pit_id]})),
        );
        result
    }

    fn stored(&self, hit: &Value) -> Result<StoredRecord> {
        hit.get("_source")
            .and_then(schema::from_source)
            .ok_or_else(|| self.client.error("a document without litsearch's fields"))
    }
}

/// Why a reply leaves records out, if it does: shards that failed, or shards with no copy
/// to ask (a red index answers from the others, as if that were all, unless told not to).
/// Skipped shards count as successful.
fn incomplete(reply: &Value) -> Option<String> {
    let count = |key: &str| {
        reply
            .pointer(&format!("/_shards/{key}"))
            .and_then(Value::as_u64)
    };
    let failed = count("failed").unwrap_or(0);
    if failed > 0 {
        let why = reply
            .pointer("/_shards/failures/0/reason/reason")
            .and_then(Value::as_str)
            .unwrap_or("unknown");
        return Some(format!(
            "{failed} shard(s) failed to answer ({why}); the answer would be incomplete"
        ));
    }
    let (total, answered) = (count("total")?, count("successful")?);
    (answered < total).then(|| {
        format!(
            "{} of {total} shard(s) had no copy to answer; the answer would be incomplete",
            total - answered
        )
    })
}

/// The number of matches a search reply counted.
fn total_of(reply: &Value) -> usize {
    reply
        .pointer("/hits/total/value")
        .and_then(Value::as_u64)
        .unwrap_or(0) as usize
}

fn hits_of(reply: &Value) -> &[Value] {
    reply
        .pointer("/hits/hits")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

impl Engine for OpenSearchEngine {
    type Compiled = Compiled;

    fn compile(&self, plan: &Plan<'_>, mode: MatchMode) -> Result<Compiled> {
        let mut builder = query::QueryBuilder::new(self);
        let main = match plan.query {
            Some(node) => match builder.node(node, mode)? {
                Some(q) => Some(q),
                None if plan.filters.is_empty() => return Err(nothing_to_search()),
                // Words that match nothing, narrowed by filters: the filters alone, as locally.
                None => None,
            },
            None => None,
        };
        Ok(Compiled {
            query: query::with_filters(main.clone(), plan),
            highlight: main,
            corrections: builder.corrections,
            origins: builder.origins,
        })
    }

    fn corrections(&self, compiled: &Compiled) -> Vec<Correction> {
        compiled.corrections.clone()
    }

    fn any_match(&self, compiled: &Compiled) -> Result<bool> {
        self.matches_any(&compiled.query)
    }

    fn mined_synonyms(&self) -> Result<std::sync::Arc<crate::acronyms::Synonyms>> {
        let table = self.acronyms.get_or_init(|| {
            std::sync::Arc::new(crate::acronyms::Synonyms::from_tsv(&self.acronyms_tsv))
        });
        Ok(table.clone())
    }

    fn count(&self, compiled: &Compiled) -> Result<usize> {
        let body = json!({"size": 0, "query": compiled.query, "track_total_hits": true});
        Ok(total_of(&self.search(&body, false)?))
    }

    fn page(&self, compiled: &Compiled, request: &PageRequest) -> Result<Page> {
        let body = page::page_body(compiled, request);
        let reply = self.search(&body, true)?;
        self.finish_page(compiled, request, body, &reply)
    }

    /// One search: its total says whether anything matched, and then it is the page.
    fn page_if_any(&self, compiled: &Compiled, request: &PageRequest) -> Result<Option<Page>> {
        let body = page::page_body(compiled, request);
        let reply = self.search(&body, true)?;
        if total_of(&reply) == 0 {
            return Ok(None);
        }
        self.finish_page(compiled, request, body, &reply).map(Some)
    }

    fn matching(&self, compiled: &Compiled) -> Result<Vec<MatchedRecord>> {
        let mut out = Vec::new();
        self.scan(
            &compiled.query,
            json!([{"id": "asc"}]),
            json!(["id", "content_hash", "first_seen"]),
            &mut |hit| {
                let source = hit.get("_source").cloned().unwrap_or(Value::Null);
                let id = source
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(crate::record::id_to_number)
                    .unwrap_or_default();
                out.push(MatchedRecord {
                    id,
                    content_hash: schema::hash_of(&source),
                    first_seen: source
                        .get("first_seen")
                        .and_then(Value::as_i64)
                        .unwrap_or(0),
                });
                Ok(())
            },
        )?;
        out.sort_unstable_by_key(|m| m.id);
        Ok(out)
    }

    fn record_by_id(&self, id: &str) -> Result<Option<StoredRecord>> {
        let body = json!({"query": {"term": {"id": id}}, "size": 1});
        let reply = self.search(&body, false)?;
        match hits_of(&reply).first() {
            Some(hit) => Ok(Some(self.stored(hit)?)),
            None => Ok(None),
        }
    }

    fn for_each_record(&self, each: &mut dyn FnMut(StoredRecord) -> Result<()>) -> Result<()> {
        self.scan(
            &json!({"match_all": {}}),
            json!([{"date": "desc"}, {"id": "asc"}]),
            json!(true),
            &mut |hit| each(self.stored(hit)?),
        )
    }

    fn similar(&self, source: &Record, limit: usize) -> Result<SimilarResults> {
        similar::similar(self, source, limit)
    }

    fn facet_values(&self, fields: &[FacetField]) -> Result<FacetCounts> {
        self.all_values(&json!({"match_all": {}}), fields, None)
    }

    fn newest_first_seen(&self) -> Result<Option<i64>> {
        let body = json!({"size": 0, "track_total_hits": false,
                          "aggs": {"newest": {"max": {"field": "first_seen"}}}});
        let reply = self.search(&body, false)?;
        Ok(reply
            .pointer("/aggregations/newest/value")
            .and_then(Value::as_f64)
            .map(|v| v as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compiled() -> Compiled {
        Compiled {
            query: json!({"match": {"title": {"query": "sparse"}}}),
            highlight: None,
            corrections: Vec::new(),
            origins: Vec::new(),
        }
    }

    /// A page of `limit` hits asking for `facets`, `facet_limit` values each.
    pub(super) fn request(
        limit: usize,
        facets: Vec<FacetField>,
        facet_limit: usize,
    ) -> PageRequest {
        PageRequest {
            sort: Sort::Relevance,
            limit,
            offset: 0,
            facets,
            facet_limit,
            snippet_chars: 200,
            explain: false,
        }
    }

    use super::page::{page_body, unmark};
    use crate::engine::Sort;

    #[test]
    fn a_page_search_counts_its_facets() {
        let ten = request(10, FacetField::ALL.to_vec(), 10);
        let body = page_body(&compiled(), &ten);
        assert_eq!(Some(&body["aggs"]), facets::page_aggs(&ten).as_ref());
        assert_eq!(body["aggs"].as_object().map(|a| a.len()), Some(4));
        assert_eq!(body["size"], 10);
        assert_eq!(body["track_total_hits"], true);
        assert!(body.get("highlight").is_some());
        // Counting only (--limit 0): the aggregations still, no hits, no highlights.
        let count = request(0, vec![FacetField::Year], 25);
        let body = page_body(&compiled(), &count);
        assert_eq!(body["size"], 0);
        assert!(body.get("highlight").is_none());
        assert_eq!(Some(&body["aggs"]), facets::page_aggs(&count).as_ref());
        // No facets: no aggregations.
        assert!(page_body(&compiled(), &request(10, Vec::new(), 10))
            .get("aggs")
            .is_none());
    }

    #[test]
    fn a_reply_missing_shards_is_incomplete() {
        let shards = |total: u64, successful: u64, skipped: u64, failed: u64| {
            json!({"_shards": {"total": total, "successful": successful, "skipped": skipped,
                               "failed": failed}})
        };
        assert_eq!(incomplete(&shards(3, 3, 0, 0)), None);
        // Skipped shards are among the successful ones.
        assert_eq!(incomplete(&shards(3, 3, 2, 0)), None);
        // A red index: a shard with no copy neither succeeds nor fails.
        assert_eq!(
            incomplete(&shards(4, 3, 0, 0)).as_deref(),
            Some("1 of 4 shard(s) had no copy to answer; the answer would be incomplete")
        );
        let mut failed = shards(3, 2, 0, 1);
        failed["_shards"]["failures"] = json!([{"reason": {"reason": "too many clauses"}}]);
        assert_eq!(
            incomplete(&failed).as_deref(),
            Some("1 shard(s) failed to answer (too many clauses); the answer would be incomplete")
        );
        assert_eq!(incomplete(&json!({"pit_id": "x"})), None);
    }

    #[test]
    fn markers_become_byte_ranges() {
        let m = unmark("Sparse \u{e000}autoencoders\u{e001} für \u{e000}Schölkopf\u{e001}");
        assert_eq!(m.text, "Sparse autoencoders für Schölkopf");
        assert_eq!(
            m.to_mark_tags(),
            "Sparse <mark>autoencoders</mark> für <mark>Schölkopf</mark>"
        );
    }
}
