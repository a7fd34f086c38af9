//! Words, lowercased and accent-folded, in one pass: the same tokens (text, offsets, positions)
//! as tantivy's `SimpleTokenizer` → `RemoveLongFilter(40)` → `LowerCaser` → `AsciiFoldingFilter`
//! chain, which walked every token four times and was a fifth of indexing time. ASCII words
//! (nearly all of them) take a byte-level path; any other word goes through that very chain.

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// Words of this many bytes or more are dropped, as `RemoveLongFilter::limit(40)` does.
use crate::engine::fields::MAX_WORD_BYTES;

#[derive(Clone)]
pub struct FoldingTokenizer {
    token: Token,
    /// Lowercases and folds one non-ASCII word exactly as the tantivy filters do.
    slow: TextAnalyzer,
}

impl Default for FoldingTokenizer {
    fn default() -> Self {
        FoldingTokenizer {
            token: Token::default(),
            slow: TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(AsciiFoldingFilter)
                .build(),
        }
    }
}

pub struct FoldingStream<'a> {
    text: &'a str,
    at: usize,
    token: &'a mut Token,
    slow: &'a mut TextAnalyzer,
}

impl Tokenizer for FoldingTokenizer {
    type TokenStream<'a> = FoldingStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FoldingStream<'a> {
        self.token.reset();
        FoldingStream {
            text,
            at: 0,
            token: &mut self.token,
            slow: &mut self.slow,
        }
    }
}

impl FoldingStream<'_> {
    /// The character at `at`, whether it belongs to a word, and its length in bytes.
    fn char_at(&self, at: usize) -> (bool, usize, bool) {
        let b = self.text.as_bytes()[at];
        if b.is_ascii() {
            return (b.is_ascii_alphanumeric(), 1, true);
        }
        let c = self.text[at..].chars().next().unwrap_or(' ');
        (c.is_alphanumeric(), c.len_utf8(), false)
    }
}

impl TokenStream for FoldingStream<'_> {
    fn advance(&mut self) -> bool {
        let len = self.text.len();
        loop {
            while self.at < len {
                let (word, width, _) = self.char_at(self.at);
                if word {
                    break;
                }
                self.at += width;
            }
            if self.at >= len {
                return false;
            }
            let start = self.at;
            let mut ascii = true;
            while self.at < len {
                let (word, width, is_ascii) = self.char_at(self.at);
                if !word {
                    break;
                }
                ascii &= is_ascii;
                self.at += width;
            }
            // Every word takes a position, dropped or not, as with the filter chain.
            self.token.position = self.token.position.wrapping_add(1);
            if self.at - start >= MAX_WORD_BYTES {
                continue;
            }
            self.token.offset_from = start;
            self.token.offset_to = self.at;
            self.token.text.clear();
            let word = &self.text[start..self.at];
            if ascii {
                self.token.text.push_str(word);
                self.token.text.make_ascii_lowercase();
            } else {
                let mut stream = self.slow.token_stream(word);
                if stream.advance() {
                    self.token.text.push_str(&stream.token().text);
                }
            }
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use tantivy::tokenizer::{RemoveLongFilter, SimpleTokenizer};

    /// Each token as (text, offset_from, offset_to, position).
    pub(crate) fn tokens(
        analyzer: &mut TextAnalyzer,
        text: &str,
    ) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    fn chain() -> TextAnalyzer {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_WORD_BYTES))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build()
    }

    #[test]
    fn same_tokens_as_the_tantivy_chain_on_awkward_text() {
        let mut fused = TextAnalyzer::from(FoldingTokenizer::default());
        let mut reference = chain();
        for text in [
            "Sparse Autoencoders find Features; GPT-4o’s “Chain-of-Thought” (CoT) 2024",
            "Schölkopf, Łukasz, Ærø, ΣΊΣΥΦΟΣ straße İstanbul ǅemal ﬁnancial",
            "a\u{a0}b\u{2003}c\td\ne — x_y 東京 ١٢٣ e\u{301}t\u{301}e\u{301}",
            "supercalifragilisticexpialidocious-and-then-somelongerwordsthatexceedforty \
             internationalizationalisationalizingnesses ok",
            "",
            "   ...   ",
        ] {
            assert_eq!(
                tokens(&mut fused, text),
                tokens(&mut reference, text),
                "{text:?}"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]
        #[test]
        fn same_tokens_as_the_tantivy_chain(text in "([a-zA-Z0-9]{1,12}|[ .,;:'\"()\\-_/\t\n\u{a0}]|[àéîõüßçÆØŁİıΣσς东京ａ-ｚ①½\u{301}\u{300}]|[a-z]{38,42}|\\PC){0,40}") {
            let mut fused = TextAnalyzer::from(FoldingTokenizer::default());
            let mut reference = chain();
            prop_assert_eq!(tokens(&mut fused, &text), tokens(&mut reference, &text));
        }
    }
}
