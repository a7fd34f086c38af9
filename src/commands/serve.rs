//! `litsearch serve`: open the engine (building a fresh clone's index first, as every command
//! does), then hand it to the server until a signal stops it.

use std::time::Duration;

use super::Context;
use crate::cli::ServeArgs;
use crate::error::{exit, Error, Result};
use crate::serve::cache::MAX_ENTRIES;
use crate::serve::{run as serve, ServeOptions};

pub fn run(ctx: &Context, args: ServeArgs) -> Result<u8> {
    for (flag, seconds) in [
        ("--timeout", args.timeout),
        ("--header-timeout", args.header_timeout),
    ] {
        // A day at most: Duration::from_secs_f64 panics on what does not fit.
        if !(seconds.is_finite() && seconds > 0.0 && seconds <= 86_400.0) {
            return Err(Error::Usage(format!(
                "{flag}: expected a positive number of seconds (at most 86400), found {seconds}"
            )));
        }
    }
    if args.cache > MAX_ENTRIES {
        return Err(Error::Usage(format!(
            "--cache: expected at most {MAX_ENTRIES} answers, found {}",
            args.cache
        )));
    }
    let engine = ctx.open_engine()?;
    let opts = ServeOptions {
        bind: match args.port {
            Some(port) => std::net::SocketAddr::new(args.bind.ip(), port),
            None => args.bind,
        },
        max_concurrent: args.max_concurrent,
        timeout: Duration::from_secs_f64(args.timeout),
        header_timeout: Duration::from_secs_f64(args.header_timeout),
        quiet: ctx.quiet,
        cache_entries: args.cache,
        synonyms: ctx.user_synonyms(None)?,
    };
    serve(ctx.target.clone(), engine, &opts)?;
    Ok(exit::OK)
}
