//! `litsearch facets`: every value of a field with its count over the whole index.

use std::io::Write;

use super::query::parse_facets;
use super::{out_err, stdout, Context};
use crate::cli::FacetsArgs;
use crate::engine::Engine;
use crate::error::{exit, Result};
use crate::output::{json::facets_json, sanitize::for_terminal, Style};
use crate::search::FacetField;

pub fn run(ctx: &Context, args: FacetsArgs) -> Result<u8> {
    let fields = match &args.field {
        Some(f) => parse_facets(f)?,
        None => FacetField::ALL.to_vec(),
    };
    let engine = ctx.open_engine()?;
    let counts = engine.facet_values(&fields)?;
    let mut out = stdout();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &facets_json(&counts))
            .map_err(|e| out_err(e.into()))?;
        out.write_all(b"\n").map_err(out_err)?;
    } else {
        let style = Style::resolve(ctx.color);
        for (i, field) in counts.iter().enumerate() {
            if i > 0 {
                writeln!(out).map_err(out_err)?;
            }
            writeln!(out, "{}", style.bold(field.field.name())).map_err(out_err)?;
            for v in &field.values {
                writeln!(out, "{:>6}  {}", v.count, for_terminal(&v.value)).map_err(out_err)?;
            }
        }
    }
    super::flush(out)?;
    Ok(if counts.iter().any(|f| !f.values.is_empty()) {
        exit::OK
    } else {
        exit::NOTHING_OR_WARNINGS
    })
}
