//! Records as CSL-JSON, the bibliography format of citeproc (pandoc, Zotero): one array of
//! items, `id` the key, `issued.date-parts`, `DOI`, `URL`; an arXiv paper as Zotero writes one
//! (`number: "arXiv:ID"`, `publisher: "arXiv"`). `inputs::csl` reads it back.

use std::io::{self, Write};

use serde::Serialize;

use super::name_parts;
use crate::record::Record;

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    author: Vec<Name<'a>>,
    issued: Issued,
    #[serde(rename = "abstract", skip_serializing_if = "str::is_empty")]
    abstract_text: &'a str,
    #[serde(skip_serializing_if = "String::is_empty")]
    keyword: String,
    #[serde(rename = "DOI", skip_serializing_if = "str::is_empty")]
    doi: &'a str,
    #[serde(rename = "URL", skip_serializing_if = "str::is_empty")]
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    publisher: Option<&'static str>,
}

/// A name split as CSL wants it, or one it must not split (`literal`).
#[derive(Serialize)]
#[serde(untagged)]
enum Name<'a> {
    Split { family: &'a str, given: &'a str },
    Literal { literal: &'a str },
}

#[derive(Serialize)]
struct Issued {
    #[serde(rename = "date-parts")]
    date_parts: Vec<Vec<u32>>,
}

/// Writes the records as one JSON array (pretty, one key a line, as Zotero writes it).
pub fn write_records<'a, W: Write>(
    out: &mut W,
    records: impl IntoIterator<Item = &'a Record>,
) -> io::Result<()> {
    let items: Vec<Item> = records.into_iter().map(item).collect();
    serde_json::to_writer_pretty(&mut *out, &items)?;
    writeln!(out)
}

fn item(r: &Record) -> Item<'_> {
    let author = r
        .authors
        .iter()
        .map(|a| {
            let (given, family) = name_parts(a);
            if given.is_empty() || a.contains(',') {
                Name::Literal { literal: a }
            } else {
                Name::Split { family, given }
            }
        })
        .collect();
    let date_parts = vec![r
        .date
        .split('-')
        .filter_map(|p| p.parse::<u32>().ok())
        .collect()];
    Item {
        id: &r.key,
        // CSL's type for a paper of no known venue (a preprint, a report).
        kind: "article",
        title: &r.title,
        author,
        issued: Issued { date_parts },
        abstract_text: &r.abstract_text,
        // CSL's `keyword` is one string; `, ` as Zotero joins them.
        keyword: r.tags.join(", "),
        doi: &r.doi,
        url: &r.url,
        number: (!r.arxiv.is_empty()).then(|| format!("arXiv:{}", r.arxiv)),
        publisher: (!r.arxiv.is_empty()).then_some("arXiv"),
    }
}
