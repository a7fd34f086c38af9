//! Related papers: what a more-like-this search returns (each hit with the key terms and tags
//! it shares with the source), whichever engine found them.

use crate::record::Record;

/// One weighted term of the source paper: the indexed (stemmed) form and a word to show.
#[derive(Debug, Clone)]
pub struct KeyTerm {
    pub term: String,
    pub word: String,
    pub weight: f32,
}

#[derive(Debug, Clone)]
pub struct SimilarHit {
    pub score: f32,
    pub record: Record,
    /// Key terms of the source paper found in this one, strongest first (as words).
    pub shared_terms: Vec<String>,
    /// Tags of the source paper this one also has.
    pub shared_tags: Vec<String>,
}

impl SimilarHit {
    /// One line saying why the paper is close: `shared tags: …; key terms: …`.
    pub fn reason(&self) -> String {
        let mut parts = Vec::new();
        if !self.shared_tags.is_empty() {
            parts.push(format!("shared tags: {}", self.shared_tags.join(", ")));
        }
        if !self.shared_terms.is_empty() {
            parts.push(format!("key terms: {}", self.shared_terms.join(", ")));
        }
        if parts.is_empty() {
            "weakly related: no strong shared terms".to_owned()
        } else {
            parts.join("; ")
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimilarResults {
    pub source: Record,
    /// The terms the search used, strongest first.
    pub terms: Vec<KeyTerm>,
    pub hits: Vec<SimilarHit>,
}
