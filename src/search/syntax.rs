//! The query language: words, "phrases", OR, AND, -word / NOT word, parentheses, word*,
//! and field scopes (title:, abstract:, author:, fellow:, tag:, and the identifiers doi: and
//! arxiv:, whose value is a literal up to the next space). Parsed by hand so that every
//! error carries a position and a hint, and no input can reach tantivy's own parser.
//!
//! `year:` and `date:` are filters written inside the query (`year:2025`, `year:2023..2025`,
//! `date:>=2025-03`): taken out of the query and added to the request's filters, as
//! `--year`/`--since`/`--until` would be.
//!
//! Precedence, loosest first: implicit or explicit AND, then OR, then NOT/-. So
//! `sparse autoencoder OR SAE` means `sparse AND (autoencoder OR SAE)`, as in web search.

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 2_000;
/// Most words and phrases in one query.
pub const MAX_QUERY_TERMS: usize = 64;

pub use crate::engine::ast::{Node, Scope};
pub use crate::error::QueryError;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String, bool),
    Phrase(String),
    Scope(Scope),
    LParen,
    RParen,
    And,
    Or,
    Not,
    Filter(QueryFilter),
}

/// A filter written inside the query: `year:…` or `date:…`, its value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryFilter {
    /// `year` or `date`.
    pub field: &'static str,
    pub value: String,
    /// Column (1-based, in characters) of the field name.
    pub col: usize,
}

/// The names a query may scope by or filter by, for the message refusing any other.
const KNOWN_FIELDS: &str = "title, abstract, author, fellow, tag, doi, arxiv, year, date";

/// A query parsed whole: its tree (with what relaxation may drop) and its filters.
#[derive(Debug, Clone, Default)]
pub struct ParsedQuery {
    pub node: Option<(Node, Vec<usize>)>,
    pub filters: Vec<QueryFilter>,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    col: usize,
}

/// Parses `input`; `Ok(None)` for an empty (or blank) query.
pub fn parse_query(input: &str) -> Result<Option<Node>, QueryError> {
    Ok(parse_query_droppable(input)?.map(|(node, _)| node))
}

/// As `parse_query`, with the items of the top level a relaxation may drop when nothing
/// matches them all: of `a b c` (an implicit AND) the plain unscoped words, as indexes into
/// the top `Node::And`. Never a field scope, a phrase, a group, a NOT, nor a word tied to
/// another by an explicit AND.
pub fn parse_query_droppable(input: &str) -> Result<Option<(Node, Vec<usize>)>, QueryError> {
    Ok(parse_query_full(input)?.node)
}

/// As `parse_query_droppable`, with the `year:`/`date:` filters written in the query. A
/// filter applies to the whole query, so it stands at its top level: not inside (…), after
/// NOT/- or beside an OR.
pub fn parse_query_full(input: &str) -> Result<ParsedQuery, QueryError> {
    let chars = input.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(QueryError::new(
            0,
            format!("query is {chars} characters long; the limit is {MAX_QUERY_CHARS}"),
            Some("search for fewer, more distinctive words"),
        ));
    }
    if let Some(node) = pasted_identifier(input) {
        return Ok(ParsedQuery {
            node: Some((node, Vec::new())),
            filters: Vec::new(),
        });
    }
    let lexed = lex(input)?;
    let mut tokens = Vec::with_capacity(lexed.len());
    let mut filters = Vec::new();
    let mut depth = 0usize;
    for (i, t) in lexed.iter().enumerate() {
        match &t.tok {
            Tok::LParen => depth += 1,
            Tok::RParen => depth = depth.saturating_sub(1),
            Tok::Filter(f) => {
                let before = i.checked_sub(1).map(|b| &lexed[b].tok);
                let after = lexed.get(i + 1).map(|a| &a.tok);
                if depth > 0
                    || matches!(before, Some(Tok::Not | Tok::Or | Tok::And))
                    || matches!(after, Some(Tok::Or | Tok::And))
                {
                    return Err(QueryError::new(
                        t.col,
                        format!("`{}:` filters the whole query", f.field),
                        Some("write it apart, outside (…) and without OR, AND or NOT"),
                    ));
                }
                filters.push(f.clone());
                continue;
            }
            _ => {}
        }
        tokens.push(t.clone());
    }
    if tokens.is_empty() {
        return Ok(ParsedQuery {
            node: None,
            filters,
        });
    }
    let terms = tokens
        .iter()
        .filter(|t| matches!(t.tok, Tok::Word(..) | Tok::Phrase(_)))
        .count();
    if terms > MAX_QUERY_TERMS {
        return Err(QueryError::new(
            0,
            format!("query has {terms} words and phrases; the limit is {MAX_QUERY_TERMS}"),
            Some("search for fewer, more distinctive words"),
        ));
    }
    let mut p = Parser {
        tokens,
        pos: 0,
        end_col: chars + 1,
        top_joined: Vec::new(),
    };
    let node = p.and_expr(None, 0)?;
    if let Some(t) = p.peek() {
        let col = t.col;
        return Err(match t.tok {
            Tok::RParen => QueryError::new(
                col,
                "unbalanced parenthesis: `)` without `(`",
                Some("remove it or add `(` before"),
            ),
            _ => QueryError::new(col, "unexpected text", None),
        });
    }
    let droppable = match &node {
        Node::And(items) => items
            .iter()
            .zip(&p.top_joined)
            .enumerate()
            .filter(|(_, (item, joined))| {
                !**joined
                    && matches!(
                        item,
                        Node::Word {
                            scope: None,
                            prefix: false,
                            ..
                        }
                    )
            })
            .map(|(i, _)| i)
            .collect(),
        _ => Vec::new(),
    };
    Ok(ParsedQuery {
        node: Some((node, droppable)),
        filters,
    })
}

fn lex(input: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '“' || c == '”' {
            let close = (i + 1..chars.len()).find(|&j| matches!(chars[j], '"' | '”' | '“'));
            let Some(close) = close else {
                return Err(QueryError::new(
                    col,
                    "unbalanced quote",
                    Some("close the phrase with `\"`, or remove the quote to search the words"),
                ));
            };
            tokens.push(Token {
                tok: Tok::Phrase(chars[i + 1..close].iter().collect()),
                col,
            });
            i = close + 1;
        } else if c == '(' {
            tokens.push(Token {
                tok: Tok::LParen,
                col,
            });
            i += 1;
        } else if c == ')' {
            tokens.push(Token {
                tok: Tok::RParen,
                col,
            });
            i += 1;
        } else if c == '-'
            && i + 1 < chars.len()
            && !chars[i + 1].is_whitespace()
            && starts_token(&chars, i)
        {
            tokens.push(Token { tok: Tok::Not, col });
            i += 1;
        } else {
            let start = i;
            let mut scoped = false;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '"' | '“' | '”')
            {
                // `field:` ends a token so `title:"a b"` and `tag:(x OR y)` work.
                if chars[i] == ':' {
                    let name: String = chars[start..i].iter().collect();
                    if let Some(scope) = Scope::from_name(&name) {
                        if i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
                            tokens.push(Token {
                                tok: Tok::Scope(scope),
                                col,
                            });
                            i += 1;
                            scoped = true;
                            if scope.is_identifier() && !matches!(chars[i], '(' | '"' | '“' | '”')
                            {
                                let (literal, end) = identifier_literal(&chars, i);
                                tokens.push(Token {
                                    tok: Tok::Word(literal, false),
                                    col: i + 1,
                                });
                                i = end;
                            }
                            break;
                        }
                        return Err(QueryError::new(
                            i + 2,
                            format!("`{name}:` needs a word, a \"phrase\" or (…) right after it"),
                            Some(&format!("write {name}:word without a space")),
                        ));
                    }
                    let lower = name.to_lowercase();
                    if matches!(lower.as_str(), "year" | "date") {
                        let (value, end) = identifier_literal(&chars, i + 1);
                        if value.is_empty() {
                            return Err(QueryError::new(
                                i + 2,
                                format!("`{lower}:` needs a value right after it"),
                                Some(if lower == "year" {
                                    "write year:2025, year:2023..2025 or year:>=2023"
                                } else {
                                    "write date:2025-03, date:>=2025-03 or date:2025-01..2025-06"
                                }),
                            ));
                        }
                        tokens.push(Token {
                            tok: Tok::Filter(QueryFilter {
                                field: if lower == "year" { "year" } else { "date" },
                                value,
                                col,
                            }),
                            col,
                        });
                        i = end;
                        scoped = true;
                        break;
                    }
                    if let Some(suggestion) = near_scope(&name) {
                        return Err(QueryError::new(
                            col,
                            format!("unknown field `{name}:`"),
                            Some(&format!(
                                "did you mean `{suggestion}:`? fields are {KNOWN_FIELDS}"
                            )),
                        ));
                    }
                    // `foo:bar` is an unknown field too; a URL (`https://…`) and a word
                    // ending in `:` are words.
                    let next = chars.get(i + 1).copied();
                    if !name.is_empty()
                        && name.chars().all(char::is_alphabetic)
                        && next.is_some_and(|c| !c.is_whitespace() && c != '/')
                    {
                        return Err(QueryError::new(
                            col,
                            format!("unknown field `{name}:`"),
                            Some(&format!(
                                "fields are {KNOWN_FIELDS}; to search the text, put it in quotes"
                            )),
                        ));
                    }
                }
                i += 1;
            }
            if scoped {
                continue;
            }
            let word: String = chars[start..i].iter().collect();
            let tok = match word.as_str() {
                "OR" | "|" | "||" => Tok::Or,
                "AND" | "&&" | "&" => Tok::And,
                "NOT" => Tok::Not,
                _ => {
                    let prefix = word.len() > 1 && word.ends_with('*');
                    let text = if prefix {
                        word.trim_end_matches('*').to_owned()
                    } else {
                        word
                    };
                    Tok::Word(text, prefix)
                }
            };
            tokens.push(Token { tok, col });
        }
    }
    Ok(tokens)
}

/// A query that is nothing but a pasted identifier, as `arxiv:`/`doi:` would find it: a bare
/// arXiv id (`2401.05566v2`, `hep-th/9901001`), an arXiv URL (`https://arxiv.org/abs/…`), a
/// DOI (`10.1145/…`) or a DOI URL (`https://doi.org/…`). `arXiv:…` and `doi:…` are scopes
/// already.
fn pasted_identifier(input: &str) -> Option<Node> {
    let s = input.trim();
    let lower = s.to_ascii_lowercase();
    if s.is_empty()
        || s.contains(char::is_whitespace)
        || lower.starts_with("arxiv:")
        || lower.starts_with("doi:")
    {
        return None;
    }
    let scope = if !crate::record::normalize_arxiv(s).is_empty() {
        Scope::Arxiv
    } else if !crate::record::normalize_doi(s).is_empty() {
        Scope::Doi
    } else {
        return None;
    };
    Some(Node::Word {
        scope: Some(scope),
        text: s.to_owned(),
        prefix: false,
    })
}

/// The value of `doi:` or `arxiv:` from `start`: everything up to the next space, taken as
/// written (DOIs hold `(`, `)`, `:`, `-`, `*`), except closing parentheses at its end that
/// close a group opened before it. Returns the literal and where it ends.
fn identifier_literal(chars: &[char], start: usize) -> (String, usize) {
    let mut end = start;
    while end < chars.len() && !chars[end].is_whitespace() {
        end += 1;
    }
    let mut depth: i64 = 0;
    for &c in &chars[start..end] {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
    }
    while depth < 0 && end > start + 1 && chars[end - 1] == ')' {
        end -= 1;
        depth += 1;
    }
    (chars[start..end].iter().collect(), end)
}

/// A `-` negates only at the start of a term, not inside `GPT-4` or `x - y`.
fn starts_token(chars: &[char], i: usize) -> bool {
    i == 0 || chars[i - 1].is_whitespace() || chars[i - 1] == '('
}

fn near_scope(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    if lower.is_empty() || lower.chars().any(|c| !c.is_alphabetic()) || lower.len() > 9 {
        return None;
    }
    // Not the identifier scopes: `doi` is within two edits of every three-letter word.
    Scope::ALL
        .iter()
        .filter(|s| !s.is_identifier())
        .map(|s| s.name())
        .find(|s| strsim::levenshtein(&lower, s) <= 2)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    end_col: usize,
    /// Per item of the top-level AND: whether an explicit AND ties it to a neighbour.
    top_joined: Vec<bool>,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next_col(&self) -> usize {
        self.peek().map(|t| t.col).unwrap_or(self.end_col)
    }

    fn and_expr(&mut self, scope: Option<Scope>, depth: usize) -> Result<Node, QueryError> {
        let mut items = Vec::new();
        let mut joined: Vec<bool> = Vec::new();
        let mut after_and = false;
        loop {
            match self.peek().map(|t| &t.tok) {
                None | Some(Tok::RParen) => break,
                Some(Tok::And) => {
                    let col = self.next_col();
                    self.pos += 1;
                    if let Some(last) = joined.last_mut() {
                        *last = true;
                    }
                    after_and = true;
                    if items.is_empty()
                        || matches!(
                            self.peek().map(|t| &t.tok),
                            None | Some(Tok::RParen) | Some(Tok::And) | Some(Tok::Or)
                        )
                    {
                        return Err(QueryError::new(
                            col,
                            "AND needs a term on each side",
                            Some("remove it, or write `a AND b`"),
                        ));
                    }
                }
                Some(Tok::Or) => {
                    return Err(QueryError::new(
                        self.next_col(),
                        "OR needs a term on each side",
                        Some("write `a OR b`"),
                    ));
                }
                _ => {
                    items.push(self.or_expr(scope, depth)?);
                    joined.push(after_and);
                    after_and = false;
                }
            }
        }
        if depth == 0 {
            self.top_joined = joined;
        }
        if items.is_empty() {
            return Err(QueryError::new(
                self.next_col(),
                "empty group",
                Some("put words between the parentheses"),
            ));
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one")
        } else {
            Node::And(items)
        })
    }

    fn or_expr(&mut self, scope: Option<Scope>, depth: usize) -> Result<Node, QueryError> {
        let mut items = vec![self.unary(scope, depth)?];
        while matches!(self.peek().map(|t| &t.tok), Some(Tok::Or)) {
            let col = self.next_col();
            self.pos += 1;
            if matches!(
                self.peek().map(|t| &t.tok),
                None | Some(Tok::RParen) | Some(Tok::Or) | Some(Tok::And)
            ) {
                return Err(QueryError::new(
                    col,
                    "OR needs a term on each side",
                    Some("write `a OR b`"),
                ));
            }
            items.push(self.unary(scope, depth)?);
        }
        Ok(if items.len() == 1 {
            items.pop().expect("one")
        } else {
            Node::Or(items)
        })
    }

    fn unary(&mut self, scope: Option<Scope>, depth: usize) -> Result<Node, QueryError> {
        if depth > 32 {
            return Err(QueryError::new(
                self.next_col(),
                "too deeply nested",
                Some("use fewer parentheses"),
            ));
        }
        let Some(token) = self.tokens.get(self.pos).cloned() else {
            return Err(QueryError::new(
                self.end_col,
                "query ends where a term was expected",
                None,
            ));
        };
        self.pos += 1;
        match token.tok {
            Tok::Not => {
                if matches!(
                    self.peek().map(|t| &t.tok),
                    None | Some(Tok::RParen) | Some(Tok::And) | Some(Tok::Or)
                ) {
                    return Err(QueryError::new(
                        token.col,
                        "nothing to exclude after NOT/-",
                        Some("write -word or NOT word"),
                    ));
                }
                Ok(Node::Not(Box::new(self.unary(scope, depth + 1)?)))
            }
            Tok::LParen => {
                let inner = self.and_expr(scope, depth + 1)?;
                match self.peek() {
                    Some(Token {
                        tok: Tok::RParen, ..
                    }) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(QueryError::new(
                        token.col,
                        "unbalanced parenthesis: `(` is never closed",
                        Some("add `)` or remove the `(`"),
                    )),
                }
            }
            Tok::RParen => Err(QueryError::new(
                token.col,
                "unbalanced parenthesis: `)` without `(`",
                Some("remove it or add `(` before"),
            )),
            Tok::Scope(s) => {
                if scope.is_some_and(|outer| outer != s) {
                    return Err(QueryError::new(
                        token.col,
                        "a field inside another field's scope",
                        Some("use one field per term"),
                    ));
                }
                self.unary(Some(s), depth + 1)
            }
            Tok::Word(text, prefix) => Ok(Node::Word {
                scope,
                text,
                prefix,
            }),
            Tok::Phrase(text) => Ok(Node::Phrase { scope, text }),
            Tok::Filter(_) => Err(QueryError::new(
                token.col,
                "a filter where a term was expected",
                None,
            )),
            Tok::And | Tok::Or => Err(QueryError::new(
                token.col,
                "operator where a term was expected",
                None,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str) -> Node {
        Node::Word {
            scope: None,
            text: text.into(),
            prefix: false,
        }
    }

    #[test]
    fn words_are_anded_and_or_binds_tighter() {
        assert_eq!(
            parse_query("sparse autoencoder OR SAE").unwrap().unwrap(),
            Node::And(vec![
                w("sparse"),
                Node::Or(vec![w("autoencoder"), w("SAE")])
            ])
        );
    }

    #[test]
    fn phrases_scopes_negation_prefix() {
        let q = parse_query("(doi:10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O OR arxiv:2309.08600v2) AND x")
            .unwrap()
            .unwrap();
        let Node::And(parts) = q else { panic!("{q:?}") };
        assert_eq!(
            parts[0],
            Node::Or(vec![
                Node::Word {
                    scope: Some(Scope::Doi),
                    text: "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O".into(),
                    prefix: false
                },
                Node::Word {
                    scope: Some(Scope::Arxiv),
                    text: "2309.08600v2".into(),
                    prefix: false
                },
            ])
        );
        let q = parse_query("tag:\"Scheming and Deception\" -jailbreak TITLE:sparse auto*")
            .unwrap()
            .unwrap();
        assert_eq!(
            q,
            Node::And(vec![
                Node::Phrase {
                    scope: Some(Scope::Tag),
                    text: "Scheming and Deception".into()
                },
                Node::Not(Box::new(w("jailbreak"))),
                Node::Word {
                    scope: Some(Scope::Title),
                    text: "sparse".into(),
                    prefix: false
                },
                Node::Word {
                    scope: None,
                    text: "auto".into(),
                    prefix: true
                },
            ])
        );
    }

    #[test]
    fn hyphen_inside_word_is_not_negation() {
        assert_eq!(parse_query("GPT-4o").unwrap().unwrap(), w("GPT-4o"));
        assert_eq!(
            parse_query("NOT x").unwrap().unwrap(),
            Node::Not(Box::new(w("x")))
        );
    }

    #[test]
    fn errors_have_positions_and_hints() {
        let e = parse_query("sparse \"auto").unwrap_err();
        assert_eq!(e.column, 8);
        assert!(e.to_string().starts_with("query:1:8: unbalanced quote"));
        assert_eq!(parse_query("(a b").unwrap_err().column, 1);
        assert_eq!(parse_query("a b)").unwrap_err().column, 4);
        assert!(parse_query("titel:x")
            .unwrap_err()
            .to_string()
            .contains("did you mean `title:`"));
        assert!(parse_query("a OR").is_err());
        assert!(parse_query("OR a").is_err());
        assert!(parse_query("()").is_err());
        assert!(parse_query(&"a ".repeat(70)).is_err());
        assert!(parse_query(&"x".repeat(100_000)).is_err());
    }

    #[test]
    fn urls_and_ids_are_literal_words() {
        // `arxiv:` is the arXiv-id scope since records carry one; its value stays literal.
        assert_eq!(
            parse_query("arXiv:2310.01405").unwrap().unwrap(),
            Node::Word {
                scope: Some(Scope::Arxiv),
                text: "2310.01405".into(),
                prefix: false
            }
        );
        assert_eq!(
            parse_query("\"ssrn:2310.01405\"").unwrap().unwrap(),
            Node::Phrase {
                scope: None,
                text: "ssrn:2310.01405".into()
            }
        );
        assert_eq!(
            parse_query("note: x").unwrap().unwrap(),
            Node::And(vec![w("note:"), w("x")])
        );
        assert_eq!(
            parse_query("https://x.org/a").unwrap().unwrap(),
            w("https://x.org/a")
        );
    }

    #[test]
    fn year_and_date_are_filters_and_unknown_fields_are_refused() {
        let q = parse_query_full("sparse year:2023..2025 DATE:>=2025-03").unwrap();
        assert_eq!(q.node.unwrap().0, w("sparse"));
        assert_eq!(
            q.filters,
            [
                QueryFilter {
                    field: "year",
                    value: "2023..2025".into(),
                    col: 8
                },
                QueryFilter {
                    field: "date",
                    value: ">=2025-03".into(),
                    col: 24
                }
            ]
        );
        let q = parse_query_full("year:2025").unwrap();
        assert!(q.node.is_none());
        assert_eq!(q.filters.len(), 1);
        for bad in [
            "foo:bar",
            "a date:",
            "(a year:2025)",
            "a OR year:2025",
            "-year:2025",
        ] {
            let e = parse_query_full(bad).unwrap_err().to_string();
            assert!(
                e.contains("field") || e.contains("filter") || e.contains("value"),
                "{bad}: {e}"
            );
        }
        let e = parse_query("foo:bar").unwrap_err().to_string();
        assert!(
            e.contains("unknown field `foo:`") && e.contains("year, date"),
            "{e}"
        );
    }

    #[test]
    fn a_pasted_identifier_is_its_scope() {
        let scoped = |scope, text: &str| Node::Word {
            scope: Some(scope),
            text: text.into(),
            prefix: false,
        };
        for (q, scope) in [
            ("2401.05566", Scope::Arxiv),
            (" arXiv:2401.05566v2 ", Scope::Arxiv),
            ("https://arxiv.org/abs/2401.05566v2", Scope::Arxiv),
            ("hep-th/9901001", Scope::Arxiv),
            ("10.1145/3442188.3445922", Scope::Doi),
            ("https://doi.org/10.1145/3442188.3445922", Scope::Doi),
        ] {
            let text = q.trim().strip_prefix("arXiv:").unwrap_or(q.trim());
            assert_eq!(parse_query(q).unwrap().unwrap(), scoped(scope, text), "{q}");
        }
        // Not identifiers, or not alone: words as before.
        assert_eq!(parse_query("2024").unwrap().unwrap(), w("2024"));
        assert!(matches!(
            parse_query("2401.05566 sparse").unwrap(),
            Some(Node::And(_))
        ));
    }

    #[test]
    fn blank_is_none() {
        assert_eq!(parse_query("   ").unwrap(), None);
    }
}
