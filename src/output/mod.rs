//! Printers of search results and records: text for people, JSON / NDJSON / CSV for pipes.
//! Terminal decisions (colour) are made once by the caller and passed in as `Style`.

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
