//! Printers of `watch run` reports: a digest fit for an e-mail (text), JSON and NDJSON whose
//! hits are `query`'s hits plus the name of the search that found them.

use std::io::{self, Write};

use serde::Serialize;

use super::json::HitJson;
use super::sanitize::for_terminal;
use super::text::{marked, write_hit_lines};
use super::Style;
use crate::search::{Filters, Hit, Marked};
use crate::watch::{Change, WatchReport};

/// How `watch run` delivers what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WatchFormat {
    Text,
    Json,
    #[value(alias = "jsonl")]
    Ndjson,
    Atom,
}

/// Filters as the flags that would give them: `--tag "Red-Teaming" --since 2025-01-01`.
pub fn filters_as_flags(f: &Filters) -> String {
    let quote = |s: &str| {
        if s.is_empty() || s.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
            format!("{s:?}")
        } else {
            s.to_owned()
        }
    };
    let mut parts = Vec::new();
    for (flag, values) in [
        ("--tag", &f.tags),
        ("--author", &f.authors),
        ("--fellow", &f.fellows),
    ] {
        for v in values {
            parts.push(format!("{flag} {}", quote(v)));
        }
    }
    if let Some(d) = &f.since {
        parts.push(format!("--since {d}"));
    }
    if let Some(d) = &f.until {
        parts.push(format!("--until {d}"));
    }
    for y in &f.years {
        parts.push(format!("--year {y}"));
    }
    if f.featured {
        parts.push("--featured".to_owned());
    }
    if let Some(t) = f.added_since {
        parts.push(format!(
            "--added-since {}",
            crate::clock::unix_to_rfc3339(t)
        ));
    }
    parts.join(" ")
}

/// A saved search as one line: `query --tag X` (or just the filters).
pub fn describe(query: &str, filters: &Filters) -> String {
    let flags = filters_as_flags(filters);
    match (query.trim().is_empty(), flags.is_empty()) {
        (false, false) => format!("{query} {flags}"),
        (false, true) => query.to_owned(),
        (true, _) => flags,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    super::plural(n as u64, one, many)
}

/// The text digest: per search with something to report, a heading with its name and query,
/// then each paper. Writes nothing at all when nothing is reported (so `mail -E` sends nothing).
pub fn write_digest<W: Write>(
    out: &mut W,
    style: Style,
    reports: &[WatchReport],
) -> io::Result<()> {
    let with_hits: Vec<&WatchReport> = reports.iter().filter(|r| !r.hits.is_empty()).collect();
    if with_hits.is_empty() {
        return Ok(());
    }
    let new: usize = with_hits.iter().map(|r| r.count(Change::New)).sum();
    let updated: usize = with_hits.iter().map(|r| r.count(Change::Updated)).sum();
    let mut summary = plural(new, "new paper", "new papers");
    if updated > 0 {
        summary.push_str(&format!(", {updated} updated"));
    }
    writeln!(
        out,
        "{summary} for {}.",
        plural(with_hits.len(), "saved search", "saved searches")
    )?;
    for report in with_hits {
        writeln!(out)?;
        let heading = format!(
            "== {}: {} ==",
            for_terminal(&report.name),
            for_terminal(&describe(&report.query, &report.filters))
        );
        writeln!(out, "{}", style.bold(&heading))?;
        writeln!(out)?;
        let mut number = 0;
        for change in [Change::New, Change::Updated] {
            let hits: Vec<_> = report.hits.iter().filter(|r| r.change == change).collect();
            if hits.is_empty() {
                continue;
            }
            if change == Change::Updated {
                writeln!(out, "{}", style.bold("Changed since reported:"))?;
                writeln!(out)?;
            }
            for r in hits {
                number += 1;
                write_paper(out, style, number, &r.hit)?;
                writeln!(out)?;
            }
        }
    }
    Ok(())
}

/// One paper of the digest: title, date and tags, authors, snippet, id, link when known. Matched terms are
/// coloured on a terminal and wrapped in `*…*` elsewhere (an e-mail has no colour).
fn write_paper<W: Write>(out: &mut W, style: Style, number: usize, hit: &Hit) -> io::Result<()> {
    let mark = |m: &Marked| {
        if style.color {
            marked(style, m)
        } else {
            marked_plain(m)
        }
    };
    write_hit_lines(out, style, number, hit, &mark)?;
    if let Some(link) = hit.record.link() {
        writeln!(out, "   {}", for_terminal(&link))?;
    }
    Ok(())
}

/// `*match*` around highlights, every piece sanitised.
fn marked_plain(m: &Marked) -> String {
    let mut out = String::with_capacity(m.text.len() + 8);
    let mut at = 0;
    for &(s, e) in &m.highlights {
        out.push_str(&for_terminal(&m.text[at..s]));
        out.push('*');
        out.push_str(&for_terminal(&m.text[s..e]));
        out.push('*');
        at = e;
    }
    out.push_str(&for_terminal(&m.text[at..]));
    out
}

/// A hit of `watch run --format json|ndjson`: `query`'s hit keys, `watch` (the saved search's
/// name) and `change` (`"new"` or `"updated"`).
#[derive(Debug, Serialize)]
pub struct WatchHitJson<'a> {
    #[serde(flatten)]
    pub hit: HitJson<'a>,
    pub change: Change,
}

/// One saved search in `watch run --format json`.
#[derive(Debug, Serialize)]
pub struct SearchJson<'a> {
    pub name: &'a str,
    pub query: &'a str,
    pub filters: &'a Filters,
    pub new: usize,
    pub updated: usize,
}

/// `watch run --format json`: `{searches, hits}`, every hit naming its search.
#[derive(Debug, Serialize)]
pub struct WatchRunJson<'a> {
    pub searches: Vec<SearchJson<'a>>,
    pub hits: Vec<WatchHitJson<'a>>,
}

fn hits_json(reports: &[WatchReport]) -> Vec<WatchHitJson<'_>> {
    reports
        .iter()
        .flat_map(|report| {
            report.hits.iter().map(move |r| {
                let mut hit = HitJson::new(&r.hit);
                hit.watch = Some(&report.name);
                WatchHitJson {
                    hit,
                    change: r.change,
                }
            })
        })
        .collect()
}

pub fn write_json<W: Write>(out: &mut W, reports: &[WatchReport]) -> io::Result<()> {
    let doc = WatchRunJson {
        searches: reports
            .iter()
            .map(|r| SearchJson {
                name: &r.name,
                query: &r.query,
                filters: &r.filters,
                new: r.count(Change::New),
                updated: r.count(Change::Updated),
            })
            .collect(),
        hits: hits_json(reports),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

/// One hit per line; nothing at all when nothing is reported.
pub fn write_ndjson<W: Write>(out: &mut W, reports: &[WatchReport]) -> io::Result<()> {
    for hit in hits_json(reports) {
        serde_json::to_writer(&mut *out, &hit)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
