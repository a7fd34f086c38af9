//! The query as every engine receives it: the parsed tree (`Node`) and the fields a term can be
//! limited to (`Scope`). `search::syntax` parses the language into it; engines compile it.

/// A field a query term can be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Title,
    Abstract,
    Author,
    Fellow,
    Tag,
    /// An identifier: matched whole (case aside), never analysed.
    Doi,
    Arxiv,
    /// The citation key (`key:turner2023steering`), matched whole, case aside.
    Key,
}

impl Scope {
    pub const ALL: [Scope; 8] = [
        Scope::Title,
        Scope::Abstract,
        Scope::Author,
        Scope::Fellow,
        Scope::Tag,
        Scope::Doi,
        Scope::Arxiv,
        Scope::Key,
    ];

    /// An identifier scope: its value is one literal token (`10.1000/x(1)`, `2309.08600`).
    pub fn is_identifier(self) -> bool {
        matches!(self, Scope::Doi | Scope::Arxiv | Scope::Key)
    }

    pub fn name(self) -> &'static str {
        match self {
            Scope::Title => "title",
            Scope::Abstract => "abstract",
            Scope::Author => "author",
            Scope::Fellow => "fellow",
            Scope::Tag => "tag",
            Scope::Doi => "doi",
            Scope::Arxiv => "arxiv",
            Scope::Key => "key",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Scope> {
        Some(match name.to_lowercase().as_str() {
            "title" | "titles" => Scope::Title,
            "abstract" | "abstracts" => Scope::Abstract,
            "author" | "authors" => Scope::Author,
            "fellow" | "fellows" => Scope::Fellow,
            "tag" | "tags" => Scope::Tag,
            "doi" => Scope::Doi,
            "arxiv" => Scope::Arxiv,
            "key" => Scope::Key,
            _ => return None,
        })
    }
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// All must match.
    And(Vec<Node>),
    /// At least one must match.
    Or(Vec<Node>),
    Not(Box<Node>),
    /// Inside an `And`: a record matching it ranks higher, one without it still matches. What
    /// relaxation left out of a question goes back in this way, so records holding more of
    /// its words come first (coordination). Matched as written: no typos, no corrections.
    Optional(Box<Node>),
    /// Matches what its node matches, scored `weight` times as much: the long form a short
    /// form typed also finds (`search::expand`) ranks a little below the word typed.
    Weighted(Box<Node>, f32),
    Word {
        scope: Option<Scope>,
        text: String,
        prefix: bool,
    },
    Phrase {
        scope: Option<Scope>,
        text: String,
    },
}

impl Node {
    /// True when something in the query must match (a query of only exclusions has none).
    pub fn has_positive(&self) -> bool {
        match self {
            Node::And(c) | Node::Or(c) => c.iter().any(Node::has_positive),
            Node::Not(_) | Node::Optional(_) => false,
            Node::Weighted(inner, _) => inner.has_positive(),
            Node::Word { .. } | Node::Phrase { .. } => true,
        }
    }
}
