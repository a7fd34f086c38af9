//! `litsearch man`: the man pages (roff), generated from the one clap definition: litsearch(1)
//! on stdout, or with `--dir` a page per command and subcommand (`litsearch-query.1`, …).

use clap::CommandFactory;

use super::{out_err, stdout};
use crate::cli::{Cli, ManArgs};
use crate::error::{exit, Error, Result};

pub fn run(args: ManArgs) -> Result<u8> {
    if let Some(dir) = args.dir {
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        clap_mangen::generate_to(Cli::command(), &dir).map_err(|e| Error::io(&dir, e))?;
        return Ok(exit::OK);
    }
    let mut out = stdout();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(out_err)?;
    super::flush(out)?;
    Ok(exit::OK)
}
