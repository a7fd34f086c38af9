//! The reference analysis every engine matches: words lowercased, accent-folded and (in prose)
//! stemmed, as tantivy analyzers (`text_analyzer`, `name_analyzer`) and as plain terms (`analyze`).

mod fold_tokenizer;
mod memo_stem;

use tantivy::tokenizer::TextAnalyzer;

use crate::engine::fields::Analysis;
use fold_tokenizer::FoldingTokenizer;
use memo_stem::MemoStemmer;

/// Simple tokenizer, words of 40 bytes or more dropped, lowercased, accent-folded (one pass:
/// `FoldingTokenizer`), then tantivy's English stemmer behind a memo (`MemoStemmer`). Both are
/// drop-ins for the tantivy filters, tested token for token against them.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(FoldingTokenizer::default())
        .filter(MemoStemmer::default())
        .build()
}

/// As `text_analyzer` for finding these stems in a text: other tokens may come out unstemmed.
pub fn matching_analyzer<'a>(stems: impl IntoIterator<Item = &'a str>) -> TextAnalyzer {
    TextAnalyzer::builder(FoldingTokenizer::default())
        .filter(MemoStemmer::for_stems(stems))
        .build()
}

/// As `text_analyzer`, without stemming.
pub fn name_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(FoldingTokenizer::default())
}

/// The terms `text` becomes under an analysis, as the local index holds them. The OpenSearch
/// engine uses it to decide the shape of a query (one term or a phrase) and to place its
/// snippets; its own analysis is checked against this one token for token by the tests.
pub fn analyze(analysis: Analysis, text: &str) -> Vec<String> {
    let mut analyzer = match analysis {
        Analysis::Prose => text_analyzer(),
        Analysis::Name => name_analyzer(),
    };
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push(t.text.clone());
    }
    out
}

/// As `analyze`, each term with the byte range of the word it came from.
pub fn analyze_with_offsets(analysis: Analysis, text: &str) -> Vec<(usize, usize, String)> {
    let mut analyzer = match analysis {
        Analysis::Prose => text_analyzer(),
        Analysis::Name => name_analyzer(),
    };
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push((t.offset_from, t.offset_to, t.text.clone()));
    }
    out
}
