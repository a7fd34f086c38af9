//! Snippets and highlights: the best ~200-character window of a text, cut at word boundaries,
//! with the ranges of matched terms. Works from the terms that actually matched (typo and
//! prefix expansions included), so highlights never go missing for relaxed searches.

use std::collections::BTreeSet;

use tantivy::tokenizer::TextAnalyzer;

use crate::search::Marked;

/// Byte ranges of `text` whose analyzed token is one of `terms`.
pub fn matches(
    analyzer: &mut TextAnalyzer,
    text: &str,
    terms: &BTreeSet<String>,
) -> Vec<(usize, usize, String)> {
    if terms.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        if terms.contains(&token.text)
            && text.is_char_boundary(token.offset_from)
            && text.is_char_boundary(token.offset_to)
        {
            out.push((token.offset_from, token.offset_to, token.text.clone()));
        }
    }
    out
}

/// The whole text, with every match highlighted (titles).
pub fn highlight_all(analyzer: &mut TextAnalyzer, text: &str, terms: &BTreeSet<String>) -> Marked {
    let highlights = matches(analyzer, text, terms)
        .into_iter()
        .map(|(s, e, _)| (s, e))
        .collect();
    Marked {
        text: text.to_owned(),
        highlights,
    }
}

/// The window of at most `max_chars` characters with the most distinct matched terms.
pub fn snippet(
    analyzer: &mut TextAnalyzer,
    text: &str,
    terms: &BTreeSet<String>,
    max_chars: usize,
) -> Marked {
    let found = matches(analyzer, text, terms);
    if text.chars().count() <= max_chars {
        return Marked {
            text: text.to_owned(),
            highlights: found.into_iter().map(|(s, e, _)| (s, e)).collect(),
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
    for (s, e, _) in &found {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::local::schema::text_analyzer;

    fn terms(t: &[&str]) -> BTreeSet<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn highlights_stemmed_matches() {
        let mut a = text_analyzer();
        let m = highlight_all(
            &mut a,
            "Sparse Autoencoders Find Features",
            &terms(&["autoencod"]),
        );
        assert_eq!(
            m.to_mark_tags(),
            "Sparse <mark>Autoencoders</mark> Find Features"
        );
    }

    #[test]
    fn snippet_is_bounded_and_cut_at_words() {
        let mut a = text_analyzer();
        let text = format!(
            "{} sycophancy is here {}",
            "word ".repeat(100),
            "tail ".repeat(100)
        );
        let m = snippet(&mut a, &text, &terms(&["sycoph"]), 200);
        assert!(m.text.chars().count() <= 202, "{}", m.text.chars().count());
        assert!(m.text.starts_with('…') && m.text.ends_with('…'));
        assert!(m.to_mark_tags().contains("<mark>sycophancy</mark>"));
        assert!(!m.text.contains(" wor…") && !m.text.contains("…ord"));
    }

    #[test]
    fn snippet_never_splits_characters() {
        let mut a = text_analyzer();
        let text = "é".repeat(500) + " match " + &"ü".repeat(500);
        let m = snippet(&mut a, &text, &terms(&["match"]), 50);
        assert!(m.to_mark_tags().contains("<mark>match</mark>"));
        // "e" + combining acute: a cut must not separate them.
        let text = "e\u{301}".repeat(300) + " match " + &"e\u{301}".repeat(300);
        let m = snippet(&mut a, &text, &terms(&["match"]), 50);
        let body = m.text.trim_start_matches('…').trim_end_matches('…');
        assert!(!body.starts_with('\u{301}'));
        assert!(body.ends_with('\u{301}'), "{body:?}");
    }
}
