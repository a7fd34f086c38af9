//! Printers of search results and records: text for people, JSON / NDJSON / CSV for pipes.
//! Terminal decisions (colour) are made once by the caller and passed in as `Style`.

pub mod bib;
pub mod csv_out;
pub mod digest;
pub mod json;
pub mod paper;
pub mod records;
pub mod sanitize;
pub mod text;

use std::io::IsTerminal;

/// A count and its noun, singular for one: `1 entry`, `2 entries`.
pub fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How machine output is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    // Also named jsonl, as `export` calls it.
    #[value(alias = "jsonl")]
    Ndjson,
    Csv,
}

/// What `export` writes: records (read back by `ingest`) or a bibliography.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ExportFormat {
    /// One JSON object per line (the format of `parse`), also named ndjson
    #[default]
    #[value(alias = "ndjson")]
    Jsonl,
    /// One JSON array of objects
    Json,
    /// A header row, then one row per record; lists joined with `; `
    Csv,
    /// BibTeX entries (`year`/`month`, `eprint` + `archivePrefix`)
    Bibtex,
    /// BibLaTeX entries (`date`, `eprint` + `eprinttype`)
    Biblatex,
    /// RIS records (Zotero, EndNote, Mendeley)
    Ris,
    /// CSL-JSON (pandoc's citeproc, Zotero)
    CslJson,
}

/// An export format as the writer that takes it.
pub enum ExportWriter {
    Records(crate::inputs::records::RecordFormat),
    Bibliography(bib::BibFormat),
}

impl ExportFormat {
    pub fn writer(self) -> ExportWriter {
        use crate::inputs::records::RecordFormat;
        match self {
            ExportFormat::Jsonl => ExportWriter::Records(RecordFormat::Jsonl),
            ExportFormat::Json => ExportWriter::Records(RecordFormat::Json),
            ExportFormat::Csv => ExportWriter::Records(RecordFormat::Csv),
            ExportFormat::Bibtex => ExportWriter::Bibliography(bib::BibFormat::Bibtex),
            ExportFormat::Biblatex => ExportWriter::Bibliography(bib::BibFormat::Biblatex),
            ExportFormat::Ris => ExportWriter::Bibliography(bib::BibFormat::Ris),
            ExportFormat::CslJson => ExportWriter::Bibliography(bib::BibFormat::CslJson),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

/// Resolved text styling: ANSI codes or nothing, and the width to wrap to.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// The terminal's columns; `None` when output goes to a pipe, which keeps whole lines.
    pub width: Option<usize>,
}

/// `LITSEARCH_WIDTH` (for scripts and tests that want a fixed width), else the width of the
/// terminal stdout is; `None` for a pipe.
fn output_width() -> Option<usize> {
    if let Some(w) = std::env::var("LITSEARCH_WIDTH")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|&w| w >= 20)
    {
        return Some(w);
    }
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(terminal_size::Width(w), _)| usize::from(w).max(20))
}

/// `text` as lines of at most `width` columns (ANSI colour codes take none), the first
/// starting with `first`, the rest with `rest` (a hanging indent); one line when `width` is
/// `None`. Words are never split unless longer than a line.
pub fn wrapped(text: &str, first: &str, rest: &str, width: Option<usize>) -> String {
    match width {
        None => format!("{first}{text}"),
        Some(w) => textwrap::fill(
            text,
            textwrap::Options::new(w)
                .initial_indent(first)
                .subsequent_indent(rest)
                .break_words(true),
        ),
    }
}

impl Style {
    /// `--color`, `NO_COLOR` and whether stdout is a terminal, decided once.
    pub fn resolve(choice: ColorChoice) -> Style {
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true)
                    && std::io::stdout().is_terminal()
            }
        };
        Style {
            color,
            width: output_width(),
        }
    }

    pub fn plain() -> Style {
        Style {
            color: false,
            width: None,
        }
    }

    pub fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }

    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }

    /// Opening and closing codes for a highlighted match.
    pub fn mark(&self) -> (&'static str, &'static str) {
        if self.color {
            ("\x1b[1;33m", "\x1b[0m")
        } else {
            ("", "")
        }
    }
}
