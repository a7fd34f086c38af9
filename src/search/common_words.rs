//! The function words of a question (`how`, `which`, `papers`, `about`, `the` …): words that
//! every record holds or no record means, so they never have to match and never score.

use super::Node;

/// English only, as the analyzer is (Snowball English): a word of another language that is an
/// English function word would be wrongly ignored. Short on purpose: a word that can carry
/// meaning in a paper's title (`without`, `need`, `search`, `one`) is not here.
const COMMON_WORDS: &[&str] = &[
    "a",
    "about",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "anything",
    "are",
    "article",
    "articles",
    "as",
    "at",
    "be",
    "been",
    "being",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "etc",
    "find",
    "for",
    "from",
    "had",
    "has",
    "have",
    "he",
    "her",
    "here",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "looking",
    "may",
    "me",
    "might",
    "must",
    "my",
    "not",
    "of",
    "on",
    "onto",
    "or",
    "our",
    "own",
    "paper",
    "papers",
    "publication",
    "publications",
    "she",
    "should",
    "show",
    "so",
    "some",
    "something",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "us",
    "very",
    "via",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
];

/// Whether `word` is a function word of a question.
pub fn is_common(word: &str) -> bool {
    let lower = word.to_lowercase();
    COMMON_WORDS.binary_search(&lower.as_str()).is_ok()
}

/// The query without the function words among its droppable words (plain, unscoped, not
/// tied by an explicit AND), and those words as typed. The query stands as written when it
/// holds nothing else to search for: `the who` is still searched.
pub fn without_common_words(
    (node, droppable): (Node, Vec<usize>),
) -> ((Node, Vec<usize>), Vec<String>) {
    let Node::And(items) = &node else {
        return ((node, droppable), Vec::new());
    };
    let common: Vec<usize> = droppable
        .iter()
        .copied()
        .filter(|&i| matches!(&items[i], Node::Word { text, .. } if is_common(text)))
        .collect();
    let rest_has_words = items
        .iter()
        .enumerate()
        .any(|(i, item)| !common.contains(&i) && item.has_positive());
    if common.is_empty() || !rest_has_words {
        return ((node, droppable), Vec::new());
    }
    let mut kept = Vec::new();
    let mut kept_droppable = Vec::new();
    let mut ignored = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if common.contains(&i) {
            if let Node::Word { text, .. } = item {
                ignored.push(text.clone());
            }
        } else {
            if droppable.contains(&i) {
                kept_droppable.push(kept.len());
            }
            kept.push(item.clone());
        }
    }
    let node = if kept.len() == 1 {
        kept.pop().unwrap_or(Node::And(Vec::new()))
    } else {
        Node::And(kept)
    };
    // A lone word left is no longer an item of an AND: nothing to drop from it.
    let droppable = if matches!(node, Node::And(_)) {
        kept_droppable
    } else {
        Vec::new()
    };
    ((node, droppable), ignored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::parse_query_droppable;

    fn stripped(query: &str) -> (Option<Node>, Vec<usize>, Vec<String>) {
        let parsed = parse_query_droppable(query).unwrap().unwrap();
        let ((node, droppable), ignored) = without_common_words(parsed);
        (Some(node), droppable, ignored)
    }

    #[test]
    fn the_list_is_sorted_lowercase_and_without_repeats() {
        let mut sorted = COMMON_WORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, COMMON_WORDS);
        assert!(COMMON_WORDS.iter().all(|w| w.to_lowercase() == *w));
    }

    #[test]
    fn function_words_go_and_the_rest_stays_droppable() {
        let (node, droppable, ignored) = stripped("a python library for HTTP");
        assert_eq!(
            node,
            parse_query_droppable("python library HTTP")
                .unwrap()
                .map(|p| p.0)
        );
        assert_eq!(droppable, vec![0, 1, 2]);
        assert_eq!(ignored, ["a", "for"]);
    }

    #[test]
    fn a_question_of_function_words_only_is_searched_as_written() {
        let (node, droppable, ignored) = stripped("what is the");
        assert_eq!(
            node,
            parse_query_droppable("what is the").unwrap().map(|p| p.0)
        );
        assert_eq!(droppable, vec![0, 1, 2]);
        assert!(ignored.is_empty());
    }

    #[test]
    fn quoted_scoped_and_joined_words_are_kept() {
        let (_, _, ignored) = stripped("\"the bitter lesson\" title:the a AND b models");
        assert!(ignored.is_empty(), "{ignored:?}");
        let (node, droppable, ignored) = stripped("papers about steering");
        assert_eq!(
            node,
            parse_query_droppable("steering").unwrap().map(|p| p.0)
        );
        assert!(droppable.is_empty());
        assert_eq!(ignored, ["papers", "about"]);
    }

    #[test]
    fn an_exclusion_alone_does_not_count_as_something_to_search() {
        let (_, _, ignored) = stripped("the -jailbreak");
        assert!(ignored.is_empty());
    }
}
