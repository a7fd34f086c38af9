//! `litsearch completions SHELL`: a completion script generated from the one clap definition.

use std::io::Write;

use clap::CommandFactory;

use super::{out_err, stdout};
use crate::cli::{Cli, CompletionsArgs};
use crate::error::{exit, Result};

pub fn run(args: CompletionsArgs) -> Result<u8> {
    // clap_complete panics on a failed write; generating into memory first keeps a closed
    // pipe (`litsearch completions bash | head`) a quiet exit.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "litsearch", &mut script);
    let mut out = stdout();
    out.write_all(&script).map_err(out_err)?;
    super::flush(out)?;
    Ok(exit::OK)
}
