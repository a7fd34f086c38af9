//! `litsearch similar`: the papers most like a given one, each with a score and a reason.

use std::io::Write;

use super::{out_err, stdout, Context};
use crate::cli::SimilarArgs;
use crate::error::{exit, Result};
use crate::output::{paper, Style};
use crate::search::similar::similar;

/// More related papers than this are not worth listing at once.
const MAX_LIMIT: usize = 1_000;

pub fn run(ctx: &Context, args: SimilarArgs) -> Result<u8> {
    let engine = ctx.open_engine()?;
    let results = similar(&engine, &args.paper.join(" "), args.limit.min(MAX_LIMIT))?;
    let mut out = stdout();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &paper::SimilarJson::new(&results))
            .map_err(|e| out_err(e.into()))?;
        out.write_all(b"\n").map_err(out_err)?;
    } else {
        paper::write_similar(&mut out, Style::resolve(ctx.color), &results).map_err(out_err)?;
    }
    super::flush(out)?;
    Ok(if results.hits.is_empty() {
        exit::NOTHING_OR_WARNINGS
    } else {
        exit::OK
    })
}
