//! The one clap definition of litsearch's command line: help, man page and completions all
//! come from here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::output::{ColorChoice, Format};
use crate::search::Sort;

/// Where the index lives unless `--index` says otherwise (the default of `--index`).
pub const DEFAULT_INDEX: &str = "index";

pub const LONG_VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (index schema ", "6", ")");

#[derive(Debug, Parser)]
#[command(
    name = "litsearch",
    version,
    long_version = LONG_VERSION,
    about = "Full-text search for research-paper listings exported as text",
    long_about = "Full-text search for research-paper listings exported as text.\n\n\
        Parse a page export, build a tantivy index, and search it with ranked (BM25), faceted \
        queries and highlighted snippets.",
    after_help = "Exit status: 0 success (something found), 1 nothing found (query) or finished with \
        warnings (ingest), 2 error, 75 index busy (another ingest holds it)."
)]
pub struct Cli {
    /// Index directory [env: LITSEARCH_INDEX] [default: index]
    #[arg(
        long,
        global = true,
        env = "LITSEARCH_INDEX",
        default_value = DEFAULT_INDEX,
        hide_env = true,
        hide_default_value = true
    )]
    pub index: PathBuf,

    /// Use an OpenSearch cluster instead of the local index: opensearch+http://HOST:PORT/NAME
    /// (or opensearch+https://…), NAME being the alias litsearch manages. Credentials come
    /// from LITSEARCH_ENGINE_USER / LITSEARCH_ENGINE_PASSWORD or ~/.netrc [env: LITSEARCH_ENGINE]
    #[arg(
        long,
        global = true,
        env = "LITSEARCH_ENGINE",
        hide_env = true,
        value_name = "URL"
    )]
    pub engine: Option<String>,

    /// Colour in text output: auto (a terminal and no NO_COLOR), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print only errors
    #[arg(short, long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the records parsed from exports as JSON lines, without touching any index
    Parse(ParseArgs),
    /// Parse exports and sync the index with them (add, update, remove)
    Ingest(IngestArgs),
    /// Search the index
    #[command(long_about = QUERY_HELP)]
    Query(QueryArgs),
    /// List every value of a field with its count over the whole index
    Facets(FacetsArgs),
    /// Print one paper in full, found by id or title
    Show(ShowArgs),
    /// List the papers most like a given one, each with the reason
    Similar(SimilarArgs),
    /// Write records (all, or those matching a query and filters) as JSON lines, JSON or CSV
    #[command(long_about = EXPORT_HELP)]
    Export(ExportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions(CompletionsArgs),
    /// Print the man page (roff) on stdout
    Man(ManArgs),
    /// Print the OpenSearch index settings and mappings (JSON) that `ingest --engine` creates
    EngineConfig(EngineConfigArgs),
    /// Saved searches that report new papers: for cron, e-mail digests and Atom feeds
    #[command(subcommand)]
    Watch(WatchCommand),
    /// Serve the index read-only over HTTP: a search page and a JSON API
    #[command(long_about = SERVE_HELP)]
    Serve(ServeArgs),
}

pub const QUERY_HELP: &str = "Search the index.

Query language:
  sparse autoencoder      every word must match (stemmed, accent- and case-insensitive)
  \"exact phrase\"          words in this order
  a OR b, a | b           either; OR binds tighter than the implicit AND:
                          `sparse autoencoder OR SAE` = sparse AND (autoencoder OR SAE)
  a AND b                 both (the default between words)
  -word, NOT word         exclude
  ( … )                   grouping
  interp*                 prefix
  title:, abstract:, author:, fellow:, tag:
                          limit a word, phrase or group to a field, e.g.
                          tag:\"Scheming and Deception\" author:nanda title:(sparse OR sae)
  year:2025, year:2023..2025, date:>=2025-03, date:<2024-06
                          filters written in the query, as --year, --since, --until
                          (any other unknown field is refused: quote \"foo:bar\" to search it)

Operators are capitals: a lowercase or, and, not is a word (write OR for either).

Ranking is BM25 with the title weighted above tags, authors and fellows, and those above
the abstract. When no paper matches the query as written, the search is relaxed: first words
no paper holds are corrected (typos: none in words under 5 letters, 1 from 5 letters, 2 from 9,
never in words with digits), then plain words are left out one at a time; a field scope, a
phrase, a group, an explicit AND, a NOT and the filters are never dropped. Each correction and
each word left out is reported (stderr, and `corrected`/`dropped` in JSON); --exact turns
relaxation off.

A query may be empty: the matches of the filters (or every paper) are listed newest first.";

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Export files or directories, `-` for standard input [default: corpus/]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
}

/// How ingest and parse read their inputs.
#[derive(Debug, Args, Clone, Default)]
pub struct InputArgs {
    /// What every input holds, whatever its name or content suggests [default: by extension,
    /// else by content]
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<crate::inputs::InputFormat>,
    /// In directories, read hidden files and directories too
    #[arg(long)]
    pub hidden: bool,
    /// In directories, read what their .gitignore and .ignore files leave out too
    #[arg(long)]
    pub no_ignore: bool,
    /// List the files met in directories that were skipped (no format litsearch reads)
    #[arg(short, long)]
    pub verbose: bool,
}

impl InputArgs {
    pub fn choice(&self) -> crate::inputs::InputChoice {
        crate::inputs::InputChoice {
            format: self.format,
            hidden: self.hidden,
            no_ignore: self.no_ignore,
        }
    }
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Export files or directories, `-` for standard input [default: corpus/]
    pub paths: Vec<PathBuf>,
    /// Build a new index from scratch instead of syncing the existing one
    #[arg(long)]
    pub rebuild: bool,
    /// Keep indexed records that are missing from the exports
    #[arg(long)]
    pub keep_missing: bool,
    /// Refuse when more than this percentage of indexed records would be removed
    #[arg(long, value_name = "PCT", default_value_t = 50.0)]
    pub max_remove: f64,
    /// Apply the sync even when a guard (--max-remove, empty export) would refuse it
    #[arg(long)]
    pub force: bool,
    /// Seconds to wait for another ingest to finish before giving up with status 75
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
    pub wait: f64,
    /// Treat any warning as an error: leave the index untouched
    #[arg(long)]
    pub strict: bool,
    /// Print the summary as a JSON object
    #[arg(long)]
    pub json: bool,
    /// With --engine, shards of an index ingest creates [default: 1; a rebuild keeps the old index's]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub shards: Option<u32>,
    /// With --engine, replicas of an index ingest creates [default: 1; a rebuild keeps the old index's]
    #[arg(long, value_name = "N")]
    pub replicas: Option<u32>,
    #[command(flatten)]
    pub input: InputArgs,
}

#[derive(Debug, Args)]
pub struct EngineConfigArgs {
    /// Primary shards
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub shards: u32,
    /// Replicas of each shard
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub replicas: u32,
}

#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only papers with this tag (repeatable: all must hold)
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only papers with this author, whole name or part, a word's beginning from 3 letters
    /// (repeatable: all must hold)
    #[arg(long = "author", value_name = "NAME")]
    pub authors: Vec<String>,
    /// Only papers with this fellow (repeatable: all must hold)
    #[arg(long = "fellow", value_name = "NAME")]
    pub fellows: Vec<String>,
    /// Only papers dated on or after DATE (2025-03-01, 2025-03 or 2025)
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only papers dated on or before DATE
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only papers from this year (repeatable: any of them)
    #[arg(long = "year", value_name = "YYYY")]
    pub years: Vec<u32>,
    /// Only featured papers
    #[arg(long)]
    pub featured: bool,
    /// Only papers first indexed since then: a span back from now (7d, 12h, 2w) or a date
    #[arg(long, value_name = "DATE|SPAN")]
    pub added_since: Option<String>,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write a page per command into DIR instead (litsearch.1, litsearch-query.1, …)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The query (several words may be given unquoted; -word excludes a word)
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Result order [default: relevance with a query, newest without]
    #[arg(long, value_enum)]
    pub sort: Option<Sort>,
    /// Number of hits to show
    #[arg(short = 'n', long, default_value_t = 10, allow_negative_numbers = true, value_parser = hit_count)]
    pub limit: usize,
    /// Number of hits to skip
    #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = hit_count)]
    pub offset: usize,
    /// Every hit, however many (instead of --limit)
    #[arg(long, conflicts_with = "limit")]
    pub all: bool,
    /// Match words exactly as typed (after stemming): no typo correction, no word left out,
    /// no function word ignored, no short form expanded
    #[arg(long)]
    pub exact: bool,
    /// Synonym groups, one per line (`SAE = sparse autoencoder`), used beside the short forms
    /// mined at ingest [default: synonyms.txt in the index directory, when there]
    #[arg(long, value_name = "FILE")]
    pub synonyms: Option<std::path::PathBuf>,
    /// Facets to count: a comma list of tags, year, fellows, authors, or none
    #[arg(long, value_name = "LIST", default_value = "tags,year,fellows,authors")]
    pub facets: String,
    /// Values shown per facet, most frequent first (0: every value)
    #[arg(long, value_name = "N", default_value_t = crate::search::DEFAULT_FACET_LIMIT)]
    pub facet_limit: usize,
    /// Shorthand for --format json
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Output format: text, json (one object), ndjson or jsonl (one hit per line), csv
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Show how each hit's score was computed
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct FacetsArgs {
    /// Field to list: tags, year, fellows, authors [default: all]
    #[arg(long)]
    pub field: Option<String>,
    /// Print as a JSON object
    #[arg(long)]
    pub json: bool,
}

/// How `show` and `similar` name a paper.
const PAPER_HELP: &str = "The paper: its id or the beginning of it (4 hex digits or more), \
    its title, or the beginning of its title (case, accents and punctuation do not matter; several words may be given unquoted)";

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[arg(required = true, value_name = "ID_OR_TITLE", help = PAPER_HELP)]
    pub paper: Vec<String>,
    /// Print the record as a JSON object (the keys of `parse`)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SimilarArgs {
    #[arg(required = true, value_name = "ID_OR_TITLE", help = PAPER_HELP)]
    pub paper: Vec<String>,
    /// Number of papers to list
    #[arg(short = 'n', long, default_value_t = 10)]
    pub limit: usize,
    /// Print as a JSON object
    #[arg(long)]
    pub json: bool,
}

pub const EXPORT_HELP: &str =
    "Write records (all, those matching a query and filters, or those of \
some citation keys) as JSON lines, JSON or CSV, or as a bibliography: BibTeX, BibLaTeX, RIS or \
CSL-JSON.

The keys are those of `parse`: id, key, title, abstract, authors, fellows, tags, date, featured,
source. CSV has a header row; lists are joined with `; `; source is two columns, source_file
and source_line. Without a query or filters every record is written, newest first; with a
query, in relevance order, as `query` would list them; with --keys or --aux, in the order the
keys are given. `ingest` reads these files back (.jsonl, .json, .csv, .bib, .ris, CSL-JSON
.json). A key no paper has is named with the nearest keys; the rest is written (exit 1).";

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The query, as for `query` (optional)
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = crate::output::ExportFormat::Jsonl)]
    pub format: crate::output::ExportFormat,
    /// Only the papers of these citation keys, comma-separated, in this order; `-` reads them
    /// from stdin (one a line, or pasted citations: `\cite{a,b}`, `\citep[p.~3]{c}`)
    #[arg(long, value_name = "KEYS", conflicts_with = "aux")]
    pub keys: Option<String>,
    /// Only the papers a LaTeX run cited: the keys of its .aux file (`\citation{…}`, biblatex's
    /// `\abx@aux@cite{…}{…}`; `\citation{*}` is every paper)
    #[arg(long, value_name = "FILE")]
    pub aux: Option<std::path::PathBuf>,
    /// BibTeX and BibLaTeX in ASCII: letters beyond it as TeX accents (`Schr{\"o}dinger`)
    #[arg(long)]
    pub ascii: bool,
    /// Accepted for compatibility: export never relaxes a query
    #[arg(long, hide = true)]
    pub exact: bool,
}

pub const SERVE_HELP: &str = "Serve the index read-only over HTTP: a search page at / and a JSON \
API under /api/ (the objects of `query`, `show`, `similar` and `facets` with --json; described \
by /api/openapi.json).

The server answers from the same index as the commands and picks up what an `ingest` changed \
without a restart. It binds to loopback unless --bind says otherwise; put a reverse proxy in \
front to share it (see the README). One access-log line per request goes to stderr (--quiet \
silences it). A client that takes longer than --header-timeout to send its request line and \
headers is disconnected. SIGINT or SIGTERM stops accepting connections and lets the requests in \
flight finish (waiting at most --header-timeout plus --timeout seconds; a second signal stops at \
once), then exits with status 0. A search asked again is answered from the last --cache answers \
(header X-Cache: hit, and the took_ms of the search that made it) until an ingest changes the \
index.";

/// The port `serve` listens on when `--bind` names none.
pub const DEFAULT_PORT: u16 = 7700;

/// `--bind` as people write it: an address and port, a host name (`localhost:7700`, resolved
/// here, IPv4 first), `:PORT` (loopback) or an address alone (port 7700).
fn parse_bind(value: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
    let value = value.trim();
    if let Ok(addr) = value.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Ok(ip) = value.trim_matches(['[', ']']).parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, DEFAULT_PORT));
    }
    let (host, port) = match value.rsplit_once(':') {
        Some((host, port)) => {
            let port = port
                .parse::<u16>()
                .map_err(|_| format!("expected a port number after the colon, found \"{port}\""))?;
            (host, port)
        }
        None => (value, DEFAULT_PORT),
    };
    if host.is_empty() {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    let found: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve \"{host}\": {e}"))?
        .collect();
    found
        .iter()
        .find(|a| a.is_ipv4())
        .or(found.first())
        .copied()
        .ok_or_else(|| format!("\"{host}\" has no address"))
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on: 0.0.0.0:7700, [::1]:7700, localhost:7700, :7700 (port
    /// alone: loopback) or an address alone (port 7700); port 0: any free port, printed at start
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:7700", value_parser = parse_bind)]
    pub bind: std::net::SocketAddr,
    /// Port to listen on, on --bind's address
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Searches run at once; more are answered 503 (busy)
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub max_concurrent: usize,
    /// Seconds a search may take before it is answered 503
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub timeout: f64,
    /// Seconds a client may take to send a request's line and headers; slower ones are
    /// disconnected
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub header_timeout: f64,
    /// Search answers kept for repeated requests, until an ingest changes the index (0: none;
    /// a local index only: a remote one changes without a sign)
    #[arg(long, value_name = "N", default_value_t = crate::serve::cache::DEFAULT_ENTRIES)]
    pub cache: usize,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Subcommand)]
pub enum WatchCommand {
    /// Save a named search; the papers it matches now count as already reported
    Add(WatchAddArgs),
    /// List the saved searches
    List(WatchListArgs),
    /// Show one saved search
    Show(WatchNameArgs),
    /// Delete a saved search and what it has reported
    Rm(WatchNameArgs),
    /// Report, for each saved search, the papers it has not reported before
    #[command(long_about = WATCH_RUN_HELP)]
    Run(WatchRunArgs),
}

pub const WATCH_RUN_HELP: &str = "Report, for each saved search (or the named ones), the papers \
that match now and that it has not reported before; then remember them as reported.

What was reported is recorded only after the output is completely written and flushed: a failed \
write or a closed pipe records nothing, so the next run reports the same papers again. A saved \
search matches every word as written (no typo corrected, no word left out).

Exit status: 0 something reported, 1 nothing new, 2 error, 75 another `watch run` holds the index.";

#[derive(Debug, Args)]
pub struct WatchAddArgs {
    /// A short name: letters, digits, '-' and '_'
    pub name: String,
    /// The query, in `query`'s language (several words may be given unquoted)
    pub query: Vec<String>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Report the papers matching now at the next run, instead of counting them as reported
    #[arg(long)]
    pub backfill: bool,
    /// Replace a saved search of the same name (forgetting what it reported)
    #[arg(long)]
    pub replace: bool,
    /// Save a search that matches no paper today (else refused as a likely typo)
    #[arg(long)]
    pub allow_empty: bool,
    /// Print the saved search as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WatchListArgs {
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WatchNameArgs {
    /// The saved search's name
    pub name: String,
    /// Print as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WatchRunArgs {
    /// Saved searches to run [default: all]
    pub names: Vec<String>,
    /// Output: text (a digest for e-mail), json, ndjson or jsonl, atom (one feed file per search)
    #[arg(long, value_enum, default_value = "text")]
    pub format: crate::output::digest::WatchFormat,
    /// Directory for the Atom feeds (DIR/NAME.xml); required with --format atom
    #[arg(long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Where `litsearch serve` answers (https://papers.example.org): Atom entries of papers
    /// with no link of their own link to their page there
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Entries kept in each Atom feed, newest first
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub feed_size: usize,
    /// Also report papers whose content changed since this search reported them
    #[arg(long)]
    pub include_updated: bool,
    /// Show what would be reported without recording it (and without writing feeds)
    #[arg(long)]
    pub dry_run: bool,
    /// Seconds to wait for another `watch run` to finish before giving up with status 75
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0)]
    pub wait: f64,
    /// Deliver the report by running CMD (through `sh -c`) with the report on its stdin;
    /// recorded only if CMD exits 0. Not run when nothing is new
    #[arg(long, value_name = "CMD", conflicts_with = "output")]
    pub deliver: Option<String>,
}

/// Set before a query word that starts with `-` so that clap takes it for a positional value;
/// removed again once the line is parsed. A private-use character no one types.
const WORD_MARK: char = '\u{F8FF}';

impl Cli {
    /// Parses the command line as `Cli::parse` does, except that in a query (`query`,
    /// `export`, `watch add`) a word starting with `-` that is no known flag is a query word
    /// (`-sparse` excludes "sparse") instead of an error; `--` still ends the options.
    pub fn parse_line() -> Cli {
        match Cli::try_parse_line(std::env::args_os()) {
            Ok(cli) => cli,
            Err(e) => e.exit(),
        }
    }

    /// `parse_line` on given arguments (the first being the program name).
    pub fn try_parse_line<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString>,
    {
        let args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        let mut cli = Cli::try_parse_from(mark_hyphen_words(args))?;
        let unmark = |words: &mut Vec<String>| {
            for w in words {
                if let Some(rest) = w.strip_prefix(WORD_MARK) {
                    *w = rest.to_owned();
                }
            }
        };
        match &mut cli.command {
            Command::Query(a) => unmark(&mut a.query),
            Command::Export(a) => unmark(&mut a.query),
            Command::Watch(WatchCommand::Add(a)) => unmark(&mut a.query),
            _ => {}
        }
        Ok(cli)
    }
}

/// Marks (`WORD_MARK`) the arguments of a command with a `query` positional that start with
/// `-` but are no flag of that command: `-sparse`, `-nanda` (`-n` takes a number), while `-n5`,
/// `-q` and every `--long` stay flags. Nothing after `--` is touched.
fn mark_hyphen_words(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory;
    let mut root = Cli::command();
    root.build();
    let mut current = &root;
    let mut expect_value = false;
    let mut out = Vec::with_capacity(args.len());
    let mut rest = args.into_iter();
    if let Some(program) = rest.next() {
        out.push(program);
    }
    for arg in rest.by_ref() {
        let Some(text) = arg.to_str() else {
            expect_value = false;
            out.push(arg);
            continue;
        };
        if expect_value {
            expect_value = false;
        } else if text == "--" {
            out.push(arg);
            break;
        } else if let Some(long) = text.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, _)) => (n, true),
                None => (long, false),
            };
            expect_value = !inline
                && current
                    .get_arguments()
                    .any(|a| a.get_long() == Some(name) && a.get_action().takes_values());
        } else if let Some(cluster) = text.strip_prefix('-').filter(|c| !c.is_empty()) {
            let is_query_command = current.get_arguments().any(|a| a.get_id() == "query");
            let short = |c: char| current.get_arguments().find(|a| a.get_short() == Some(c));
            let mut chars = cluster.chars();
            let first = chars.next().and_then(short);
            let after: String = chars.collect();
            let is_flag = match first {
                None => false,
                Some(a) if a.get_action().takes_values() => {
                    if after.is_empty() {
                        expect_value = true;
                        true
                    } else {
                        after.parse::<i64>().is_ok()
                    }
                }
                Some(_) => after
                    .chars()
                    .all(|c| short(c).is_some_and(|a| !a.get_action().takes_values())),
            };
            if is_query_command && !is_flag {
                expect_value = false;
                let mut marked = std::ffi::OsString::from(WORD_MARK.to_string());
                marked.push(&arg);
                out.push(marked);
                continue;
            }
        } else if let Some(sub) = current.find_subcommand(text) {
            current = sub;
        }
        out.push(arg);
    }
    out.extend(rest);
    out
}

impl clap::ValueEnum for Sort {
    fn value_variants<'a>() -> &'a [Self] {
        &[Sort::Relevance, Sort::Newest, Sort::Oldest, Sort::Added]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Added => "added",
        }))
    }
}

/// `--limit` and `--offset`: a count of hits, with advice that fits a negative one.
fn hit_count(s: &str) -> Result<usize, String> {
    s.trim().parse().map_err(|_| {
        format!(
            "expected a whole number of hits, 0 or more (--limit 0 prints only the total and \
             the facets; --all gives every hit), found \"{s}\""
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    fn query_of(args: &[&str]) -> (Vec<String>, String) {
        let cli = Cli::try_parse_line(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        match cli.command {
            Command::Query(q) => (q.query, q.facets),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_word_starting_with_a_hyphen_is_a_query_word() {
        let (words, facets) = query_of(&["litsearch", "query", "-sparse", "--facets", "none"]);
        assert_eq!(words, ["-sparse"]);
        assert_eq!(facets, "none");
        let (words, _) = query_of(&["litsearch", "query", "autoencoder", "-sparse", "-n", "3"]);
        assert_eq!(words, ["autoencoder", "-sparse"]);
        // `--` still ends the options: what follows is words.
        let (words, facets) = query_of(&["litsearch", "query", "--", "-sparse", "--facets", "x"]);
        assert_eq!(words, ["-sparse", "--facets", "x"]);
        assert_eq!(facets, "tags,year,fellows,authors");
        // A known flag is still a flag, and a mistyped long flag is still refused.
        assert!(Cli::try_parse_line(["litsearch", "query", "x", "--limt", "3"]).is_err());
        let (words, _) = query_of(&[
            "litsearch",
            "-q",
            "query",
            "-n5",
            "-nanda",
            "-q",
            "--offset",
            "3",
        ]);
        assert_eq!(words, ["-nanda"]);
        let cli = Cli::try_parse_line(["litsearch", "watch", "add", "w", "x", "-sparse"]).unwrap();
        let Command::Watch(WatchCommand::Add(a)) = cli.command else {
            panic!()
        };
        assert_eq!(a.query, ["x", "-sparse"]);
    }

    #[test]
    fn long_version_names_the_schema() {
        assert!(LONG_VERSION.contains(&format!(
            "index schema {}",
            crate::engine::local::schema::SCHEMA_VERSION
        )));
    }
}
