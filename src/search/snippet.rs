//! A piece of text with the ranges an engine matched in it (a snippet or a title), as plain
//! data: printers decide how to mark them.

use serde::Serialize;

/// A piece of text and the byte ranges in it to highlight. Printers decide how to mark them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Marked {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

impl Marked {
    /// `<mark>…</mark>` around highlights; the text is not otherwise escaped.
    pub fn to_mark_tags(&self) -> String {
        self.render("<mark>", "</mark>")
    }

    pub fn render(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + self.highlights.len() * 13);
        let mut at = 0;
        for &(start, end) in &self.highlights {
            out.push_str(&self.text[at..start]);
            out.push_str(open);
            out.push_str(&self.text[start..end]);
            out.push_str(close);
            at = end;
        }
        out.push_str(&self.text[at..]);
        out
    }
}
