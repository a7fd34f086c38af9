//! Clean-up of exported text for display and indexing: LaTeX fragments, TeX quotes, quotes
//! glued to words, control characters and irregular whitespace.

use crate::text::{any_byte_pair, squash_spaces};

/// Commands whose argument is the text itself (`\textit{x}` → `x`).
const KEEP_ARGUMENT: &[&str] = &[
    "textit",
    "emph",
    "textbf",
    "texttt",
    "textsc",
    "textrm",
    "text",
    "mathrm",
    "mathbf",
    "mathit",
    "mathsf",
    "mathtt",
    "underline",
    "mbox",
    "url",
];
/// Commands that vanish with their argument (citations, labels).
const DROP_ARGUMENT: &[&str] = &[
    "cite",
    "citep",
    "citet",
    "citealp",
    "citeauthor",
    "citeyear",
    "ref",
    "eqref",
    "label",
    "footnote",
    // `\noopsort{1992b}1992`: a sorting key BibTeX styles define, never printed.
    "noopsort",
];
/// TeX's words for punctuation, as text (the spaces after them are TeX's, not the text's).
const TEX_WORDS: &[(&str, &str)] = &[
    ("slash", "/"),
    ("emdash", "—"),
    ("endash", "–"),
    ("textemdash", "—"),
    ("textendash", "–"),
    ("hyphen", "-"),
    ("textquoteright", "'"),
    ("textquoteleft", "'"),
    ("textquotedblleft", "\""),
    ("textquotedblright", "\""),
    ("nobreakspace", " "),
    ("quad", " "),
    ("qquad", " "),
    ("space", " "),
    ("textbackslash", "\\"),
];
/// Font switches (`{\tt …}`, `{\em …}`): dropped, the text they switch kept.
const FONT_SWITCHES: &[&str] = &[
    "tt",
    "em",
    "bf",
    "it",
    "rm",
    "sf",
    "sc",
    "sl",
    "up",
    "md",
    "normalfont",
    "ttfamily",
    "bfseries",
    "itshape",
    "scshape",
    "rmfamily",
    "sffamily",
    "upshape",
    "mdseries",
    "slshape",
    "tiny",
    "scriptsize",
    "footnotesize",
    "small",
    "normalsize",
    "large",
    "Large",
    "LARGE",
    "huge",
    "Huge",
    "boldmath",
    "unboldmath",
    "relax",
    "protect",
    "displaystyle",
    "textstyle",
    "scriptstyle",
    "left",
    "right",
    "bigl",
    "bigr",
    "Bigl",
    "Bigr",
    "big",
    "Big",
];
/// Symbols worth a Unicode form.
const SYMBOLS: &[(&str, &str)] = &[
    ("to", "→"),
    ("rightarrow", "→"),
    ("leftarrow", "←"),
    ("leq", "≤"),
    ("le", "≤"),
    ("geq", "≥"),
    ("ge", "≥"),
    ("times", "×"),
    ("approx", "≈"),
    ("sim", "~"),
    ("pm", "±"),
    ("neq", "≠"),
    ("infty", "∞"),
    ("mapsto", "↦"),
    ("Rightarrow", "⇒"),
    ("Leftarrow", "⇐"),
    ("leftrightarrow", "↔"),
    ("Leftrightarrow", "⇔"),
    ("ll", "≪"),
    ("gg", "≫"),
    ("equiv", "≡"),
    ("ne", "≠"),
    ("propto", "∝"),
    ("partial", "∂"),
    ("nabla", "∇"),
    ("sum", "∑"),
    ("prod", "∏"),
    ("int", "∫"),
    ("sqrt", "√"),
    ("in", "∈"),
    ("notin", "∉"),
    ("subset", "⊂"),
    ("subseteq", "⊆"),
    ("supset", "⊃"),
    ("cup", "∪"),
    ("cap", "∩"),
    ("emptyset", "∅"),
    ("forall", "∀"),
    ("exists", "∃"),
    ("neg", "¬"),
    ("wedge", "∧"),
    ("vee", "∨"),
    ("oplus", "⊕"),
    ("otimes", "⊗"),
    ("circ", "∘"),
    ("div", "÷"),
    ("mp", "∓"),
    ("prime", "′"),
    ("deg", "°"),
    ("ell", "ℓ"),
    ("hbar", "ℏ"),
    ("aleph", "ℵ"),
    ("alpha", "α"),
    ("beta", "β"),
    ("gamma", "γ"),
    ("delta", "δ"),
    ("epsilon", "ε"),
    ("varepsilon", "ε"),
    ("zeta", "ζ"),
    ("eta", "η"),
    ("theta", "θ"),
    ("vartheta", "ϑ"),
    ("iota", "ι"),
    ("kappa", "κ"),
    ("lambda", "λ"),
    ("mu", "μ"),
    ("nu", "ν"),
    ("xi", "ξ"),
    ("pi", "π"),
    ("varpi", "ϖ"),
    ("rho", "ρ"),
    ("varrho", "ϱ"),
    ("sigma", "σ"),
    ("varsigma", "ς"),
    ("tau", "τ"),
    ("upsilon", "υ"),
    ("phi", "φ"),
    ("varphi", "φ"),
    ("chi", "χ"),
    ("psi", "ψ"),
    ("omega", "ω"),
    ("Gamma", "Γ"),
    ("Delta", "Δ"),
    ("Theta", "Θ"),
    ("Lambda", "Λ"),
    ("Xi", "Ξ"),
    ("Pi", "Π"),
    ("Sigma", "Σ"),
    ("Upsilon", "Υ"),
    ("Phi", "Φ"),
    ("Psi", "Ψ"),
    ("Omega", "Ω"),
    ("cdot", "·"),
    ("ldots", "…"),
    ("dots", "…"),
    ("%", "%"),
    ("&", "&"),
    ("_", "_"),
    ("#", "#"),
];

/// Clean-up of bibliography text (BibTeX, arXiv): TeX accents (`{\\"o}`, `\\'{e}`, `\\c c`) and
/// special letters (`\\ss`, `{\\o}`) become the letters, protective braces go, `--` and `---`
/// become dashes and `~` a space; then everything `clean_text` does (`\\emph{…}`, `$…$`).
pub fn latex_to_text(raw: &str) -> String {
    // Hyphens are everywhere in prose; only `--` is TeX.
    if !raw.contains(['\\', '{', '}', '~']) && !raw.contains("--") {
        return clean_text(raw);
    }
    let chars: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len());
    // For each open brace: kept (a command's argument) or dropped (protective).
    let mut braces: Vec<bool> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                if let Some((text, next)) = tex_letter(&chars, i) {
                    out.push_str(&text);
                    i = next;
                    continue;
                }
                let end = (i + 1..chars.len())
                    .find(|&k| !chars[k].is_ascii_alphabetic())
                    .unwrap_or(chars.len());
                let name: String = chars[i + 1..end].iter().collect();
                // A control word eats the spaces after it (`\slash ffortid`).
                let after_spaces = |mut k: usize| {
                    while chars.get(k) == Some(&' ') {
                        k += 1;
                    }
                    k
                };
                if name.is_empty() {
                    match chars.get(i + 1) {
                        // Thin and other spaces: a space; `\-` (a hyphenation point) and `\/`
                        // (italic correction): nothing.
                        Some(',' | ';' | ':' | ' ') => {
                            out.push(' ');
                            i += 2;
                            continue;
                        }
                        Some('-' | '/') => {
                            i += 2;
                            continue;
                        }
                        _ => {}
                    }
                } else if let Some((_, text)) = TEX_WORDS.iter().find(|(n, _)| *n == name) {
                    out.push_str(text);
                    i = after_spaces(end);
                    continue;
                } else if FONT_SWITCHES.contains(&name.as_str()) {
                    i = after_spaces(end);
                    continue;
                } else if chars.get(after_spaces(end)) == Some(&'{')
                    && chars.get(after_spaces(end) + 1) != Some(&'}')
                    && !KEEP_ARGUMENT.contains(&name.as_str())
                    && !DROP_ARGUMENT.contains(&name.as_str())
                    && !SYMBOLS.iter().any(|(n, _)| *n == name)
                {
                    // An unknown macro (`\mkbibquote{x}`, `\pkg{x}`): dropped, its argument
                    // kept (the brace is then a protective one).
                    i = after_spaces(end);
                    continue;
                }
                // Another command: copied with its name, for `clean_text`.
                out.push(c);
                i += 1;
                while i < chars.len() && chars[i].is_ascii_alphabetic() {
                    out.push(chars[i]);
                    i += 1;
                }
                if i < chars.len()
                    && !chars[i].is_ascii_alphabetic()
                    && i > 0
                    && chars[i - 1] == '\\'
                {
                    // `\&`, `\%`: a one-character command.
                    out.push(chars[i]);
                    i += 1;
                }
                continue;
            }
            '{' => {
                let keep = out.ends_with(|p: char| p.is_ascii_alphabetic())
                    && out
                        .rfind('\\')
                        .is_some_and(|b| out[b + 1..].chars().all(|ch| ch.is_ascii_alphabetic()));
                braces.push(keep);
                if keep {
                    out.push('{');
                }
            }
            '}' => {
                if braces.pop().unwrap_or(false) {
                    out.push('}');
                }
            }
            '~' => out.push(' '),
            '-' if chars.get(i + 1) == Some(&'-') => {
                if chars.get(i + 2) == Some(&'-') {
                    out.push('—');
                    i += 3;
                } else {
                    out.push('–');
                    i += 2;
                }
                continue;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    // Accents became combining marks: compose them (`o` + U+0308 → `ö`). Most text needs no
    // composing, and the quick check is far cheaper than composing.
    use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
    if out.is_ascii() || is_nfc_quick(out.chars()) == IsNormalized::Yes {
        return clean_text(&out);
    }
    clean_text(&out.nfc().collect::<String>())
}

/// A TeX accent or special letter at `chars[i]` (a backslash): the text and where it ends.
fn tex_letter(chars: &[char], i: usize) -> Option<(String, usize)> {
    let cmd = *chars.get(i + 1)?;
    // The `biblatex` crate reads a name's `{\'\i}` as a backslash, the mark, then the `i`.
    if ('\u{300}'..='\u{36f}').contains(&cmd) {
        if let Some(&base @ ('i' | 'j')) = chars.get(i + 2) {
            return Some((format!("{base}{cmd}"), i + 3));
        }
    }
    let combining = |c: char| -> Option<char> {
        Some(match c {
            '"' => '\u{308}',
            '\'' => '\u{301}',
            '`' => '\u{300}',
            '^' => '\u{302}',
            '~' => '\u{303}',
            '=' => '\u{304}',
            '.' => '\u{307}',
            'u' => '\u{306}',
            'v' => '\u{30c}',
            'H' => '\u{30b}',
            'c' => '\u{327}',
            'k' => '\u{328}',
            'r' => '\u{30a}',
            'd' => '\u{323}',
            'b' => '\u{331}',
            _ => return None,
        })
    };
    // Special letters: `\ss`, `\o`, … not followed by another letter.
    let word_end = |from: usize| {
        let mut j = from;
        while j < chars.len() && chars[j].is_ascii_alphabetic() {
            j += 1;
        }
        j
    };
    let end = word_end(i + 1);
    let name: String = chars[i + 1..end].iter().collect();
    let special = match name.as_str() {
        "ss" => Some("ß"),
        "o" => Some("ø"),
        "O" => Some("Ø"),
        "ae" => Some("æ"),
        "AE" => Some("Æ"),
        "oe" => Some("œ"),
        "OE" => Some("Œ"),
        "aa" => Some("å"),
        "AA" => Some("Å"),
        "l" => Some("ł"),
        "L" => Some("Ł"),
        "i" => Some("i"),
        "j" => Some("j"),
        _ => None,
    };
    if let Some(letter) = special {
        // A space after a letter command only ends it.
        let next = if chars.get(end) == Some(&' ') {
            end + 1
        } else {
            end
        };
        return Some((letter.to_owned(), next));
    }
    let mark = combining(cmd)?;
    let is_letter_cmd = cmd.is_ascii_alphabetic();
    let mut j = i + 2;
    if is_letter_cmd {
        // `\c c`, `\v{s}`, but not `\cite` or `\url`.
        match chars.get(j) {
            Some('{') | Some(' ') => {}
            _ => return None,
        }
    }
    while chars.get(j) == Some(&' ') {
        j += 1;
    }
    let dotless = |k: usize| {
        matches!(chars.get(k), Some('\\'))
            && matches!(chars.get(k + 1), Some('i' | 'j'))
            && !chars.get(k + 2).is_some_and(|c| c.is_ascii_alphabetic())
    };
    let (base, next) = if dotless(j) {
        // `\'\i`: the dotless i under an accent is an i (an empty `{}` after it goes too).
        let mut next = j + 2;
        if chars.get(next) == Some(&'{') && chars.get(next + 1) == Some(&'}') {
            next += 2;
        }
        (chars[j + 1].to_string(), next)
    } else if chars.get(j) == Some(&'{') {
        let close = (j + 1..chars.len()).find(|&k| chars[k] == '}')?;
        let inner: String = chars[j + 1..close].iter().collect();
        let inner = match inner.as_str() {
            "\\i" => "i".to_owned(),
            "\\j" => "j".to_owned(),
            _ => inner,
        };
        (inner, close + 1)
    } else {
        (chars.get(j)?.to_string(), j + 1)
    };
    if base.chars().count() > 2 {
        return None;
    }
    let mut text = base;
    text.push(mark);
    Some((text, next))
}

/// Full clean-up of one field of text.
pub fn clean_text(raw: &str) -> String {
    if is_plain(raw) {
        // Nothing below would change it but the spacing: the common case, kept cheap.
        return squash_spaces(raw);
    }
    clean_text_full(raw)
}

/// Text with no control characters but whitespace, LaTeX (`$`, `\`), TeX quotes or straight
/// double quotes.
fn is_plain(s: &str) -> bool {
    // By bytes: a control character is an ASCII one or a C1 control (U+0080–U+009F, encoded
    // 0xC2 0x80–0x9F); every other byte of a multi-byte character is 0x80 or above. Tabs and
    // line ends (9–13) are spaces to `squash_spaces` as to the full clean-up: the arXiv
    // snapshot wraps every abstract, and sending those down the full path cost a fifth of
    // reading it.
    !any_byte_pair(s.as_bytes(), |b, next| {
        ((b < 0x20) & (b.wrapping_sub(9) > 4))
            | (b == 0x7f)
            | (b == b'$')
            | (b == b'\\')
            | (b == b'`')
            | (b == b'"')
            | ((b == b'\'') & (next == b'\''))
            | ((b == 0xc2) & (next.wrapping_sub(0x80) < 0x20))
    })
}

fn clean_text_full(raw: &str) -> String {
    let no_controls: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let delatexed = strip_latex(&no_controls);
    let quoted = delatexed.replace("``", "\"").replace("''", "\"");
    squash_spaces(&space_glued_quotes(&quoted))
}

/// Removes `$…$` math delimiters and LaTeX commands. A `$` followed by a digit or a space is a
/// currency sign (`$4.6M`), not math.
fn strip_latex(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '$' {
            if let Some(end) = math_span_end(&chars, i) {
                let inner: String = chars[i + 1..end].iter().collect();
                out.push_str(&strip_latex(&inner));
                i = end + 1;
                continue;
            }
            out.push(c);
            i += 1;
        } else if c == '\\' {
            i = consume_command(&chars, i, &mut out);
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn math_span_end(chars: &[char], start: usize) -> Option<usize> {
    let first = *chars.get(start + 1)?;
    if first.is_ascii_digit() || first.is_whitespace() || first == '$' {
        return None;
    }
    let limit = (start + 200).min(chars.len());
    (start + 1..limit).find(|&j| chars[j] == '$' && !chars[j - 1].is_whitespace())
}

/// Consumes a `\command{arg}` starting at `start`, writes its replacement, returns the next index.
fn consume_command(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut j = start + 1;
    while j < chars.len() && chars[j].is_ascii_alphabetic() {
        j += 1;
    }
    if j == start + 1 {
        // `\%`, `\&`, `\\` and friends: one escaped character.
        match chars.get(j) {
            Some(&c) if "%&_#$".contains(c) => {
                out.push(c);
                return j + 1;
            }
            _ => {
                out.push('\\');
                return j;
            }
        }
    }
    let name: String = chars[start + 1..j].iter().collect();
    let arg = if chars.get(j) == Some(&'{') {
        braced(chars, j)
    } else {
        None
    };
    match arg {
        Some((inner, after)) if KEEP_ARGUMENT.contains(&name.as_str()) => {
            out.push_str(&strip_latex(&inner));
            after
        }
        Some((_, after)) if DROP_ARGUMENT.contains(&name.as_str()) => {
            while out.ends_with(' ') {
                out.pop();
            }
            after
        }
        _ => {
            let symbol = SYMBOLS.iter().find(|(n, _)| *n == name);
            match (symbol, arg) {
                (Some((_, sym)), Some((inner, after))) if inner.is_empty() => {
                    out.push_str(sym);
                    after
                }
                (Some((_, sym)), _) => {
                    out.push_str(sym);
                    j
                }
                // An unknown macro with an argument (`\pkg{x}`): the argument is the text.
                (None, Some((inner, after))) if !inner.is_empty() => {
                    out.push_str(&strip_latex(&inner));
                    after
                }
                // Without one (`\TeX{}`): its name as a word rather than lose text.
                (None, Some((_, after))) => {
                    out.push_str(&name);
                    after
                }
                (None, None) => {
                    out.push_str(&name);
                    j
                }
            }
        }
    }
}

fn braced(chars: &[char], open: usize) -> Option<(String, usize)> {
    let mut depth = 0usize;
    for (k, &c) in chars.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((chars[open + 1..k].iter().collect(), k + 1));
                }
            }
            _ => {}
        }
        if k - open > 500 {
            return None;
        }
    }
    None
}

/// `as"Love"versus"Hate")` → `as "Love" versus "Hate")`: straight quotes alternate open/close,
/// so an opening quote glued to a word gets a space before it, a closing one a space after it.
fn space_glued_quotes(s: &str) -> String {
    if !s.contains('"') {
        return s.to_owned();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len() + 8);
    let mut open = false;
    for (k, &c) in chars.iter().enumerate() {
        if c == '"' {
            if !open {
                if k > 0 && chars[k - 1].is_alphanumeric() {
                    out.push(' ');
                }
                out.push(c);
            } else {
                out.push(c);
                if chars.get(k + 1).is_some_and(|n| n.is_alphanumeric()) {
                    out.push(' ');
                }
            }
            open = !open;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The plain path (taken by wrapped arXiv abstracts, hyphenated prose) cleans as the
        /// full one would.
        #[test]
        fn the_plain_path_cleans_as_the_full_path(s in "[a-zA-Zé0-9 \\n\\t\\r\u{b}\u{c}.,'-]{0,80}") {
            proptest::prop_assume!(is_plain(&s));
            proptest::prop_assert_eq!(clean_text(&s), clean_text_full(&s));
            if !s.contains("--") {
                proptest::prop_assert_eq!(latex_to_text(&s), clean_text_full(&s));
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        #[test]
        fn is_plain_by_bytes_agrees_with_by_chars(
            s in "[a-z '\"$`\\\\\u{0}\u{8}\t\n\r\u{e}\u{1f}\u{7f}\u{80}\u{9f}\u{a0}\u{c0}\u{100}\u{2028}é€]{0,12}",
        ) {
            let odd_control = |c: char| c.is_control() && !('\t'..='\r').contains(&c);
            let by_chars = !s.contains("''")
                && !s.chars().any(|c| odd_control(c) || matches!(c, '$' | '\\' | '`' | '"'));
            proptest::prop_assert_eq!(is_plain(&s), by_chars);
        }
    }

    #[test]
    fn plain_fast_path_agrees_with_the_full_clean_up() {
        for s in [
            "Sparse Autoencoders Find  Highly\u{a0}Interpretable Features ",
            "models' internals, it's 4.6M and 85% of GPT-4o's runs",
            "tab\there",
            "costs $4.6M",
            "a ``quote'' here",
            "as\"Love\"versus\"Hate\")",
            "\\textit{superposition} and $\\alpha$",
        ] {
            assert_eq!(clean_text(s), clean_text_full(s), "{s:?}");
        }
    }

    #[test]
    fn latex_fragments_are_cleaned() {
        assert_eq!(
            clean_text(r"cause is \textit{superposition}, where"),
            "cause is superposition, where"
        );
        assert_eq!(
            clean_text(r"task \citep{wang2022interpretability} to a finer"),
            "task to a finer"
        );
        assert_eq!(
            clean_text(r"such as $\textit{false information}$ and"),
            "such as false information and"
        );
        assert_eq!(
            clean_text(r"(Release Date$\to$Elo$\to$Benchmark)"),
            "(Release Date→Elo→Benchmark)"
        );
        assert_eq!(
            clean_text(r"two \emph{novel latents}, which"),
            "two novel latents, which"
        );
        assert_eq!(
            clean_text("representing ``Einstein'' decomposes"),
            "representing \"Einstein\" decomposes"
        );
    }

    #[test]
    fn currency_is_not_math() {
        assert_eq!(
            clean_text("worth $3,694, with GPT-5 doing so at an API cost of $3,476."),
            "worth $3,694, with GPT-5 doing so at an API cost of $3,476."
        );
        assert_eq!(
            clean_text("AI agents find $4.6M in blockchain"),
            "AI agents find $4.6M in blockchain"
        );
    }

    #[test]
    fn glued_quotes_get_spaces() {
        assert_eq!(
            clean_text("pairs (such as\"Love\"versus\"Hate\") to"),
            "pairs (such as \"Love\" versus \"Hate\") to"
        );
        assert_eq!(
            clean_text("e.g. the\"Love\"-\"Hate\"steering vector"),
            "e.g. the \"Love\"-\"Hate\" steering vector"
        );
        assert_eq!(
            clean_text("We use\"one-step\"approaches"),
            "We use \"one-step\" approaches"
        );
    }

    #[test]
    fn controls_and_nbsp_become_spaces() {
        assert_eq!(clean_text("a\u{1b}[31mb\u{a0}c\u{8}d"), "a [31mb c d");
    }

    #[test]
    fn unbalanced_input_does_not_panic() {
        for s in [
            r"\textit{never closed",
            "$\\",
            "\\",
            "$",
            "``",
            "\"",
            r"\cite{",
            "{}}",
        ] {
            let _ = clean_text(s);
        }
    }
}

#[cfg(test)]
mod latex_tests {
    use super::latex_to_text;

    #[test]
    fn tex_accents_braces_and_dashes_become_text() {
        let cases = [
            (r#"Schr{\"o}dinger"#, "Schrödinger"),
            (r#"caf{\'e} \'{e}t\'e"#, "café été"),
            (r#"Fran\c{c}ois Fran\c cois"#, "François François"),
            (
                r#"\"{u}ber {\ss}e {\o}re {\AA}ngstr{\"o}m \v{S}koda"#,
                "über ße øre Ångström Škoda",
            ),
            (r#"Research \& Development"#, "Research & Development"),
            (r#"pages 1--10 --- done"#, "pages 1–10 — done"),
            (
                r#"{BERT}: Pre-training of {D}eep"#,
                "BERT: Pre-training of Deep",
            ),
            (r#"An \emph{emphasised} word"#, "An emphasised word"),
            (r#"$\alpha$-decay~model"#, "α-decay model"),
            (r#"na\"{\i}ve"#, "naïve"),
            (r#"unbalanced {brace"#, "unbalanced brace"),
            (r#"closing only}"#, "closing only"),
        ];
        for (raw, want) in cases {
            assert_eq!(latex_to_text(raw), want, "{raw}");
        }
    }
}

#[cfg(test)]
mod issue_30_tests {
    use super::latex_to_text;

    /// Issue 30: TeX as real bibliographies write it (tugboat.bib, biblatex-examples.bib).
    #[test]
    fn tex_as_bibliographies_write_it_becomes_text() {
        let cases = [
            (r"Mar{\'\i}a Garc{\'\i}a", "María García"),
            (r"\'\i{}ndice", "índice"),
            (r"{\i}t {\j}ump", "it jump"),
            (r"Kn{\o}rr Stra{\ss}e {\L}{\'o}d{\'z}", "Knørr Straße Łódź"),
            (r"{\tt ditroff\slash ffortid}", "ditroff/ffortid"),
            (r"1990\emdash 1995 A\endash B", "1990—1995 A–B"),
            (r"well\hyphen known", "well-known"),
            (r"10\,000~pages", "10 000 pages"),
            (
                r"{\em Emphasis} and {\bf bold} {\it x}",
                "Emphasis and bold x",
            ),
            (r"\mkbibquote{x}", "x"),
            (r"the \pkg{biblatex} package", "the biblatex package"),
            (r"\acro{TUG} meeting", "TUG meeting"),
            (r"\booktitle{x}", "x"),
            (r"$\Omega$-networks and $\Gamma$", "Ω-networks and Γ"),
            (r"$\omega \le \infty$", "ω ≤ ∞"),
            (r"The \TeX{}book", "The TeXbook"),
        ];
        for (raw, want) in cases {
            assert_eq!(latex_to_text(raw), want, "{raw}");
        }
    }
}
