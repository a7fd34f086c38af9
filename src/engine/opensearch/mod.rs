//! The OpenSearch engine: the same plans, pages, records and facets as the local index, from
//! an OpenSearch cluster over HTTP. All of litsearch's HTTP to the engine lives in this folder.

mod client;
mod explain;
mod facets;
mod ingest;
mod query;
pub mod schema;
mod url;

use std::collections::HashSet;
use std::path::PathBuf;

use serde_json::{json, Value};

pub use client::Client;
pub use ingest::ingest;
pub use url::{mask, EngineUrl};

use crate::engine::analysis::analyze;
use crate::engine::facets::{FacetCounts, FacetField};
use crate::engine::fields::Analysis;
use crate::engine::similar::{KeyTerm, SimilarHit, SimilarResults};
use crate::engine::snippet::window;
use crate::engine::snippet::Marked;
use crate::engine::{nothing_to_search, Hit, Sort};
use crate::engine::{Correction, Engine, MatchMode, MatchedRecord, Page, PageRequest, Plan};
use crate::error::{Error, Result};
use crate::record::{Record, StoredRecord};

/// Matches one search request returns at most (OpenSearch's default result window).
const DEEP_PAGE: usize = 10_000;
/// Records per page when reading every match or record.
const SCAN_PAGE: usize = 2_000;
/// Markers the highlighter puts around matches: private-use characters no listing holds
/// (not control characters, which Java's `trim` strips from a field's start).
const PRE: &str = "\u{e000}";
const POST: &str = "\u{e001}";

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

    pub fn open(&self) -> Result<OpenSearchEngine> {
        OpenSearchEngine::open(Client::new(self.url.clone()))
    }

    /// Makes the alias hold exactly the records of `paths`, in an index laid out as `opts`
    /// asks (shards, replicas) or by default.
    pub fn sync(
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
}

pub struct OpenSearchEngine {
    client: Client,
    /// The alias every request goes through.
    alias: String,
    /// The index the alias named when opened: whose health a failed search asks.
    index: String,
}

/// A plan as query DSL, with the query the highlighter matches against.
pub struct Compiled {
    query: Value,
    highlight: Option<Value>,
    corrections: Vec<Correction>,
    /// What each scored clause's terms were typed as (`--explain`).
    origins: Vec<explain::TermOrigin>,
}

impl query::Dictionary for OpenSearchEngine {
    /// One search: the word as written (size 0, each shard stopping at its first match), and
    /// a term suggester per field with every threshold off, so that each lists all its words
    /// within `typos` edits (a transposition counting as one).
    fn lookup(&self, held: &Value, near: &[&str], word: &str, typos: u8) -> Result<query::Lookup> {
        let mut body =
            json!({"size": 0, "query": held, "track_total_hits": 1, "terminate_after": 1});
        if !near.is_empty() {
            let mut suggest = serde_json::Map::new();
            for (i, field) in near.iter().enumerate() {
                suggest.insert(
                    format!("near{i}"),
                    json!({"text": word, "term": {
                        "field": field,
                        "suggest_mode": "always",
                        "max_edits": typos.clamp(1, 2),
                        "prefix_length": 0,
                        "min_word_length": 1,
                        "accuracy": 0.0,
                        "size": crate::engine::fields::MAX_EXPANSIONS,
                        "shard_size": crate::engine::fields::MAX_EXPANSIONS * 4,
                        "max_inspections": 20,
                        "string_distance": "damerau_levenshtein"
                    }}),
                );
            }
            body["suggest"] = Value::Object(suggest);
        }
        let reply = self.search(&body, false)?;
        Ok(query::Lookup {
            known: total_of(&reply) > 0,
            near: (0..near.len())
                .map(|i| suggested(&reply, &format!("near{i}"), word, typos))
                .collect(),
        })
    }
}

/// The options of the term suggestion `name` within `typos` of `word`, as the local engine
/// counts edits.
fn suggested(reply: &Value, name: &str, word: &str, typos: u8) -> Vec<String> {
    let mut out = Vec::new();
    for entry in reply
        .pointer(&format!("/suggest/{name}"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        for option in entry
            .get("options")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            if let Some(text) = option.get("text").and_then(Value::as_str) {
                if transposition_close(text, word, typos) {
                    out.push(text.to_owned());
                }
            }
        }
    }
    out
}

/// Within `typos` edits when a swap of neighbours counts as one (as the local engine counts).
fn transposition_close(a: &str, b: &str, typos: u8) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[n][m] <= usize::from(typos)
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
        let Some(index) = alias_target(&client, &alias)? else {
            let exists = client.send("HEAD", &format!("/{alias}"), None)?;
            return Err(client.error(if exists.ok() {
                format!("{alias} is an index, not an alias: litsearch searches through an alias it manages (run `litsearch ingest --rebuild --engine …` after removing it)")
            } else {
                "no index there yet: run `litsearch ingest --engine URL PATH…` first".to_owned()
            }));
        };
        // The index's health is not asked here but when a search fails (`failure`): a query
        // is this lookup and its search.
        Ok(OpenSearchEngine {
            client,
            alias,
            index,
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

    /// A page from the reply to its first search (`page_body`): pages within the first
    /// DEEP_PAGE matches are that one request (from/size); deeper or longer ones (export of
    /// every match) continue with search_after, DEEP_PAGE at a time. Then the hits as
    /// litsearch's, and the facet counts.
    fn finish_page(
        &self,
        compiled: &Compiled,
        request: &PageRequest,
        mut body: Value,
        reply: &Value,
    ) -> Result<Page> {
        let depth = request.offset.saturating_add(request.limit);
        let total = total_of(reply);
        let mut raw: Vec<Value> = hits_of(reply).to_vec();
        if depth > DEEP_PAGE {
            let wanted = depth.min(total);
            if let Some(b) = body.as_object_mut() {
                b.remove("aggs");
            }
            body["from"] = json!(0);
            body["track_total_hits"] = json!(false);
            body["size"] = json!(DEEP_PAGE);
            while raw.len() < wanted {
                let Some(after) = raw.last().and_then(|h| h.get("sort")).cloned() else {
                    break;
                };
                body["search_after"] = after;
                let more = self.search(&body, true)?;
                let page = hits_of(&more);
                if page.is_empty() {
                    break;
                }
                raw.extend_from_slice(page);
            }
            raw.truncate(wanted);
            raw.drain(..request.offset.min(raw.len()));
        }
        let mut hits = Vec::new();
        for hit in &raw {
            let stored = self.stored(hit)?;
            let record = stored.record;
            let title_found = matched_words(hit, "title", &record.title);
            let title = Marked {
                text: record.title.clone(),
                highlights: title_found.iter().map(|(s, e, _)| (*s, *e)).collect(),
            };
            let found = matched_words(hit, "abstract", &record.abstract_text);
            let snippet = window(&record.abstract_text, &found, request.snippet_chars);
            let score = hit.get("_score").and_then(Value::as_f64).unwrap_or(0.0) as f32;
            hits.push(Hit {
                matched_authors: matched_names(hit, "author", &record.authors),
                matched_fellows: matched_names(hit, "fellow", &record.fellows),
                score,
                record,
                first_seen: stored.first_seen,
                snippet,
                title,
                explanation: match hit.get("_explanation") {
                    Some(raw) if request.explain => Some(crate::engine::explain::Explanation::new(
                        explain::score_parts(raw, &compiled.origins),
                        raw.clone(),
                    )),
                    _ => None,
                },
            });
        }
        let facets = self.page_facets(&compiled.query, request, total, reply)?;
        Ok(Page {
            total,
            hits,
            facets,
        })
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

/// The first search of a page: hits (from/size within the first DEEP_PAGE matches), the exact
/// total, the highlights of the words matched, and the aggregations of the facets.
fn page_body(compiled: &Compiled, request: &PageRequest) -> Value {
    let depth = request.offset.saturating_add(request.limit);
    let (from, size) = if depth <= DEEP_PAGE {
        (request.offset, request.limit)
    } else {
        (0, request.limit.min(DEEP_PAGE))
    };
    let mut body = json!({
        "query": compiled.query,
        "from": from,
        "size": size,
        "track_total_hits": true,
        "track_scores": true,
        "sort": sort_clause(request.sort),
        "explain": request.explain,
    });
    if request.limit > 0 {
        let mut highlight = json!({
            "pre_tags": [PRE],
            "post_tags": [POST],
            "encoder": "default",
            "fields": {
                // Whole fields marked (the snippet window is chosen as locally), and
                // their unstemmed words, where prefixes and typos match.
                "title": {"number_of_fragments": 0},
                "title.words": {"number_of_fragments": 0},
                "abstract": {"number_of_fragments": 0},
                "abstract.words": {"number_of_fragments": 0},
                // Names matched by the query or a filter (the whole query, so filters
                // count), each matched name once, as the local engine shows them.
                "author": {"number_of_fragments": 0, "highlight_query": compiled.query},
                "fellow": {"number_of_fragments": 0, "highlight_query": compiled.query}
            }
        });
        if let Some(h) = &compiled.highlight {
            highlight["highlight_query"] = h.clone();
        }
        body["highlight"] = highlight;
    }
    if let Some(aggs) = facets::page_aggs(request) {
        body["aggs"] = aggs;
    }
    body
}

/// The sort of a page: the order asked for, then our tie-breaks (newer date, smaller id).
fn sort_clause(sort: Sort) -> Value {
    match sort {
        Sort::Relevance => json!([{"_score": "desc"}, {"date": "desc"}, {"id": "asc"}]),
        Sort::Newest => json!([{"date": "desc"}, {"_score": "desc"}, {"id": "asc"}]),
        Sort::Oldest => json!([{"date": "asc"}, {"_score": "desc"}, {"id": "asc"}]),
        Sort::Added => json!([{"first_seen": "desc"}, {"date": "desc"}, {"id": "asc"}]),
    }
}

/// The words of `text` the query matched, as the local engine marks them: the stems the
/// engine highlighted in the field (or its unstemmed words), at every word with those stems.
fn matched_words(hit: &Value, field: &str, text: &str) -> Vec<(usize, usize, String)> {
    let mut stems = HashSet::new();
    for f in [field.to_owned(), format!("{field}.words")] {
        let Some(m) = hit
            .pointer(&format!("/highlight/{}/0", f.replace('/', "~1")))
            .and_then(Value::as_str)
            .map(unmark)
        else {
            continue;
        };
        if m.text != text {
            continue;
        }
        for &(start, end) in &m.highlights {
            stems.extend(analyze(Analysis::Prose, &m.text[start..end]));
        }
    }
    if stems.is_empty() {
        return Vec::new();
    }
    crate::engine::analysis::analyze_with_offsets(Analysis::Prose, text)
        .into_iter()
        .filter(|(_, _, term)| stems.contains(term))
        .collect()
}

/// Positions in `names` of the values the engine highlighted in a multi-valued name field.
fn matched_names(hit: &Value, field: &str, names: &[String]) -> Vec<usize> {
    let Some(marked) = hit
        .pointer(&format!("/highlight/{field}"))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let mut out: Vec<usize> = Vec::new();
    for value in marked.iter().filter_map(Value::as_str) {
        let m = unmark(value);
        if m.highlights.is_empty() {
            continue;
        }
        if let Some(i) = (0..names.len()).find(|i| names[*i] == m.text && !out.contains(i)) {
            out.push(i);
        }
    }
    out.sort_unstable();
    out
}

/// Text with the highlighter's markers → the text and the byte ranges they marked.
fn unmark(marked: &str) -> Marked {
    let mut text = String::with_capacity(marked.len());
    let mut highlights = Vec::new();
    let mut open = None;
    for c in marked.chars() {
        match c {
            '\u{e000}' => open = Some(text.len()),
            '\u{e001}' => {
                if let Some(start) = open.take() {
                    highlights.push((start, text.len()));
                }
            }
            _ => text.push(c),
        }
    }
    Marked { text, highlights }
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

    fn page(&self, compiled: &Compiled, request: &PageRequest) -> Result<Page> {
        let body = page_body(compiled, request);
        let reply = self.search(&body, true)?;
        self.finish_page(compiled, request, body, &reply)
    }

    /// One search: its total says whether anything matched, and then it is the page.
    fn page_if_any(&self, compiled: &Compiled, request: &PageRequest) -> Result<Option<Page>> {
        let body = page_body(compiled, request);
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
        similar(self, source, limit)
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

/// Words too common to say two papers are alike (more_like_this's stop words).
const SIMILAR_STOPWORDS: &[&str] = &[
    "a", "about", "also", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can", "for",
    "from", "has", "have", "how", "in", "into", "is", "it", "its", "may", "more", "not", "of",
    "on", "or", "our", "such", "than", "that", "the", "their", "these", "this", "to", "we", "what",
    "when", "which", "while", "with", "http", "https", "www", "com", "org", "github",
];

/// More-like-this on the source's title, abstract and tags, the source itself excluded; the
/// key terms are the source's most frequent words (title counting 3, tags 2, abstract 1), and
/// each hit's reason names those it shares, and the tags.
fn similar(engine: &OpenSearchEngine, source: &Record, limit: usize) -> Result<SimilarResults> {
    let like = format!(
        "{}\n{}\n{}\n{}",
        source.title,
        source.title,
        source.tags.join("\n"),
        source.abstract_text
    );
    let mut should = vec![json!({"more_like_this": {
        "fields": ["title", "abstract", "tag"],
        "like": like,
        "min_term_freq": 1,
        "min_doc_freq": 1,
        "max_query_terms": 25,
        "minimum_should_match": "1",
        "stop_words": SIMILAR_STOPWORDS,
    }})];
    for tag in &source.tags {
        should.push(
            json!({"term": {"tag_key": {"value": crate::text::fold_key(tag), "boost": 0.5}}}),
        );
    }
    let body = json!({
        "size": limit,
        "query": {"bool": {
            "should": should,
            "minimum_should_match": 1,
            "must_not": [{"term": {"id": source.id}}]
        }},
        "sort": [{"_score": "desc"}, {"date": "desc"}, {"id": "asc"}],
        "track_scores": true
    });
    let reply = engine.search(&body, true)?;
    let terms = key_terms(source);
    let source_tags: HashSet<String> = source
        .tags
        .iter()
        .map(|t| crate::text::fold_key(t))
        .collect();
    let mut hits = Vec::new();
    for hit in hits_of(&reply) {
        let record = engine.stored(hit)?.record;
        let words: HashSet<String> = [&record.title, &record.abstract_text]
            .iter()
            .flat_map(|t| crate::engine::analysis::analyze(Analysis::Prose, t))
            .chain(
                record
                    .tags
                    .iter()
                    .flat_map(|t| crate::engine::analysis::analyze(Analysis::Prose, t)),
            )
            .collect();
        let shared_terms = terms
            .iter()
            .filter(|t| words.contains(&t.term))
            .take(5)
            .map(|t| t.word.clone())
            .collect();
        let shared_tags = record
            .tags
            .iter()
            .filter(|t| source_tags.contains(&crate::text::fold_key(t)))
            .cloned()
            .collect();
        hits.push(SimilarHit {
            score: hit.get("_score").and_then(Value::as_f64).unwrap_or(0.0) as f32,
            record,
            shared_terms,
            shared_tags,
        });
    }
    Ok(SimilarResults {
        source: source.clone(),
        terms,
        hits,
    })
}

/// The source's strongest words: stemmed term, a word that gave it, weighted frequency.
fn key_terms(source: &Record) -> Vec<KeyTerm> {
    let mut weights: std::collections::HashMap<String, (String, f32)> = Default::default();
    let mut add = |text: &str, weight: f32| {
        let words = crate::engine::analysis::analyze(Analysis::Name, text);
        for word in words {
            if word.len() < 3 || SIMILAR_STOPWORDS.contains(&word.as_str()) {
                continue;
            }
            let Some(term) = crate::engine::analysis::analyze(Analysis::Prose, &word).pop() else {
                continue;
            };
            let entry = weights.entry(term).or_insert((word, 0.0));
            entry.1 += weight;
        }
    };
    add(&source.title, 3.0);
    for tag in &source.tags {
        add(tag, 2.0);
    }
    add(&source.abstract_text, 1.0);
    let mut terms: Vec<KeyTerm> = weights
        .into_iter()
        .map(|(term, (word, weight))| KeyTerm { term, word, weight })
        .collect();
    terms.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| a.term.cmp(&b.term))
    });
    terms.truncate(25);
    terms
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
