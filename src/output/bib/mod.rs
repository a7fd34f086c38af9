//! Records out as bibliographies for LaTeX and pandoc: BibTeX and BibLaTeX (`bibtex.rs`, with
//! `tex.rs` for field text), RIS (`ris.rs`) and CSL-JSON (`csl.rs`), one writer per format.

pub mod bibtex;
pub mod csl;
pub mod ris;
pub mod tex;

use std::io::{self, Write};

use crate::record::Record;

/// The bibliography formats `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BibFormat {
    Bibtex,
    Biblatex,
    Ris,
    CslJson,
}

/// Which conventions a `.bib` follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Bibtex,
    Biblatex,
}

/// Writes `records` as `format`; `ascii` spells `.bib` text in ASCII with TeX accents.
pub fn write_bibliography<'a, W: Write>(
    mut out: W,
    format: BibFormat,
    ascii: bool,
    records: impl IntoIterator<Item = &'a Record>,
) -> io::Result<()> {
    match format {
        BibFormat::Bibtex => bibtex::write_entries(&mut out, Dialect::Bibtex, ascii, records)?,
        BibFormat::Biblatex => bibtex::write_entries(&mut out, Dialect::Biblatex, ascii, records)?,
        BibFormat::Ris => ris::write_records(&mut out, records)?,
        BibFormat::CslJson => csl::write_records(&mut out, records)?,
    }
    out.flush()
}

/// A display name (`Given von Family`) as (given, family): the family name is the last word,
/// since a record keeps names as one string; each reader joins them back as they were.
pub fn name_parts(name: &str) -> (&str, &str) {
    let name = name.trim();
    match name.rsplit_once(' ') {
        Some((given, family)) => (given.trim_end(), family),
        None => ("", name),
    }
}
