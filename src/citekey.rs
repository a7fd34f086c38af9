//! Citation keys: what may be one, the key made for a paper whose source gave none
//! (`turner2023steering`), and the letter suffixes that keep keys unique. A leaf.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Characters BibTeX, biber or a `\cite{…}` cannot take in a key (besides whitespace).
pub const FORBIDDEN: &str = ",{}()\"#%'=\\~";

/// Longest key accepted from a source; longer is no citation key.
pub const MAX_KEY_CHARS: usize = 200;

/// Whether `key` can be written as `@type{key,` and cited as `\cite{key}`.
pub fn is_valid(key: &str) -> bool {
    !key.is_empty()
        && key.chars().count() <= MAX_KEY_CHARS
        && key
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !FORBIDDEN.contains(c))
}

/// How keys compare for uniqueness: BibTeX and biber treat keys differing only in case as one
/// (a "case mismatch" error), so an index never gives out two such keys.
pub fn fold(key: &str) -> String {
    key.to_lowercase()
}

/// Words a title often starts with that say nothing of the paper.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "by", "at", "as", "is",
    "are", "via", "toward", "towards", "into", "about", "over", "under", "what", "how", "why",
    "when", "do", "does", "can", "we", "our", "its", "it", "this", "that", "be", "or", "not", "vs",
    "some", "using",
];

/// Name parts after the family name.
const NAME_SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv"];

/// The key made for a paper: the first author's family name, the year and the first
/// significant word of the title, lowercase ASCII (`turner2023steering`); `anon` without
/// authors, `nd` without a year.
pub fn base_key(authors: &[String], date: &str, title: &str) -> String {
    let family = authors
        .iter()
        .find(|a| a.trim() != "et al.")
        .map(|a| family_name(a))
        .filter(|f| !f.is_empty())
        .unwrap_or_else(|| "anon".to_owned());
    let year = date
        .get(..4)
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("nd");
    let word = ascii_words(title)
        .into_iter()
        .find(|w| !FUNCTION_WORDS.contains(&w.as_str()))
        .unwrap_or_default();
    format!("{family}{year}{word}")
}

/// The family name of a display name (`Given von Family Jr.` or `Family, Given`): its last
/// word, suffixes aside, as lowercase ASCII letters and digits.
fn family_name(name: &str) -> String {
    let family_part = match name.split_once(',') {
        Some((family, _)) => family,
        None => name,
    };
    let words = ascii_words(family_part);
    words
        .iter()
        .rev()
        .find(|w| !NAME_SUFFIXES.contains(&w.as_str()))
        .or(words.last())
        .cloned()
        .unwrap_or_default()
}

/// Lowercase ASCII words of `s`: accents dropped, letters without a decomposition spelled in
/// ASCII (`ß` → `ss`, `ø` → `o`), anything else a separator.
fn ascii_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    for c in s.nfkd().filter(|c| !is_combining_mark(*c)) {
        let spelled = match c {
            'ß' => "ss",
            'ø' | 'Ø' => "o",
            'æ' | 'Æ' => "ae",
            'œ' | 'Œ' => "oe",
            'ł' | 'Ł' => "l",
            'đ' | 'Đ' | 'ð' | 'Ð' => "d",
            'þ' | 'Þ' => "th",
            'ı' => "i",
            // An apostrophe inside a name (O'Neil) joins its parts.
            '\'' | '’' => "",
            c if c.is_ascii_alphanumeric() => {
                word.push(c.to_ascii_lowercase());
                continue;
            }
            _ => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                continue;
            }
        };
        word.push_str(spelled);
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// `base` with the `n`-th letter suffix: nothing for 0, then `a`…`z`, `aa`, `ab`… (as
/// Better BibTeX and JabRef suffix a key already taken).
pub fn with_suffix(base: &str, n: usize) -> String {
    if n == 0 {
        return base.to_owned();
    }
    let mut letters = Vec::new();
    let mut n = n;
    while n > 0 {
        n -= 1;
        letters.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    format!("{base}{}", String::from_utf8_lossy(&letters))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_made_key_is_family_year_and_first_significant_word_in_ascii() {
        let key = base_key(
            &names(&["Alexander Matt Turner", "Lisa Thiergart"]),
            "2023-08-20",
            "Steering Language Models With Activation Engineering",
        );
        assert_eq!(key, "turner2023steering");
        assert_eq!(
            base_key(
                &names(&["Kurt Gödel"]),
                "1931",
                "Über formal unentscheidbare Sätze"
            ),
            "godel1931uber"
        );
        assert_eq!(
            base_key(&names(&["Paul Erdős", "X"]), "1959", "On Random Graphs I"),
            "erdos1959random"
        );
        assert_eq!(
            base_key(&names(&["Martin Luther King Jr."]), "1963", "The Letter"),
            "king1963letter"
        );
        assert_eq!(
            base_key(&names(&["Strauß, Johann"]), "1867", "A Towards the Blue"),
            "strauss1867blue"
        );
        assert_eq!(
            base_key(&names(&["Shaun O'Neil"]), "2020", "Ørsted's law"),
            "oneil2020orsteds"
        );
        assert_eq!(base_key(&[], "2020", "Editorial"), "anon2020editorial");
        assert_eq!(
            base_key(&names(&["et al."]), "x", "深度学习"),
            "anonnd",
            "no ASCII word: the key is still ASCII"
        );
        assert!(base_key(&names(&["Łukasz Kaiser"]), "2017", "Attention").is_ascii());
    }

    #[test]
    fn suffixes_run_a_to_z_then_two_letters() {
        assert_eq!(with_suffix("k", 0), "k");
        assert_eq!(with_suffix("k", 1), "ka");
        assert_eq!(with_suffix("k", 26), "kz");
        assert_eq!(with_suffix("k", 27), "kaa");
        assert_eq!(with_suffix("k", 28), "kab");
        assert_eq!(with_suffix("k", 26 * 27), "kzz");
        assert_eq!(with_suffix("k", 26 * 27 + 1), "kaaa");
    }

    #[test]
    fn keys_with_spaces_or_tex_specials_are_refused() {
        for good in ["knuth1984", "Knuth:1984:TB", "a-b_c.d/e+f", "müller2020"] {
            assert!(is_valid(good), "{good}");
        }
        for bad in [
            "",
            "two words",
            "a,b",
            "a{b",
            "a%b",
            "a\\b",
            "a~b",
            "a\"b",
            "a#b",
        ] {
            assert!(!is_valid(bad), "{bad}");
        }
        assert!(!is_valid(&"k".repeat(MAX_KEY_CHARS + 1)));
    }
}
