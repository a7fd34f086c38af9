//! Records back to the page-export format: the inverse of the parser, used to write test
//! exports and to check that parse → render → parse keeps records equal.

use crate::record::Record;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A whole export: page header, featured section (featured records, `Read more`), the full
/// list (every record that has tags, so a featured paper with tags is listed twice, as on the
/// real page), and an FAQ tail.
pub fn render_export(records: &[Record]) -> String {
    let mut out = String::from("Research listing\n\nFeatured Research\n\n");
    for r in records.iter().filter(|r| r.featured) {
        out.push_str(&render_entry(r, false));
    }
    out.push_str("All Research\n\n");
    for r in records.iter().filter(|r| !r.featured || !r.tags.is_empty()) {
        out.push_str(&render_entry(r, true));
    }
    out.push_str("Frequently asked questions\n\nWhat is this?\n");
    out
}

/// One entry; `with_tags` writes the tag lines, otherwise `Read more`.
pub fn render_entry(r: &Record, with_tags: bool) -> String {
    let middle = if with_tags {
        r.tags.join("\n")
    } else {
        "Read more".to_owned()
    };
    format!(
        "{}\n\n{}\n\n{}\n\nAuthors:\n\n{}\n\nFellows:\n\n{}\n\nDate:\n\n{}\n\n",
        r.title,
        r.abstract_text,
        middle,
        r.authors.join(", "),
        r.fellows.join(", "),
        export_date(&r.date)
    )
}

/// `2023-09-15` → `Sep 15, 2023` (the page's own form); anything else unchanged.
fn export_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] => match (m.parse::<usize>(), d.parse::<u32>()) {
            (Ok(m @ 1..=12), Ok(d)) => format!("{} {}, {}", MONTHS[m - 1], d, y),
            _ => iso.to_owned(),
        },
        _ => iso.to_owned(),
    }
}
