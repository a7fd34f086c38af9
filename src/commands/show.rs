//! `litsearch show`: one paper in full, found by id or (forgiving) title.

use std::io::Write;

use super::{out_err, stdout, Context};
use crate::cli::ShowArgs;
use crate::error::{exit, Result};
use crate::output::{paper, Style};
use crate::search::lookup::find_paper;

pub fn run(ctx: &Context, args: ShowArgs) -> Result<u8> {
    let engine = ctx.open_engine()?;
    let found = find_paper(&engine, &args.paper.join(" "))?;
    let mut out = stdout();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &found.record).map_err(|e| out_err(e.into()))?;
        out.write_all(b"\n").map_err(out_err)?;
    } else {
        paper::write_record(&mut out, Style::resolve(ctx.color), &found).map_err(out_err)?;
    }
    super::flush(out)?;
    Ok(exit::OK)
}
