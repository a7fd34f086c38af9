//! Text as a BibTeX field holds it: TeX specials escaped, capitals protected in titles, and in
//! `--ascii` letters beyond ASCII as TeX accents (`{\"o}`); what `inputs::clean` reads back.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// `s` as the text of a field: every TeX special escaped (braces as `\textbraceleft{}`, since
/// BibTeX counts even an escaped brace), UTF-8 as it is or, with `ascii`, as TeX accents.
pub fn field_text(s: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        push_char(&mut out, c, ascii);
        if is_ligature(c, chars.peek().copied()) {
            out.push_str("{}");
        }
    }
    out
}

/// Two characters TeX would join into one (`--` an en dash, `''` a closing quote, `` `` ``
/// an opening one), so written apart (`-{}-`) to stay what they are.
fn is_ligature(c: char, next: Option<char>) -> bool {
    matches!(
        (c, next),
        ('-', Some('-')) | ('\'', Some('\'')) | ('`', Some('`'))
    )
}

/// A title: as `field_text`, each word with a capital after its first letter (`DNA`,
/// `BatchTopK`, `iPhone`) braced so that a style's sentence case keeps it.
pub fn title_text(s: &str, ascii: bool) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let protect = word.chars().skip(1).any(char::is_uppercase);
        let text = field_text(word, ascii);
        if protect {
            out.push('{');
            out.push_str(&text);
            out.push('}');
        } else {
            out.push_str(&text);
        }
        word.clear();
    };
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            push_char(&mut out, c, ascii);
            if is_ligature(c, chars.peek().copied()) {
                out.push_str("{}");
            }
        }
    }
    flush(&mut word, &mut out);
    out
}

fn push_char(out: &mut String, c: char, ascii: bool) {
    match c {
        '&' | '%' | '$' | '#' | '_' => {
            out.push('\\');
            out.push(c);
        }
        '{' => out.push_str("\\textbraceleft{}"),
        '}' => out.push_str("\\textbraceright{}"),
        '~' => out.push_str("\\textasciitilde{}"),
        '^' => out.push_str("\\textasciicircum{}"),
        '\\' => out.push_str("\\textbackslash{}"),
        c if c.is_ascii() || !ascii => out.push(c),
        c => out.push_str(&tex_letter(c)),
    }
}

/// A non-ASCII character in TeX: a letter with accents as `{\'e}` (several nested), the
/// letters of their own as `{\ss}`, dashes and quotes as TeX writes them; a character TeX has
/// no plain form for is kept as it is (pdfTeX with `inputenc` utf8 reads it).
fn tex_letter(c: char) -> String {
    let own = match c {
        'ß' => Some("{\\ss}"),
        'ø' => Some("{\\o}"),
        'Ø' => Some("{\\O}"),
        'æ' => Some("{\\ae}"),
        'Æ' => Some("{\\AE}"),
        'œ' => Some("{\\oe}"),
        'Œ' => Some("{\\OE}"),
        'ł' => Some("{\\l}"),
        'Ł' => Some("{\\L}"),
        'ı' => Some("{\\i}"),
        '–' => Some("--"),
        '—' => Some("---"),
        '‘' => Some("`"),
        '’' => Some("'"),
        '“' => Some("``"),
        '”' => Some("''"),
        '\u{a0}' => Some("~"),
        _ => None,
    };
    if let Some(own) = own {
        return own.to_owned();
    }
    let mut parts = c.nfd();
    let Some(base) = parts.next() else {
        return c.to_string();
    };
    let marks: Vec<char> = parts.collect();
    if !base.is_ascii() || marks.is_empty() || !marks.iter().all(|m| is_combining_mark(*m)) {
        return c.to_string();
    }
    let mut text = match base {
        // A dotless i or j under an accent (`{\'\i}`), as TeX wants it.
        'i' => "\\i".to_owned(),
        'j' => "\\j".to_owned(),
        b => b.to_string(),
    };
    for mark in marks {
        let Some(cmd) = accent_command(mark) else {
            return c.to_string();
        };
        text = if cmd.chars().all(|ch| ch.is_ascii_alphabetic()) {
            format!("\\{cmd}{{{text}}}")
        } else {
            format!("\\{cmd}{text}")
        };
    }
    format!("{{{text}}}")
}

/// The TeX accent command of a combining mark.
fn accent_command(mark: char) -> Option<&'static str> {
    Some(match mark {
        '\u{300}' => "`",
        '\u{301}' => "'",
        '\u{302}' => "^",
        '\u{303}' => "~",
        '\u{304}' => "=",
        '\u{306}' => "u",
        '\u{307}' => ".",
        '\u{308}' => "\"",
        '\u{30a}' => "r",
        '\u{30b}' => "H",
        '\u{30c}' => "v",
        '\u{323}' => "d",
        '\u{327}' => "c",
        '\u{328}' => "k",
        '\u{331}' => "b",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specials_are_escaped_and_braces_never_unbalance_a_field() {
        let s = field_text("a & b 50% $5 #1 x_y {z} ~ ^ \\", false);
        assert_eq!(
            s,
            "a \\& b 50\\% \\$5 \\#1 x\\_y \\textbraceleft{}z\\textbraceright{} \\textasciitilde{} \\textasciicircum{} \\textbackslash{}"
        );
        let opened = s.matches('{').count();
        assert_eq!(opened, s.matches('}').count());
    }

    #[test]
    fn titles_protect_words_with_inner_capitals() {
        assert_eq!(
            title_text("The DNA of BatchTopK Sparse Autoencoders", false),
            "The {DNA} of {BatchTopK} Sparse Autoencoders"
        );
        assert_eq!(
            title_text("GPT-4o & iPhone", false),
            "{GPT}-4o \\& {iPhone}"
        );
        assert_eq!(field_text("a -- b '' c", false), "a -{}- b '{}' c");
    }

    #[test]
    fn ascii_spells_accents_in_tex() {
        assert_eq!(field_text("Schrödinger", true), "Schr{\\\"o}dinger");
        assert_eq!(
            field_text("Garriga-Alonso Adrià", true),
            "Garriga-Alonso Adri{\\`a}"
        );
        assert_eq!(field_text("Martín", true), "Mart{\\'\\i}n");
        assert_eq!(field_text("Łukasz Straße", true), "{\\L}ukasz Stra{\\ss}e");
        assert_eq!(field_text("Dvořák", true), "Dvo{\\v{r}}{\\'a}k");
        assert_eq!(field_text("Schrödinger", false), "Schrödinger");
        assert_eq!(field_text("深度", true), "深度", "no TeX form: kept");
    }
}
