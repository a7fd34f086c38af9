//! CSV of hits: a header and one row per hit, lists joined with `; `; where a record was read
//! from in `source_file` and `source_line`, as `export`'s CSV has it (one shape for both).

use std::io::Write;

use crate::clock::unix_to_rfc3339;
use crate::search::Hit;

pub const HEADER: [&str; 16] = [
    "id",
    "score",
    "title",
    "date",
    "authors",
    "fellows",
    "tags",
    "featured",
    "snippet",
    "first_seen",
    "source_file",
    "source_line",
    "doi",
    "url",
    "arxiv",
    "key",
];

pub fn write_hits<W: Write>(out: W, hits: &[Hit]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for hit in hits {
        let r = &hit.record;
        w.write_record([
            r.id.as_str(),
            &format!("{:.4}", hit.score),
            &r.title,
            &r.date,
            &r.authors.join("; "),
            &r.fellows.join("; "),
            &r.tags.join("; "),
            if r.featured { "true" } else { "false" },
            &hit.snippet.text,
            &unix_to_rfc3339(hit.first_seen),
            &r.source.file,
            &r.source.line.to_string(),
            &r.doi,
            &r.url,
            &r.arxiv,
            &r.key,
        ])?;
    }
    w.flush()?;
    Ok(())
}
