//! `litsearch watch add|list|show|rm|run`: saved searches that report new papers.
//! Glue only: state in `watch::state`, running in `watch::run`, delivery in `watch::deliver`,
//! printers in `output::digest`.

use std::io::Write;
use std::time::Duration;

use serde::Serialize;

use super::query::filters_from_args;
use super::{out_err, stdout, Context};
use crate::cli::{WatchAddArgs, WatchCommand, WatchListArgs, WatchNameArgs, WatchRunArgs};
use crate::clock::now_unix;
use crate::engine::{AnyEngine, Engine};
use crate::error::{exit, Error, Result};
use crate::lock::DirLock;
use crate::output::digest::{self, WatchFormat};
use crate::output::{plural, Style};
use crate::search::{parse_query, search, unmatched_filters, SearchRequest};
use crate::watch::deliver::{deliver, deliver_feed, updated_feeds};
use crate::watch::state::{WatchJson, WATCH_LOCK};
use crate::watch::{
    check_name, new_watch, record, run_watch, state_path, RunOptions, Watch, WatchFile,
};

/// How long `watch add` and `watch rm` wait for a running `watch run`.
const EDIT_WAIT: Duration = Duration::from_secs(10);

pub fn run(ctx: &Context, cmd: WatchCommand) -> Result<u8> {
    match cmd {
        WatchCommand::Add(args) => add(ctx, args),
        WatchCommand::List(args) => list(ctx, args),
        WatchCommand::Show(args) => show(ctx, args),
        WatchCommand::Rm(args) => rm(ctx, args),
        WatchCommand::Run(args) => run_watches(ctx, args),
    }
}

fn lock(ctx: &Context, wait: Duration) -> Result<DirLock> {
    std::fs::create_dir_all(ctx.state_dir()).map_err(|e| Error::io(ctx.state_dir(), e))?;
    DirLock::acquire(ctx.state_dir(), WATCH_LOCK, "watch", wait)
}

fn print_json(value: &impl Serialize) -> Result<()> {
    let mut out = stdout();
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| out_err(e.into()))?;
    out.write_all(b"\n").map_err(out_err)?;
    super::flush(out)
}

fn add(ctx: &Context, args: WatchAddArgs) -> Result<u8> {
    check_name(&args.name).map_err(Error::Usage)?;
    if args.filters.added_since.is_some() {
        return Err(Error::Usage(
            "--added-since has no place in a saved search: each run reports what was added since the last".to_owned(),
        ));
    }
    let query = args.query.join(" ");
    let filters = filters_from_args(&args.filters)?;
    parse_query(&query)?;
    if query.trim().is_empty() && filters.is_empty() {
        return Err(Error::Usage(
            "nothing to watch: give a query, or filters such as --tag".to_owned(),
        ));
    }
    let engine = ctx.open_engine()?;
    let _lock = lock(ctx, EDIT_WAIT)?;
    let path = state_path(ctx.state_dir());
    let mut file = WatchFile::load(&path)?;
    if file.get(&args.name).is_some() && !args.replace {
        return Err(Error::Usage(format!(
            "a saved search named \"{}\" exists: pass --replace to replace it, or choose another name",
            args.name
        )));
    }
    let (watch, n) = new_watch(&engine, &args.name, &query, filters, args.backfill)?;
    if n == 0 && !args.allow_empty {
        return Err(Error::Usage(format!(
            "\"{}\" matches no paper today{}; check it for typos, or pass --allow-empty to save it anyway",
            watch.name,
            matches_nothing_hint(&engine, &watch)?
        )));
    }
    file.put(watch.clone());
    file.save(&path)?;
    if n == 0 && !ctx.quiet {
        eprintln!(
            "litsearch: warning: \"{}\" matches no paper today{}; it reports papers only once some match",
            watch.name,
            matches_nothing_hint(&engine, &watch)?
        );
    }
    if args.json {
        print_json(&WatchJson::new(&watch, false))?;
    } else if !ctx.quiet {
        let (papers, them, they) = if n == 1 {
            ("paper matches", "it", "it counts")
        } else {
            ("papers match", "them", "they count")
        };
        let fate = if args.backfill {
            format!("the next run reports {them}")
        } else {
            format!("{they} as reported (--backfill reports {them} at the next run)")
        };
        println!(
            "saved \"{}\": {}; {n} {papers} now, {fate}",
            watch.name,
            digest::describe(&watch.query, &watch.filters)
        );
    }
    Ok(exit::OK)
}

/// A saved search that matches nothing today may be misspelt, and then would never fire: what
/// `query` would have corrected and the filter values nearest to those given, as ` (…)`.
fn matches_nothing_hint(engine: &AnyEngine, watch: &Watch) -> Result<String> {
    let relaxed = search(
        engine,
        &SearchRequest {
            query: watch.query.clone(),
            filters: watch.filters.clone(),
            limit: 0,
            facets: Vec::new(),
            ..SearchRequest::default()
        },
    )?;
    let mut hints: Vec<String> = relaxed
        .relaxed
        .corrections
        .iter()
        .map(|c| format!("{} → {}", c.word, c.to.join(" | ")))
        .collect();
    hints.extend(
        unmatched_filters(engine, &watch.filters)?
            .iter()
            .map(|u| u.to_string()),
    );
    Ok(if hints.is_empty() {
        String::new()
    } else {
        format!(" ({})", hints.join("; "))
    })
}

fn list(ctx: &Context, args: WatchListArgs) -> Result<u8> {
    let file = WatchFile::load(&state_path(ctx.state_dir()))?;
    if args.json {
        let all: Vec<WatchJson> = file
            .watches
            .iter()
            .map(|w| WatchJson::new(w, false))
            .collect();
        print_json(&all)?;
        return Ok(exit::OK);
    }
    if file.watches.is_empty() {
        if !ctx.quiet {
            eprintln!("no saved searches; add one with `litsearch watch add NAME QUERY`");
        }
        return Ok(exit::OK);
    }
    let width = file.watches.iter().map(|w| w.name.len()).max().unwrap_or(0);
    let mut out = stdout();
    for w in &file.watches {
        writeln!(
            out,
            "{:width$}  {}  ({} reported, last run {})",
            w.name,
            crate::output::sanitize::for_terminal(&digest::describe(&w.query, &w.filters)),
            w.reported.len(),
            w.last_run.as_deref().unwrap_or("never"),
        )
        .map_err(out_err)?;
    }
    super::flush(out)?;
    Ok(exit::OK)
}

fn show(ctx: &Context, args: WatchNameArgs) -> Result<u8> {
    let file = WatchFile::load(&state_path(ctx.state_dir()))?;
    let w = file
        .get(&args.name)
        .ok_or_else(|| file.unknown(&args.name))?;
    if args.json {
        print_json(&WatchJson::new(w, true))?;
        return Ok(exit::OK);
    }
    let mut out = stdout();
    let flags = digest::filters_as_flags(&w.filters);
    let sanitize = crate::output::sanitize::for_terminal;
    let lines = [
        ("name", w.name.clone()),
        ("query", sanitize(&w.query)),
        (
            "filters",
            if flags.is_empty() {
                "none".to_owned()
            } else {
                sanitize(&flags)
            },
        ),
        ("created", w.created.clone()),
        (
            "last run",
            w.last_run.clone().unwrap_or_else(|| "never".to_owned()),
        ),
        ("reported", w.reported.len().to_string()),
    ];
    for (label, value) in lines {
        writeln!(out, "{:9} {value}", format!("{label}:")).map_err(out_err)?;
    }
    super::flush(out)?;
    Ok(exit::OK)
}

fn rm(ctx: &Context, args: WatchNameArgs) -> Result<u8> {
    let _lock = lock(ctx, EDIT_WAIT)?;
    let path = state_path(ctx.state_dir());
    let mut file = WatchFile::load(&path)?;
    let removed = file
        .remove(&args.name)
        .ok_or_else(|| file.unknown(&args.name))?;
    file.save(&path)?;
    if args.json {
        print_json(&serde_json::json!({ "removed": removed.name }))?;
    } else if !ctx.quiet {
        println!(
            "removed \"{}\" (it had reported {})",
            removed.name,
            plural(removed.reported.len() as u64, "paper", "papers")
        );
    }
    Ok(exit::OK)
}

fn run_watches(ctx: &Context, args: WatchRunArgs) -> Result<u8> {
    if !args.wait.is_finite() || args.wait < 0.0 {
        return Err(Error::Usage(format!(
            "--wait: expected seconds ≥ 0, found {}",
            args.wait
        )));
    }
    let feed_dir = match (args.format, &args.output) {
        (WatchFormat::Atom, Some(dir)) => Some(dir.clone()),
        (WatchFormat::Atom, None) => {
            return Err(Error::Usage(
                "--format atom needs --output DIR for the feed files".to_owned(),
            ))
        }
        (_, Some(_)) => {
            return Err(Error::Usage(
                "--output is for --format atom; other formats go to stdout".to_owned(),
            ))
        }
        (_, None) => None,
    };
    if let Some(url) = &args.base_url {
        if feed_dir.is_none() {
            return Err(Error::Usage(
                "--base-url is for --format atom: it links the feed's entries to the served pages"
                    .to_owned(),
            ));
        }
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::Usage(format!(
                "--base-url: expected an http:// or https:// URL, found \"{url}\""
            )));
        }
    }
    if args.feed_size == 0 {
        return Err(Error::Usage("--feed-size: expected at least 1".to_owned()));
    }
    let engine = ctx.open_engine()?;
    let _lock = lock(ctx, Duration::from_secs_f64(args.wait.min(86_400.0)))?;
    let path = state_path(ctx.state_dir());
    let mut file = WatchFile::load(&path)?;
    let mut names: Vec<String> = Vec::new();
    for name in &args.names {
        if file.get(name).is_none() {
            return Err(file.unknown(name));
        }
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    if args.names.is_empty() {
        names = file.watches.iter().map(|w| w.name.clone()).collect();
    }
    if names.is_empty() {
        if !ctx.quiet {
            eprintln!(
                "litsearch: no saved searches; add one with `litsearch watch add NAME QUERY`"
            );
        }
        return Ok(exit::NOTHING_OR_WARNINGS);
    }
    let newest = engine.newest_first_seen()?;
    let now = now_unix();
    let opts = RunOptions {
        include_updated: args.include_updated,
    };
    // Each feed directory keeps its own record of what it reported; the e-mail (stdout or
    // --deliver) keeps the search's own.
    let output_key = feed_dir
        .as_ref()
        .map(|dir| {
            std::path::absolute(dir)
                .map(|abs| format!("atom:{}", abs.display()))
                .map_err(|e| Error::io(dir, e))
        })
        .transpose()?;
    let mut reports = Vec::with_capacity(names.len());
    for name in &names {
        let watch = file.get(name).ok_or_else(|| file.unknown(name))?;
        reports.push(run_watch(
            &engine,
            &watch.for_output(output_key.as_deref()),
            opts,
        )?);
    }
    let anything = reports.iter().any(|r| !r.hits.is_empty());

    // Deliver everything first; only then record (at least once, never skipped).
    match feed_dir {
        Some(dir) => {
            let feeds = updated_feeds(
                &dir,
                &reports,
                args.feed_size,
                now,
                args.base_url.as_deref(),
            )?;
            if !args.dry_run {
                std::fs::create_dir_all(&dir).map_err(|e| Error::NotDelivered {
                    what: dir.display().to_string(),
                    source: e,
                })?;
            }
            for (feed_file, feed, update) in &feeds {
                if !args.dry_run {
                    deliver_feed(feed_file, feed)?;
                }
                if !ctx.quiet {
                    let verb = if args.dry_run { "would add" } else { "added" };
                    eprintln!(
                        "{}: {verb} {} to {} ({})",
                        feed_file.file_stem().unwrap_or_default().to_string_lossy(),
                        update.added,
                        feed_file.display(),
                        plural(update.entries as u64, "entry", "entries")
                    );
                }
            }
        }
        None => {
            let mut buf = Vec::new();
            match args.format {
                WatchFormat::Json => digest::write_json(&mut buf, &reports),
                WatchFormat::Ndjson => digest::write_ndjson(&mut buf, &reports),
                _ => {
                    // A delivered digest goes to a mailer, never to a terminal: no colour.
                    let style = if args.deliver.is_some() {
                        Style::plain()
                    } else {
                        Style::resolve(ctx.color)
                    };
                    digest::write_digest(&mut buf, style, &reports)
                }
            }
            .map_err(out_err)?;
            match &args.deliver {
                // Nothing new, nothing to deliver (as `mail -E` sends nothing for an empty one).
                Some(_) if !anything => {}
                Some(command) if !args.dry_run => deliver(command, &buf)?,
                _ => {
                    let mut out = std::io::stdout().lock();
                    out.write_all(&buf)
                        .and_then(|()| out.flush())
                        .map_err(|source| Error::NotDelivered {
                            what: "the report to stdout".to_owned(),
                            source,
                        })?;
                }
            }
        }
    }
    if args.dry_run {
        if !ctx.quiet {
            eprintln!("litsearch: dry run, nothing recorded");
        }
    } else {
        for report in &reports {
            if let Some(watch) = file.get_mut(&report.name) {
                let mut seen = watch.for_output(output_key.as_deref());
                record(&mut seen, report, newest, now);
                watch.keep_output(output_key.as_deref(), seen);
            }
        }
        file.save(&path)?;
    }
    Ok(if anything {
        exit::OK
    } else {
        exit::NOTHING_OR_WARNINGS
    })
}
