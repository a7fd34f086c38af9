//! The arXiv metadata snapshot (JSON lines: `id`, `title`, `abstract`, `authors_parsed`,
//! `categories`, `versions`, …), streamed line by line: memory stays bounded whatever its size.
//!
//! Per line: title and abstract cleaned of TeX as for BibTeX; authors from `authors_parsed`
//! (`[last, first, suffix]`) or else the `authors` string; the date is the first version's;
//! categories become tags, each code (`cs.LG`) followed by its name ("Machine Learning"), so
//! either filters and the names count as facets; `id` is kept as the record's arXiv id.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::io::{self, BufReader};

use serde::Deserialize;

use super::clean::latex_to_text;
use super::draft::{Draft, FieldNames};
use super::lines::{read_bounded_line, BoundedLine};
use super::source::InputBytes;
use super::Event;
use crate::diagnostic::Diagnostic;

/// Longest line read; the longest real snapshot lines are a few tens of kilobytes.
const MAX_LINE_BYTES: usize = 1 << 20;

const ARXIV_FIELDS: FieldNames = FieldNames {
    authors: "in `authors`",
    fellows: "in `fellows`",
};

/// True when the first non-blank line of `head` is an arXiv snapshot object: that, not the
/// file's name (the snapshot ships as `.json`), says what the file is.
pub fn looks_like_snapshot(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let Some(line) = head
        .split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty())
    else {
        return false;
    };
    if !line.starts_with(b"{") {
        return false;
    }
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(line) {
        Ok(m) => {
            m.contains_key("id")
                && m.contains_key("categories")
                && m.contains_key("abstract")
                && (m.contains_key("versions") || m.contains_key("update_date"))
        }
        // A first line longer than the head, or cut: judge by its keys' names.
        Err(_) => {
            let text = String::from_utf8_lossy(line);
            ["\"id\"", "\"categories\"", "\"abstract\""]
                .iter()
                .all(|k| text.contains(k))
                && (text.contains("\"versions\"") || text.contains("\"update_date\""))
        }
    }
}

#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    title: Option<Cow<'a, str>>,
    #[serde(borrow, default, rename = "abstract")]
    abstract_text: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    authors: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    authors_parsed: Option<Vec<Vec<Cow<'a, str>>>>,
    #[serde(borrow, default)]
    categories: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    versions: Option<Vec<Version<'a>>>,
    #[serde(borrow, default)]
    update_date: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    doi: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct Version<'a> {
    #[serde(borrow, default)]
    created: Option<Cow<'a, str>>,
}

/// Streaming reader of one snapshot file.
pub struct ArxivReader {
    file: String,
    reader: BufReader<InputBytes>,
    line: u64,
    bytes: u64,
    pending: VecDeque<Event>,
}

impl ArxivReader {
    /// A reader of `bytes`, named `file` in diagnostics.
    pub fn new(file: String, bytes: InputBytes) -> ArxivReader {
        ArxivReader {
            file,
            reader: BufReader::with_capacity(256 * 1024, bytes),
            line: 0,
            bytes: 0,
            pending: VecDeque::new(),
        }
    }

    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }

    fn skip(&mut self, line: u64, why: impl Into<String>) {
        let why = why.into();
        self.pending.push_back(Event::Skipped(Diagnostic::new(
            &self.file,
            line,
            format!("{why}; the record is skipped"),
        )));
    }

    /// Reads up to the next non-blank line; false at the end of the file.
    fn fill(&mut self) -> io::Result<bool> {
        loop {
            let Some(next) = read_bounded_line(&mut self.reader, MAX_LINE_BYTES)? else {
                return Ok(false);
            };
            self.line += 1;
            let number = self.line;
            let bytes = match next {
                BoundedLine::Text(bytes) => bytes,
                BoundedLine::TooLong => {
                    self.bytes += MAX_LINE_BYTES as u64;
                    self.skip(number, format!("line longer than {MAX_LINE_BYTES} bytes"));
                    return Ok(true);
                }
            };
            self.bytes += bytes.len() as u64 + 1;
            let body = bytes
                .strip_prefix(b"\xEF\xBB\xBF")
                .unwrap_or(&bytes)
                .trim_ascii();
            if body.is_empty() {
                continue;
            }
            let draft = match std::str::from_utf8(body) {
                Err(e) => Err(format!(
                    "invalid UTF-8 at byte {} of the line",
                    e.valid_up_to()
                )),
                Ok(text) if !text.starts_with('{') => {
                    Err("not an arXiv record: expected a JSON object".to_owned())
                }
                Ok(text) => serde_json::from_str::<Line>(text)
                    .map_err(|e| format!("not an arXiv record: {e}"))
                    .map(draft_of),
            };
            match draft.and_then(|d| d.finish(&self.file, number, &ARXIV_FIELDS)) {
                Ok((record, warnings)) => {
                    for (_, w) in warnings {
                        self.pending
                            .push_back(Event::Warning(Diagnostic::new(&self.file, number, w)));
                    }
                    self.pending.push_back(Event::Record(record));
                }
                Err(why) => self.skip(number, why),
            }
            return Ok(true);
        }
    }
}

impl Iterator for ArxivReader {
    type Item = io::Result<Event>;

    fn next(&mut self) -> Option<io::Result<Event>> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some(Ok(e));
            }
            match self.fill() {
                Ok(true) => continue,
                Ok(false) => return None,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

fn draft_of(l: Line<'_>) -> Draft {
    let authors = match &l.authors_parsed {
        Some(parsed) if !parsed.is_empty() => parsed
            .iter()
            .map(|parts| {
                let get = |i: usize| parts.get(i).map(|p| p.trim()).unwrap_or("");
                let name = [get(1), get(0), get(2)]
                    .iter()
                    .filter(|p| !p.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" ");
                latex_to_text(&name)
            })
            .collect(),
        _ => l
            .authors
            .as_deref()
            .unwrap_or("")
            .split(", ")
            .flat_map(|a| a.split(" and "))
            .map(latex_to_text)
            .collect(),
    };
    let created = l
        .versions
        .as_ref()
        .and_then(|v| v.first())
        .and_then(|v| v.created.as_deref())
        .and_then(version_date);
    let date = created.unwrap_or_else(|| l.update_date.as_deref().unwrap_or("").to_owned());
    let mut tags = Vec::new();
    for code in l.categories.as_deref().unwrap_or("").split_whitespace() {
        tags.push(code.to_owned());
    }
    let names: Vec<String> = tags
        .iter()
        .filter_map(|c| category_name(c))
        .map(str::to_owned)
        .collect();
    tags.extend(names);
    Draft {
        title: latex_to_text(l.title.as_deref().unwrap_or("")),
        abstract_text: latex_to_text(l.abstract_text.as_deref().unwrap_or("")),
        authors,
        tags,
        date,
        doi: l
            .doi
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_owned(),
        arxiv: l.id.as_deref().unwrap_or("").to_owned(),
        url: String::new(),
        ..Draft::default()
    }
}

/// `Mon, 2 Apr 2007 19:18:42 GMT` → `2007-04-02`.
fn version_date(created: &str) -> Option<String> {
    let words: Vec<&str> = created.split_whitespace().collect();
    let [_, day, month, year, ..] = words.as_slice() else {
        return None;
    };
    let d = crate::date::parse_date(&format!("{day} {month} {year}")).ok()?;
    Some(crate::date::iso(d))
}

/// The name of an arXiv category (`cs.LG` → "Machine Learning"), for the main taxonomy.
pub fn category_name(code: &str) -> Option<&'static str> {
    CATEGORIES
        .binary_search_by(|(c, _)| c.cmp(&code))
        .ok()
        .map(|i| CATEGORIES[i].1)
}

/// arXiv's category taxonomy, sorted by code.
const CATEGORIES: &[(&str, &str)] = &[
    ("astro-ph", "Astrophysics"),
    ("astro-ph.CO", "Cosmology and Nongalactic Astrophysics"),
    ("astro-ph.EP", "Earth and Planetary Astrophysics"),
    ("astro-ph.GA", "Astrophysics of Galaxies"),
    ("astro-ph.HE", "High Energy Astrophysical Phenomena"),
    (
        "astro-ph.IM",
        "Instrumentation and Methods for Astrophysics",
    ),
    ("astro-ph.SR", "Solar and Stellar Astrophysics"),
    ("cond-mat", "Condensed Matter"),
    ("cond-mat.dis-nn", "Disordered Systems and Neural Networks"),
    ("cond-mat.mes-hall", "Mesoscale and Nanoscale Physics"),
    ("cond-mat.mtrl-sci", "Materials Science"),
    ("cond-mat.other", "Other Condensed Matter"),
    ("cond-mat.quant-gas", "Quantum Gases"),
    ("cond-mat.soft", "Soft Condensed Matter"),
    ("cond-mat.stat-mech", "Statistical Mechanics"),
    ("cond-mat.str-el", "Strongly Correlated Electrons"),
    ("cond-mat.supr-con", "Superconductivity"),
    ("cs.AI", "Artificial Intelligence"),
    ("cs.AR", "Hardware Architecture"),
    ("cs.CC", "Computational Complexity"),
    ("cs.CE", "Computational Engineering, Finance, and Science"),
    ("cs.CG", "Computational Geometry"),
    ("cs.CL", "Computation and Language"),
    ("cs.CR", "Cryptography and Security"),
    ("cs.CV", "Computer Vision and Pattern Recognition"),
    ("cs.CY", "Computers and Society"),
    ("cs.DB", "Databases"),
    ("cs.DC", "Distributed, Parallel, and Cluster Computing"),
    ("cs.DL", "Digital Libraries"),
    ("cs.DM", "Discrete Mathematics"),
    ("cs.DS", "Data Structures and Algorithms"),
    ("cs.ET", "Emerging Technologies"),
    ("cs.FL", "Formal Languages and Automata Theory"),
    ("cs.GL", "General Literature"),
    ("cs.GR", "Graphics"),
    ("cs.GT", "Computer Science and Game Theory"),
    ("cs.HC", "Human-Computer Interaction"),
    ("cs.IR", "Information Retrieval"),
    ("cs.IT", "Information Theory"),
    ("cs.LG", "Machine Learning"),
    ("cs.LO", "Logic in Computer Science"),
    ("cs.MA", "Multiagent Systems"),
    ("cs.MM", "Multimedia"),
    ("cs.MS", "Mathematical Software"),
    ("cs.NA", "Numerical Analysis"),
    ("cs.NE", "Neural and Evolutionary Computing"),
    ("cs.NI", "Networking and Internet Architecture"),
    ("cs.OH", "Other Computer Science"),
    ("cs.OS", "Operating Systems"),
    ("cs.PF", "Performance"),
    ("cs.PL", "Programming Languages"),
    ("cs.RO", "Robotics"),
    ("cs.SC", "Symbolic Computation"),
    ("cs.SD", "Sound"),
    ("cs.SE", "Software Engineering"),
    ("cs.SI", "Social and Information Networks"),
    ("cs.SY", "Systems and Control"),
    ("econ.EM", "Econometrics"),
    ("econ.GN", "General Economics"),
    ("econ.TH", "Theoretical Economics"),
    ("eess.AS", "Audio and Speech Processing"),
    ("eess.IV", "Image and Video Processing"),
    ("eess.SP", "Signal Processing"),
    ("eess.SY", "Systems and Control"),
    ("gr-qc", "General Relativity and Quantum Cosmology"),
    ("hep-ex", "High Energy Physics - Experiment"),
    ("hep-lat", "High Energy Physics - Lattice"),
    ("hep-ph", "High Energy Physics - Phenomenology"),
    ("hep-th", "High Energy Physics - Theory"),
    ("math-ph", "Mathematical Physics"),
    ("math.AC", "Commutative Algebra"),
    ("math.AG", "Algebraic Geometry"),
    ("math.AP", "Analysis of PDEs"),
    ("math.AT", "Algebraic Topology"),
    ("math.CA", "Classical Analysis and ODEs"),
    ("math.CO", "Combinatorics"),
    ("math.CT", "Category Theory"),
    ("math.CV", "Complex Variables"),
    ("math.DG", "Differential Geometry"),
    ("math.DS", "Dynamical Systems"),
    ("math.FA", "Functional Analysis"),
    ("math.GM", "General Mathematics"),
    ("math.GN", "General Topology"),
    ("math.GR", "Group Theory"),
    ("math.GT", "Geometric Topology"),
    ("math.HO", "History and Overview"),
    ("math.IT", "Information Theory"),
    ("math.KT", "K-Theory and Homology"),
    ("math.LO", "Logic"),
    ("math.MG", "Metric Geometry"),
    ("math.MP", "Mathematical Physics"),
    ("math.NA", "Numerical Analysis"),
    ("math.NT", "Number Theory"),
    ("math.OA", "Operator Algebras"),
    ("math.OC", "Optimization and Control"),
    ("math.PR", "Probability"),
    ("math.QA", "Quantum Algebra"),
    ("math.RA", "Rings and Algebras"),
    ("math.RT", "Representation Theory"),
    ("math.SG", "Symplectic Geometry"),
    ("math.SP", "Spectral Theory"),
    ("math.ST", "Statistics Theory"),
    ("nlin.AO", "Adaptation and Self-Organizing Systems"),
    ("nlin.CD", "Chaotic Dynamics"),
    ("nlin.CG", "Cellular Automata and Lattice Gases"),
    ("nlin.PS", "Pattern Formation and Solitons"),
    ("nlin.SI", "Exactly Solvable and Integrable Systems"),
    ("nucl-ex", "Nuclear Experiment"),
    ("nucl-th", "Nuclear Theory"),
    ("physics.acc-ph", "Accelerator Physics"),
    ("physics.ao-ph", "Atmospheric and Oceanic Physics"),
    ("physics.app-ph", "Applied Physics"),
    ("physics.atm-clus", "Atomic and Molecular Clusters"),
    ("physics.atom-ph", "Atomic Physics"),
    ("physics.bio-ph", "Biological Physics"),
    ("physics.chem-ph", "Chemical Physics"),
    ("physics.class-ph", "Classical Physics"),
    ("physics.comp-ph", "Computational Physics"),
    (
        "physics.data-an",
        "Data Analysis, Statistics and Probability",
    ),
    ("physics.ed-ph", "Physics Education"),
    ("physics.flu-dyn", "Fluid Dynamics"),
    ("physics.gen-ph", "General Physics"),
    ("physics.geo-ph", "Geophysics"),
    ("physics.hist-ph", "History and Philosophy of Physics"),
    ("physics.ins-det", "Instrumentation and Detectors"),
    ("physics.med-ph", "Medical Physics"),
    ("physics.optics", "Optics"),
    ("physics.plasm-ph", "Plasma Physics"),
    ("physics.pop-ph", "Popular Physics"),
    ("physics.soc-ph", "Physics and Society"),
    ("physics.space-ph", "Space Physics"),
    ("q-bio.BM", "Biomolecules"),
    ("q-bio.CB", "Cell Behavior"),
    ("q-bio.GN", "Genomics"),
    ("q-bio.MN", "Molecular Networks"),
    ("q-bio.NC", "Neurons and Cognition"),
    ("q-bio.OT", "Other Quantitative Biology"),
    ("q-bio.PE", "Populations and Evolution"),
    ("q-bio.QM", "Quantitative Methods"),
    ("q-bio.SC", "Subcellular Processes"),
    ("q-bio.TO", "Tissues and Organs"),
    ("q-fin.CP", "Computational Finance"),
    ("q-fin.EC", "Economics"),
    ("q-fin.GN", "General Finance"),
    ("q-fin.MF", "Mathematical Finance"),
    ("q-fin.PM", "Portfolio Management"),
    ("q-fin.PR", "Pricing of Securities"),
    ("q-fin.RM", "Risk Management"),
    ("q-fin.ST", "Statistical Finance"),
    ("q-fin.TR", "Trading and Market Microstructure"),
    ("quant-ph", "Quantum Physics"),
    ("stat.AP", "Applications"),
    ("stat.CO", "Computation"),
    ("stat.ME", "Methodology"),
    ("stat.ML", "Machine Learning"),
    ("stat.OT", "Other Statistics"),
    ("stat.TH", "Statistics Theory"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_category_table_is_sorted_for_binary_search() {
        assert!(CATEGORIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(category_name("cs.LG"), Some("Machine Learning"));
        assert_eq!(category_name("cs.XX"), None);
    }

    #[test]
    fn version_dates_are_read_from_the_first_version() {
        assert_eq!(
            version_date("Mon, 2 Apr 2007 19:18:42 GMT").as_deref(),
            Some("2007-04-02")
        );
        assert_eq!(version_date("garbage"), None);
    }
}
