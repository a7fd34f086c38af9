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

/// How machine output is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
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

/// Resolved text styling: ANSI codes or nothing.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
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
        Style { color }
    }

    pub fn plain() -> Style {
        Style { color: false }
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
