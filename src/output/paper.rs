//! Printers of single papers (`show`) and related papers (`similar`): text for people, JSON for
//! pipes. Every record string reaching a terminal passes through `sanitize`.

use std::io::{self, Write};

use serde::Serialize;

use super::json::HitHead;
use super::sanitize::for_terminal;
use super::Style;
use crate::clock::unix_to_rfc3339;
use crate::record::{Source, StoredRecord};
use crate::search::similar::{SimilarHit, SimilarResults};

/// Width the abstract is wrapped to.
const WRAP: usize = 96;

/// The full record: title, the facts one per line, then the abstract wrapped.
pub fn write_record<W: Write>(out: &mut W, style: Style, stored: &StoredRecord) -> io::Result<()> {
    let r = &stored.record;
    writeln!(out, "{}", style.bold(&for_terminal(&r.title)))?;
    let list = |items: &[String]| {
        if items.is_empty() {
            "—".to_owned()
        } else {
            for_terminal(&items.join(", "))
        }
    };
    let rows = [
        ("date", for_terminal(&r.date)),
        ("featured", if r.featured { "yes" } else { "no" }.to_owned()),
        ("tags", list(&r.tags)),
        ("authors", list(&r.authors)),
        ("fellows", list(&r.fellows)),
        ("id", r.id.clone()),
        ("key", for_terminal(&r.key)),
        (
            "source",
            for_terminal(&format!("{}:{}", r.source.file, r.source.line)),
        ),
        ("first seen", unix_to_rfc3339(stored.first_seen)),
    ];
    let identifiers = [("doi", &r.doi), ("arxiv", &r.arxiv), ("url", &r.url)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(label, v)| (label, for_terminal(v)));
    // A record read without an index (none today: every indexed record has a key) shows none.
    let rows = rows
        .into_iter()
        .filter(|(label, v)| *label != "key" || !v.is_empty());
    for (label, value) in rows.chain(identifiers) {
        writeln!(
            out,
            "{} {value}",
            style.dim(&format!("{:<11}", format!("{label}:")))
        )?;
    }
    writeln!(out)?;
    if r.abstract_text.is_empty() {
        writeln!(out, "{}", style.dim("(no abstract)"))?;
    } else {
        // The terminal's width when there is one; a pipe gets the fixed width it always had.
        let width = style.width.unwrap_or(WRAP);
        for line in wrap(&for_terminal(&r.abstract_text), width) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// Greedy word wrap; a word longer than the width gets a line of its own.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `similar` for people: the source paper, then numbered hits with score and reason.
pub fn write_similar<W: Write>(
    out: &mut W,
    style: Style,
    results: &SimilarResults,
) -> io::Result<()> {
    let s = &results.source;
    writeln!(
        out,
        "Papers like {} ({})",
        style.bold(&for_terminal(&s.title)),
        for_terminal(&s.date)
    )?;
    writeln!(out)?;
    if results.hits.is_empty() {
        writeln!(out, "No related papers found.")?;
        return Ok(());
    }
    for (i, hit) in results.hits.iter().enumerate() {
        let r = &hit.record;
        writeln!(
            out,
            "{:>2}. {} {}",
            i + 1,
            style.bold(&for_terminal(&r.title)),
            style.dim(&format!(
                "({}, score {:.2})",
                for_terminal(&r.date),
                hit.score
            ))
        )?;
        writeln!(out, "    {}", for_terminal(&hit.reason()))?;
    }
    Ok(())
}

/// `similar --json`: `{paper, terms, hits}`; each hit has `reason`, `shared_terms`, `shared_tags`.
#[derive(Debug, Serialize)]
pub struct SimilarJson<'a> {
    /// The paper the others are like.
    pub paper: PaperRef<'a>,
    /// The key terms the search used, strongest first.
    pub terms: Vec<&'a str>,
    pub hits: Vec<SimilarHitJson<'a>>,
}

#[derive(Debug, Serialize)]
pub struct PaperRef<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub date: &'a str,
}

#[derive(Debug, Serialize)]
pub struct SimilarHitJson<'a> {
    #[serde(flatten)]
    pub head: HitHead<'a>,
    pub reason: String,
    pub shared_terms: &'a [String],
    pub shared_tags: &'a [String],
    pub source: &'a Source,
}

impl<'a> SimilarJson<'a> {
    pub fn new(results: &'a SimilarResults) -> Self {
        let s = &results.source;
        SimilarJson {
            paper: PaperRef {
                id: &s.id,
                title: &s.title,
                date: &s.date,
            },
            terms: results.terms.iter().map(|t| t.word.as_str()).collect(),
            hits: results.hits.iter().map(SimilarHitJson::new).collect(),
        }
    }
}

impl<'a> SimilarHitJson<'a> {
    fn new(hit: &'a SimilarHit) -> Self {
        let r = &hit.record;
        SimilarHitJson {
            head: HitHead::new(r, hit.score),
            reason: hit.reason(),
            shared_terms: &hit.shared_terms,
            shared_tags: &hit.shared_tags,
            source: &r.source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_words_whole_and_lines_short() {
        let lines = wrap("aa bb cc dd", 5);
        assert_eq!(lines, ["aa bb", "cc dd"]);
        assert_eq!(wrap("averyverylongword x", 5), ["averyverylongword", "x"]);
        assert!(wrap("", 5).is_empty());
    }
}
