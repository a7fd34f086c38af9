//! The connections of `litsearch serve`: accept them, bound how long a client may take to send
//! its request head, and on SIGINT/SIGTERM stop accepting and let what is in flight finish.
//!
//! axum's own `serve` sets no header-read timeout (a client trickling its request line holds a
//! connection for ever), so each connection is served by hyper's HTTP/1 builder with tokio's
//! timer, and watched by hyper-util's `GracefulShutdown`, which on the signal closes idle
//! keep-alive connections and lets a connection with a request under way answer it, then close.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower_service::Service;

/// How long a connection may take over what, from `serve`'s flags.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnLimits {
    /// From the first byte awaited of a request head (on a new or an idle keep-alive
    /// connection) to its last; past it the connection is closed.
    pub header_read: Duration,
    /// After the signal, the longest wait for connections still answering.
    pub drain: Duration,
}

/// How the server stopped.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Stopped {
    /// Every connection finished what it was doing.
    Drained,
    /// These many connections were still open when the drain ended (its deadline passed, or a
    /// second signal came).
    CutOff(usize),
}

/// Serves `app` on `listener` until SIGINT or SIGTERM; then closes the listener (new
/// connections are refused), lets the requests in flight finish, and returns.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    mut signals: Signals,
    limits: ConnLimits,
    quiet: bool,
) -> Stopped {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read);
    let graceful = GracefulShutdown::new();
    let open = Arc::new(AtomicUsize::new(0));
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e, quiet).await;
                    continue;
                }
            },
            _ = signals.next() => break,
        };
        // Responses are written whole; no reason to let Nagle hold their last segment.
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            // What `into_make_service_with_connect_info` would add: the access log's client.
            req.extensions_mut().insert(ConnectInfo(remote));
            let mut app = app.clone();
            async move { app.call(req).await }
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        let counted = OpenConnection::new(&open);
        tokio::spawn(async move {
            let _counted = counted;
            // A client that goes away or is too slow ends its connection; nothing to report.
            let _ = conn.await;
        });
    }
    // Dropping the listener closes the socket: from here a new connection is refused.
    drop(listener);
    let in_flight = open.load(Ordering::SeqCst);
    if !quiet {
        eprintln!(
            "litsearch serve: stopping: no new connections; waiting for {in_flight} open \
             connection(s) to finish (at most {:.0} s; a second signal stops at once)",
            limits.drain.as_secs_f64()
        );
    }
    tokio::select! {
        _ = graceful.shutdown() => Stopped::Drained,
        _ = tokio::time::sleep(limits.drain) => Stopped::CutOff(open.load(Ordering::SeqCst)),
        _ = signals.next() => Stopped::CutOff(open.load(Ordering::SeqCst)),
    }
}

/// Counts a connection as open for as long as it lives.
struct OpenConnection(Arc<AtomicUsize>);

impl OpenConnection {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        OpenConnection(count.clone())
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A failed accept: a connection that died before it was accepted is nothing; anything else
/// (out of file descriptors, most likely) is said, and accepting pauses a moment so the loop
/// does not spin.
async fn accept_failed(e: std::io::Error, quiet: bool) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    if !quiet {
        eprintln!("litsearch serve: cannot accept a connection ({e}); retrying in a second");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// SIGINT (Ctrl-C) and SIGTERM, caught from the moment this is made: made before the server
/// says where it listens, so a signal sent as soon as a script reads that line is not fatal.
pub(crate) struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    /// Must be called inside the tokio runtime.
    pub(crate) fn catch() -> std::io::Result<Signals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Signals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Signals {})
    }

    /// Resolves at the next SIGINT or SIGTERM.
    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.interrupt.recv() => {},
            _ = self.terminate.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}
