//! Records as RIS (`TY  - GEN` … `ER  - `), as Zotero, EndNote and Mendeley read it and
//! `inputs::ris` reads it back: `ID` the key, `PY`/`DA` the date, `DO`, `UR`, and the arXiv
//! paper as its `L2` link (RIS has no arXiv tag).

use std::io::{self, Write};

use super::name_parts;
use crate::record::Record;

pub fn write_records<'a, W: Write>(
    out: &mut W,
    records: impl IntoIterator<Item = &'a Record>,
) -> io::Result<()> {
    for r in records {
        // A record holds no source type: `GEN`, RIS's generic one.
        writeln!(out, "TY  - GEN")?;
        tag(out, "ID", &r.key)?;
        tag(out, "TI", &r.title)?;
        for a in &r.authors {
            let (given, family) = name_parts(a);
            if given.is_empty() || a.contains(',') {
                tag(out, "AU", a)?;
            } else {
                tag(out, "AU", &format!("{family}, {given}"))?;
            }
        }
        let parts: Vec<&str> = r.date.split('-').collect();
        tag(out, "PY", parts[0])?;
        if parts.len() > 1 {
            let day = parts.get(2).copied().unwrap_or("");
            tag(out, "DA", &format!("{}/{}/{day}", parts[0], parts[1]))?;
        }
        tag(out, "AB", &r.abstract_text)?;
        for t in &r.tags {
            tag(out, "KW", t)?;
        }
        tag(out, "DO", &r.doi)?;
        tag(out, "UR", &r.url)?;
        if !r.arxiv.is_empty() {
            tag(out, "L2", &format!("https://arxiv.org/abs/{}", r.arxiv))?;
        }
        writeln!(out, "ER  - ")?;
        writeln!(out)?;
    }
    Ok(())
}

/// One tag line, none for an empty value; line breaks (which would end the tag) as spaces.
fn tag<W: Write>(out: &mut W, name: &str, value: &str) -> io::Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    let value = value.replace(['\r', '\n'], " ");
    writeln!(out, "{name}  - {value}")
}
