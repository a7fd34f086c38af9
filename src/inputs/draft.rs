//! The one step from a reader's draft to a `Record`: size caps, empty and repeated list items,
//! the date, and the id. Every reader fills a `Draft` its own way and finishes it here.

use crate::date::parse_pub_date;
use crate::record::{
    bibliographic_id, identifier_id, normalize_arxiv, normalize_doi, record_id, Record, Source,
};
use crate::text::truncate_at_char;

/// Caps that keep one absurd entry from eating memory; beyond them text is cut with a warning.
/// One set for every format.
pub const MAX_TITLE_CHARS: usize = 1_000;
pub const MAX_ABSTRACT_BYTES: usize = 64 * 1024;
pub const MAX_NAMES: usize = 2_000;
pub const MAX_TAGS: usize = 64;
/// A DOI, URL or arXiv id longer than this is no identifier: dropped with a warning.
pub const MAX_IDENTIFIER_BYTES: usize = 2_048;

/// The part of a record a warning is about, so a reader can report it on that part's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Title,
    Abstract,
    Authors,
    Fellows,
    Tags,
    Id,
    Identifier,
}

/// What a bibliography entry offers besides title, date and authors to tell it from another
/// entry alike (see `record::bibliographic_id`).
#[derive(Debug, Default, Clone)]
pub struct Citation {
    /// The citation key (`@article{key, …`), the RIS `ID`; may be empty.
    pub key: String,
    /// Journal, volume, number and pages, as written.
    pub venue: String,
}

/// How a format names its fields in messages (`after \`Authors:\``, `in \`author\``).
#[derive(Debug, Clone, Copy)]
pub struct FieldNames {
    pub authors: &'static str,
    pub fellows: &'static str,
}

/// A record as a reader found it: text already cleaned of the format's own markup, the date
/// as written (any form `date::parse_date` takes), everything but title and date optional.
#[derive(Debug, Default, Clone)]
pub struct Draft {
    /// An id the input carries (16 hex digits, as `export` writes); otherwise one is computed.
    pub id: Option<String>,
    pub title: String,
    pub abstract_text: String,
    pub authors: Vec<String>,
    pub fellows: Vec<String>,
    pub tags: Vec<String>,
    pub date: String,
    pub featured: bool,
    /// As written (`https://doi.org/…`, `doi:…`, bare); normalised here.
    pub doi: String,
    pub url: String,
    /// As written (`arXiv:2309.08600v2`, bare); normalised here.
    pub arxiv: String,
    /// Set by bibliography readers: their entries are told apart by more than title and date.
    pub citation: Option<Citation>,
    /// The citation key the source gives the paper (a BibTeX key, a records file's `key`),
    /// kept as written when it is one (`citekey::is_valid`); empty: the index makes one.
    pub key: String,
}

/// A finished record and the warnings met on the way.
pub type Finished = (Record, Vec<(Part, String)>);

impl Draft {
    /// Checks, caps and normalises the draft; the error says why it cannot be a record.
    pub fn finish(mut self, file: &str, line: u64, names: &FieldNames) -> Result<Finished, String> {
        let mut warnings = Vec::new();
        let mut title = self.title.trim().to_owned();
        if title.is_empty() {
            return Err("no title".to_owned());
        }
        if let Some((cut, _)) = title.char_indices().nth(MAX_TITLE_CHARS) {
            title.truncate(cut);
            warnings.push((
                Part::Title,
                format!("title longer than {MAX_TITLE_CHARS} characters; cut there"),
            ));
        }
        let raw_date = self.date.trim();
        if raw_date.is_empty() {
            return Err(format!("\"{title}\" has no date"));
        }
        let date = parse_pub_date(raw_date).map(|d| d.iso()).map_err(|_| {
            format!("date \"{raw_date}\" is not a date (expected 2025-03-01 or Mar 1, 2025)")
        })?;
        let mut abstract_text = self.abstract_text;
        if truncate_at_char(&mut abstract_text, MAX_ABSTRACT_BYTES) {
            warnings.push((
                Part::Abstract,
                format!("abstract longer than {MAX_ABSTRACT_BYTES} bytes; cut there"),
            ));
        }
        let authors = capped_names(self.authors, names.authors, Part::Authors, &mut warnings);
        let fellows = capped_names(self.fellows, names.fellows, Part::Fellows, &mut warnings);
        let mut tags: Vec<String> = Vec::new();
        for tag in self.tags {
            let tag = tag.trim();
            if tag.is_empty() || tags.iter().any(|t| t == tag) {
                continue;
            }
            if tags.len() == MAX_TAGS {
                warnings.push((
                    Part::Tags,
                    format!("more than {MAX_TAGS} tags; the rest ignored"),
                ));
                break;
            }
            tags.push(tag.to_owned());
        }
        for (name, value) in [
            ("DOI", &mut self.doi),
            ("URL", &mut self.url),
            ("arXiv id", &mut self.arxiv),
        ] {
            if value.len() > MAX_IDENTIFIER_BYTES {
                value.clear();
                warnings.push((
                    Part::Identifier,
                    format!("{name} longer than {MAX_IDENTIFIER_BYTES} bytes; ignored"),
                ));
            }
        }
        let doi = normalize_doi(&self.doi);
        if doi.is_empty() && !self.doi.trim().is_empty() {
            warnings.push((
                Part::Identifier,
                format!(
                    "DOI \"{}\" is not a DOI (10.NNNN/…); ignored",
                    short(&self.doi)
                ),
            ));
        }
        let mut arxiv = normalize_arxiv(&self.arxiv);
        if arxiv.is_empty() && !self.arxiv.trim().is_empty() {
            warnings.push((
                Part::Identifier,
                format!(
                    "arXiv id \"{}\" is not one (2309.08600 or hep-th/9901001); ignored",
                    short(&self.arxiv)
                ),
            ));
        }
        // arXiv's own DOIs (10.48550/arXiv.2309.08600) name the preprint: its arXiv id.
        if arxiv.is_empty() {
            if let Some(id) = arxiv_doi(&doi) {
                arxiv = id;
            }
        }
        // Identity, strongest first: an id the input carries (an export read back), the arXiv
        // id (a preprint and its journal version are one publication: the snapshot lists the
        // journal's DOI on the preprint's own line), the DOI, then what the format gives (see
        // ARCHITECTURE.md).
        let computed = || {
            if !arxiv.is_empty() {
                identifier_id("arxiv", &arxiv)
            } else if !doi.is_empty() {
                identifier_id("doi", &doi)
            } else if let Some(c) = &self.citation {
                bibliographic_id(&title, &date, &authors, &c.key, &c.venue)
            } else {
                record_id(&title, &date)
            }
        };
        let id = match self.id.as_deref().map(str::trim) {
            Some(id) if is_valid_id(id) => id.to_ascii_lowercase(),
            Some(id) if !id.is_empty() => {
                warnings.push((
                    Part::Id,
                    format!(
                        "id \"{id}\" is not 16 hex digits; using one computed from title and date"
                    ),
                ));
                computed()
            }
            _ => computed(),
        };
        let key = self.key.trim();
        let key = if key.is_empty() || crate::citekey::is_valid(key) {
            key.to_owned()
        } else {
            warnings.push((
                Part::Id,
                format!(
                    "key \"{}\" cannot be a citation key (no spaces or any of {}); the index makes one",
                    short(key),
                    crate::citekey::FORBIDDEN
                ),
            ));
            String::new()
        };
        Ok((
            Record {
                id,
                key,
                title,
                abstract_text,
                authors,
                fellows,
                tags,
                date,
                featured: self.featured,
                doi,
                url: self.url.trim().to_owned(),
                arxiv,
                source: Source {
                    file: file.to_owned(),
                    line,
                },
            },
            warnings,
        ))
    }
}

fn capped_names(
    items: Vec<String>,
    field: &str,
    part: Part,
    warnings: &mut Vec<(Part, String)>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len().min(MAX_NAMES));
    for name in items {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        if out.len() == MAX_NAMES {
            warnings.push((
                part,
                format!("more than {MAX_NAMES} names {field}; the rest ignored"),
            ));
            break;
        }
        out.push(name.to_owned());
    }
    out
}

/// The arXiv id inside one of arXiv's DataCite DOIs (`10.48550/arXiv.2309.08600`).
fn arxiv_doi(doi: &str) -> Option<String> {
    const PREFIX: &str = "10.48550/arxiv.";
    let head = doi.get(..PREFIX.len())?;
    if !head.eq_ignore_ascii_case(PREFIX) {
        return None;
    }
    Some(normalize_arxiv(&doi[PREFIX.len()..])).filter(|id| !id.is_empty())
}

fn short(s: &str) -> String {
    let mut out: String = s.trim().chars().take(60).collect();
    if out.len() < s.trim().len() {
        out.push('…');
    }
    out
}

fn is_valid_id(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())
}
