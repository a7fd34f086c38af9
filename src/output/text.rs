//! Human-readable results: numbered hits with title, date, tags, authors and a highlighted
//! snippet, then compact facet counts. Every record string passes through `sanitize`.

use std::io::{self, Write};

use super::sanitize::for_terminal;
use super::{wrapped, Style};
use crate::search::{Explanation, FacetCounts, Hit, Marked, MatchKind, RelaxReport, SearchResults};

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
                quoted(&for_terminal(query))
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
                "No results on this page: {}, --offset {offset} is past the end.",
                super::plural(results.total as u64, "paper matches", "papers match")
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
        write_explanation(out, style, hit.score, explanation)?;
    }
    Ok(())
}

/// `--explain`: the score as a sum, one aligned line per matched term (largest first) with its
/// field, the word as typed, the term it matched and its weight. The engine's raw tree is
/// left to `--json`.
///
/// ```text
///    score 6.704 =
///        3.712  title     sparse      → spars       weight 3
///      + 2.011  abstract  sparse      → spars       weight 1
///      + 0.981  abstract  sycophnacy  → sycophancy  weight 0.7 (typo)
/// ```
fn write_explanation<W: Write>(
    out: &mut W,
    style: Style,
    score: f32,
    explanation: &Explanation,
) -> io::Result<()> {
    let rest = explanation.rest(score);
    if explanation.parts.is_empty() {
        let why = if rest == 0.0 {
            "no word of the query scored"
        } else {
            "every match scores alike"
        };
        return writeln!(
            out,
            "   {}",
            style.dim(&format!("score {score:.3} ({why})"))
        );
    }
    writeln!(out, "   {}", style.dim(&format!("score {score:.3} =")))?;
    let rows: Vec<[String; 5]> = explanation
        .parts
        .iter()
        .map(|p| {
            let kind = match p.kind {
                MatchKind::Word => "",
                MatchKind::Phrase => " (phrase)",
                MatchKind::Prefix => " (prefix)",
                MatchKind::Typo => " (typo)",
            };
            [
                format!("{:.3}", p.score),
                p.field.name().to_owned(),
                for_terminal(&p.typed),
                format!("→ {}", for_terminal(&p.term)),
                format!("weight {}{kind}", short_number(p.weight)),
            ]
        })
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let widths = [width(0), width(1), width(2), width(3)];
    for (n, row) in rows.iter().enumerate() {
        let sign = if n == 0 { ' ' } else { '+' };
        let line = format!(
            "{:>w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
        );
        writeln!(out, "     {sign} {}", line.trim_end())?;
    }
    if rest != 0.0 {
        let sign = if rest < 0.0 { '-' } else { '+' };
        writeln!(
            out,
            "     {sign} {:>w0$}  {}",
            format!("{:.3}", rest.abs()),
            style.dim("(the rest of the query: clauses that score every match alike)"),
            w0 = widths[0],
        )?;
    }
    Ok(())
}

/// A weight as people write it: `3`, `0.7`, `1.4` (no float noise).
fn short_number(x: f32) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
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
    let head = format!("{number}. ");
    let indent = " ".repeat(head.len().max(3));
    let w = style.width;
    writeln!(out, "{}", wrapped(&style.bold(&title), &head, &indent, w))?;
    let mut meta = vec![for_terminal(&r.date)];
    if !r.tags.is_empty() {
        meta.push(for_terminal(&r.tags.join(", ")));
    }
    if r.featured {
        meta.push("featured".to_owned());
    }
    writeln!(
        out,
        "{}",
        wrapped(&style.dim(&meta.join(" · ")), "   ", "   ", w)
    )?;
    if !r.authors.is_empty() {
        let names = names_line(&r.authors, &hit.matched_authors, 4, mark);
        writeln!(out, "{}", wrapped(&names, "   ", "     ", w))?;
    }
    if !r.fellows.is_empty() {
        let names = names_line(&r.fellows, &hit.matched_fellows, 4, mark);
        let line = format!("{} {names}", style.dim("fellows:"));
        writeln!(out, "{}", wrapped(&line, "   ", "     ", w))?;
    }
    if !hit.snippet.text.is_empty() {
        writeln!(out, "{}", wrapped(&mark(&hit.snippet), "   ", "   ", w))?;
    }
    // The citation key beside the id: what `\cite{…}`, `show KEY` and `export --keys` take.
    let ids = if r.key.is_empty() {
        format!("id {}", r.id)
    } else {
        format!("id {} · key {}", r.id, r.key)
    };
    writeln!(out, "   {}", style.dim(&ids))
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";

/// The first `shown` names, then any matched name beyond them (a search by author must show
/// that author, wherever it sits), then "and N more"; matched names rendered by `mark`.
pub fn names_line(
    names: &[String],
    matched: &[usize],
    shown: usize,
    mark: &dyn Fn(&Marked) -> String,
) -> String {
    let render = |i: usize| {
        let name = &names[i];
        if matched.contains(&i) {
            mark(&Marked {
                text: name.clone(),
                highlights: vec![(0, name.len())],
            })
        } else {
            for_terminal(name)
        }
    };
    if names.len() <= shown + 1 {
        return (0..names.len()).map(render).collect::<Vec<_>>().join(", ");
    }
    let mut listed: Vec<usize> = (0..shown).collect();
    listed.extend(
        matched
            .iter()
            .copied()
            .filter(|&i| i >= shown && i < names.len()),
    );
    let mut parts: Vec<String> = Vec::new();
    let mut last = None;
    for &i in &listed {
        if last.is_some_and(|l: usize| i > l + 1) {
            parts.push("…".to_owned());
        }
        parts.push(render(i));
        last = Some(i);
    }
    let rest = names.len() - listed.len();
    if rest == 0 {
        parts.join(", ")
    } else {
        format!("{} and {rest} more", parts.join(", "))
    }
}

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
        let line = format!("{} {}", style.bold(&label), parts.join(" · "));
        let hang = " ".repeat(label.chars().count() + 1);
        writeln!(out, "{}", wrapped(&line, "", &hang, style.width))?;
    }
    Ok(())
}

/// The stderr note for a relaxed search: exactly what was corrected and what was left out.
/// `None` when the query as written stands.
pub fn relaxation_note(report: &RelaxReport) -> Option<String> {
    Some(format!(
        "note: nothing matches the query as written; {} (--exact to turn this off)",
        relaxation_parts(report)?
    ))
}

/// What `export` says when the query as written matches nothing but `query` would have found
/// `total` papers after the corrections in `report` (export never relaxes: it writes what the
/// query says, so it only names what would have matched).
pub fn export_relaxation_note(report: &RelaxReport, total: usize) -> Option<String> {
    Some(format!(
        "note: nothing matches the query as written; {} would find {} (export takes the query as written)",
        relaxation_parts(report)?,
        crate::output::plural(total as u64, "paper", "papers")
    ))
}

/// The corrections and words left out of a relaxed search, as the notes say them.
fn relaxation_parts(report: &RelaxReport) -> Option<String> {
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
    Some(parts.join("; "))
}

/// The stderr note for short forms and long forms that also found their synonyms, once per
/// search: `None` when nothing was expanded.
pub fn expansion_note(report: &RelaxReport) -> Option<String> {
    if report.expanded.is_empty() {
        return None;
    }
    let each: Vec<String> = report
        .expanded
        .iter()
        .map(|e| format!("{} also as {}", e.word, e.to.join(" | ")))
        .collect();
    let first = &report.expanded[0].word;
    let literal = if first.contains(' ') {
        "--exact".to_owned()
    } else {
        format!("={first} or --exact")
    };
    Some(format!(
        "note: searched {} (write {literal} for the words alone)",
        each.join("; ")
    ))
}

/// The query as typed, in quotes that cannot be mistaken for its own: a query that is one
/// quoted phrase is shown as it is, one holding a double quote elsewhere in single quotes.
fn quoted(query: &str) -> String {
    let q = query.trim();
    let phrase = q
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .is_some_and(|inner| !inner.contains('"'));
    if phrase {
        q.to_owned()
    } else if q.contains('"') {
        format!("'{q}'")
    } else {
        format!("\"{q}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn a_query_is_quoted_once() {
        assert_eq!(quoted("zebra"), "\"zebra\"");
        assert_eq!(quoted("\"sparse autoencoderz\""), "\"sparse autoencoderz\"");
        assert_eq!(
            quoted("probe \"sparse coding\""),
            "'probe \"sparse coding\"'"
        );
        assert_eq!(quoted("\""), "'\"'");
    }
}
