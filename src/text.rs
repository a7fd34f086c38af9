//! Text normalisation shared by the parser, the index and the search path.
//! Keys built here decide identity (titles) and matching (names, tags), so they live in one place.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Lowercase, accent-free, punctuation-free form of `s` with single spaces: the identity of a
/// title and the match key of a name or tag. `"Iván  Arcuschin"` → `"ivan arcuschin"`.
pub fn fold_key(s: &str) -> String {
    if s.is_ascii() {
        let mut out = String::with_capacity(s.len());
        let mut pending_space = false;
        // Most names and titles: NFKD and combining marks cannot change ASCII, so skip them.
        for b in s.bytes() {
            if b.is_ascii_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(b.to_ascii_lowercase() as char);
            } else {
                pending_space = true;
            }
        }
        return out;
    }
    fold_key_unicode(s)
}

fn fold_key_unicode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// Whitespace of any kind (NBSP included) collapsed to single spaces, ends trimmed.
pub fn squash_spaces(s: &str) -> String {
    // Byte by byte, decoding only non-ASCII characters: this runs over every line of an export
    // (splitting on `char::is_whitespace` was 3% of a whole ingest's CPU).
    let bytes = s.as_bytes();
    if is_squashed(bytes) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        let (len, space) = char_at(s, i);
        if space {
            i += len;
            continue;
        }
        let start = i;
        i += len;
        while i < bytes.len() {
            let (len, space) = char_at(s, i);
            if space {
                break;
            }
            i += len;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&s[start..i]);
    }
    out
}

/// No whitespace but single ASCII spaces between words: most lines of an export. Conservative:
/// any byte that may start a non-ASCII whitespace character (U+0085, U+00A0: 0xC2; U+1680:
/// 0xE1; U+2000–U+205F: 0xE2; U+3000: 0xE3) sends the text the long way.
fn is_squashed(bytes: &[u8]) -> bool {
    bytes.first() != Some(&b' ')
        && bytes.last() != Some(&b' ')
        && !any_byte_pair(bytes, |b, next| {
            may_be_odd_space(b) | ((b == b' ') & (next == b' '))
        })
}

/// Whether `found(byte, next byte)` holds anywhere in `bytes` (the last byte's next is 0).
/// Branch-free within chunks of 64 bytes, so that the compiler uses vector instructions: the
/// parser's checks of every line run at memory speed.
pub fn any_byte_pair(bytes: &[u8], found: impl Fn(u8, u8) -> bool) -> bool {
    let Some(&last) = bytes.last() else {
        return false;
    };
    let (this, next) = (&bytes[..bytes.len() - 1], &bytes[1..]);
    for (this, next) in this.chunks(64).zip(next.chunks(64)) {
        let mut any = false;
        for (&b, &n) in this.iter().zip(next) {
            any |= found(b, n);
        }
        if any {
            return true;
        }
    }
    found(last, 0)
}

/// Whitespace other than a space, or a byte that may start a non-ASCII whitespace character.
fn may_be_odd_space(b: u8) -> bool {
    (b.wrapping_sub(b'\t') <= b'\r' - b'\t') | (b == 0xc2) | (b.wrapping_sub(0xe1) <= 2)
}

/// The byte length of the character starting at byte `i` of `s`, and whether it is whitespace.
fn char_at(s: &str, i: usize) -> (usize, bool) {
    let b = s.as_bytes()[i];
    if b.is_ascii() {
        return (1, b == b' ' || (b'\t'..=b'\r').contains(&b));
    }
    let c = s[i..].chars().next().expect("i is a character boundary");
    (c.len_utf8(), c.is_whitespace())
}

/// Truncates `s` to at most `max` bytes on a char boundary.
pub fn truncate_at_char(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_key_removes_accents_case_and_punctuation() {
        assert_eq!(fold_key("Iván  Arcuschin"), "ivan arcuschin");
        assert_eq!(fold_key("Clément Dumas"), "clement dumas");
        assert_eq!(fold_key("Featured\u{a0}Research"), "featured research");
        assert_eq!(
            fold_key("Best-of-N Jailbreaking!"),
            "best of n jailbreaking"
        );
        assert_eq!(fold_key("  "), "");
        assert_eq!(fold_key("GPT-4o, v2.5"), "gpt 4o v2 5");
    }

    #[test]
    fn fold_key_ascii_fast_path_matches_unicode_path() {
        let all_ascii: String = (0u8..128).map(char::from).collect();
        for s in [
            all_ascii.as_str(),
            "Sparse Autoencoders Find Highly Interpretable Features",
            "  Neel   Nanda ",
            "a\tb\x0bc--D",
        ] {
            assert_eq!(fold_key(s), fold_key_unicode(s), "{s:?}");
        }
    }

    #[test]
    fn squash_spaces_handles_nbsp() {
        assert_eq!(squash_spaces(" a\u{a0} b\t c "), "a b c");
        assert_eq!(squash_spaces("\u{b}x\u{3000}\u{85}é\u{2029}"), "x é");
    }

    /// The definition `squash_spaces` implements byte by byte.
    fn squash_spaces_by_chars(s: &str) -> String {
        s.split(char::is_whitespace)
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        #[test]
        fn squash_spaces_agrees_with_splitting_on_whitespace(
            s in "([a-zé.,]{0,6}[ \t\n\r\u{b}\u{c}\u{85}\u{a0}\u{2000}\u{2028}\u{3000}\u{1680}]{0,3}){0,12}",
            any in "\\PC{0,40}",
        ) {
            proptest::prop_assert_eq!(squash_spaces(&s), squash_spaces_by_chars(&s));
            proptest::prop_assert_eq!(squash_spaces(&any), squash_spaces_by_chars(&any));
        }
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        let mut s = "héllo".to_string();
        assert!(truncate_at_char(&mut s, 2));
        assert_eq!(s, "h");
    }
}
