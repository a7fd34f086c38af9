//! Delivering what `watch run` found, before anything is recorded: a report piped to a
//! command that must exit 0 (`--deliver`), or the Atom feeds written whole.

use std::io::Write;
use std::path::{Path, PathBuf};

use atom_syndication::Feed;

use super::feed::{feed_path, updated_feed, write_feed, FeedUpdate};
use super::WatchReport;
use crate::error::{Error, Result};

/// Runs `command` through `sh -c` with `report` on its stdin, and succeeds only if it exits 0:
/// unlike `watch run | mail`, whose status litsearch never sees, a failed delivery here leaves
/// nothing recorded.
pub fn deliver(command: &str, report: &[u8]) -> Result<()> {
    let failed = |source: std::io::Error| Error::NotDelivered {
        what: format!("the report to `{command}`"),
        source,
    };
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(failed)?;
    let written = match child.stdin.take() {
        // A command that exits without reading it all fails the delivery (through its status,
        // or here as a closed pipe).
        Some(mut stdin) => stdin.write_all(report).and_then(|()| stdin.flush()),
        None => Ok(()),
    };
    let status = child.wait().map_err(failed)?;
    if !status.success() {
        let how = match status.code() {
            Some(code) => format!("exited with status {code}"),
            None => "was killed by a signal".to_owned(),
        };
        return Err(failed(std::io::Error::other(how)));
    }
    written.map_err(failed)
}

/// Each report's feed file in `dir`, updated with its new papers (nothing written yet).
pub fn updated_feeds(
    dir: &Path,
    reports: &[WatchReport],
    feed_size: usize,
    now: i64,
    base_url: Option<&str>,
) -> Result<Vec<(PathBuf, Feed, FeedUpdate)>> {
    let mut feeds = Vec::with_capacity(reports.len());
    for report in reports {
        let feed_file = feed_path(dir, &report.name);
        let (feed, update) = updated_feed(&feed_file, report, feed_size, now, base_url)?;
        feeds.push((feed_file, feed, update));
    }
    Ok(feeds)
}

/// Writes a feed whole; a failure is a delivery that did not happen.
pub fn deliver_feed(feed_file: &Path, feed: &Feed) -> Result<()> {
    write_feed(feed_file, feed).map_err(|e| match e {
        Error::Io { path, source } => Error::NotDelivered {
            what: path.display().to_string(),
            source,
        },
        other => other,
    })
}
