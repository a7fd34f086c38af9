//! `litsearch man`: the man page (roff), generated from the one clap definition.

use clap::CommandFactory;

use super::{out_err, stdout};
use crate::cli::Cli;
use crate::error::{exit, Result};

pub fn run() -> Result<u8> {
    let mut out = stdout();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(out_err)?;
    super::flush(out)?;
    Ok(exit::OK)
}
