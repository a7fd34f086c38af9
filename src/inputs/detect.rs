//! Which inputs there are and what each holds: by `--format`, else by extension, else (standard
//! input, a pipe) by content — always checked by content, refused naming the line that says so.

use std::fs::File;
use std::path::{Path, PathBuf};

use super::records::{self, RecordFormat};
use super::source::{self, Compression, Head, InputBytes, Stream};
use crate::diagnostic::Diagnostic;

/// Errors that stop reading inputs altogether.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: {why}")]
    NotAnExport { path: String, why: String },
    #[error("{path}: cannot read: {source}")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
}

/// The kind of input a file holds, judged by extension and then by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    PageExport,
    /// Records as JSON lines, a JSON array or CSV (see `records`), judged by extension.
    Records(RecordFormat),
    /// `.bib`
    Bibtex,
    /// `.ris`
    Ris,
    /// The arXiv metadata snapshot: JSON lines of arXiv's own keys, judged by content (it
    /// ships as `.json`).
    Arxiv,
    /// CSL-JSON (`.json`, judged by content: `issued`, `family`, … in its first item).
    Csl,
}

/// The formats `--format` names, which override what a name or the content would say.
// Plain comments on the variants: doc comments would make clap list them one per line in
// `--help` and turn the whole page into its long layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    // The text of a listing page (title, abstract, `Authors:`, `Fellows:`, `Date:` per entry)
    Page,
    // BibTeX or BibLaTeX entries
    #[value(alias = "bibtex")]
    Bib,
    // RIS records (`TY  - JOUR` … `ER  - `)
    Ris,
    // Records, one JSON object per line (what `parse` writes), also named ndjson
    #[value(alias = "ndjson")]
    Jsonl,
    // Records as one JSON array
    Json,
    // Records as CSV with a header row (what `export --format csv` writes)
    Csv,
    // The arXiv metadata snapshot (JSON lines of arXiv's own keys)
    Arxiv,
}

impl InputFormat {
    fn kind(self) -> InputKind {
        match self {
            InputFormat::Page => InputKind::PageExport,
            InputFormat::Bib => InputKind::Bibtex,
            InputFormat::Ris => InputKind::Ris,
            InputFormat::Jsonl => InputKind::Records(RecordFormat::Jsonl),
            InputFormat::Json => InputKind::Records(RecordFormat::Json),
            InputFormat::Csv => InputKind::Records(RecordFormat::Csv),
            InputFormat::Arxiv => InputKind::Arxiv,
        }
    }
}

/// What the command line asks of the inputs beyond their paths.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputChoice {
    /// Every input holds this format, whatever its name or content suggests (`--format`).
    pub format: Option<InputFormat>,
    /// Walks read hidden files and directories too (`--hidden`).
    pub hidden: bool,
    /// Walks read what `.gitignore`, `.ignore` and git's excludes leave out too (`--no-ignore`).
    pub no_ignore: bool,
}

/// The path that names standard input.
pub const STDIN_PATH: &str = "-";
/// How diagnostics name standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// One input and what it holds.
#[derive(Debug, Clone)]
pub struct Input {
    /// As given (`-` for standard input), or as found in a directory.
    pub path: PathBuf,
    /// How diagnostics and records' `source` name it: the path, or `<stdin>`.
    pub name: String,
    pub kind: InputKind,
    /// Bytes a reader will go through when known beforehand (a plain file's size): not for a
    /// stream or a compressed file, whose decompressed length is known once read.
    pub size: Option<u64>,
    pub origin: Origin,
}

/// Where an input's bytes are read from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A regular file, opened (and decompressed) again for each read.
    File,
    /// Standard input or a pipe: read once (its head already read, when collected).
    Stream(Stream),
}

impl Input {
    /// Its bytes, decompressed, from the start.
    pub fn open(&self) -> std::io::Result<InputBytes> {
        match &self.origin {
            Origin::File => source::open_file(&self.path),
            Origin::Stream(stream) => stream.take(),
        }
    }

    /// Standard input or a pipe: it can be read only once.
    pub fn is_stream(&self) -> bool {
        matches!(self.origin, Origin::Stream(_))
    }
}

/// Expands the paths given on the command line into inputs, in a stable order: the paths as
/// given, a directory walked recursively (sorted by name; hidden paths and those its own
/// ignore files name left out unless `choice` says otherwise; symbolic links followed, a loop skipped). `-` is standard
/// input, and a pipe or device named explicitly (`/dev/stdin`, a FIFO) is read as a stream:
/// each is opened and its first bytes awaited here, before an ingest takes its lock. A file
/// reached twice is read once. Files met in a walk that hold no format litsearch reads (and
/// loops) go to `skipped`, one note each, and are no error; a file named explicitly that is
/// not an export, and any file that cannot be read, is.
pub fn collect_inputs(
    paths: &[PathBuf],
    choice: &InputChoice,
    skipped: &mut Vec<Diagnostic>,
) -> Result<Vec<Input>, InputError> {
    let mut inputs = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        if path.as_os_str() == STDIN_PATH {
            // Standard input is one stream: named twice, it is still read once.
            if seen.insert(PathBuf::from(STDIN_PATH)) {
                inputs.push(stream_input(
                    path,
                    STDIN_NAME,
                    Box::new(std::io::stdin()),
                    choice,
                )?);
            }
            continue;
        }
        let display = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => InputError::NotFound {
                path: display.clone(),
            },
            _ => InputError::Unreadable {
                path: display.clone(),
                source: e,
            },
        })?;
        if meta.is_dir() {
            walk(path, choice, &mut seen, &mut inputs, skipped)?;
        } else if !seen.insert(identity(path)) {
            continue;
        } else if meta.is_file() {
            // A file named on the command line must be readable as an export: refusing
            // it beats syncing the index with the others as if it had been empty.
            inputs.push(file_input(path, choice).map_err(|e| match e {
                NotRead::Unreadable(source) => InputError::Unreadable {
                    path: display.clone(),
                    source,
                },
                NotRead::NotAnExport(line, why) => not_an_export(&display, (line, why)),
            })?);
        } else {
            let file = File::open(path).map_err(|e| InputError::Unreadable {
                path: display.clone(),
                source: e,
            })?;
            inputs.push(stream_input(path, &display, Box::new(file), choice)?);
        }
    }
    Ok(inputs)
}

/// What tells two paths of one file apart from two files: the path with links and `.`/`..`
/// resolved (`corpus/x.txt`, `./corpus/x.txt` and a link to it are one).
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The files under `dir`, as `collect_inputs` says, appended to `inputs`.
fn walk(
    dir: &Path,
    choice: &InputChoice,
    seen: &mut std::collections::HashSet<PathBuf>,
    inputs: &mut Vec<Input>,
    skipped: &mut Vec<Diagnostic>,
) -> Result<(), InputError> {
    let honour_ignores = !choice.no_ignore;
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(!choice.hidden)
        .ignore(honour_ignores)
        .git_ignore(honour_ignores)
        // Only the ignore files inside the directory count: a repository around it, or git's
        // own excludes, often keep a data directory out of git — its papers are still wanted.
        .git_exclude(false)
        .git_global(false)
        .parents(false)
        // A folder of exports is seldom a repository of its own: its .gitignore counts anyway.
        .require_git(false)
        .follow_links(true)
        .sort_by_file_name(|a, b| a.cmp(b))
        // Never exports, even with --hidden: a repository's insides and the walk's own rules.
        .filter_entry(|entry| {
            !matches!(
                entry.file_name().to_str(),
                Some(".git" | ".gitignore" | ".ignore")
            )
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => match walk_error(e) {
                WalkError::Skip(path, why) => {
                    skipped.push(Diagnostic::new(&path, 0, format!("skipped: {why}")));
                    continue;
                }
                WalkError::Fatal(e) => return Err(e),
            },
        };
        // Regular files only: a pipe or socket met in a walk would wait for a writer.
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let path = entry.path();
        if !seen.insert(identity(path)) {
            continue;
        }
        let name = path.display().to_string();
        match file_input(path, choice) {
            Ok(input) => inputs.push(input),
            Err(NotRead::Unreadable(source)) => {
                return Err(InputError::Unreadable { path: name, source })
            }
            Err(NotRead::NotAnExport(line, why)) => {
                skipped.push(Diagnostic::new(&name, line, format!("skipped: {why}")))
            }
        }
    }
    Ok(())
}

enum WalkError {
    /// Not an input, and nothing lost: a symbolic link loop, an ignore file that does not parse.
    Skip(String, String),
    /// A directory that cannot be read: its papers would be lost.
    Fatal(InputError),
}

/// What an error of the walk means for the read, with the path it is about.
fn walk_error(e: ignore::Error) -> WalkError {
    fn inner(e: ignore::Error, path: Option<PathBuf>) -> WalkError {
        let name = |p: Option<PathBuf>| p.map(|p| p.display().to_string()).unwrap_or_default();
        match e {
            ignore::Error::WithPath { path, err } => inner(*err, Some(path)),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                inner(*err, path)
            }
            ignore::Error::Loop { child, ancestor } => WalkError::Skip(
                child.display().to_string(),
                format!("a symbolic link back to {}", ancestor.display()),
            ),
            ignore::Error::Io(source) => WalkError::Fatal(InputError::Unreadable {
                path: name(path),
                source,
            }),
            other => WalkError::Skip(name(path), other.to_string()),
        }
    }
    inner(e, None)
}

fn not_an_export(display: &str, (line, why): (u64, String)) -> InputError {
    let path = if line > 0 {
        format!("{display}:{line}")
    } else {
        display.to_owned()
    };
    InputError::NotAnExport { path, why }
}

/// Why a file is not an input.
enum NotRead {
    /// It cannot be read (or decompressed): an error wherever it was found, since skipping it
    /// would lose its papers.
    Unreadable(std::io::Error),
    /// It holds no format litsearch reads: the line that gave it away (0: the whole file).
    NotAnExport(u64, String),
}

/// A regular file as an input, or why it is none.
fn file_input(path: &Path, choice: &InputChoice) -> Result<Input, NotRead> {
    let (head, compression) = source::file_head(path).map_err(NotRead::Unreadable)?;
    let kind = classify(&inner_extension(path), &head, choice)
        .map_err(|(line, why)| NotRead::NotAnExport(line, why))?;
    Ok(Input {
        path: path.to_path_buf(),
        name: path.display().to_string(),
        kind,
        size: match compression {
            None => Some(file_size(path)),
            Some(_) => None,
        },
        origin: Origin::File,
    })
}

/// A stream as an input: its first bytes awaited (decompressed), then judged by content.
fn stream_input(
    path: &Path,
    name: &str,
    raw: InputBytes,
    choice: &InputChoice,
) -> Result<Input, InputError> {
    let (stream, head, _) = Stream::start(raw).map_err(|e| InputError::Unreadable {
        path: name.to_owned(),
        source: e,
    })?;
    let ext = if path.as_os_str() == STDIN_PATH {
        String::new()
    } else {
        inner_extension(path)
    };
    let kind = classify(&ext, &head, choice).map_err(|e| not_an_export(name, e))?;
    Ok(Input {
        path: path.to_path_buf(),
        name: name.to_owned(),
        kind,
        size: None,
        origin: Origin::Stream(stream),
    })
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The extension that says what a file holds, lowercase: `papers.bib.gz` → `bib`, `x.gz` → ``.
fn inner_extension(path: &Path) -> String {
    let ext = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default()
    };
    let outer = ext(path);
    if Compression::is_extension(&outer) {
        path.file_stem()
            .map_or_else(String::new, |stem| ext(Path::new(stem)))
    } else {
        outer
    }
}

/// Decides what an input holds from its extension (`ext`, lowercase, empty for none) and its
/// head (decompressed), or from `choice.format` when given, and checks the head holds it. An
/// input without an extension (standard input, a pipe, `papers.gz`) is judged by content;
/// other names without a format of their own are page exports. The error names the line that
/// gave it away (0: the whole input).
fn classify(ext: &str, head: &Head, choice: &InputChoice) -> Result<InputKind, (u64, String)> {
    let bytes = &head.bytes[..];
    let kind = match choice.format {
        Some(format) => format.kind(),
        None => match ext {
            "bib" | "bibtex" => InputKind::Bibtex,
            "ris" => InputKind::Ris,
            "json" | "jsonl" | "ndjson" if super::arxiv::looks_like_snapshot(bytes) => {
                InputKind::Arxiv
            }
            "json" if super::csl::looks_like_csl(bytes) => InputKind::Csl,
            "" => kind_by_content(head),
            _ => match RecordFormat::from_extension(ext) {
                Some(format) => InputKind::Records(format),
                None => InputKind::PageExport,
            },
        },
    };
    // The head of a text format, refused here, once for every format, when it is binary.
    let text_head = |format: &str| -> Result<&[u8], (u64, String)> {
        if looks_binary(bytes) {
            return Err((0, format!("not a {format} file: it looks like binary data")));
        }
        Ok(bytes)
    };
    match kind {
        InputKind::Bibtex => super::bibtex::check(text_head("BibTeX")?)?,
        InputKind::Ris => super::ris::check(text_head("RIS")?)?,
        InputKind::Arxiv if !super::arxiv::looks_like_snapshot(bytes) => {
            return Err((
                0,
                "not an arXiv metadata snapshot: expected one JSON object per line with \
                 arXiv's keys (`id`, `title`, `abstract`, `authors`, `versions`)"
                    .to_owned(),
            ))
        }
        InputKind::Arxiv => {}
        InputKind::Csl => {
            text_head("CSL-JSON")?;
        }
        InputKind::Records(format) => records::check_content(head, format)?,
        InputKind::PageExport => check_page_export(bytes).map_err(|why| (0, why))?,
    }
    Ok(kind)
}

/// What an input with no name to go by holds, from its first bytes; a page export unless they
/// say otherwise (and `check_page_export` refuses what is no text).
fn kind_by_content(head: &Head) -> InputKind {
    let bytes = &head.bytes[..];
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&[][..], |i| &body[i..]);
    if super::page::is_utf16_bom(bytes) {
        InputKind::PageExport
    } else if super::arxiv::looks_like_snapshot(bytes) {
        InputKind::Arxiv
    } else if start.starts_with(b"{") {
        InputKind::Records(RecordFormat::Jsonl)
    } else if start.starts_with(b"[") && super::csl::looks_like_csl(bytes) {
        InputKind::Csl
    } else if start.starts_with(b"[") {
        InputKind::Records(RecordFormat::Json)
    } else if start.starts_with(b"@") && super::bibtex::check(bytes).is_ok() {
        InputKind::Bibtex
    } else if start.starts_with(b"TY  -") && super::ris::check(bytes).is_ok() {
        InputKind::Ris
    } else if records::check_content(head, RecordFormat::Csv).is_ok() && start.contains(&b',') {
        InputKind::Records(RecordFormat::Csv)
    } else {
        InputKind::PageExport
    }
}

/// A page export is text: its head is refused when it looks like something else.
fn check_page_export(head: &[u8]) -> Result<(), String> {
    let head = &head[..head.len().min(4096)];
    if super::page::is_utf16_bom(head) {
        // UTF-16 text (with its byte-order mark): read as a page export, transcoded.
        return Ok(());
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &body[i..])
        .unwrap_or(&[]);
    let what = if start.starts_with(b"%PDF") {
        Some("a PDF")
    } else if start.starts_with(b"<") {
        Some("HTML or XML")
    } else if start.starts_with(b"{") || start.starts_with(b"[") {
        Some("JSON")
    } else if start.starts_with(b"@") && start.contains(&b'{') {
        Some("BibTeX (name it .bib)")
    } else if start.starts_with(b"TY  - ") {
        Some("RIS (name it .ris)")
    } else if looks_binary(body) {
        Some("binary data")
    } else {
        None
    };
    match what {
        Some(what) => Err(format!(
            "not a page export: it looks like {what}; expected the text of a listing page (title, abstract, `Authors:`, `Fellows:`, `Date:` per entry)"
        )),
        None => Ok(()),
    }
}

/// More than 5% control bytes (other than whitespace and ESC) or invalid UTF-8 in the first
/// kilobytes: text exports may carry a stray NUL or escape sequence, binaries are full of them.
fn looks_binary(head: &[u8]) -> bool {
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        .count();
    let invalid = String::from_utf8_lossy(head).matches('\u{fffd}').count();
    (controls + invalid) * 20 > head.len()
}
