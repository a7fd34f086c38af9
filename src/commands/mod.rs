//! One module per subcommand: glue between the command line and the library, no logic of its own.

mod completions;
mod engine_config;
mod export;
mod facets;
mod ingest;
mod man;
mod parse;
mod query;
mod serve;
mod show;
mod similar;
mod watch;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::cli::{Cli, Command, DEFAULT_INDEX};
use crate::engine::{AnyEngine, IngestOptions, Target};
use crate::error::{Error, Result};

/// The shipped corpus, the default input.
pub const DEFAULT_CORPUS: &str = "corpus";

pub fn run(cli: Cli) -> Result<u8> {
    let ctx = Context {
        target: Target::from_flags(cli.engine.as_deref(), &cli.index)?,
        color: cli.color,
        quiet: cli.quiet,
    };
    match cli.command {
        Command::Parse(args) => parse::run(&ctx, args),
        Command::Ingest(args) => ingest::run(&ctx, args),
        Command::Query(args) => query::run(&ctx, args),
        Command::Facets(args) => facets::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Similar(args) => similar::run(&ctx, args),
        Command::Export(args) => export::run(&ctx, args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
        Command::EngineConfig(args) => engine_config::run(args),
        Command::Watch(cmd) => watch::run(&ctx, cmd),
        Command::Serve(args) => serve::run(&ctx, args),
    }
}

/// What every command gets from the global flags.
pub struct Context {
    /// Where the records live: the local index directory, or an engine.
    pub target: Target,
    pub color: crate::output::ColorChoice,
    pub quiet: bool,
}

impl Context {
    /// A user's synonym groups: `file` when given, else `synonyms.txt` where the index's
    /// saved searches live (the index directory), when it is there.
    pub fn user_synonyms(
        &self,
        file: Option<&Path>,
    ) -> Result<std::sync::Arc<crate::acronyms::Synonyms>> {
        let default = self.target.state_dir().join(crate::acronyms::SYNONYMS_FILE);
        let path = match file {
            Some(f) => f.to_path_buf(),
            None if default.is_file() => default,
            None => return Ok(Default::default()),
        };
        Ok(std::sync::Arc::new(crate::acronyms::Synonyms::load(&path)?))
    }

    /// Opens the engine; a missing local index at the default location is built from the
    /// shipped corpus when that is present, so a fresh clone answers its first query with one
    /// command. Anywhere else a missing index is an error naming the path: a mistyped
    /// `--index` must not quietly build a second index (without the saved searches).
    pub fn open_engine(&self) -> Result<AnyEngine> {
        match self.target.open() {
            Err(Error::NoIndex { dir })
                if dir == Path::new(DEFAULT_INDEX)
                    && Path::new(DEFAULT_CORPUS).is_dir()
                    && matches!(self.target, Target::Local(_)) =>
            {
                if !self.quiet {
                    eprintln!(
                        "litsearch: no index in the directory \"{}\" yet; building it from {DEFAULT_CORPUS}/ first",
                        dir.display()
                    );
                }
                let opts = IngestOptions {
                    wait: std::time::Duration::from_secs(30),
                    ..Default::default()
                };
                let mut observer = ingest::CliObserver::new(true, false);
                self.target
                    .sync(&[PathBuf::from(DEFAULT_CORPUS)], &opts, &mut observer)?;
                self.target.open()
            }
            other => other,
        }
    }

    /// The directory holding the saved searches and their lock (the local index directory, or
    /// the engine's directory inside it).
    pub fn state_dir(&self) -> &Path {
        self.target.state_dir()
    }
}

/// Paths from the command line, or the shipped corpus.
fn inputs_or_default(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(DEFAULT_CORPUS)]
    } else {
        paths
    }
}

/// Buffered stdout whose write errors name stdout (a closed pipe then ends quietly).
pub fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::with_capacity(64 * 1024, io::stdout().lock())
}

pub fn out_err(e: io::Error) -> Error {
    Error::io("stdout", e)
}

pub fn flush(mut out: impl Write) -> Result<()> {
    out.flush().map_err(out_err)
}

pub fn stderr_is_terminal() -> bool {
    io::stderr().is_terminal()
}
