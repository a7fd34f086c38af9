//! `litsearch serve`, driven over HTTP against the built binary on 127.0.0.1 (a free
//! port chosen by the OS): `/api/search` equals `query --json`, errors, bounds, headers,
//! read-only, reload after ingest, shutdown. Every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::shapes::{self, ApiError, Facets, Record, Results, Similar};
use crate::common::{entry, require, skipped, Workdir};
use serde_json::Value;

/// Longest wait for the server to say where it listens.
const START_WAIT: Duration = Duration::from_secs(60);

struct Server {
    child: Child,
    port: u16,
    stderr: Arc<Mutex<Vec<String>>>,
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The body read strictly as a `T` (`shapes`).
    fn strict<T: serde::de::DeserializeOwned>(&self) -> T {
        shapes::strict(&self.body)
    }
}

impl Server {
    /// `litsearch EXTRA… serve --bind 127.0.0.1:0`.
    fn start(w: &Workdir, extra: &[&str]) -> Server {
        Server::start_with(w, extra, &[])
    }

    /// `litsearch GLOBAL… serve --bind 127.0.0.1:0 SERVE…`.
    fn start_with(w: &Workdir, global: &[&str], serve: &[&str]) -> Server {
        let mut cmd = w.cmd();
        cmd.args(global)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(serve)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start litsearch serve");
        let stderr = child.stderr.take().expect("stderr");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let keep = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://127.0.0.1:").nth(1) {
                    let _ = tx.send(rest.trim_end_matches('/').parse::<u16>().ok());
                }
                keep.lock().unwrap().push(line);
            }
        });
        match rx.recv_timeout(START_WAIT) {
            Ok(Some(port)) => Server {
                child,
                port,
                stderr: lines,
            },
            _ => {
                let _ = child.kill();
                panic!(
                    "serve did not start within {START_WAIT:?}: {:?}",
                    lines.lock().unwrap()
                );
            }
        }
    }

    fn request(&self, method: &str, target: &str) -> Resp {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            s,
            "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).expect("read response");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").expect("a response head");
        let mut resp = parse_head(head);
        resp.body = body.to_owned();
        resp
    }

    fn get(&self, target: &str) -> Resp {
        self.request("GET", target)
    }

    /// SIGTERM, then the exit status (bounded wait).
    fn stop(self) -> (Option<i32>, Vec<String>) {
        self.signal("TERM");
        self.exit_status()
    }

    /// Sends the signal named `name` (`TERM`, `INT`) to the server.
    fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits (at most `limit`) until a stderr line contains `text`; that line.
    fn wait_for_line(&self, text: &str, limit: Duration) -> String {
        let started = std::time::Instant::now();
        loop {
            if let Some(line) = self
                .stderr
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.contains(text))
            {
                return line.clone();
            }
            assert!(
                started.elapsed() < limit,
                "no line with {text:?} on stderr within {limit:?}: {:?}",
                self.stderr.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The exit status once the server has exited (bounded wait), and its stderr.
    fn exit_status(mut self) -> (Option<i32>, Vec<String>) {
        for _ in 0..600 {
            if let Ok(Some(status)) = self.child.try_wait() {
                std::thread::sleep(Duration::from_millis(50));
                let lines = self.stderr.lock().unwrap().clone();
                return (status.code(), lines);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!(
            "serve did not exit within 30 s: {:?}",
            self.stderr.lock().unwrap()
        );
    }

    /// A connection to the server, every read bounded.
    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s
    }
}

/// A response's status line and headers (the body left empty).
fn parse_head(head: &str) -> Resp {
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Resp {
        status,
        headers,
        body: String::new(),
    }
}

/// Reads one response whose body has a Content-Length (a keep-alive connection stays open).
fn read_response(s: &mut TcpStream) -> Resp {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => raw.push(byte[0]),
            other => panic!(
                "the response head ended early ({other:?}): {:?}",
                String::from_utf8_lossy(&raw)
            ),
        }
    }
    let mut resp = parse_head(&String::from_utf8_lossy(&raw));
    let length: usize = resp
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .expect("a Content-Length");
    let mut body = vec![0u8; length];
    s.read_exact(&mut body).expect("the whole body");
    resp.body = String::from_utf8(body).expect("UTF-8 body");
    resp
}

/// Returns once the server has closed the connection (EOF or reset; any answer before must not
/// be a 200); panics when it is still open after `limit`. The bytes of `trickle` are sent one
/// every 100 ms meanwhile, as a slowloris client does.
fn dropped_within(s: &mut TcpStream, trickle: &[u8], limit: Duration) {
    let started = std::time::Instant::now();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut pending = trickle.iter();
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while started.elapsed() < limit {
        if let Some(b) = pending.next() {
            if s.write_all(&[*b]).is_err() {
                return;
            }
        }
        match s.read(&mut buf) {
            Ok(0) => {
                let answer = String::from_utf8_lossy(&got);
                assert!(
                    !answer.starts_with("HTTP/1.1 200"),
                    "a slow client was answered: {answer}"
                );
                return;
            }
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
    panic!("the connection is still open after {limit:?}");
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The results with `took_ms`, which differs from run to run, set to 0.
fn without_took(mut v: Results) -> Results {
    v.took_ms = 0.0;
    v
}

fn ready() -> Workdir {
    let w = Workdir::with_corpus();
    w.ingest();
    w
}

/// (URL parameters, the same search as `query` arguments).
type Case = (Vec<(&'static str, &'static str)>, Vec<&'static str>);

fn cases() -> Vec<Case> {
    vec![
        (
            vec![("q", "sparse autoencoder")],
            vec!["sparse autoencoder"],
        ),
        (
            vec![("q", "interpretability"), ("limit", "3"), ("offset", "2")],
            vec!["interpretability", "--limit", "3", "--offset", "2"],
        ),
        (
            vec![("q", "\"reward hacking\""), ("sort", "newest")],
            vec!["\"reward hacking\"", "--sort", "newest"],
        ),
        (vec![("q", "autoencodr")], vec!["autoencodr"]),
        (
            vec![("q", "autoencodr"), ("exact", "true")],
            vec!["autoencodr", "--exact"],
        ),
        (
            vec![
                ("q", "sparse OR steering -probe"),
                ("facets", "tags,year"),
                ("facet_limit", "3"),
            ],
            vec![
                "sparse OR steering -probe",
                "--facets",
                "tags,year",
                "--facet-limit",
                "3",
            ],
        ),
        (
            vec![("tag", "Interpretability"), ("year", "2025")],
            vec!["--tag", "Interpretability", "--year", "2025"],
        ),
        (
            vec![
                ("q", "model"),
                ("author", "Nanda"),
                ("since", "2024-06"),
                ("until", "2025"),
            ],
            vec![
                "model", "--author", "Nanda", "--since", "2024-06", "--until", "2025",
            ],
        ),
        (
            vec![("featured", "true"), ("sort", "oldest")],
            vec!["--featured", "--sort", "oldest"],
        ),
        (
            vec![
                ("q", "language models"),
                ("tag", "Interpretability"),
                ("tag", "Monitoring"),
                ("facets", "none"),
            ],
            vec![
                "language models",
                "--tag",
                "Interpretability",
                "--tag",
                "Monitoring",
                "--facets",
                "none",
            ],
        ),
        (vec![("q", "zzzqqq nothing")], vec!["zzzqqq nothing"]),
    ]
}

#[test]
fn api_search_is_query_json_for_the_same_arguments() {
    let w = ready();
    let server = Server::start(&w, &[]);
    for (params, args) in cases() {
        let qs: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", enc(v)))
            .collect();
        let r = server.get(&format!("/api/search?{}", qs.join("&")));
        assert_eq!(r.status, 200, "{params:?}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(
            without_took(r.strict()),
            without_took(w.query(&args)),
            "{params:?}"
        );
    }
}

#[test]
fn papers_similar_and_facets_are_the_cli_objects() {
    let w = ready();
    let server = Server::start(&w, &[]);
    let hit = &w.query(&["sparse autoencoder"]).hits[0];
    let id = hit.id.as_str();
    let show: Record = shapes::strict(&w.run(&["show", "--json", id]).stdout);
    assert_eq!(
        server.get(&format!("/api/papers/{id}")).strict::<Record>(),
        show
    );
    let similar: Similar = shapes::strict(&w.run(&["similar", "--json", "-n", "4", id]).stdout);
    assert_eq!(
        server
            .get(&format!("/api/papers/{id}/similar?limit=4"))
            .strict::<Similar>(),
        similar
    );
    let facets: Facets = shapes::strict(&w.run(&["facets", "--json", "--field", "tags"]).stdout);
    assert_eq!(
        server.get("/api/facets?field=tags").strict::<Facets>(),
        facets
    );
    let all: Facets = shapes::strict(&w.run(&["facets", "--json"]).stdout);
    assert_eq!(server.get("/api/facets").strict::<Facets>(), all);

    let missing = server.get("/api/papers/0123456789abcdef");
    assert_eq!(missing.status, 404);
    assert!(!missing.strict::<ApiError>().error.message.is_empty());
    assert_eq!(server.get("/api/papers/not-an-id").status, 404);
    assert_eq!(
        server
            .get(&format!("/api/papers/{id}/similar?limit=0"))
            .status,
        400
    );
    assert_eq!(server.get("/api/facets?field=colour").status, 400);
    assert_eq!(server.get("/healthz").status, 200);
    let doc = server.get("/api/openapi.json").json();
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/search",
        "/api/papers/{id}",
        "/api/papers/{id}/similar",
        "/api/facets",
        "/api/watch/{name}.xml",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} undocumented");
    }
}

#[test]
fn errors_are_400_with_message_and_position() {
    let w = ready();
    let server = Server::start(&w, &[]);
    let r = server.get(&format!("/api/search?q={}", enc("sparse \"autoencoder")));
    assert_eq!(r.status, 400);
    let e = r.strict::<ApiError>().error;
    assert_eq!(e.position, Some(8), "{e:?}");
    assert!(e.message.contains("quote"), "{e:?}");
    // The CLI reports the same position.
    let cli = w.run(&["query", "sparse \"autoencoder"]);
    assert!(cli.stderr.contains("query:1:8:"), "{}", cli.stderr);

    for (qs, says) in [
        ("since=March", "--since"),
        ("year=twenty", "year"),
        ("sort=sideways", "sort"),
        ("featured=maybe", "featured"),
        ("facets=colour", "facets"),
        ("colour=red", "unknown parameter"),
    ] {
        let r = server.get(&format!("/api/search?{qs}"));
        assert_eq!(r.status, 400, "{qs}: {}", r.body);
        // `position` is required by the strict read (null when no position applies).
        let e = r.strict::<ApiError>().error;
        assert!(e.message.contains(says), "{qs}: {e:?}");
    }
}

#[test]
fn query_length_limit_and_offset_are_bounded() {
    let w = ready();
    let server = Server::start(&w, &[]);
    let long = "a".repeat(1001);
    for qs in [
        format!("q={long}"),
        "q=model&limit=101".to_owned(),
        "q=model&offset=10001".to_owned(),
        "q=model&facet_limit=1001".to_owned(),
        "q=model&facet_limit=0".to_owned(),
        format!(
            "q=model{}",
            (0..21).map(|i| format!("&tag=t{i}")).collect::<String>()
        ),
    ] {
        let r = server.get(&format!("/api/search?{qs}"));
        assert_eq!(r.status, 400, "{}: {}", &qs[..qs.len().min(60)], r.body);
    }
    assert_eq!(
        server
            .get("/api/search?q=model&limit=100&offset=10000")
            .status,
        200
    );
    // At the bound: a word and an over-long one (which the analyzer drops), 1000 characters.
    let at_bound = format!("sparse {}", "a".repeat(993));
    let r = server.get(&format!("/api/search?q={}", enc(&at_bound)));
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn every_response_carries_the_security_headers() {
    let w = ready();
    let server = Server::start(&w, &[]);
    for path in [
        "/",
        "/?q=sparse",
        "/api/search?q=sparse",
        "/api/search?q=%22",
        "/assets/app.js",
        "/nowhere",
        "/api/nowhere",
    ] {
        let r = server.get(path);
        let csp = r
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no CSP"));
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert!(r.header("referrer-policy").is_some(), "{path}");
    }
    assert_eq!(server.get("/api/nowhere").status, 404);
    assert_eq!(server.get("/nowhere").status, 404);
}

fn index_listing(w: &Workdir) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![w.path("index")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            } else {
                out.push((
                    e.path().display().to_string(),
                    m.len(),
                    m.modified().unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_method_but_get_is_refused_and_nothing_is_written() {
    let w = ready();
    w.run(&["watch", "add", "sae", "sparse autoencoder"]);
    let before = index_listing(&w);
    let server = Server::start(&w, &[]);
    let id = w.query(&["sparse"]).hits[0].id.clone();
    for path in [
        "/".to_owned(),
        "/api/search?q=sparse".to_owned(),
        format!("/api/papers/{id}"),
        "/api/facets".to_owned(),
        "/api/watch/sae.xml".to_owned(),
        "/healthz".to_owned(),
        "/nowhere".to_owned(),
    ] {
        for method in ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"] {
            let r = server.request(method, &path);
            assert_eq!(r.status, 405, "{method} {path}");
            assert_eq!(r.header("allow"), Some("GET, HEAD"), "{method} {path}");
        }
        assert_ne!(server.request("HEAD", &path).status, 405, "HEAD {path}");
    }
    let feed = server.get("/api/watch/sae.xml");
    assert_eq!(feed.status, 200);
    assert!(feed
        .header("content-type")
        .unwrap()
        .starts_with("application/atom+xml"));
    assert!(
        feed.body.contains("<feed") && feed.body.contains("<entry>"),
        "{}",
        feed.body
    );
    assert_eq!(server.get("/api/watch/other.xml").status, 404);
    assert_eq!(server.get("/api/watch/sae").status, 404);
    drop(server);
    assert_eq!(
        index_listing(&w),
        before,
        "the server wrote into the index directory"
    );
}

#[test]
fn answers_from_the_new_index_after_an_ingest_without_a_restart() {
    let w = ready();
    let server = Server::start(&w, &[]);
    let count = |s: &Server| {
        s.get("/api/search?q=zanzibarite&exact=1")
            .strict::<Results>()
            .total
    };
    let cache = |s: &Server| {
        s.get("/api/search?q=zanzibarite&exact=1")
            .header("x-cache")
            .map(str::to_owned)
    };
    assert_eq!(cache(&server).as_deref(), Some("miss"));
    // Asked again: the answer kept, not searched again, until an ingest changes the index.
    assert_eq!(cache(&server).as_deref(), Some("hit"));
    assert_eq!(count(&server), 0);
    w.write(
        "extra/new.txt",
        entry(
            "Zanzibarite probes",
            "Zanzibarite <features> & more.",
            &["Interpretability"],
            "Ada Lovelace",
            "Ada Lovelace",
            "Jan 5, 2025",
        ),
    );
    let r = w.run(&["ingest", "corpus", "extra"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(count(&server), 1, "an incremental ingest is not seen");
    assert_eq!(cache(&server).as_deref(), Some("hit"));
    // A rebuild flips CURRENT to a new generation and removes the old one.
    let r = w.run(&["ingest", "--rebuild", "corpus"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(count(&server), 0, "a rebuild is not seen");
    assert_eq!(server.get("/api/search?q=sparse").status, 200);
    // The page's results come from the same kept answers, and show the new index too.
    let page = server.get("/?q=zanzibarite&exact=1").body;
    assert!(!page.contains("Zanzibarite probes"), "{page}");
}

#[test]
fn a_cache_of_none_searches_every_time() {
    let w = ready();
    let server = Server::start_with(&w, &[], &["--cache", "0"]);
    for _ in 0..2 {
        let r = server.get("/api/search?q=sparse");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-cache"), Some("miss"));
    }
    let r = w.run(&["serve", "--cache", "100001"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("--cache: expected at most 100000"),
        "{}",
        r.stderr
    );
}

#[test]
fn logs_one_line_per_request_and_stops_cleanly_on_sigterm() {
    let w = ready();
    let server = Server::start(&w, &[]);
    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    let ok = server.get("/api/search?q=sparse");
    server.get("/api/search?q=%22");
    let (code, lines) = server.stop();
    assert_eq!(code, Some(0), "{lines:?}");
    let log: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("\"GET /api/search"))
        .collect();
    assert_eq!(log.len(), 2, "{lines:?}");
    assert!(
        log[0].contains(" 200 ") && log[1].contains(" 400 "),
        "{log:?}"
    );
    // Each line starts with when the request came, in RFC 3339, and gives the body's size.
    let (stamp, rest) = log[0].split_once(' ').expect("a timestamp first");
    let when = time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{stamp}: not RFC 3339 ({e})"));
    assert!((when.unix_timestamp() - before).abs() < 60, "{stamp}");
    assert!(
        rest.contains(&format!(" 200 {} ", ok.body.len())),
        "{rest} (body of {} bytes)",
        ok.body.len()
    );

    let quiet = Server::start(&w, &["--quiet"]);
    quiet.get("/api/search?q=sparse");
    let (code, lines) = quiet.stop();
    assert_eq!(code, Some(0));
    assert!(!lines.iter().any(|l| l.contains("GET /")), "{lines:?}");
}

/// A request on a connection accepted before the signal whose head the server is still
/// reading when the signal comes: the server must close its listener, wait for the rest of the
/// request, answer it in full, and exit 0.
#[test]
fn on_sigterm_or_sigint_a_request_in_flight_is_answered_in_full_and_new_connections_refused() {
    let w = ready();
    let target = "/api/search?q=model&limit=100";
    let expected = without_took(w.query(&["model", "--limit", "100"]));
    assert!(expected.hits.len() > 10);
    for signal in ["TERM", "INT"] {
        let server = Server::start_with(&w, &[], &["--header-timeout", "60"]);
        let mut in_flight = server.connect();
        write!(
            in_flight,
            "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json"
        )
        .unwrap();
        // Connections are accepted in the order they arrive, so once a later one is answered
        // the server holds this one, its request half read.
        assert_eq!(server.get("/healthz").status, 200);

        server.signal(signal);
        let stopping = server.wait_for_line("stopping", Duration::from_secs(20));
        assert!(stopping.contains("no new connections"), "{stopping}");
        match TcpStream::connect(("127.0.0.1", server.port)) {
            Err(e) => assert_eq!(
                e.kind(),
                std::io::ErrorKind::ConnectionRefused,
                "SIG{signal}"
            ),
            Ok(_) => panic!("SIG{signal}: a new connection was accepted while stopping"),
        }

        // The rest of the request, after the signal.
        in_flight.write_all(b"\r\n\r\n").unwrap();
        let r = read_response(&mut in_flight);
        assert_eq!(r.status, 200, "SIG{signal}: {}", r.body);
        assert_eq!(without_took(r.strict()), expected, "SIG{signal}");
        // And the server closes the connection after it.
        let mut rest = Vec::new();
        assert_eq!(in_flight.read_to_end(&mut rest).unwrap_or(0), 0);

        let (code, lines) = server.exit_status();
        assert_eq!(code, Some(0), "SIG{signal}: {lines:?}");
        assert_eq!(
            lines.last().map(String::as_str),
            Some("litsearch serve: stopped"),
            "SIG{signal}: {lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|l| l.contains(&format!("\"GET {target}\" 200"))),
            "SIG{signal}: the answer is not logged: {lines:?}"
        );
    }
}

#[test]
fn a_second_signal_stops_at_once_cutting_off_what_is_left() {
    let w = ready();
    let server = Server::start_with(&w, &[], &["--header-timeout", "60"]);
    let mut stuck = server.connect();
    stuck.write_all(b"GET /api/search?q=mod").unwrap();
    assert_eq!(server.get("/healthz").status, 200);
    server.signal("TERM");
    server.wait_for_line("stopping", Duration::from_secs(20));
    server.signal("TERM");
    let (code, lines) = server.exit_status();
    assert_eq!(code, Some(0), "{lines:?}");
    assert!(
        lines.iter().any(|l| l.contains("cut off")),
        "the cut is not said: {lines:?}"
    );
    let mut rest = Vec::new();
    assert_eq!(stuck.read_to_end(&mut rest).unwrap_or(0), 0);
}

#[test]
fn a_client_slow_to_send_its_request_head_is_disconnected() {
    let w = ready();
    let server = Server::start_with(&w, &["--quiet"], &["--header-timeout", "1"]);
    let limit = Duration::from_secs(20);
    // Half a request line, then nothing.
    let mut half = server.connect();
    half.write_all(b"GET /api/search?q=spa").unwrap();
    // Nothing at all.
    let mut silent = server.connect();
    // A byte every 100 ms: each arrives in time, the head as a whole does not.
    let mut trickle = server.connect();
    let slow_head = format!(
        "GET /api/search?q=sparse HTTP/1.1\r\nX-Pad: {}",
        "a".repeat(200)
    );
    // An idle keep-alive connection after a request answered.
    let mut idle = server.connect();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .unwrap();
    assert_eq!(read_response(&mut idle).status, 200);

    dropped_within(&mut trickle, slow_head.as_bytes(), limit);
    for (what, conn) in [
        ("half a request line", &mut half),
        ("no request", &mut silent),
        ("an idle keep-alive connection", &mut idle),
    ] {
        dropped_within(conn, b"", limit);
        eprintln!("{what}: disconnected");
    }
    // The server still answers a client that sends its request at once.
    assert_eq!(server.get("/api/search?q=sparse").status, 200);
    let (code, lines) = server.stop();
    assert_eq!(code, Some(0), "{lines:?}");
}

#[test]
fn a_non_loopback_bind_is_announced() {
    let w = ready();
    let mut cmd = w.cmd();
    cmd.args(["serve", "--bind", "0.0.0.0:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut warned = false;
    while let Ok(line) = rx.recv_timeout(START_WAIT) {
        if line.contains("not a loopback address") {
            warned = true;
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(warned, "no warning for a non-loopback bind");
}

/// `href="…"` of the first link whose text contains `text`, unescaped.
fn link_to(html: &str, text: &str) -> Option<String> {
    let at = html.find(text)?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = start + html[start..].find('"')?;
    Some(html[start..end].replace("&amp;", "&"))
}

#[test]
fn the_page_works_without_javascript_and_escapes_every_record() {
    let w = ready();
    // A hostile record: markup, entities, quotes and control characters in every field.
    let hostile = serde_json::json!({
        "id": "", "title": "<script>alert(\"x\")</script> Zorblax & 'quotes'",
        "abstract": "Zorblax <img src=x onerror=alert(1)> & \"q\" \u{1b}[31m red \u{0} nul </p>",
        "authors": ["Eve <evil@x>"], "fellows": ["Mallory & Co"], "tags": ["<b>Tag</b>"],
        "date": "2025-01-05", "featured": true, "source": {"file": "h.jsonl", "line": 1}
    });
    w.write("hostile.jsonl", format!("{hostile}\n"));
    let r = w.run(&["ingest", "corpus", "hostile.jsonl"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let server = Server::start(&w, &[]);

    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(home
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(home.body.contains("<form id=\"search\"") && home.body.contains("method=\"get\""));
    let weight = home.body.len()
        + server.get("/assets/style.css").body.len()
        + server.get("/assets/app.js").body.len();
    assert!(
        weight < 50 * 1024,
        "the page weighs {weight} bytes before results"
    );
    assert!(
        !home.body.contains("http://") && !home.body.contains("https://"),
        "an external resource"
    );

    let id = w.query(&["zorblax"]).hits[0].id.clone();
    for path in [
        "/?q=zorblax".to_owned(),
        "/results?q=zorblax".to_owned(),
        format!("/papers/{id}"),
    ] {
        let page = server.get(&path);
        assert_eq!(page.status, 200, "{path}");
        let b = &page.body;
        for raw in ["<script>alert", "<img", "<b>Tag", "<evil", "</p> nul"] {
            assert!(!b.contains(raw), "{path}: unescaped {raw}");
        }
        assert!(
            b.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"),
            "{path}"
        );
        assert!(b.contains("Mallory &amp; Co"), "{path}");
        assert!(
            !b.bytes().any(|c| c < 0x20 && c != b'\n' && c != b'\t'),
            "{path}: a control character reached the page"
        );
        // The only markup in the text of the record is ours.
        let tags: std::collections::BTreeSet<&str> = b
            .split('<')
            .skip(1)
            .map(|t| t.split([' ', '>', '/']).next().unwrap_or(""))
            .collect();
        for t in &tags {
            assert!(
                [
                    "", "!doctype", "html", "head", "meta", "title", "link", "script", "body", "a",
                    "header", "main", "form", "label", "div", "input", "button", "p", "fieldset",
                    "legend", "select", "option", "span", "ul", "li", "aside", "section", "h1",
                    "h2", "h3", "ol", "time", "mark", "nav", "footer", "kbd", "article", "dl",
                    "dt", "dd", "code"
                ]
                .contains(t),
                "{path}: unexpected <{t}>"
            );
        }
    }
    let results = server.get("/?q=zorblax").body;
    assert!(results.contains("<mark>Zorblax</mark>"), "{results}");

    // Facets are links that add a filter and, once added, remove it; the counts follow.
    let page = server.get("/?q=sparse").body;
    let add = link_to(&page, ">Interpretability<").expect("a tag facet link");
    assert!(add.contains("tag=Interpretability"), "{add}");
    let filtered = server.get(&add);
    assert_eq!(filtered.status, 200);
    assert!(filtered.body.contains("aria-checked=\"true\""));
    let total = |html: &str| -> usize {
        let at = html.find("class=\"summary\"").unwrap();
        html[at..]
            .split('>')
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let cli_total = w.query(&["sparse", "--tag", "Interpretability"]).total;
    assert_eq!(total(&filtered.body) as u64, cli_total);
    let remove = link_to(&filtered.body, "Remove filter tag: Interpretability").unwrap();
    assert_eq!(total(&server.get(&remove).body), total(&page));

    // Pages: the next link moves the offset by a page.
    let first = server.get("/?q=model").body;
    let next = link_to(&first, "Next →").expect("a next page");
    assert!(next.contains("offset=10"), "{next}");
    let second = server.get(&next).body;
    assert!(second.contains("<ol class=\"hit-list\" start=\"11\">"));
    assert!(second.contains("rel=\"prev\""));

    // A bad query is said on the page, with status 400.
    let bad = server.get("/?q=%22open");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("role=\"alert\"") && bad.body.contains("quote"));
    assert_eq!(server.get("/papers/0123456789abcdef").status, 404);
}

/// Runs `cmd` to its end, at most `limit`, and returns its status and output.
fn run_bounded(cmd: &mut std::process::Command, limit: Duration) -> (Option<i32>, String) {
    let out = tempfile::NamedTempFile::new().unwrap();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(out.reopen().unwrap())
        .stderr(out.reopen().unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (
        status,
        std::fs::read_to_string(out.path()).unwrap_or_default(),
    )
}

fn manifest_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_page_in_a_real_browser() {
    if skipped("LITSEARCH_SKIP_BROWSER", "the browser test") {
        return;
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    require(
        &chromium,
        "apt-get install -y chromium",
        "LITSEARCH_SKIP_BROWSER",
    );
    require(
        "node",
        "install Node.js 18 or later",
        "LITSEARCH_SKIP_BROWSER",
    );
    let browser_dir = manifest_dir().join("tests/browser");
    require(
        &browser_dir
            .join("node_modules/playwright-core/package.json")
            .display()
            .to_string(),
        "run `npm ci` in tests/browser",
        "LITSEARCH_SKIP_BROWSER",
    );
    let w = ready();
    let server = Server::start(&w, &["--quiet"]);
    let artifacts = manifest_dir().join("target/serve-artifacts");
    let (code, output) = run_bounded(
        std::process::Command::new("node")
            .arg(browser_dir.join("serve.mjs"))
            .arg(format!("http://127.0.0.1:{}", server.port))
            .arg(&artifacts)
            .env("CHROMIUM", &chromium),
        Duration::from_secs(240),
    );
    assert_eq!(code, Some(0), "browser test failed:\n{output}");
    assert!(output.contains("browser tests passed"), "{output}");
    assert!(artifacts.join("results.png").exists());
}

#[test]
fn the_api_matches_its_openapi_document_under_schemathesis() {
    if skipped("LITSEARCH_SKIP_SCHEMATHESIS", "the schemathesis run") {
        return;
    }
    require(
        "schemathesis",
        "pip install schemathesis",
        "LITSEARCH_SKIP_SCHEMATHESIS",
    );
    let w = ready();
    w.run(&["watch", "add", "sae", "sparse autoencoder"]);
    let server = Server::start(&w, &["--quiet"]);
    let (code, output) = run_bounded(
        std::process::Command::new("schemathesis")
            .args(["run", "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"])
            .args(["--max-examples", "40", "--seed", "7", "--no-color"])
            .arg(format!("http://127.0.0.1:{}/api/openapi.json", server.port))
            .env("SCHEMATHESIS_HOOKS", "")
            .current_dir(w.dir.path()),
        Duration::from_secs(600),
    );
    assert_eq!(code, Some(0), "schemathesis found problems:\n{output}");
}

/// What wrk's summary says went wrong: its "Socket errors" and "Non-2xx" lines.
fn wrk_problems(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter(|l| l.contains("Socket errors") || l.contains("Non-2xx"))
        .collect()
}

#[test]
fn under_load_during_a_rebuild_every_valid_request_succeeds() {
    if skipped("LITSEARCH_SKIP_LOAD", "the wrk load test") {
        return;
    }
    require("wrk", "apt-get install -y wrk", "LITSEARCH_SKIP_LOAD");
    let w = ready();
    // Every request searches (no cache): the load is on the engine while the index swaps.
    let server = Server::start_with(&w, &["--quiet"], &["--cache", "0"]);
    let script = w.write(
        "load.lua",
        r#"-- Valid requests only, in turn: searches (filtered too), a page, facets.
local paths = {
  "/api/search?q=sparse+autoencoder",
  "/api/search?q=model&tag=Interpretability",
  "/api/search?q=quill&facets=none",
  "/api/search?tag=Interpretability&year=2025&sort=newest",
  "/?q=steering",
  "/api/facets?field=tags",
}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"#,
    );
    // Rebuilds (a new generation, CURRENT flipped, the old one removed) while wrk runs.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let rebuilds = {
        let stop = stop.clone();
        let dir = w.dir.path().to_path_buf();
        std::thread::spawn(move || {
            let mut done = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let out = std::process::Command::new(env!("CARGO_BIN_EXE_litsearch"))
                    .env_remove("LITSEARCH_INDEX")
                    .current_dir(&dir)
                    .args(["--quiet", "ingest", "--rebuild", "--wait", "10"])
                    .output()
                    .expect("run ingest");
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                done += 1;
            }
            done
        })
    };
    let (code, output) = run_bounded(
        std::process::Command::new("wrk")
            .args(["-t2", "-c8", "-d4s", "--timeout", "10s", "-s"])
            .arg(&script)
            .arg(format!("http://127.0.0.1:{}", server.port)),
        Duration::from_secs(60),
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let rebuilt = rebuilds.join().expect("the rebuild loop");
    assert_eq!(code, Some(0), "wrk failed:\n{output}");
    assert!(rebuilt >= 1, "no rebuild finished during the run");
    assert!(output.contains("requests in"), "{output}");
    assert!(
        wrk_problems(&output).is_empty(),
        "errors under load during {rebuilt} rebuilds:\n{output}"
    );
    // The server is still answering from a live index.
    assert_eq!(server.get("/api/search?q=sparse").status, 200);
}

#[test]
fn the_api_expands_short_forms_and_the_indexs_synonyms_as_query_does() {
    let w = ready();
    std::fs::write(w.path("index/synonyms.txt"), "flattery = sycophancy\n").unwrap();
    let server = Server::start(&w, &[]);
    for q in ["SAE", "flattery", "sparse autoencoders"] {
        let r = server.get(&format!("/api/search?q={}", enc(q)));
        assert_eq!(r.status, 200, "{q}: {}", r.body);
        let served: Results = r.strict();
        assert!(!served.expanded.is_empty(), "{q}: nothing expanded");
        assert_eq!(without_took(served), without_took(w.query(&[q])), "{q}");
    }
}

/// The address `litsearch serve ARGS` says it listens on; the server is stopped after.
fn listens_on(w: &Workdir, args: &[&str]) -> String {
    let mut child = w
        .cmd()
        .arg("serve")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start litsearch serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut said = String::new();
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        if let Some(rest) = line.split("listening on http://").nth(1) {
            said = rest.trim_end_matches('/').to_owned();
            break;
        }
        said = line;
    }
    let _ = child.kill();
    let _ = child.wait();
    said
}

#[test]
fn bind_takes_a_host_name_a_port_alone_and_port_takes_the_port() {
    let w = Workdir::with_corpus();
    w.ingest();
    let port_of = |addr: &str| -> u16 {
        addr.rsplit_once(':')
            .and_then(|(_, p)| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {addr}"))
    };
    let local = listens_on(&w, &["--bind", "localhost:0"]);
    assert!(local.starts_with("127.0.0.1:"), "{local}");
    assert_ne!(port_of(&local), 0);
    let bare = listens_on(&w, &["--bind", ":0"]);
    assert!(bare.starts_with("127.0.0.1:"), "{bare}");
    // --port replaces --bind's port (here the default's, 7700), on its address.
    let port = listens_on(&w, &["--port", "0"]);
    assert!(port.starts_with("127.0.0.1:"), "{port}");
    assert_ne!(port_of(&port), 7700);
    let r = w.run(&["serve", "--bind", "localhost:http-alt"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("expected a port number after the colon, found \"http-alt\""),
        "{}",
        r.stderr
    );
}
