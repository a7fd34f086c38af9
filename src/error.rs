//! The library's errors: each says what went wrong and where, and maps to one exit status.

use std::path::PathBuf;

use crate::inputs::InputError;

/// Exit statuses, documented in the README.
pub mod exit {
    /// Success: something found, or ingest clean.
    pub const OK: u8 = 0;
    /// Query/watch found nothing; ingest finished with warnings (entries skipped).
    pub const NOTHING_OR_WARNINGS: u8 = 1;
    /// Error: bad input, bad query, unusable index. Nothing was changed.
    pub const ERROR: u8 = 2;
    /// Another ingest (or watch run) holds the index: try again later (EX_TEMPFAIL).
    pub const BUSY: u8 = 75;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no index in the directory \"{}\" (--index, LITSEARCH_INDEX): run `litsearch ingest PATH…` first", dir.display())]
    NoIndex { dir: PathBuf },
    #[error("{dir} is not an index directory: it holds {found}; litsearch writes an index only into a new or empty directory or one holding an index (point --index at another path)")]
    NotAnIndex { dir: PathBuf, found: String },
    #[error("{dir} is not a directory: point --index (or LITSEARCH_INDEX) at a directory")]
    IndexNotADirectory { dir: PathBuf },
    /// The live generation's schema is not this binary's. A newer one is never replaced unasked.
    #[error("index at {dir} was built by {} litsearch ({built_by}, schema {found}); this litsearch ({}) uses schema {expected}: {}",
        if *found > *expected { "a newer" } else { "an older" },
        env!("CARGO_PKG_VERSION"),
        if *found > *expected {
            "upgrade litsearch to use it, or run `litsearch ingest --rebuild` to replace it with an index this version reads"
        } else {
            "run `litsearch ingest --rebuild`"
        })]
    VersionMismatch {
        dir: PathBuf,
        found: u32,
        expected: u32,
        /// The version of litsearch that wrote the index (from its `litsearch.json`).
        built_by: String,
    },
    #[error("index at {dir} is damaged ({detail}): run `litsearch ingest --rebuild`")]
    Corrupt { dir: PathBuf, detail: String },
    #[error("index at {dir} is busy: {holder}; try again later or pass --wait SECONDS")]
    Busy { dir: PathBuf, holder: String },
    #[error("cannot write to the index at {dir}: `litsearch {purpose}` needs write access to it (queries still work)")]
    ReadOnly { dir: PathBuf, purpose: String },
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{0}")]
    Query(#[from] QueryError),
    #[error("refusing to ingest: {reason}; the index is unchanged (pass --force to accept)")]
    Refused { reason: String },
    /// The `--index` directory is missing and cannot be made (a missing parent, a read-only or
    /// virtual file system such as /proc).
    #[error("cannot create the index directory {dir}: {source}")]
    CannotCreateIndex {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    #[error("no paper has the id or title \"{key}\": give an id, or the title or its beginning{}", if candidates.is_empty() { " (`litsearch query WORDS` finds papers by their words)" } else { "; the closest:" })]
    NotFound {
        key: String,
        /// `id  date  title` lines, printed after the message.
        candidates: Vec<String>,
    },
    #[error("\"{key}\" matches {count} papers: give more of it, or one of these ids")]
    Ambiguous {
        key: String,
        count: usize,
        candidates: Vec<String>,
    },
    /// The saved-search file (or a feed beside it) cannot be used; it is never overwritten.
    #[error("{path}: {detail}; it was left as it is (fix it, or move it away to start afresh)")]
    State { path: PathBuf, detail: String },
    /// `watch run` output could not be delivered, so nothing was recorded as reported.
    #[error("writing {what} failed ({source}); nothing was recorded, the next run reports the same papers")]
    NotDelivered {
        what: String,
        source: std::io::Error,
    },
    /// A remote engine could not be reached or answered wrongly; `url` never holds credentials.
    #[error("engine {url}: {detail}")]
    Remote { url: String, detail: String },
    /// Writing the new index failed (a full disk, say); what was written is removed.
    #[error("cannot write {path}: {source}; the index is unchanged")]
    IndexWrite {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A signal stopped an ingest; what it wrote is removed.
    #[error("ingest stopped by {signal_name}; the index is unchanged")]
    Interrupted { signal: i32, signal_name: String },
    /// The engine's input/output failed (its own words, with the OS error).
    #[error("index i/o error: {0}")]
    EngineIo(String),
    /// The engine failed in a way it did not explain better (its own words).
    #[error("index error: {0}; if the index is damaged, run `litsearch ingest --rebuild`")]
    Engine(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Busy { .. } => exit::BUSY,
            // As a shell reports a process a signal ended: 128 + the signal.
            Error::Interrupted { signal, .. } => 128u8.saturating_add(*signal as u8),
            _ => exit::ERROR,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// Lines printed after the one-line message, such as the candidates of a title lookup.
    pub fn detail_lines(&self) -> &[String] {
        match self {
            Error::NotFound { candidates, .. } | Error::Ambiguous { candidates, .. } => candidates,
            _ => &[],
        }
    }

    /// True when the error is a closed output pipe, which ends output quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A syntax error: `query:1:COL: message`, then a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// 1-based column in characters; 0 when the error is about the query as a whole.
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl std::fmt::Display for QueryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column > 0 {
            write!(f, "query:1:{}: {}", self.column, self.message)?;
        } else {
            write!(f, "query: {}", self.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for QueryError {}

impl QueryError {
    pub fn new(column: usize, message: impl Into<String>, hint: Option<&str>) -> Self {
        QueryError {
            column,
            message: message.into(),
            hint: hint.map(str::to_owned),
        }
    }
}
