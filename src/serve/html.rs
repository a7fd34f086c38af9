//! HTML escaping for the pages: every piece of record text goes through here, so the only
//! markup a record can bring is the `<mark>` we add around its matches.

use crate::search::Marked;

/// Appends `text` escaped for element content and quoted attribute values. Control
/// characters (which records may hold, and which HTML forbids) become U+FFFD.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    push_escaped(&mut out, text);
    out
}

/// The text escaped, its matched ranges wrapped in `<mark>`.
pub fn marked(m: &Marked) -> String {
    let mut out = String::with_capacity(m.text.len() + m.highlights.len() * 13);
    let mut at = 0;
    for &(start, end) in &m.highlights {
        // Ranges come from the engine; a range off a character boundary is skipped, not trusted.
        let (Some(before), Some(inside)) = (m.text.get(at..start), m.text.get(start..end)) else {
            continue;
        };
        push_escaped(&mut out, before);
        out.push_str("<mark>");
        push_escaped(&mut out, inside);
        out.push_str("</mark>");
        at = end;
    }
    push_escaped(&mut out, m.text.get(at..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_controls() {
        assert_eq!(
            escape("<b a=\"x\" b='y'>&\u{0}\u{1b}[31m\u{85}"),
            "&lt;b a=&quot;x&quot; b=&#39;y&#39;&gt;&amp;\u{FFFD}\u{FFFD}[31m\u{FFFD}"
        );
    }

    #[test]
    fn only_mark_is_injected() {
        let m = Marked {
            text: "<i>sparse</i> & dense".to_owned(),
            highlights: vec![(3, 9), (16, 21)],
        };
        assert_eq!(
            marked(&m),
            "&lt;i&gt;<mark>sparse</mark>&lt;/i&gt; &amp; <mark>dense</mark>"
        );
        let bad = Marked {
            text: "é".to_owned(),
            highlights: vec![(1, 2)],
        };
        assert_eq!(marked(&bad), "é");
    }
}
