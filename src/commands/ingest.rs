//! `litsearch ingest`: sync the index with exports, report a one-line summary.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{inputs_or_default, out_err, stdout, Context};
use crate::cli::IngestArgs;
use crate::diagnostic::Diagnostic;
use crate::engine::{IngestObserver, IngestOptions, SyncSummary};
use crate::error::{exit, Error, Result};
use crate::output::plural;

/// Prints diagnostics to stderr and, on a terminal, a progress bar.
pub struct CliObserver {
    bar: Option<ProgressBar>,
    /// Print nothing but errors (cron).
    quiet: bool,
    show_progress: bool,
    /// List the files a walk skipped.
    verbose: bool,
}

impl CliObserver {
    pub fn new(quiet: bool, progress: bool) -> Self {
        CliObserver {
            bar: None,
            quiet,
            show_progress: progress,
            verbose: false,
        }
    }

    /// Also lists the files a walk skipped (`--verbose`).
    pub fn verbose(self, verbose: bool) -> Self {
        CliObserver { verbose, ..self }
    }
}

impl IngestObserver for CliObserver {
    fn diagnostic(&mut self, d: &Diagnostic) {
        if self.quiet {
            return;
        }
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{d}")),
            None => eprintln!("{d}"),
        }
    }

    fn skipped(&mut self, note: &Diagnostic) {
        if self.verbose {
            self.diagnostic(note);
        }
    }

    fn start(&mut self, total: Option<u64>) {
        if self.quiet || !self.show_progress || !super::stderr_is_terminal() {
            return;
        }
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        // A stream or a compressed file has no length to go by: bytes read so far, no bar.
        let template = match total {
            Some(_) => "{spinner} reading exports {bar:30} {bytes}/{total_bytes} ({eta})",
            None => "{spinner} reading exports {bytes}",
        };
        bar.set_style(
            ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        self.bar = Some(bar);
    }

    fn progress(&mut self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

pub fn summary_line(s: &SyncSummary) -> String {
    // `moved` only when something moved: same content, new file:line (positions refreshed).
    let moved = if s.moved > 0 {
        format!("moved {}, ", s.moved)
    } else {
        String::new()
    };
    let mut line = format!(
        "added {}, updated {}, removed {}, {moved}unchanged {} ({:.2} s)",
        s.added, s.updated, s.removed, s.unchanged, s.seconds
    );
    // Entries as the `--json` summary counts them: the skipped ones included, so that records
    // + merged + skipped adds up to them.
    let mut extra = vec![format!(
        "{} indexed from {}",
        plural(s.records, "record", "records"),
        plural(s.entries, "entry", "entries")
    )];
    if s.merged > 0 {
        extra.push(format!("{} merged", s.merged));
    }
    if s.skipped > 0 {
        extra.push(format!("{} skipped", s.skipped));
    }
    if s.warnings > 0 {
        let noun = if s.warnings == 1 {
            "warning"
        } else {
            "warnings"
        };
        extra.push(format!("{} {noun}", s.warnings));
    }
    if s.rebuilt {
        extra.push("rebuilt".to_owned());
    }
    line.push_str(&format!("; {}", extra.join(", ")));
    line
}

pub fn run(ctx: &Context, args: IngestArgs) -> Result<u8> {
    if !(0.0..=100.0).contains(&args.max_remove) {
        return Err(Error::Usage(format!(
            "--max-remove: expected a percentage from 0 to 100, found {}",
            args.max_remove
        )));
    }
    if !args.wait.is_finite() || args.wait < 0.0 {
        return Err(Error::Usage(format!(
            "--wait: expected seconds ≥ 0, found {}",
            args.wait
        )));
    }
    let opts = IngestOptions {
        rebuild: args.rebuild,
        keep_missing: args.keep_missing,
        max_remove_pct: args.max_remove,
        force: args.force,
        wait: Duration::from_secs_f64(args.wait.min(86_400.0)),
        strict: args.strict,
        shards: args.shards,
        replicas: args.replicas,
        choice: args.input.choice(),
        ..IngestOptions::default()
    };
    let mut observer = CliObserver::new(ctx.quiet, true).verbose(args.input.verbose);
    let summary = ctx
        .target
        .sync(&inputs_or_default(args.paths), &opts, &mut observer)?;
    if args.json {
        let mut out = stdout();
        serde_json::to_writer(&mut out, &summary).map_err(|e| out_err(e.into()))?;
        std::io::Write::write_all(&mut out, b"\n").map_err(out_err)?;
        super::flush(out)?;
    } else if !ctx.quiet {
        println!("{}", summary_line(&summary));
    }
    Ok(if summary.warnings > 0 {
        exit::NOTHING_OR_WARNINGS
    } else {
        exit::OK
    })
}
