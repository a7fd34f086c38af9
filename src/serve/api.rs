//! The JSON API: each endpoint answers with the object the matching CLI command prints with
//! `--json` (`query`, `show`, `similar`, `facets`), built by the same library calls and serde
//! structs; errors are `{"error": {"message", "position"}}`.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::params::{pairs, SearchParams};
use super::{AppState, Failure};
use crate::engine::{AnyEngine, Engine};
use crate::output::json::{facets_json, ResultsJson};
use crate::output::paper::SimilarJson;
use crate::record::StoredRecord;
use crate::request::parse_facets;
use crate::search::FacetField;
use crate::search::DEFAULT_FACET_LIMIT;

/// The OpenAPI 3.1 document of these endpoints.
pub const OPENAPI: &str = include_str!("assets/openapi.json");
/// Most similar papers per request.
const MAX_SIMILAR: usize = 100;
/// Entries in a saved search's feed.
const FEED_ENTRIES: usize = 50;

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    message: &'a str,
    /// The 1-based character position in the query that the error is about.
    position: Option<usize>,
}

pub(crate) fn error_response(f: &Failure) -> Response {
    let message = f.message();
    let body = ErrorBody {
        error: ErrorDetail {
            message: &message,
            position: f.position(),
        },
    };
    let mut r = json_bytes(f.status(), serde_json::to_vec(&body));
    if f.status() == StatusCode::SERVICE_UNAVAILABLE {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    r
}

fn json_bytes(status: StatusCode, body: serde_json::Result<Vec<u8>>) -> Response {
    match body {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "application/json")],
            format!("{{\"error\":{{\"message\":\"cannot write JSON: {e}\",\"position\":null}}}}"),
        )
            .into_response(),
    }
}

fn answer(result: Result<Vec<u8>, Failure>) -> Response {
    match result {
        Ok(bytes) => json_bytes(StatusCode::OK, Ok(bytes)),
        Err(f) => error_response(&f),
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, Failure> {
    serde_json::to_vec(value).map_err(|e| Failure::Lib(crate::Error::Engine(e.to_string())))
}

/// Refuses every parameter: for endpoints that take none.
fn no_params(raw: &Option<String>, allowed: &[&str]) -> Result<Vec<(String, String)>, Failure> {
    let got = pairs(raw.as_deref());
    if let Some((name, _)) = got.iter().find(|(n, _)| !allowed.contains(&n.as_str())) {
        return Err(Failure::BadParam(format!(
            "unknown parameter \"{}\"{}",
            name.escape_debug(),
            if allowed.is_empty() {
                "; this endpoint takes none".to_owned()
            } else {
                format!("; expected {}", allowed.join(", "))
            }
        )));
    }
    Ok(got)
}

/// An id as the index writes them: 16 lowercase hex digits.
fn check_id(id: &str) -> Result<(), Failure> {
    if id.len() == 16 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(())
    } else {
        Err(Failure::Lib(crate::Error::NotFound {
            key: id.chars().take(40).collect(),
            candidates: Vec::new(),
        }))
    }
}

/// The paper with this id (what `show ID` finds first), without `show`'s title fallback: a
/// URL names a paper by id, and a miss should not scan every title.
fn by_id(engine: &AnyEngine, id: &str) -> Result<StoredRecord, Failure> {
    engine.record_by_id(id)?.ok_or_else(|| {
        Failure::Lib(crate::Error::NotFound {
            key: id.to_owned(),
            candidates: Vec::new(),
        })
    })
}

pub(crate) async fn healthz() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "ok\n",
    )
        .into_response()
}

pub(crate) async fn openapi() -> Response {
    json_bytes(StatusCode::OK, Ok(OPENAPI.as_bytes().to_vec()))
}

/// `GET /api/search`: `query --json` for the same arguments.
pub(crate) async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = match SearchParams::parse(&pairs(raw.as_deref()), true) {
        Ok(p) => p,
        Err(e) => return error_response(&e.into()),
    };
    let request = match params.to_request(10, DEFAULT_FACET_LIMIT) {
        Ok(r) => r,
        Err(e) => return error_response(&e.into()),
    };
    match state.search(request.clone()).await {
        Ok(searched) => {
            let mut r = answer(to_json(&ResultsJson::new(
                &request.query,
                &searched.results,
            )));
            r.headers_mut().insert(
                "x-cache",
                HeaderValue::from_static(if searched.cached { "hit" } else { "miss" }),
            );
            r
        }
        Err(f) => error_response(&f),
    }
}

/// `GET /api/papers/{id}`: `show --json ID`.
pub(crate) async fn paper(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(f) = no_params(&raw, &[]).and_then(|_| check_id(&id)) {
        return error_response(&f);
    }
    answer(
        state
            .run(move |engine| to_json(&by_id(engine, &id)?.record))
            .await,
    )
}

/// `GET /api/papers/{id}/similar?limit=`: `similar --json ID -n LIMIT`.
pub(crate) async fn similar(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let limit = match no_params(&raw, &["limit"]).and_then(|p| {
        check_id(&id)?;
        match p.iter().rev().find(|(n, _)| n == "limit") {
            None => Ok(10),
            Some((_, v)) => match v.trim().parse::<usize>() {
                Ok(n) if (1..=MAX_SIMILAR).contains(&n) => Ok(n),
                _ => Err(Failure::BadParam(format!(
                    "limit: expected a whole number from 1 to {MAX_SIMILAR}, found \"{}\"",
                    v.chars().take(40).collect::<String>().escape_debug()
                ))),
            },
        }
    }) {
        Ok(l) => l,
        Err(f) => return error_response(&f),
    };
    answer(
        state
            .run(move |engine| {
                let source = by_id(engine, &id)?.record;
                to_json(&SimilarJson::new(&engine.similar(&source, limit)?))
            })
            .await,
    )
}

/// `GET /api/facets?field=`: `facets --json [--field F]`.
pub(crate) async fn facets(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Response {
    let fields = match no_params(&raw, &["field"]).and_then(|p| {
        match p.iter().rev().find(|(n, _)| n == "field") {
            Some((_, f)) => parse_facets(f).map_err(Failure::Lib),
            None => Ok(FacetField::ALL.to_vec()),
        }
    }) {
        Ok(f) => f,
        Err(f) => return error_response(&f),
    };
    answer(
        state
            .run(move |engine| to_json(&facets_json(&engine.facet_values(&fields)?)))
            .await,
    )
}

/// `GET /api/watch/{name}.xml`: the Atom feed of a saved search — the papers it matches now,
/// most recently added first. Read-only: what the search has reported is not touched.
pub(crate) async fn watch_feed(
    State(state): State<Arc<AppState>>,
    Path(file): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let name = match no_params(&raw, &[]).and_then(|_| {
        file.strip_suffix(".xml")
            .filter(|n| crate::watch::state::check_name(n).is_ok())
            .map(str::to_owned)
            .ok_or_else(|| {
                Failure::Lib(crate::Error::NotFound {
                    key: file.chars().take(40).collect(),
                    candidates: Vec::new(),
                })
            })
    }) {
        Ok(n) => n,
        Err(f) => return error_response(&f),
    };
    let state_dir = state.target.state_dir().to_path_buf();
    let result = state
        .run(move |engine| {
            let path = crate::watch::state::state_path(&state_dir);
            let file = crate::watch::state::WatchFile::load(&path)?;
            let watch = file.get(&name).ok_or_else(|| file.unknown(&name))?;
            let feed = crate::watch::feed::current_feed(engine, watch, FEED_ENTRIES)?;
            feed.write_to(Vec::new())
                .map_err(|e| Failure::Lib(crate::Error::Engine(e.to_string())))
        })
        .await;
    match result {
        Ok(xml) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            xml,
        )
            .into_response(),
        Err(f) => {
            let mut r = error_response(&f);
            if matches!(&f, Failure::Lib(crate::Error::Usage(_))) {
                *r.status_mut() = StatusCode::NOT_FOUND;
            }
            r
        }
    }
}
