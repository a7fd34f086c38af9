//! Short forms and what they stand for: "long form (SHORT)" definitions mined from titles and
//! abstracts (Schwartz & Hearst, 2003), a user's synonyms file, and the table queries expand by.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::error::{Error, Result};
use crate::text::fold_key;

/// One definition found in a text: `long` written out before `(short)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub short: String,
    pub long: String,
}

/// The longest short form taken, in characters (`(Jett)` is a name, not an acronym: it is
/// refused because its letters are not found in order in the words before).
const MAX_SHORT_CHARS: usize = 10;

/// The definitions "long form (SHORT)" in `text`. A short form has 2 to 10 characters, at most
/// two words, begins with a letter or digit and holds a capital; its long form is the fewest
/// words before the parenthesis (at most min(|SHORT| + 5, 2 × |SHORT|)) in which its letters
/// are found in order, the first starting a word (Schwartz & Hearst's algorithm). A plural
/// short form (`SAEs`) is kept singular (`SAE`): the long form's words are stemmed anyway.
pub fn definitions_in(text: &str) -> Vec<Definition> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('(').map(|i| from + i) {
        from = open + 1;
        let Some(close) = text[open + 1..].find(')').map(|i| open + 1 + i) else {
            break;
        };
        let inside = text[open + 1..close].trim();
        if !plausible_short(inside) {
            continue;
        }
        let before = clause_before(&text[..open]);
        if let Some(long) = best_long_form(inside, before) {
            out.push(Definition {
                short: singular(inside),
                long,
            });
        }
    }
    out
}

fn plausible_short(s: &str) -> bool {
    let chars = s.chars().count();
    (2..=MAX_SHORT_CHARS).contains(&chars)
        && s.split_whitespace().count() <= 2
        && s.chars().next().is_some_and(char::is_alphanumeric)
        && s.chars().any(char::is_uppercase)
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == ' ')
}

/// `SAEs` → `SAE`; `LLMs` → `LLM`; `MAIDs` → `MAID`; `BoN` stays.
fn singular(short: &str) -> String {
    let Some(stem) = short.strip_suffix('s') else {
        return short.to_owned();
    };
    if stem.chars().count() >= 2 && stem.chars().all(|c| !c.is_lowercase()) {
        stem.to_owned()
    } else {
        short.to_owned()
    }
}

/// The text of the sentence or clause that ends where the parenthesis opens.
fn clause_before(text: &str) -> &str {
    let start = text
        .rfind(['.', ';', ':', '(', ')', '!', '?', '\n'])
        .map_or(0, |i| i + 1);
    &text[start..]
}

fn best_long_form(short: &str, before: &str) -> Option<String> {
    let letters = short.chars().filter(|c| c.is_alphanumeric()).count();
    let max_words = (letters + 5).min(letters * 2);
    let words: Vec<&str> = before.split_whitespace().collect();
    let window = &words[words.len().saturating_sub(max_words)..];
    let candidate = window.join(" ");
    let found = match_backwards(short, &candidate)?;
    let long = candidate[found..].trim().to_owned();
    let fold = fold_key(&long);
    if long.len() <= short.len() || fold.contains(&fold_key(short)) || fold.is_empty() {
        return None;
    }
    Some(long)
}

/// Schwartz & Hearst's match: each character of the short form, last first, found in the long
/// form going backwards, the first one at the start of a word. The byte where the long form
/// starts.
fn match_backwards(short: &str, long: &str) -> Option<usize> {
    let s: Vec<char> = short.to_lowercase().chars().collect();
    let l: Vec<(usize, char)> = long
        .char_indices()
        .map(|(i, c)| (i, c.to_lowercase().next().unwrap_or(c)))
        .collect();
    let mut si = s.len();
    let mut li = l.len();
    while si > 0 {
        let c = s[si - 1];
        if !c.is_alphanumeric() {
            si -= 1;
            continue;
        }
        loop {
            if li == 0 {
                return None;
            }
            let here = l[li - 1].1;
            let word_start = li == 1 || !l[li - 2].1.is_alphanumeric();
            if here == c && (si > 1 || word_start) {
                break;
            }
            li -= 1;
        }
        li -= 1;
        si -= 1;
    }
    // `li` is where the short form's first character matched: the start of a word.
    l.get(li).map(|&(i, _)| i)
}

/// What tells long forms apart: folded, the plural of the last word aside (`Large Language
/// Models` and `large language model` define `LLM` alike).
fn long_key(long: &str) -> String {
    let folded = fold_key(long);
    match folded.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') => stem.to_owned(),
        _ => folded,
    }
}

/// Definitions gathered over a listing: each (short form, long form) pair with the number of
/// records defining it and whether a title did.
#[derive(Default)]
pub struct Miner {
    seen: HashMap<(String, String), Seen>,
}

struct Seen {
    records: u32,
    in_title: bool,
    /// The long form as first written (the key is folded).
    long: String,
}

impl Miner {
    pub fn record(&mut self, title: &str, abstract_text: &str) {
        let mut once = Vec::new();
        for (text, is_title) in [(title, true), (abstract_text, false)] {
            for d in definitions_in(text) {
                let key = (d.short.clone(), long_key(&d.long));
                if once.contains(&key) {
                    continue;
                }
                once.push(key.clone());
                let seen = self.seen.entry(key).or_insert(Seen {
                    records: 0,
                    in_title: false,
                    long: d.long,
                });
                seen.records += 1;
                seen.in_title |= is_title;
            }
        }
    }

    /// The definitions kept: seen in at least two records, or in a title.
    pub fn finish(self) -> Synonyms {
        let mut out = Synonyms::default();
        for ((short, _), seen) in self.seen {
            if seen.records >= 2 || seen.in_title {
                out.define(short, seen.long.to_lowercase(), seen.records);
            }
        }
        out.mined.sort();
        out
    }
}

/// Groups of terms that mean the same: each term of a group also finds the others. A term is
/// one word (`SAE`) or several (`sparse autoencoder`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    /// Folded term → the other terms of its groups, as written, with the records defining
    /// them (0 for a user's group), most first.
    to: BTreeMap<String, Vec<(String, u32)>>,
    /// The mined definitions as (short, long, records), what an index stores.
    mined: Vec<(String, String, u32)>,
    /// The most words any term has, kept as groups are added (asked at every search).
    longest_words: usize,
}

/// A user's synonyms file, read from the index directory when `--synonyms` names none.
pub const SYNONYMS_FILE: &str = "synonyms.txt";

/// At most this many long forms per short form are expanded to (the most defined first).
pub const MAX_EXPANSIONS: usize = 3;

impl Synonyms {
    fn define(&mut self, short: String, long: String, records: u32) {
        self.add(&[short.clone(), long.clone()], records);
        self.mined.push((short, long, records));
    }

    fn add(&mut self, group: &[String], records: u32) {
        for term in group {
            self.longest_words = self.longest_words.max(term.split_whitespace().count());
            let key = fold_key(term);
            if key.is_empty() {
                continue;
            }
            let others = self.to.entry(key.clone()).or_default();
            for other in group {
                if fold_key(other) != key && !others.iter().any(|(o, _)| o == other) {
                    others.push((other.clone(), records));
                }
            }
            others.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.to.is_empty()
    }

    /// What `term` (one word or several) also stands for, if anything.
    pub fn of(&self, term: &str) -> Vec<&str> {
        self.to
            .get(&fold_key(term))
            .map(|v| {
                v.iter()
                    .take(MAX_EXPANSIONS)
                    .map(|(t, _)| t.as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The most words any term has: how far a query looks for a written-out long form.
    pub fn longest_term_words(&self) -> usize {
        self.longest_words.max(1)
    }

    /// A user's synonyms: one group per line, its terms separated by `=` or `,`
    /// (`SAE = sparse autoencoder`); `#` starts a comment. A line with one term is an error.
    pub fn parse(name: &str, text: &str) -> Result<Synonyms> {
        let mut out = Synonyms::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let terms: Vec<String> = line
                .split(['=', ','])
                .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|t| !t.is_empty())
                .collect();
            if terms.len() < 2 {
                return Err(Error::Usage(format!(
                    "{name}:{}: a synonym group needs two terms or more, as `SAE = sparse autoencoder`",
                    n + 1
                )));
            }
            out.add(&terms, 0);
        }
        Ok(out)
    }

    pub fn load(path: &Path) -> Result<Synonyms> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Synonyms::parse(&path.display().to_string(), &text)
    }

    /// The mined definitions as stored with an index generation: `SHORT<TAB>long form<TAB>records`
    /// per line (a user's groups are not stored: the file is read at each query).
    pub fn to_tsv(&self) -> String {
        let mut out = String::new();
        for (short, long, records) in &self.mined {
            out.push_str(&format!("{short}\t{long}\t{records}\n"));
        }
        out
    }

    pub fn from_tsv(text: &str) -> Synonyms {
        let mut out = Synonyms::default();
        for line in text.lines() {
            let mut cols = line.split('\t');
            if let (Some(short), Some(long), Some(n)) = (cols.next(), cols.next(), cols.next()) {
                out.define(short.to_owned(), long.to_owned(), n.parse().unwrap_or(0));
            }
        }
        out.mined.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, String)> {
        definitions_in(text)
            .into_iter()
            .map(|d| (d.short, d.long))
            .collect()
    }

    fn pair(s: &str, l: &str) -> (String, String) {
        (s.to_owned(), l.to_owned())
    }

    #[test]
    fn definitions_of_the_shipped_corpus_kinds_are_found() {
        // Sentences as the shipped corpus writes them.
        assert_eq!(
            found("Sparse autoencoders (SAEs) find features."),
            [pair("SAE", "Sparse autoencoders")]
        );
        assert_eq!(
            found("we introduce the Activation Addition (ActAdd), a method"),
            [pair("ActAdd", "Activation Addition")]
        );
        assert_eq!(
            found("often provide chain-of-thought (CoT) reasoning"),
            [pair("CoT", "chain-of-thought")]
        );
        assert_eq!(
            found("Multi-agent influence diagrams (MAIDs) are"),
            [pair("MAID", "Multi-agent influence diagrams")]
        );
        // Every character must be found: a digit the long form lacks defines nothing.
        assert!(found("Local Loss Landscape Decomposition (L3D)").is_empty());
        assert_eq!(
            found("textual representations of a pretrained large language model (LLM)"),
            [pair("LLM", "large language model")]
        );
    }

    #[test]
    fn parentheses_that_define_nothing_are_refused() {
        // A name, a citation, a lowercase aside, a short form whose letters are not there.
        assert!(found("Kajetan (Jett) Janiak").is_empty());
        assert!(found("as shown before (Smith 2020)").is_empty());
        assert!(found("the results (see below) hold").is_empty());
        assert!(found("a new method (XYZ) for").is_empty());
        assert!(found("(SAE) at the start").is_empty());
        assert!(found("unclosed (SAE").is_empty());
    }

    #[test]
    fn the_first_letter_starts_a_word_of_the_long_form() {
        // `R` of `RL` must begin a word: "reinforcement learning", not "...r learning".
        assert_eq!(
            found("trained with reinforcement learning (RL) from"),
            [pair("RL", "reinforcement learning")]
        );
    }

    #[test]
    fn mined_definitions_need_two_records_or_a_title() {
        let mut miner = Miner::default();
        miner.record("x", "Sparse autoencoders (SAEs) are used.");
        miner.record("y", "We train sparse autoencoders (SAEs) twice (SAEs).");
        miner.record("z", "A one-off phrase (AOP) here.");
        miner.record("Best-of-N (BoN) jailbreaking", "");
        let table = miner.finish();
        assert_eq!(table.of("sae"), ["sparse autoencoders"]);
        assert_eq!(table.of("Sparse Autoencoders"), ["SAE"]);
        assert!(table.of("AOP").is_empty());
        assert_eq!(table.of("BoN"), ["best-of-n"]);
        // Stored and read back the same.
        assert_eq!(Synonyms::from_tsv(&table.to_tsv()), table);
    }

    #[test]
    fn a_users_file_is_read_line_by_line_with_errors_located() {
        let s = Synonyms::parse(
            "syn.txt",
            "# mine\nSAE = sparse autoencoder\nLM, language model\n",
        )
        .unwrap();
        assert_eq!(s.of("SAE"), ["sparse autoencoder"]);
        assert_eq!(s.of("language  model"), ["LM"]);
        let e = Synonyms::parse("syn.txt", "SAE = sparse autoencoder\nlonely\n").unwrap_err();
        assert!(e.to_string().contains("syn.txt:2:"), "{e}");
    }
}
