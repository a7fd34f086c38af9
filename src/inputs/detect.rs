//! Which files are inputs and what each holds: by extension, checked by content, so a file
//! whose content does not match its name is refused naming the line that gave it away.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::records::{self, RecordFormat};
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

/// One input file and what it holds.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    pub kind: InputKind,
    pub size: u64,
}

/// Expands the paths given on the command line into input files, in a stable order.
/// Files in a directory that are not exports are skipped with a note; a file named explicitly
/// that is not an export is an error-level note too, but does not stop the others.
pub fn collect_inputs(
    paths: &[PathBuf],
    notes: &mut Vec<Diagnostic>,
) -> Result<Vec<Input>, InputError> {
    let mut inputs = Vec::new();
    for path in paths {
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
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| InputError::Unreadable {
                    path: display.clone(),
                    source: e,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for entry in entries {
                let name = entry.display().to_string();
                if entry
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                    || entry.is_dir()
                {
                    continue;
                }
                match classify(&entry) {
                    Ok(kind) => inputs.push(Input {
                        size: file_size(&entry),
                        path: entry,
                        kind,
                    }),
                    Err((line, why)) => {
                        notes.push(Diagnostic::new(&name, line, format!("skipped: {why}")))
                    }
                }
            }
        } else {
            match classify(path) {
                Ok(kind) => inputs.push(Input {
                    path: path.clone(),
                    kind,
                    size: meta.len(),
                }),
                // A file named on the command line must be readable as an export: refusing
                // it beats syncing the index with the others as if it had been empty.
                Err((line, why)) => {
                    let path = if line > 0 {
                        format!("{display}:{line}")
                    } else {
                        display
                    };
                    return Err(InputError::NotAnExport { path, why });
                }
            }
        }
    }
    Ok(inputs)
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Decides what a file is: records files by extension, checked by content; otherwise page
/// exports, which are text. The error names the line that gave it away (0: the whole file).
fn classify(path: &Path) -> Result<InputKind, (u64, String)> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let head = || -> Result<Vec<u8>, (u64, String)> {
        let mut head = Vec::with_capacity(64 * 1024);
        File::open(path)
            .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
            .map_err(|e| (0, format!("cannot read: {e}")))?;
        Ok(head)
    };
    // The head of a text format, refused here, once for every format, when it is binary.
    let text_head = |format: &str| -> Result<Vec<u8>, (u64, String)> {
        let head = head()?;
        if looks_binary(&head) {
            return Err((0, format!("not a {format} file: it looks like binary data")));
        }
        Ok(head)
    };
    match ext.as_str() {
        "bib" | "bibtex" => {
            return super::bibtex::check(&text_head("BibTeX")?).map(|()| InputKind::Bibtex)
        }
        "ris" => return super::ris::check(&text_head("RIS")?).map(|()| InputKind::Ris),
        "json" | "jsonl" | "ndjson" if super::arxiv::looks_like_snapshot(&head()?) => {
            return Ok(InputKind::Arxiv)
        }
        "json" if super::csl::looks_like_csl(&head()?) => return Ok(InputKind::Csl),
        _ => {}
    }
    if let Some(format) = RecordFormat::from_path(path) {
        records::check_content(path, format)?;
        return Ok(InputKind::Records(format));
    }
    classify_text(path).map_err(|why| (0, why))
}

fn classify_text(path: &Path) -> Result<InputKind, String> {
    let mut head = Vec::with_capacity(4096);
    File::open(path)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|e| format!("cannot read: {e}"))?;
    if super::page::is_utf16_bom(&head) {
        // UTF-16 text (with its byte-order mark): read as a page export, transcoded.
        return Ok(InputKind::PageExport);
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
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
        None => Ok(InputKind::PageExport),
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
