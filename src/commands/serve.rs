//! `litsearch serve`: open the engine (building a fresh clone's index first, as every command
//! does), then hand it to the server until a signal stops it.

use std::time::Duration;

use super::Context;
use crate::cli::ServeArgs;
use crate::error::{exit, Error, Result};
use crate::serve::{run as serve, ServeOptions};

pub fn run(ctx: &Context, args: ServeArgs) -> Result<u8> {
    if !(args.timeout.is_finite() && args.timeout > 0.0) {
        return Err(Error::Usage(format!(
            "--timeout: expected a positive number of seconds, found {}",
            args.timeout
        )));
    }
    let engine = ctx.open_engine()?;
    let opts = ServeOptions {
        bind: args.bind,
        max_concurrent: args.max_concurrent,
        timeout: Duration::from_secs_f64(args.timeout),
        quiet: ctx.quiet,
    };
    serve(ctx.target.clone(), engine, &opts)?;
    Ok(exit::OK)
}
