//! A piece of text with the ranges an engine matched in it (a snippet or a title), as plain
//! data: printers decide how to mark them. Also the choice of a snippet's window, the same
//! for every engine once it has said where its matches are.

use std::collections::BTreeSet;

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

/// The window of at most `max_chars` characters of `text` with the most distinct matched terms
/// (`found`: byte ranges and the term each matched, in text order), cut at word boundaries,
/// `…` where text was cut.
pub fn window(text: &str, found: &[(usize, usize, String)], max_chars: usize) -> Marked {
    if text.chars().count() <= max_chars {
        return Marked {
            text: text.to_owned(),
            highlights: found.iter().map(|(s, e, _)| (*s, *e)).collect(),
        };
    }
    let max_bytes = byte_len_of_chars(text, 0, max_chars);
    // Pick the first match of the best window: most distinct terms, then most matches.
    let mut best = (0usize, 0usize, 0usize); // (distinct, count, index of first match)
    for i in 0..found.len() {
        let mut distinct = BTreeSet::new();
        let mut count = 0;
        for m in &found[i..] {
            if m.1 - found[i].0 > max_bytes {
                break;
            }
            distinct.insert(&m.2);
            count += 1;
        }
        if (distinct.len(), count) > (best.0, best.1) {
            best = (distinct.len(), count, i);
        }
    }
    let start = if found.is_empty() {
        0
    } else {
        // Lead in with a little context, starting on a word.
        let first = found[best.2].0;
        let back = back_chars(text, first, max_chars / 5);
        word_start(text, back)
    };
    let limit = byte_len_of_chars(text, start, max_chars);
    let mut end = (start + limit).min(text.len());
    if end < text.len() {
        end = word_end_before(text, start, end);
    }
    let mut out = String::new();
    let mut highlights = Vec::new();
    let prefix = if start > 0 { "…" } else { "" };
    out.push_str(prefix);
    out.push_str(text[start..end].trim_end());
    let body_end = start + text[start..end].trim_end().len();
    for (s, e, _) in found {
        if *s >= start && *e <= body_end {
            highlights.push((s - start + prefix.len(), e - start + prefix.len()));
        }
    }
    if end < text.len() {
        out.push('…');
    }
    Marked {
        text: out,
        highlights,
    }
}

fn byte_len_of_chars(text: &str, from: usize, chars: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(chars)
        .map(|(i, _)| i)
        .unwrap_or(text.len() - from)
}

fn back_chars(text: &str, from: usize, chars: usize) -> usize {
    text[..from]
        .char_indices()
        .rev()
        .nth(chars.saturating_sub(1))
        .map(|(i, _)| i)
        .unwrap_or(0)
}

/// How far a cut may move to land on a word boundary; past that it lands on a grapheme.
const WORD_SEARCH_BYTES: usize = 40;

/// The start of the word containing byte `at`, or failing a nearby one, a grapheme start.
fn word_start(text: &str, at: usize) -> usize {
    if at == 0 {
        return 0;
    }
    let floor = at.saturating_sub(WORD_SEARCH_BYTES);
    match text[..at].rfind(char::is_whitespace) {
        Some(i) if i >= floor => i + text[i..].chars().next().map(char::len_utf8).unwrap_or(1),
        _ => grapheme_floor(text, at),
    }
}

/// The last whitespace boundary at or before `end` (but after `start`), or failing a nearby
/// one, a grapheme boundary.
fn word_end_before(text: &str, start: usize, end: usize) -> usize {
    if text[end..].starts_with(char::is_whitespace) {
        return end;
    }
    match text[start..end].rfind(char::is_whitespace) {
        Some(i) if i > 0 && start + i + WORD_SEARCH_BYTES >= end => start + i,
        _ => grapheme_floor(text, end).max(start),
    }
}

/// The largest grapheme boundary at or before `at` (so `e` + combining accent stay together).
fn grapheme_floor(text: &str, at: usize) -> usize {
    use unicode_segmentation::GraphemeCursor;
    let mut cursor = GraphemeCursor::new(at, text.len(), true);
    match cursor.is_boundary(text, 0) {
        Ok(true) => at,
        _ => cursor.prev_boundary(text, 0).ok().flatten().unwrap_or(0),
    }
}
