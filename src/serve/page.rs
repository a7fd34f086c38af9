//! The search page (`/`), its results region (`/results`, what the script swaps in), the
//! paper page (`/papers/{id}`) and the embedded assets. Server-rendered and complete without
//! JavaScript: the whole state is in the URL; every record's text goes through `html::escape`.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::html::{escape, marked};
use super::params::{pairs, sort_name, SearchParams, MAX_OFFSET};
use super::{AppState, Failure};
use crate::engine::Engine;
use crate::record::StoredRecord;
use crate::search::similar::SimilarResults;
use crate::search::{FacetCounts, FacetField, SearchResults, Sort};

const STYLE: &str = include_str!("assets/style.css");
const SCRIPT: &str = include_str!("assets/app.js");
const ICON: &str = include_str!("assets/icon.svg");
/// Hits per page unless the URL says otherwise.
const PAGE_SIZE: usize = 10;
/// Facet values listed per field.
const FACET_VALUES: usize = 10;
/// Similar papers on a paper's page.
const SIMILAR: usize = 8;

/// What a search page shows below the form.
enum Outcome {
    Results(Arc<SearchResults>),
    /// No query and no filter yet: the most frequent values of each field, to start from.
    Browse(FacetCounts),
    Failed(Failure),
}

fn html_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Parses the URL and runs the search (or the browse listing) on the blocking pool.
async fn outcome(state: &Arc<AppState>, raw: Option<String>) -> (SearchParams, Outcome) {
    let params = match SearchParams::parse(&pairs(raw.as_deref()), false) {
        Ok(p) => p,
        Err(e) => return (SearchParams::default(), Outcome::Failed(e.into())),
    };
    if params.is_blank() {
        let result = state
            .run(move |engine| {
                let mut counts = engine.facet_values(&FacetField::ALL)?;
                for field in &mut counts {
                    field.more = field.values.len() > FACET_VALUES;
                    field.values.truncate(FACET_VALUES);
                }
                Ok(Outcome::Browse(counts))
            })
            .await;
        return (params, result.unwrap_or_else(Outcome::Failed));
    }
    let outcome = match params.to_request(PAGE_SIZE, FACET_VALUES) {
        Ok(request) => match state.search(request).await {
            Ok(searched) => Outcome::Results(searched.results),
            Err(f) => Outcome::Failed(f),
        },
        Err(e) => Outcome::Failed(e.into()),
    };
    (params, outcome)
}

fn status_of(o: &Outcome) -> StatusCode {
    match o {
        Outcome::Failed(f) => f.status(),
        _ => StatusCode::OK,
    }
}

/// `GET /`: the whole page.
pub(crate) async fn home(State(state): State<Arc<AppState>>, RawQuery(raw): RawQuery) -> Response {
    let (params, outcome) = outcome(&state, raw).await;
    let region = region(&params, &outcome);
    let mut body = head(&title_for(&params));
    body.push_str(&search_form(&params));
    body.push_str("<div id=\"results\" class=\"results\">");
    body.push_str(&region);
    body.push_str("</div>");
    body.push_str(FOOT);
    html_response(status_of(&outcome), body)
}

/// `GET /results`: the results region alone, for the script to swap in.
pub(crate) async fn results_fragment(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let (params, outcome) = outcome(&state, raw).await;
    html_response(status_of(&outcome), region(&params, &outcome))
}

/// `GET /papers/{id}`: the record in full and the papers most like it.
pub(crate) async fn paper(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let valid = id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit());
    let result: Result<(StoredRecord, Option<SimilarResults>), Failure> = if !valid {
        Err(Failure::Lib(crate::Error::NotFound {
            key: id.chars().take(40).collect(),
            candidates: Vec::new(),
        }))
    } else {
        state
            .run(move |engine| {
                let Some(found) = engine.record_by_id(&id)? else {
                    return Err(Failure::Lib(crate::Error::NotFound {
                        key: id,
                        candidates: Vec::new(),
                    }));
                };
                // A paper without similar ones still has its page.
                let similar = engine.similar(&found.record, SIMILAR).ok();
                Ok((found, similar))
            })
            .await
    };
    match result {
        Ok((found, similar)) => {
            let mut body = head(&found.record.title);
            body.push_str(&search_form(&SearchParams::default()));
            body.push_str(&paper_body(&found, similar.as_ref()));
            body.push_str(FOOT);
            html_response(StatusCode::OK, body)
        }
        Err(f) => {
            let mut body = head("Not found");
            body.push_str(&search_form(&SearchParams::default()));
            let _ = write!(
                body,
                "<div class=\"results\"><p class=\"error\" role=\"alert\">{}</p></div>",
                escape(&f.message())
            );
            body.push_str(FOOT);
            html_response(f.status(), body)
        }
    }
}

/// `GET /assets/{file}`: the stylesheet and the script, embedded in the binary.
pub(crate) async fn asset(Path(file): Path<String>) -> Response {
    let (kind, body) = match file.as_str() {
        "style.css" => ("text/css; charset=utf-8", STYLE),
        "app.js" => ("text/javascript; charset=utf-8", SCRIPT),
        "icon.svg" => ("image/svg+xml", ICON),
        _ => return not_found_page(),
    };
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response()
}

pub(crate) fn not_found_page() -> Response {
    let mut body = head("Not found");
    body.push_str(&search_form(&SearchParams::default()));
    body.push_str("<div class=\"results\"><p class=\"error\" role=\"alert\">No page here. Search above, or go to <a href=\"/\">the start</a>.</p></div>");
    body.push_str(FOOT);
    html_response(StatusCode::NOT_FOUND, body)
}

fn title_for(p: &SearchParams) -> String {
    if p.q.trim().is_empty() {
        "Search papers".to_owned()
    } else {
        p.q.trim().to_owned()
    }
}

fn head(title: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{} · litsearch</title><link rel=\"stylesheet\" href=\"/assets/style.css\">\
<link rel=\"icon\" href=\"/assets/icon.svg\" type=\"image/svg+xml\">\
<script src=\"/assets/app.js\" defer></script></head><body>\
<a class=\"skip\" href=\"#results\">Skip to results</a>\
<header class=\"top\"><a class=\"brand\" href=\"/\">litsearch</a></header><main>",
        escape(title)
    )
}

const FOOT: &str = "</main><footer class=\"foot\"><p>Keys: <kbd>/</kbd> search, <kbd>↑</kbd> <kbd>↓</kbd> move through results, <kbd>Enter</kbd> open. <a href=\"/api/openapi.json\">JSON API</a></p></footer></body></html>\n";

/// The search form: the box, the date range, sort and featured. The filters chosen from the
/// facets travel as hidden inputs inside the results region (`form="search"`).
fn search_form(p: &SearchParams) -> String {
    let mut s = String::with_capacity(2048);
    let _ = write!(
        s,
        "<form id=\"search\" class=\"search\" role=\"search\" action=\"/\" method=\"get\">\
<label for=\"q\" class=\"q-label\">Search papers</label>\
<div class=\"q-row\"><input id=\"q\" name=\"q\" type=\"search\" value=\"{}\" maxlength=\"{}\" \
autocomplete=\"off\" spellcheck=\"false\" aria-describedby=\"q-help\">\
<button type=\"submit\">Search</button></div>\
<p id=\"q-help\" class=\"help\">Words, \"exact phrases\", -exclude, a OR b, tag:…, author:…, title:…</p>\
<fieldset class=\"refine\"><legend>Refine</legend>\
<div class=\"field\"><label for=\"since\">From date</label>\
<input id=\"since\" name=\"since\" value=\"{}\" placeholder=\"2024-01\" inputmode=\"numeric\" size=\"10\"></div>\
<div class=\"field\"><label for=\"until\">To date</label>\
<input id=\"until\" name=\"until\" value=\"{}\" placeholder=\"2025-12-31\" inputmode=\"numeric\" size=\"10\"></div>\
<div class=\"field\"><label for=\"sort\">Sort by</label><select id=\"sort\" name=\"sort\">",
        escape(&p.q),
        super::params::MAX_QUERY_CHARS,
        escape(p.since.as_deref().unwrap_or("")),
        escape(p.until.as_deref().unwrap_or("")),
    );
    for (value, label) in [
        ("", "Best match"),
        ("newest", "Newest"),
        ("oldest", "Oldest"),
        ("added", "Recently added"),
    ] {
        let selected = p.sort.map(sort_name).unwrap_or("") == value
            && !(value.is_empty() && p.sort == Some(Sort::Relevance));
        let _ = write!(
            s,
            "<option value=\"{value}\"{}>{label}</option>",
            if selected { " selected" } else { "" }
        );
    }
    if p.sort == Some(Sort::Relevance) {
        s.push_str("<option value=\"relevance\" selected>Relevance</option>");
    }
    let _ = write!(
        s,
        "</select></div><div class=\"field check\"><input id=\"featured\" name=\"featured\" \
type=\"checkbox\" value=\"1\"{}><label for=\"featured\">Featured only</label></div>\
<button type=\"submit\" class=\"secondary\">Apply</button></fieldset></form>",
        if p.featured { " checked" } else { "" }
    );
    s
}

/// The URL of the search page for `p`.
fn url(p: &SearchParams) -> String {
    let qs = p.to_query_string();
    if qs.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{qs}")
    }
}

/// The filter parameter a facet field sets.
fn filter_name(field: FacetField) -> &'static str {
    match field {
        FacetField::Tags => "tag",
        FacetField::Year => "year",
        FacetField::Fellows => "fellow",
        FacetField::Authors => "author",
    }
}

fn facet_heading(field: FacetField) -> &'static str {
    match field {
        FacetField::Tags => "Tags",
        FacetField::Year => "Year",
        FacetField::Fellows => "Fellows",
        FacetField::Authors => "Authors",
    }
}

/// Whether `value` of `field` is among the filters, and the parameters with it toggled.
fn toggled(p: &SearchParams, field: FacetField, value: &str) -> (bool, SearchParams) {
    let mut next = p.clone();
    next.offset = 0;
    let same = |a: &String| a.to_lowercase() == value.to_lowercase();
    let list = match field {
        FacetField::Tags => Some(&mut next.tags),
        FacetField::Fellows => Some(&mut next.fellows),
        FacetField::Authors => Some(&mut next.authors),
        FacetField::Year => None,
    };
    let on = match list {
        Some(list) => {
            let on = list.iter().any(same);
            if on {
                list.retain(|a| !same(a));
            } else {
                list.push(value.to_owned());
            }
            on
        }
        None => {
            let Ok(y) = value.parse::<u32>() else {
                return (false, next);
            };
            let on = next.years.contains(&y);
            if on {
                next.years.retain(|v| *v != y);
            } else {
                next.years.push(y);
            }
            on
        }
    };
    (on, next)
}

/// The results region: hidden filter inputs, the summary, chosen filters, facets, hits, pages.
fn region(p: &SearchParams, outcome: &Outcome) -> String {
    let mut s = String::with_capacity(16 * 1024);
    let _ = write!(
        s,
        "<div class=\"region\" data-title=\"{} · litsearch\">",
        escape(&title_for(p))
    );
    // The filters the form does not show travel with it.
    let mut hidden = |name: &str, value: &str| {
        let _ = write!(
            s,
            "<input type=\"hidden\" form=\"search\" name=\"{name}\" value=\"{}\">",
            escape(value)
        );
    };
    for t in &p.tags {
        hidden("tag", t);
    }
    for a in &p.authors {
        hidden("author", a);
    }
    for f in &p.fellows {
        hidden("fellow", f);
    }
    for y in &p.years {
        hidden("year", &y.to_string());
    }
    if let Some(v) = &p.added_since {
        hidden("added_since", v);
    }
    if let Some(l) = p.limit {
        hidden("limit", &l.to_string());
    }
    if p.exact {
        hidden("exact", "1");
    }
    match outcome {
        Outcome::Failed(f) => {
            let _ = write!(
                s,
                "<p class=\"error\" role=\"alert\">{}</p>",
                escape(&f.message())
            );
            chosen_filters(&mut s, p);
        }
        Outcome::Browse(counts) => {
            s.push_str("<p class=\"summary\" role=\"status\">Type words to search, or start from a tag, a year or a name.</p>");
            s.push_str("<div class=\"layout\">");
            facets(&mut s, p, counts);
            s.push_str("</div>");
        }
        Outcome::Results(r) => {
            summary(&mut s, p, r);
            chosen_filters(&mut s, p);
            s.push_str("<div class=\"layout\">");
            facets(&mut s, p, &r.facets);
            hits(&mut s, p, r);
            s.push_str("</div>");
        }
    }
    s.push_str("</div>");
    s
}

fn summary(s: &mut String, p: &SearchParams, r: &SearchResults) {
    let shown = r.hits.len();
    let _ = write!(s, "<p class=\"summary\" role=\"status\">");
    if r.total == 0 {
        s.push_str("No papers match.");
    } else {
        let _ = write!(
            s,
            "{} paper{}{}",
            r.total,
            if r.total == 1 { "" } else { "s" },
            if shown > 0 && r.total > shown {
                format!(", {}–{} shown", p.offset + 1, p.offset + shown)
            } else {
                String::new()
            }
        );
        if r.relaxed.relaxed.is_some() {
            // What the relaxation did, as the CLI says it on stderr.
            let mut parts = Vec::new();
            for c in &r.relaxed.corrections {
                parts.push(format!("“{}” read as “{}”", c.word, c.to.join("” or “")));
            }
            if !r.relaxed.dropped.is_empty() {
                parts.push(format!("left out “{}”", r.relaxed.dropped.join("”, “")));
            }
            let _ = write!(
                s,
                " — nothing matches every word as typed: {}.",
                escape(&parts.join("; "))
            );
        } else {
            s.push('.');
        }
    }
    s.push_str("</p>");
}

/// The filters in force, each a link that removes it.
fn chosen_filters(s: &mut String, p: &SearchParams) {
    let mut items: Vec<(String, String)> = Vec::new();
    for (field, values) in [
        (FacetField::Tags, &p.tags),
        (FacetField::Authors, &p.authors),
        (FacetField::Fellows, &p.fellows),
    ] {
        for v in values {
            let (_, next) = toggled(p, field, v);
            items.push((format!("{}: {v}", filter_name(field)), url(&next)));
        }
    }
    for y in &p.years {
        let (_, next) = toggled(p, FacetField::Year, &y.to_string());
        items.push((format!("year: {y}"), url(&next)));
    }
    let mut drop = |label: &str, f: &dyn Fn(&mut SearchParams)| {
        let mut next = p.clone();
        next.offset = 0;
        f(&mut next);
        items.push((label.to_owned(), url(&next)));
    };
    if let Some(v) = &p.since {
        drop(&format!("from: {v}"), &|n| n.since = None);
    }
    if let Some(v) = &p.until {
        drop(&format!("to: {v}"), &|n| n.until = None);
    }
    if p.featured {
        drop("featured only", &|n| n.featured = false);
    }
    if items.is_empty() {
        return;
    }
    s.push_str("<ul class=\"chosen\" aria-label=\"Filters in force\">");
    for (label, href) in items {
        let _ = write!(
            s,
            "<li><a data-nav href=\"{}\" aria-label=\"Remove filter {}\">{} <span aria-hidden=\"true\">×</span></a></li>",
            escape(&href),
            escape(&label),
            escape(&label)
        );
    }
    s.push_str("</ul>");
}

fn facets(s: &mut String, p: &SearchParams, counts: &FacetCounts) {
    s.push_str("<aside class=\"facets\" aria-label=\"Narrow by\">");
    for field in counts {
        if field.values.is_empty() {
            continue;
        }
        let _ = write!(
            s,
            "<section class=\"facet\" data-field=\"{}\"><h2>{}</h2><ul>",
            filter_name(field.field),
            facet_heading(field.field)
        );
        for v in &field.values {
            let (on, next) = toggled(p, field.field, &v.value);
            let _ = write!(
                s,
                "<li><a data-nav class=\"facet-value\" role=\"checkbox\" aria-checked=\"{on}\" href=\"{}\">\
<span class=\"box\" aria-hidden=\"true\"></span><span class=\"value\">{}</span> <span class=\"count\">{}</span></a></li>",
                escape(&url(&next)),
                escape(&v.value),
                v.count
            );
        }
        s.push_str("</ul></section>");
    }
    s.push_str("</aside>");
}

fn hits(s: &mut String, p: &SearchParams, r: &SearchResults) {
    s.push_str("<section class=\"hits\" aria-label=\"Results\">");
    if !r.hits.is_empty() {
        let _ = write!(s, "<ol class=\"hit-list\" start=\"{}\">", p.offset + 1);
        for hit in &r.hits {
            let rec = &hit.record;
            let _ = write!(
                s,
                "<li class=\"hit\"><h3><a class=\"title\" href=\"/papers/{}\">{}</a></h3><p class=\"meta\"><time datetime=\"{}\">{}</time>",
                escape(&rec.id),
                marked(&hit.title),
                escape(&rec.date),
                escape(&rec.date)
            );
            if rec.featured {
                s.push_str(" <span class=\"badge\">featured</span>");
            }
            if !rec.authors.is_empty() {
                s.push_str(" · <span class=\"authors\">");
                push_names(s, &rec.authors, 6);
                s.push_str("</span>");
            }
            s.push_str("</p>");
            if !hit.snippet.text.is_empty() {
                let _ = write!(s, "<p class=\"snippet\">{}</p>", marked(&hit.snippet));
            }
            if !rec.tags.is_empty() {
                s.push_str("<p class=\"tags\">");
                for t in &rec.tags {
                    let _ = write!(s, "<span class=\"tag\">{}</span> ", escape(t));
                }
                s.push_str("</p>");
            }
            s.push_str("</li>");
        }
        s.push_str("</ol>");
    }
    pager(s, p, r.total);
    s.push_str("</section>");
}

fn push_names(s: &mut String, names: &[String], max: usize) {
    for (i, n) in names.iter().take(max).enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&escape(n));
    }
    if names.len() > max {
        let _ = write!(s, " and {} more", names.len() - max);
    }
}

fn pager(s: &mut String, p: &SearchParams, total: usize) {
    let size = p.limit.unwrap_or(PAGE_SIZE).max(1);
    if total <= size {
        return;
    }
    let pages = total.div_ceil(size);
    let page = p.offset / size + 1;
    s.push_str("<nav class=\"pager\" aria-label=\"Pages\">");
    if p.offset > 0 {
        let mut prev = p.clone();
        prev.offset = p.offset.saturating_sub(size);
        let _ = write!(
            s,
            "<a data-nav rel=\"prev\" href=\"{}\">← Previous</a>",
            escape(&url(&prev))
        );
    }
    let _ = write!(
        s,
        "<span class=\"page\" aria-current=\"page\">Page {page} of {pages}</span>"
    );
    let next_offset = p.offset + size;
    if next_offset < total && next_offset <= MAX_OFFSET {
        let mut next = p.clone();
        next.offset = next_offset;
        let _ = write!(
            s,
            "<a data-nav rel=\"next\" href=\"{}\">Next →</a>",
            escape(&url(&next))
        );
    }
    s.push_str("</nav>");
}

fn paper_body(found: &StoredRecord, similar: Option<&SimilarResults>) -> String {
    let r = &found.record;
    let mut s = String::with_capacity(8 * 1024);
    let _ = write!(
        s,
        "<div id=\"results\" class=\"results\"><article class=\"paper\"><h1>{}</h1><dl class=\"facts\"><dt>Date</dt><dd><time datetime=\"{}\">{}</time>{}</dd>",
        escape(&r.title),
        escape(&r.date),
        escape(&r.date),
        if r.featured { " <span class=\"badge\">featured</span>" } else { "" }
    );
    let links = |s: &mut String, label: &str, param: &str, values: &[String]| {
        if values.is_empty() {
            return;
        }
        let _ = write!(s, "<dt>{label}</dt><dd><ul class=\"inline\">");
        for v in values {
            let href = format!(
                "/?{}",
                form_urlencoded::Serializer::new(String::new())
                    .append_pair(param, v)
                    .finish()
            );
            let _ = write!(
                s,
                "<li><a href=\"{}\">{}</a></li>",
                escape(&href),
                escape(v)
            );
        }
        s.push_str("</ul></dd>");
    };
    links(&mut s, "Authors", "author", &r.authors);
    links(&mut s, "Fellows", "fellow", &r.fellows);
    links(&mut s, "Tags", "tag", &r.tags);
    let _ = write!(
        s,
        "<dt>Source</dt><dd>{}:{}</dd><dt>Id</dt><dd><code>{}</code> · <a href=\"/api/papers/{}\">JSON</a></dd><dt>First indexed</dt><dd>{}</dd></dl>",
        escape(&r.source.file),
        r.source.line,
        escape(&r.id),
        escape(&r.id),
        escape(&crate::clock::unix_to_rfc3339(found.first_seen))
    );
    if !r.abstract_text.is_empty() {
        let _ = write!(
            s,
            "<h2>Abstract</h2><p class=\"abstract\">{}</p>",
            escape(&r.abstract_text)
        );
    }
    s.push_str("</article><section class=\"similar\" aria-labelledby=\"similar-h\"><h2 id=\"similar-h\">Similar papers</h2>");
    match similar {
        Some(sim) if !sim.hits.is_empty() => {
            s.push_str("<ol class=\"hit-list\">");
            for h in &sim.hits {
                let _ = write!(
                    s,
                    "<li class=\"hit\"><h3><a class=\"title\" href=\"/papers/{}\">{}</a></h3><p class=\"meta\"><time datetime=\"{}\">{}</time></p><p class=\"reason\">{}</p></li>",
                    escape(&h.record.id),
                    escape(&h.record.title),
                    escape(&h.record.date),
                    escape(&h.record.date),
                    escape(&h.reason())
                );
            }
            s.push_str("</ol>");
        }
        _ => s.push_str("<p>No similar papers found.</p>"),
    }
    s.push_str("</section></div>");
    s
}
