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
    let mut out = String::with_capacity(s.len());
    for word in s
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
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
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        let mut s = "héllo".to_string();
        assert!(truncate_at_char(&mut s, 2));
        assert_eq!(s, "h");
    }
}
