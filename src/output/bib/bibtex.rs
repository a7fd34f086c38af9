//! Records as `.bib` entries, in BibTeX's conventions (`year`/`month`, `eprint` with
//! `archivePrefix`) or BibLaTeX's (`date`, `eprinttype`, `@online`), read back by `inputs::bibtex`.
//!
//! Entry types: a record holds no source entry type, so BibTeX entries are `@misc` (every
//! standard style prints it with its DOI, URL and eprint) and BibLaTeX entries `@online` when
//! the paper is read online (a URL or an arXiv id), else `@misc`. No `@string` is written.

use std::io::{self, Write};

use super::tex::{field_text, title_text};
use super::{name_parts, Dialect};
use crate::record::Record;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Writes one entry per record.
pub fn write_entries<'a, W: Write>(
    out: &mut W,
    dialect: Dialect,
    ascii: bool,
    records: impl IntoIterator<Item = &'a Record>,
) -> io::Result<()> {
    for r in records {
        write_entry(out, dialect, ascii, r)?;
    }
    Ok(())
}

fn write_entry<W: Write>(out: &mut W, dialect: Dialect, ascii: bool, r: &Record) -> io::Result<()> {
    let entry_type = match dialect {
        Dialect::Biblatex if !r.url.is_empty() || !r.arxiv.is_empty() => "online",
        _ => "misc",
    };
    writeln!(out, "@{entry_type}{{{},", r.key)?;
    let mut field = |name: &str, value: &str| writeln!(out, "  {name} = {{{value}}},");
    field("title", &title_text(&r.title, ascii))?;
    if !r.authors.is_empty() {
        let names: Vec<String> = r.authors.iter().map(|a| author(a, ascii)).collect();
        field("author", &names.join(" and "))?;
    }
    let mut date = r.date.splitn(3, '-');
    let (year, month) = (date.next().unwrap_or_default(), date.next());
    match dialect {
        Dialect::Bibtex => {
            field("year", year)?;
            // Written too when the record has a day: BibTeX ignores `date`, and a `.bib`
            // read back keeps the day (BibTeX has no day field its styles print).
            if r.date.len() == 10 {
                field("date", &r.date)?;
            }
        }
        Dialect::Biblatex => field("date", &r.date)?,
    }
    if !r.abstract_text.is_empty() {
        field("abstract", &field_text(&r.abstract_text, ascii))?;
    }
    if !r.tags.is_empty() {
        let tags: Vec<String> = r.tags.iter().map(|t| field_text(t, ascii)).collect();
        field("keywords", &tags.join(", "))?;
    }
    // Identifiers verbatim: DOIs and URLs are read as they are written (`\url`, `\doi`).
    if !r.doi.is_empty() {
        field("doi", &r.doi)?;
    }
    if !r.url.is_empty() {
        field("url", &r.url)?;
    }
    if !r.arxiv.is_empty() {
        field("eprint", &r.arxiv)?;
        match dialect {
            Dialect::Bibtex => field("archivePrefix", "arXiv")?,
            Dialect::Biblatex => field("eprinttype", "arxiv")?,
        }
    }
    // A month macro after the braced fields: `month = aug`, as BibTeX's styles expect.
    if dialect == Dialect::Bibtex {
        if let Some(m) = month
            .and_then(|m| m.parse::<usize>().ok())
            .filter(|m| (1..=12).contains(m))
        {
            writeln!(out, "  month = {},", MONTHS[m - 1])?;
        }
    }
    writeln!(out, "}}")?;
    writeln!(out)
}

/// One name of an `author` list: `Family, Given` (so that a family name of several words
/// stays whole), braced when it would split (`and`, a comma of its own); `et al.` as `others`.
fn author(name: &str, ascii: bool) -> String {
    if name == "et al." {
        return "others".to_owned();
    }
    let (given, family) = name_parts(name);
    let spelled = |s: &str| field_text(s, ascii);
    let risky =
        |s: &str| s.contains(',') || s.split_whitespace().any(|w| w.eq_ignore_ascii_case("and"));
    if family.is_empty() || risky(name) {
        return format!("{{{}}}", spelled(name));
    }
    if given.is_empty() {
        spelled(family)
    } else {
        format!("{}, {}", spelled(family), spelled(given))
    }
}
