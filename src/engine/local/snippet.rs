//! Snippets and highlights: the best ~200-character window of a text, cut at word boundaries,
//! with the ranges of matched terms. Works from the terms that actually matched (typo and
//! prefix expansions included), so highlights never go missing for relaxed searches.

use std::collections::BTreeSet;

use tantivy::tokenizer::TextAnalyzer;

use crate::engine::snippet::Marked;

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
    crate::engine::snippet::window(text, &found, max_chars)
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

    /// The matching analyzer skips the stemmer for words that cannot stem to a wanted stem,
    /// on the premise that stemming keeps a word's first byte: checked on every word of the
    /// shipped corpus (and words whose stems change their ending most), and the matches of
    /// every stem of a page equal the full analyzer's.
    #[test]
    fn matching_stems_skips_only_words_that_cannot_match() {
        let corpus = include_str!("../../../corpus/mats-research.txt");
        let odd = "dying lying tying skies skis ugly early only singly idly gently news \
                   yelling yesterday Ypres youthful ßtraße Ærøskøbing œuvre";
        let mut full = text_analyzer();
        let mut words = 0;
        for text in [corpus, odd] {
            let mut stream = full.token_stream(text);
            while let Some(token) = stream.next() {
                let word = &text[token.offset_from..token.offset_to];
                let folded = crate::engine::local::schema::name_analyzer()
                    .token_stream(word)
                    .next()
                    .map(|t| t.text.clone())
                    .unwrap_or_default();
                assert_eq!(
                    folded.bytes().next(),
                    token.text.bytes().next(),
                    "{word:?} stems to {:?}",
                    token.text
                );
                words += 1;
            }
        }
        assert!(words > 5_000, "{words} words");

        let page = &corpus[..20_000];
        let mut stems = BTreeSet::new();
        {
            let mut stream = full.token_stream(page);
            while let Some(token) = stream.next() {
                stems.insert(token.text.clone());
            }
        }
        for stem in &stems {
            let wanted = terms(&[stem, "sycoph"]);
            let mut matching =
                crate::engine::local::schema::matching_analyzer(wanted.iter().map(String::as_str));
            assert_eq!(
                matches(&mut matching, page, &wanted),
                matches(&mut full, page, &wanted),
                "{stem}"
            );
        }
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
