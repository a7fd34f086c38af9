//! Acronyms and synonyms in a query: a word that is a known short form also finds its long
//! form (as a phrase, weighted lower), and a written-out long form also finds its short form.

use serde::Serialize;

use super::Node;
use crate::acronyms::{Synonyms, MAX_EXPANSIONS};
use crate::engine::fields::SYNONYM_WEIGHT;

/// One expansion made, as reported: the words as typed and what they also found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expansion {
    pub word: String,
    pub to: Vec<String>,
}

/// The query with its plain words expanded by the `tables` of synonyms (each term's synonyms
/// from the first table first, at most `MAX_EXPANSIONS` in all), and what was expanded. Only the
/// droppable words (plain, unscoped, not prefixes, not tied by an explicit AND) expand: never
/// a quoted phrase or a scoped word; a word written `=SAE` is searched as `SAE` alone. Each
/// expanded run of words becomes one droppable item, `OR` of the words and their synonyms.
pub fn expand(
    (node, droppable): (Node, Vec<usize>),
    tables: &[&Synonyms],
) -> ((Node, Vec<usize>), Vec<Expansion>) {
    let (items, droppable, single) = match node {
        Node::And(items) => (items, droppable, false),
        word @ Node::Word { .. } if plain(&word) => (vec![word], vec![0], true),
        other => return ((other, droppable), Vec::new()),
    };
    let longest = tables
        .iter()
        .map(|t| t.longest_term_words())
        .max()
        .unwrap_or(1);
    let mut out: Vec<Node> = Vec::with_capacity(items.len());
    let mut out_droppable = Vec::new();
    let mut expanded = Vec::new();
    let mut i = 0;
    while i < items.len() {
        if !droppable.contains(&i) {
            out.push(items[i].clone());
            i += 1;
            continue;
        }
        // The longest run of droppable words from here that is a term with synonyms.
        let run_max = (i..items.len())
            .take(longest)
            .take_while(|k| droppable.contains(k) && !literal(&items[*k]))
            .count();
        let found = (1..=run_max).rev().find_map(|len| {
            let typed = words_of(&items[i..i + len]).join(" ");
            let to = synonyms_of(tables, &typed);
            (!to.is_empty()).then_some((len, typed, to))
        });
        match found {
            Some((len, typed, to)) => {
                let original = match len {
                    1 => items[i].clone(),
                    _ => Node::And(items[i..i + len].to_vec()),
                };
                let alternatives = to.iter().map(|t| {
                    let alternative = if t.contains(' ') || t.contains('-') {
                        Node::Phrase {
                            scope: None,
                            text: (*t).to_owned(),
                        }
                    } else {
                        Node::Word {
                            scope: None,
                            text: (*t).to_owned(),
                            prefix: false,
                        }
                    };
                    Node::Weighted(Box::new(alternative), SYNONYM_WEIGHT)
                });
                out_droppable.push(out.len());
                out.push(Node::Or(
                    std::iter::once(original).chain(alternatives).collect(),
                ));
                expanded.push(Expansion {
                    word: typed,
                    to: to.iter().map(|t| (*t).to_owned()).collect(),
                });
                i += len;
            }
            None => {
                out_droppable.push(out.len());
                out.push(unmarked(&items[i]));
                i += 1;
            }
        }
    }
    if single && expanded.is_empty() {
        let node = out.pop().unwrap_or(Node::And(Vec::new()));
        return ((node, Vec::new()), expanded);
    }
    ((Node::And(out), out_droppable), expanded)
}

/// What `term` stands for in any of `tables`, the first table's first, each once.
fn synonyms_of<'a>(tables: &[&'a Synonyms], term: &str) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for t in tables.iter().flat_map(|table| table.of(term)) {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out.truncate(MAX_EXPANSIONS);
    out
}

fn plain(node: &Node) -> bool {
    matches!(
        node,
        Node::Word {
            scope: None,
            prefix: false,
            ..
        }
    )
}

/// `=SAE`: searched as written, never expanded.
fn literal(node: &Node) -> bool {
    matches!(node, Node::Word { text, .. } if text.starts_with('='))
}

/// A `=word` without its mark.
fn unmarked(node: &Node) -> Node {
    match node {
        Node::Word {
            scope,
            text,
            prefix,
        } if text.starts_with('=') => Node::Word {
            scope: *scope,
            text: text.trim_start_matches('=').to_owned(),
            prefix: *prefix,
        },
        other => other.clone(),
    }
}

fn words_of(items: &[Node]) -> Vec<&str> {
    items
        .iter()
        .filter_map(|n| match n {
            Node::Word { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

/// The words of an expanded item as typed (its first alternative), for the relaxation report.
pub fn typed_words(node: &Node) -> Option<String> {
    match node {
        Node::Or(alternatives) => match alternatives.first()? {
            Node::Word { text, .. } => Some(text.clone()),
            Node::And(words) => Some(words_of(words).join(" ")),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::parse_query_droppable;

    fn table() -> Synonyms {
        Synonyms::parse("t", "SAE = sparse autoencoder\nCoT = chain-of-thought\n").unwrap()
    }

    fn expanded(query: &str) -> (Node, Vec<usize>, Vec<Expansion>) {
        let parsed = parse_query_droppable(query).unwrap().unwrap();
        let ((node, droppable), e) = expand(parsed, &[&table()]);
        (node, droppable, e)
    }

    fn word(text: &str) -> Node {
        Node::Word {
            scope: None,
            text: text.to_owned(),
            prefix: false,
        }
    }

    #[test]
    fn a_short_form_also_finds_its_long_form_weighted_lower() {
        let (node, droppable, e) = expanded("SAE features");
        let long = Node::Phrase {
            scope: None,
            text: "sparse autoencoder".to_owned(),
        };
        assert_eq!(
            node,
            Node::And(vec![
                Node::Or(vec![
                    word("SAE"),
                    Node::Weighted(Box::new(long), SYNONYM_WEIGHT)
                ]),
                word("features")
            ])
        );
        assert_eq!(droppable, [0, 1]);
        assert_eq!(
            e,
            [Expansion {
                word: "SAE".into(),
                to: vec!["sparse autoencoder".into()]
            }]
        );
        assert_eq!(typed_words(&node_at(&node, 0)).as_deref(), Some("SAE"));
    }

    fn node_at(node: &Node, i: usize) -> Node {
        match node {
            Node::And(items) => items[i].clone(),
            _ => node.clone(),
        }
    }

    #[test]
    fn a_written_out_long_form_also_finds_its_short_form() {
        let (node, droppable, e) = expanded("training sparse autoencoder");
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].word, "sparse autoencoder");
        assert_eq!(e[0].to, ["SAE"]);
        let Node::And(items) = &node else {
            panic!("{node:?}")
        };
        assert_eq!(
            items.last(),
            Some(&Node::Or(vec![
                Node::And(vec![word("sparse"), word("autoencoder")]),
                Node::Weighted(Box::new(word("SAE")), SYNONYM_WEIGHT)
            ]))
        );
        assert_eq!(droppable.len(), items.len());
    }

    #[test]
    fn quoted_scoped_prefixed_and_marked_words_never_expand() {
        for q in ["\"SAE\"", "title:SAE", "SAE*", "=SAE", "x AND SAE"] {
            let (_, _, e) = expanded(q);
            assert!(e.is_empty(), "{q}: {e:?}");
        }
        // `=SAE` is searched as `SAE`.
        let (node, _, _) = expanded("=SAE");
        assert_eq!(node, word("SAE"));
    }

    #[test]
    fn a_single_word_expands_and_nothing_else_changes() {
        let (node, droppable, e) = expanded("CoT");
        assert_eq!(e.len(), 1);
        assert!(matches!(node, Node::And(ref items) if items.len() == 1));
        assert_eq!(droppable, [0]);
        let (node, _, e) = expanded("probes");
        assert!(e.is_empty());
        assert_eq!(node, word("probes"));
    }
}
