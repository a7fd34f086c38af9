//! The citation keys a text names: a list (one a line, or comma-separated), pasted citations
//! (`\cite{a,b}`, `\citep[p.~3]{a}`), or a LaTeX `.aux` file's `\citation{…}` / `\abx@aux@cite{…}{…}`.

/// What a selection of keys asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cited {
    /// Every paper (`\citation{*}`, `\nocite{*}`).
    All,
    /// These keys, in first-cited order, each once.
    Keys(Vec<String>),
}

/// The keys of a pasted text: every `\cite…{…}` command's (with its `[…]` options skipped),
/// else the words of the lines, split at commas and spaces.
pub fn keys_in_text(text: &str) -> Cited {
    let cited = command_arguments(text, |name| name.starts_with("cite") || name == "nocite");
    if !cited.is_empty() {
        return collect(cited);
    }
    collect(
        text.split(|c: char| c == ',' || c.is_whitespace())
            .map(str::to_owned)
            .collect(),
    )
}

/// The keys a LaTeX run cited, from its `.aux` file: BibTeX's `\citation{a,b}` and biblatex's
/// `\abx@aux@cite{REFSECTION}{a}` (its second argument).
pub fn keys_in_aux(text: &str) -> Cited {
    let mut keys = command_arguments(text, |name| name == "citation");
    for line in text.lines() {
        let mut rest = line;
        while let Some(at) = rest.find("\\abx@aux@cite{") {
            rest = &rest[at + "\\abx@aux@cite{".len()..];
            // `{0}{key}`: skip the refsection, take the key.
            let Some(close) = rest.find('}') else { break };
            rest = &rest[close + 1..];
            if let Some(arg) = rest.strip_prefix('{') {
                if let Some(end) = arg.find('}') {
                    keys.push(arg[..end].to_owned());
                    rest = &arg[end + 1..];
                }
            }
        }
    }
    collect(keys)
}

/// The comma-separated words of the first braced argument of every command `wanted` names.
fn command_arguments(text: &str, wanted: impl Fn(&str) -> bool) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut keys = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '\\' {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < chars.len() && (chars[end].is_ascii_alphabetic() || chars[end] == '*') {
            end += 1;
        }
        let name: String = chars[start..end].iter().collect();
        i = end.max(start);
        if !wanted(name.trim_end_matches('*')) {
            continue;
        }
        // Options (`[p.~3]`, `[see][]`) and spaces before the argument.
        while i < chars.len() {
            match chars[i] {
                ' ' => i += 1,
                '[' => match chars[i..].iter().position(|&c| c == ']') {
                    Some(close) => i += close + 1,
                    None => break,
                },
                _ => break,
            }
        }
        if chars.get(i) != Some(&'{') {
            continue;
        }
        let Some(close) = chars[i..].iter().position(|&c| c == '}') else {
            break;
        };
        let arg: String = chars[i + 1..i + close].iter().collect();
        keys.extend(arg.split(',').map(|k| k.trim().to_owned()));
        i += close + 1;
    }
    keys
}

fn collect(keys: Vec<String>) -> Cited {
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        let key = key.trim();
        if key == "*" {
            return Cited::All;
        }
        if !key.is_empty() && !out.iter().any(|k| k == key) {
            out.push(key.to_owned());
        }
    }
    Cited::Keys(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(list: &[&str]) -> Cited {
        Cited::Keys(list.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn pasted_citations_and_plain_lists_give_their_keys() {
        assert_eq!(
            keys_in_text("as shown \\cite{a,b} and \\citep[p.~3]{c} (\\citet*[see][]{ b , d})"),
            keys(&["a", "b", "c", "d"])
        );
        assert_eq!(keys_in_text("a\nb, c\n\n a\n"), keys(&["a", "b", "c"]));
        assert_eq!(keys_in_text("\\nocite{*}"), Cited::All);
        assert_eq!(keys_in_text(""), keys(&[]));
    }

    #[test]
    fn aux_files_of_bibtex_and_biblatex_give_the_cited_keys() {
        let bibtex = "\\relax\n\\citation{turner2023steering,Knuth:1984:TB}\n\\bibstyle{plain}\n\\citation{turner2023steering}\n\\bibdata{refs}\n";
        assert_eq!(
            keys_in_aux(bibtex),
            keys(&["turner2023steering", "Knuth:1984:TB"])
        );
        let biblatex = "\\relax\n\\abx@aux@refcontext{nty/global//global/global}\n\\abx@aux@cite{0}{lamport94}\n\\abx@aux@segm{0}{0}{lamport94}\n\\abx@aux@cite{0}{x2020}\n";
        assert_eq!(keys_in_aux(biblatex), keys(&["lamport94", "x2020"]));
        assert_eq!(keys_in_aux("\\citation{*}\n"), Cited::All);
    }
}
