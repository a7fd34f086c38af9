//! `litsearch serve`: the index over HTTP, read-only — a JSON API (`/api/…`) and a search page
//! (`/`) — answered by the same engine layer as the CLI, on axum/tokio.
//!
//! Engine calls block, so each runs on tokio's blocking pool, under a limit of concurrent
//! searches (beyond it: 503) and a timeout (503). The engine is reopened when an ingest has
//! changed the index (`AnyEngine::is_stale`), so the server answers from the new index without
//! a restart; a search already running keeps the engine it started with. Connections (the
//! header-read timeout, the drain on SIGINT/SIGTERM) are `listen.rs`'s.

mod api;
pub mod cache;
mod html;
mod listen;
mod page;
pub mod params;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tokio::sync::Semaphore;

use crate::engine::{AnyEngine, Engine, Target};
use crate::error::{Error, Result};
use crate::search::{SearchRequest, SearchResults};
use cache::SearchCache;

/// How the server runs (from `serve`'s flags).
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: SocketAddr,
    /// Searches running at once; more are refused with 503.
    pub max_concurrent: usize,
    /// Longest a search may take before the request is answered with 503.
    pub timeout: Duration,
    /// Longest a client may take to send a request head (request line and headers).
    pub header_timeout: Duration,
    /// No access log.
    pub quiet: bool,
    /// Search answers kept for repeated requests (0: none).
    pub cache_entries: usize,
    /// The index's `synonyms.txt`, read once at start (the mined short forms come with the
    /// engine, and follow its reopening).
    pub synonyms: Arc<crate::acronyms::Synonyms>,
}

/// The Content-Security-Policy of every response: our own scripts, styles and requests only.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
    connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// What every handler shares.
pub(crate) struct AppState {
    target: Target,
    engine: Mutex<Opened>,
    cache: SearchCache,
    /// Held while a stale engine is reopened, so one request reopens it, not all of them.
    reopening: Mutex<()>,
    searches: Arc<Semaphore>,
    timeout: Duration,
    quiet: bool,
    synonyms: Arc<crate::acronyms::Synonyms>,
}

/// The engine answering now and its epoch, bumped at every reopen: the cache keys answers by it.
#[derive(Clone)]
struct Opened {
    engine: Arc<AnyEngine>,
    epoch: u64,
}

/// A search's answer, and whether it came from the cache.
pub(crate) struct Searched {
    pub results: Arc<SearchResults>,
    pub cached: bool,
}

/// Why a request was not answered with what it asked for; rendered as JSON by the API and as
/// a page by the pages.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The server is at its concurrency limit.
    Busy,
    /// The search ran out of time.
    TimedOut,
    /// An error of the library (a bad query, an unknown paper, a broken index).
    Lib(Error),
    /// A refused parameter.
    BadParam(String),
}

impl Failure {
    pub fn status(&self) -> StatusCode {
        match self {
            Failure::Busy | Failure::TimedOut => StatusCode::SERVICE_UNAVAILABLE,
            Failure::BadParam(_) => StatusCode::BAD_REQUEST,
            Failure::Lib(e) => match e {
                Error::Query(_) | Error::Usage(_) => StatusCode::BAD_REQUEST,
                Error::NotFound { .. } | Error::Ambiguous { .. } => StatusCode::NOT_FOUND,
                Error::NoIndex { .. } | Error::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    pub fn message(&self) -> String {
        match self {
            Failure::Busy => "the server is busy; try again in a moment".to_owned(),
            Failure::TimedOut => "the search took too long; try a narrower query".to_owned(),
            Failure::BadParam(m) => m.clone(),
            Failure::Lib(e) => e
                .to_string()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// The query column (1-based) a query error points at.
    pub fn position(&self) -> Option<usize> {
        match self {
            Failure::Lib(Error::Query(q)) if q.column > 0 => Some(q.column),
            _ => None,
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Lib(e)
    }
}

impl From<params::ParamError> for Failure {
    fn from(e: params::ParamError) -> Self {
        Failure::BadParam(e.0)
    }
}

impl AppState {
    /// The engine to answer from: the open one, or a fresh one when an ingest changed the index.
    fn engine(&self) -> Opened {
        let current = self.current();
        if !current.engine.is_stale() {
            return current;
        }
        let Ok(_guard) = self.reopening.lock() else {
            return current;
        };
        // Another request may have reopened it while this one waited.
        let latest = self.current();
        if !Arc::ptr_eq(&latest.engine, &current.engine) && !latest.engine.is_stale() {
            return latest;
        }
        match self.target.open() {
            Ok(fresh) => {
                let fresh = Opened {
                    engine: Arc::new(fresh),
                    epoch: latest.epoch + 1,
                };
                if let Ok(mut slot) = self.engine.lock() {
                    *slot = fresh.clone();
                }
                if !self.quiet {
                    eprintln!("litsearch serve: the index changed; answering from the new one");
                }
                fresh
            }
            Err(e) => {
                eprintln!("litsearch serve: could not reopen the index ({e}); still answering from the one open");
                latest
            }
        }
    }

    fn current(&self) -> Opened {
        match self.engine.lock() {
            Ok(e) => e.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Runs `work` on the blocking pool with an engine, under the concurrency limit and the
    /// timeout. The permit travels with the work, so a search that outlives its timeout still
    /// counts against the limit until it ends.
    pub async fn run<T, F>(self: &Arc<Self>, work: F) -> std::result::Result<T, Failure>
    where
        T: Send + 'static,
        F: FnOnce(&AnyEngine) -> std::result::Result<T, Failure> + Send + 'static,
    {
        self.run_opened(move |opened| work(&opened.engine)).await
    }

    /// A search, answered from the cache when the same index answered the same request before
    /// (no permit is taken then: nothing is searched).
    pub async fn search(
        self: &Arc<Self>,
        mut request: SearchRequest,
    ) -> std::result::Result<Searched, Failure> {
        request.synonyms = self.synonyms.clone();
        let key = cache::key(&request);
        let now = self.current();
        if !now.engine.is_stale() {
            if let Some(results) = self.cache.get(now.epoch, &key) {
                return Ok(Searched {
                    results,
                    cached: true,
                });
            }
        }
        let state = self.clone();
        self.run_opened(move |opened| {
            let results = Arc::new(crate::search::search(&*opened.engine, &request)?);
            if opened.engine.sees_changes() {
                state.cache.put(opened.epoch, key, results.clone());
            }
            Ok(Searched {
                results,
                cached: false,
            })
        })
        .await
    }

    async fn run_opened<T, F>(self: &Arc<Self>, work: F) -> std::result::Result<T, Failure>
    where
        T: Send + 'static,
        F: FnOnce(&Opened) -> std::result::Result<T, Failure> + Send + 'static,
    {
        let permit = self
            .searches
            .clone()
            .try_acquire_owned()
            .map_err(|_| Failure::Busy)?;
        let state = self.clone();
        let task = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let engine = state.engine();
            work(&engine)
        });
        match tokio::time::timeout(self.timeout, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(Failure::Lib(Error::Engine(format!(
                "the search failed ({join})"
            )))),
            Err(_) => Err(Failure::TimedOut),
        }
    }
}

/// The routes. Every one answers GET (and HEAD); any other method is refused with 405.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(page::home))
        .route("/results", get(page::results_fragment))
        .route("/papers/{id}", get(page::paper))
        .route("/assets/{file}", get(page::asset))
        .route("/healthz", get(api::healthz))
        .route("/api/search", get(api::search))
        .route("/api/papers/{id}", get(api::paper))
        .route("/api/papers/{id}/similar", get(api::similar))
        .route("/api/facets", get(api::facets))
        .route("/api/watch/{file}", get(api::watch_feed))
        .route("/api/openapi.json", get(api::openapi))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(read_only))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access_log,
        ))
        .with_state(state)
}

async fn not_found(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        let mut r = api::error_response(&Failure::BadParam(format!(
            "no such endpoint: {} (see /api/openapi.json)",
            req.uri().path()
        )));
        *r.status_mut() = StatusCode::NOT_FOUND;
        r
    } else {
        page::not_found_page()
    }
}

/// Refuses every method but GET and HEAD: nothing here writes.
async fn read_only(req: Request, next: Next) -> Response {
    if req.method() == Method::GET || req.method() == Method::HEAD {
        return next.run(req).await;
    }
    let mut r = api::error_response(&Failure::BadParam(format!(
        "{} is not allowed: this server is read-only (GET only)",
        req.method()
    )));
    *r.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    r
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    r
}

/// One line per request on stderr: when it came (RFC 3339, UTC), client, method, path and
/// query, status, the body's size in bytes (`-` when streamed, of no known size), time taken.
async fn access_log(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    use axum::body::HttpBody;
    if state.quiet {
        return next.run(req).await;
    }
    let at = crate::clock::now_rfc3339();
    let started = Instant::now();
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "-".to_owned());
    let line = format!("{} {}", req.method(), req.uri());
    let r = next.run(req).await;
    let size = r
        .body()
        .size_hint()
        .exact()
        .map_or_else(|| "-".to_owned(), |n| n.to_string());
    eprintln!(
        "{at} {client} \"{line}\" {} {size} {:.1}ms",
        r.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    r
}

/// Serves until SIGINT or SIGTERM, then stops accepting, lets requests in flight finish and
/// returns.
pub fn run(target: Target, engine: AnyEngine, opts: &ServeOptions) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("litsearch-serve")
        .build()
        .map_err(|e| Error::io("tokio runtime", e))?;
    let state = Arc::new(AppState {
        target,
        engine: Mutex::new(Opened {
            engine: Arc::new(engine),
            epoch: 0,
        }),
        cache: SearchCache::new(opts.cache_entries),
        reopening: Mutex::new(()),
        searches: Arc::new(Semaphore::new(opts.max_concurrent.max(1))),
        timeout: opts.timeout,
        quiet: opts.quiet,
        synonyms: opts.synonyms.clone(),
    });
    // A request in flight at the signal has at most the header timeout to finish its head and
    // the search timeout to be answered; the drain waits that long (writing the answer to a
    // client that does not read it is what the deadline is for).
    let limits = listen::ConnLimits {
        header_read: opts.header_timeout,
        drain: opts.header_timeout + opts.timeout,
    };
    let stopped = runtime.block_on(async {
        let signals = listen::Signals::catch().map_err(|e| Error::io("signal handlers", e))?;
        let listener = tokio::net::TcpListener::bind(opts.bind)
            .await
            .map_err(|e| Error::Usage(format!("cannot listen on {}: {e}", opts.bind)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::io(opts.bind.to_string(), e))?;
        // The one line a script waits for (printed even with --quiet: it names the port).
        eprintln!("litsearch serve: listening on http://{addr}/");
        if !addr.ip().is_loopback() {
            eprintln!(
                "litsearch serve: {} is not a loopback address: anyone who can reach this host \
                 can search the index (read-only); put a reverse proxy with access control in front",
                addr.ip()
            );
        }
        Ok::<_, Error>(listen::serve(listener, router(state), signals, limits, opts.quiet).await)
    })?;
    // Searches that outlived their timeout are not waited for without end.
    runtime.shutdown_timeout(opts.timeout);
    match stopped {
        listen::Stopped::Drained => {
            if !opts.quiet {
                eprintln!("litsearch serve: stopped");
            }
        }
        // Said even with --quiet: requests were cut short.
        listen::Stopped::CutOff(open) => {
            eprintln!("litsearch serve: stopped with {open} connection(s) still open, cut off")
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::IngestOptions;
    use crate::engine::Quiet;

    fn state(dir: &std::path::Path, permits: usize, timeout: Duration) -> Arc<AppState> {
        let export = dir.join("export.txt");
        std::fs::write(
            &export,
            "Sparse probes\n\nAn abstract.\n\nRead more\n\nAuthors:\n\nA B\n\nFellows:\n\nA B\n\nDate:\n\nJan 5, 2025\n\n",
        )
        .unwrap();
        let target = Target::local(dir.join("index"));
        target
            .sync(&[export], &IngestOptions::default(), &mut Quiet)
            .unwrap();
        let engine = target.open().unwrap();
        Arc::new(AppState {
            target,
            engine: Mutex::new(Opened {
                engine: Arc::new(engine),
                epoch: 0,
            }),
            cache: SearchCache::new(cache::DEFAULT_ENTRIES),
            reopening: Mutex::new(()),
            searches: Arc::new(Semaphore::new(permits)),
            timeout,
            quiet: true,
            synonyms: Default::default(),
        })
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn beyond_the_concurrency_limit_a_request_is_refused_503() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path(), 1, Duration::from_secs(5));
        rt().block_on(async {
            let held = state.searches.clone().try_acquire_owned().unwrap();
            let refused = state.run(|_| Ok(())).await.unwrap_err();
            assert!(matches!(refused, Failure::Busy));
            assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
            drop(held);
            assert!(state.run(|_| Ok(())).await.is_ok());
        });
    }

    #[test]
    fn a_search_past_the_timeout_is_answered_503_and_still_holds_its_permit() {
        let dir = tempfile::tempdir().unwrap();
        let state = state(dir.path(), 1, Duration::from_millis(20));
        rt().block_on(async {
            let (tx, rx) = std::sync::mpsc::channel::<()>();
            let slow = state
                .run(move |_| {
                    let _ = rx.recv();
                    Ok(())
                })
                .await
                .unwrap_err();
            assert!(matches!(slow, Failure::TimedOut));
            assert_eq!(slow.status(), StatusCode::SERVICE_UNAVAILABLE);
            // The timed-out search still runs, so the one permit is still taken.
            assert!(matches!(
                state.run(|_| Ok(())).await.unwrap_err(),
                Failure::Busy
            ));
            tx.send(()).unwrap();
        });
    }
}
