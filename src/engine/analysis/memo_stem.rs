//! English stemming with a memo: prose is Zipf-distributed, so nearly every token is a word
//! stemmed moments ago, and a cache lookup replaces the Snowball run.
//!
//! The memo is a small direct-mapped cache with the words stored inline: a `HashMap<String,
//! String>` of every word seen cost as much as the stemmer it saved (cache misses on a table
//! larger than L2, then a pointer chase per comparison). Here a lookup is one hash, one
//! cache line and a fixed-size comparison.

use std::hash::Hasher;

use tantivy::tokenizer::{
    Language, RawTokenizer, Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};

/// Cache slots, as a power of two: 32,768 × 64 bytes = 2 MB per analyzer. Measured at 100k
/// generated records: 4,096 slots missed too often (slower than no direct map), 65,536 were no
/// faster than 32,768 and cost 16 MB more across the indexing threads.
const SLOTS_LOG2: u32 = 15;
/// Longer words are stemmed every time (they are rare).
const MAX_WORD: usize = 30;

/// FxHash (as in rustc): the memo's keys are short words, for which SipHash costs more than
/// the lookup saves; no untrusted party chooses the keys of a per-document-batch memo.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let word = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A word and its stem, zero-padded so that comparing keys is comparing two fixed arrays.
#[derive(Clone, Copy)]
#[repr(align(64))]
struct Slot {
    word: [u8; MAX_WORD],
    stem: [u8; MAX_WORD],
    word_len: u8,
    stem_len: u8,
}

const EMPTY: Slot = Slot {
    word: [0; MAX_WORD],
    stem: [0; MAX_WORD],
    word_len: 0,
    stem_len: 0,
};

/// Empty until the analyzer has stemmed `STEMS_BEFORE_CACHE` words: a query analyzes a few pages,
/// and building analyzers is part of every query's start-up (2 MB to zero each time showed up
/// as a quarter of a no-hit query's time).
#[derive(Clone, Default)]
struct StemCache {
    slots: Vec<Slot>,
    /// The most recent short words, small enough to stay in L2: the big table is a cache
    /// miss per lookup, and the commonest words are most tokens.
    hot: Vec<HotSlot>,
    stems: u32,
}

const HOT_SLOTS: usize = 4_096;
const HOT_WORD: usize = 15;

/// A word of at most `HOT_WORD` bytes and its stem, zero-padded: 32 bytes.
#[derive(Clone, Copy, Default)]
#[repr(align(32))]
struct HotSlot {
    word: [u8; HOT_WORD],
    word_len: u8,
    stem: [u8; HOT_WORD],
    stem_len: u8,
}

impl HotSlot {
    fn holds(&self, key: &[u8; MAX_WORD], len: usize) -> bool {
        usize::from(self.word_len) == len && self.word[..] == key[..HOT_WORD]
    }

    fn fill(&mut self, key: &[u8; MAX_WORD], len: usize, stem: &[u8]) {
        if len == 0 || len > HOT_WORD || stem.len() > HOT_WORD {
            return;
        }
        self.word.copy_from_slice(&key[..HOT_WORD]);
        self.word_len = len as u8;
        self.stem = [0; HOT_WORD];
        self.stem[..stem.len()].copy_from_slice(stem);
        self.stem_len = stem.len() as u8;
    }
}

const STEMS_BEFORE_CACHE: u32 = 20_000;

impl StemCache {
    /// The padded key and its slot, or `None` for words too long to cache.
    fn key(word: &str) -> Option<([u8; MAX_WORD], usize)> {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_WORD {
            return None;
        }
        let mut key = [0u8; MAX_WORD];
        key[..bytes.len()].copy_from_slice(bytes);
        let mut hasher = FxHasher::default();
        hasher.write(bytes);
        // FxHash mixes upwards: the high bits are the well-distributed ones.
        Some((key, (hasher.finish() >> (64 - SLOTS_LOG2)) as usize))
    }

    /// Writes the stem of the `len`-byte word `key` into `out` if it is remembered.
    fn lookup(&mut self, key: &[u8; MAX_WORD], len: usize, slot: usize, out: &mut String) -> bool {
        let Some(s) = self.slots.get(slot) else {
            return false;
        };
        let hot = &mut self.hot[slot % HOT_SLOTS];
        let stem = if hot.holds(key, len) {
            &hot.stem[..usize::from(hot.stem_len)]
        } else if s.word_len != 0 && s.word == *key {
            let stem = &s.stem[..usize::from(s.stem_len)];
            hot.fill(key, len, stem);
            stem
        } else {
            return false;
        };
        match std::str::from_utf8(stem) {
            Ok(stem) => {
                out.clear();
                out.push_str(stem);
                true
            }
            Err(_) => false,
        }
    }

    fn put(&mut self, key: [u8; MAX_WORD], len: usize, slot: usize, stem: &str) {
        let stem = stem.as_bytes();
        if stem.len() > MAX_WORD {
            return;
        }
        if self.slots.is_empty() {
            self.stems += 1;
            if self.stems < STEMS_BEFORE_CACHE {
                return;
            }
            self.slots = vec![EMPTY; 1 << SLOTS_LOG2];
            self.hot = vec![HotSlot::default(); HOT_SLOTS];
        }
        self.hot[slot % HOT_SLOTS].fill(&key, len, stem);
        let s = &mut self.slots[slot];
        s.word = key;
        s.word_len = len as u8;
        s.stem = [0; MAX_WORD];
        s.stem[..stem.len()].copy_from_slice(stem);
        s.stem_len = stem.len() as u8;
    }
}

/// A drop-in for `Stemmer::new(Language::English)` that produces the same tokens.
#[derive(Clone, Default)]
pub struct MemoStemmer {
    only: Option<Initials>,
}

/// The first bytes of a set of stems. Snowball English never changes a word's first letter,
/// so a token starting with another byte cannot stem to any of them.
#[derive(Clone, Copy, Default)]
struct Initials([u64; 4]);

impl Initials {
    fn of<'a>(stems: impl IntoIterator<Item = &'a str>) -> Initials {
        let mut set = [0u64; 4];
        for first in stems.into_iter().filter_map(|s| s.bytes().next()) {
            set[usize::from(first >> 6)] |= 1 << (first & 63);
        }
        Initials(set)
    }

    fn holds(&self, word: &str) -> bool {
        word.bytes()
            .next()
            .is_some_and(|b| self.0[usize::from(b >> 6)] & (1 << (b & 63)) != 0)
    }
}

impl MemoStemmer {
    /// For matching tokens against known stems (snippets, highlights): a token that cannot
    /// stem to one of them is passed on unstemmed, so only a few words of a page are stemmed.
    /// Its tokens are then only good for that comparison.
    pub fn for_stems<'a>(stems: impl IntoIterator<Item = &'a str>) -> MemoStemmer {
        MemoStemmer {
            only: Some(Initials::of(stems)),
        }
    }
}

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter {
            inner: tokenizer,
            stemmer: TextAnalyzer::builder(RawTokenizer::default())
                .filter(Stemmer::new(Language::English))
                .build(),
            memo: StemCache::default(),
            only: self.only,
        }
    }
}

#[derive(Clone)]
pub struct MemoStemmerFilter<T> {
    inner: T,
    stemmer: TextAnalyzer,
    memo: StemCache,
    only: Option<Initials>,
}

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: &mut self.stemmer,
            memo: &mut self.memo,
            only: self.only,
        }
    }
}

pub struct MemoStemmerStream<'a, S> {
    tail: S,
    stemmer: &'a mut TextAnalyzer,
    memo: &'a mut StemCache,
    only: Option<Initials>,
}

impl<S: TokenStream> TokenStream for MemoStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if self.only.is_some_and(|only| !only.holds(&token.text)) {
            return true;
        }
        let key = StemCache::key(&token.text);
        if let Some((key, slot)) = &key {
            let len = token.text.len();
            if self.memo.lookup(key, len, *slot, &mut token.text) {
                return true;
            }
        }
        let stem = {
            let mut stream = self.stemmer.token_stream(&token.text);
            if !stream.advance() {
                return true;
            }
            stream.token().text.clone()
        };
        if let Some((key, slot)) = key {
            self.memo.put(key, token.text.len(), slot, &stem);
        }
        token.text = stem;
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::analysis::fold_tokenizer::tests::tokens;
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer};

    /// The plain stemmer and the memo, behind the same tokenizer.
    fn analyzers() -> (TextAnalyzer, TextAnalyzer) {
        let plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let memo = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(MemoStemmer::default())
            .build();
        (plain, memo)
    }

    #[test]
    fn for_stems_stems_only_words_that_could_stem_to_one_of_them() {
        let texts = |analyzer: &mut TextAnalyzer, text: &str| -> Vec<String> {
            tokens(analyzer, text).into_iter().map(|t| t.0).collect()
        };
        let mut matching = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(MemoStemmer::for_stems(["sycoph", "model"]))
            .build();
        assert_eq!(
            texts(
                &mut matching,
                "Running models of sycophancy, Sycophantic runners"
            ),
            ["running", "model", "of", "sycoph", "sycophant", "runners"]
        );
        let mut full = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(MemoStemmer::default())
            .build();
        assert_eq!(
            texts(
                &mut full,
                "Running models of sycophancy, Sycophantic runners"
            ),
            ["run", "model", "of", "sycoph", "sycophant", "runner"]
        );
        assert!(!Initials::of([]).holds("a") && !Initials::of([""]).holds("a"));
        let high = Initials::of(["é", "\u{7f}x", "zeta"]);
        assert!(high.holds("éa") && high.holds("\u{7f}") && high.holds("z"));
        assert!(!high.holds("e") && !high.holds("y") && !high.holds("") && !high.holds("\u{3f}"));
    }

    #[test]
    fn same_tokens_as_the_plain_stemmer_with_and_without_the_memo() {
        let (mut plain, mut memo) = analyzers();
        let text = "Sparse autoencoders find highly interpretable features; the features \
                    generalize, generalizing across models and modelling runs. Running ran runs ";
        // Repeated past `STEMS_BEFORE_CACHE`: the memo starts part-way, then serves the rest.
        let text = text.repeat(2_000);
        assert_eq!(tokens(&mut memo, &text), tokens(&mut plain, &text));
    }

    #[test]
    fn same_tokens_when_words_collide_evict_or_are_too_long_to_cache() {
        let (mut plain, mut memo) = analyzers();
        // Far more distinct words than slots, so slots are shared and overwritten; some
        // longer than a slot holds; accented ones.
        let suffixes = [
            "ing", "ed", "s", "ies", "ational", "ness", "ly", "é", "ément",
        ];
        let mut text = String::new();
        for i in 0..20_000u32 {
            let stem = format!("w{}", i.wrapping_mul(2_654_435_761) % 50_000);
            text.push_str(&stem);
            text.push_str(suffixes[i as usize % suffixes.len()]);
            text.push(' ');
            if i % 97 == 0 {
                text.push_str("internationalizationalisationalizing ");
            }
        }
        for _ in 0..2 {
            assert_eq!(tokens(&mut memo, &text), tokens(&mut plain, &text));
        }
    }
}
