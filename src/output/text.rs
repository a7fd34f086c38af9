//! Human-readable results: numbered hits with title, date, tags, authors and a highlighted
//! snippet, then compact facet counts. Every record string passes through `sanitize`.

use std::io::{self, Write};

use super::sanitize::for_terminal;
use super::Style;
use crate::search::{FacetCounts, Hit, Marked, RelaxReport, SearchResults};

pub fn write_results<W: Write>(
    out: &mut W,
    style: Style,
    query: &str,
    results: &SearchResults,
    offset: usize,
) -> io::Result<()> {
    if results.hits.is_empty() {
        if results.total == 0 {
            let shown = if query.trim().is_empty() {
                "these filters".to_owned()
            } else {
                format!("\"{}\"", for_terminal(query))
            };
            writeln!(out, "No results for {shown}.")?;
        } else if offset < results.total {
            // `--limit 0`: the count and the facets, no hits.
            write_facets(out, style, &results.facets)?;
            let noun = if results.total == 1 {
                "result"
            } else {
                "results"
            };
            writeln!(
                out,
                "{}",
                style.dim(&format!(
                    "{} {noun} (none shown: --limit 0) in {:.1} ms",
                    results.total, results.took_ms
                ))
            )?;
        } else {
            writeln!(
                out,
                "No results on this page: {} match, --offset {offset} is past the end.",
                results.total
            )?;
        }
        return Ok(());
    }
    for (i, hit) in results.hits.iter().enumerate() {
        write_hit(out, style, offset + i + 1, hit)?;
        writeln!(out)?;
    }
    write_facets(out, style, &results.facets)?;
    let first = offset + 1;
    let last = offset + results.hits.len();
    let noun = if results.total == 1 {
        "result"
    } else {
        "results"
    };
    writeln!(
        out,
        "{}",
        style.dim(&format!(
            "{} {noun} (showing {first}–{last}) in {:.1} ms",
            results.total, results.took_ms
        ))
    )?;
    Ok(())
}

pub fn write_hit<W: Write>(out: &mut W, style: Style, number: usize, hit: &Hit) -> io::Result<()> {
    write_hit_lines(out, style, number, hit, &|m| marked(style, m))?;
    if let Some(explanation) = &hit.explanation {
        writeln!(out, "   score {:.4}:", hit.score)?;
        for line in explanation.lines() {
            writeln!(out, "     {}", for_terminal(line))?;
        }
    }
    Ok(())
}

/// The lines every printed hit has: numbered title, date · tags, authors, snippet, id.
/// `mark` renders highlighted text (colour on a terminal, `*…*` in an e-mail digest).
pub fn write_hit_lines<W: Write>(
    out: &mut W,
    style: Style,
    number: usize,
    hit: &Hit,
    mark: &dyn Fn(&Marked) -> String,
) -> io::Result<()> {
    let r = &hit.record;
    // A highlight ends with a reset of every attribute: the title's bold is taken up again
    // after each one, or it would stop at the first highlighted word.
    let title = mark(&hit.title);
    let title = if style.color {
        title.replace(RESET, &format!("{RESET}{BOLD}"))
    } else {
        title
    };
    writeln!(out, "{number}. {}", style.bold(&title))?;
    let mut meta = vec![for_terminal(&r.date)];
    if !r.tags.is_empty() {
        meta.push(for_terminal(&r.tags.join(", ")));
    }
    if r.featured {
        meta.push("featured".to_owned());
    }
    writeln!(out, "   {}", style.dim(&meta.join(" · ")))?;
    if !r.authors.is_empty() {
        writeln!(out, "   {}", for_terminal(&short_names(&r.authors, 4)))?;
    }
    if !hit.snippet.text.is_empty() {
        writeln!(out, "   {}", mark(&hit.snippet))?;
    }
    writeln!(out, "   {}", style.dim(&format!("id {}", r.id)))
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";

/// "A, B, C, D and 12 more".
pub fn short_names(names: &[String], shown: usize) -> String {
    if names.len() <= shown + 1 {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..shown].join(", "),
        names.len() - shown
    )
}

/// The text with highlights painted; the text itself sanitised piece by piece.
pub fn marked(style: Style, m: &Marked) -> String {
    let (open, close) = style.mark();
    let mut out = String::with_capacity(m.text.len() + 16);
    let mut at = 0;
    for &(s, e) in &m.highlights {
        out.push_str(&for_terminal(&m.text[at..s]));
        if style.color {
            out.push_str(open);
            out.push_str(&for_terminal(&m.text[s..e]));
            out.push_str(close);
        } else {
            out.push_str(&for_terminal(&m.text[s..e]));
        }
        at = e;
    }
    out.push_str(&for_terminal(&m.text[at..]));
    out
}

pub fn write_facets<W: Write>(out: &mut W, style: Style, facets: &FacetCounts) -> io::Result<()> {
    for counts in facets {
        if counts.values.is_empty() {
            continue;
        }
        let mut parts: Vec<String> = counts
            .values
            .iter()
            .map(|c| format!("{} ({})", for_terminal(&c.value), c.count))
            .collect();
        if counts.more {
            parts.push("…".to_owned());
        }
        let name = counts.field.name();
        let label = format!("{}{}:", name[..1].to_uppercase(), &name[1..]);
        writeln!(out, "{} {}", style.bold(&label), parts.join(" · "))?;
    }
    Ok(())
}

/// The stderr note for a relaxed search: exactly what was corrected and what was left out.
/// `None` when the query as written stands.
pub fn relaxation_note(report: &RelaxReport) -> Option<String> {
    report.relaxed?;
    let mut parts = Vec::new();
    if !report.corrections.is_empty() {
        let each: Vec<String> = report
            .corrections
            .iter()
            .map(|c| format!("{} → {}", c.word, c.to.join(" | ")))
            .collect();
        parts.push(format!("corrected {}", each.join(", ")));
    }
    if !report.dropped.is_empty() {
        parts.push(format!("left out {}", report.dropped.join(", ")));
    }
    Some(format!(
        "note: nothing matches the query as written; {} (--exact to turn this off)",
        parts.join("; ")
    ))
}
