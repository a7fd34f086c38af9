//! The corpus generator, shared by the `gen-corpus` example and the benches.
//! Writes a page header, a `Featured Research` section (entries ending in `Read more`), an
//! `All MATS Research` section (entries with 1–4 tag lines), and the FAQ tail. Words are drawn
//! from a Zipf distribution over the shipped corpus' vocabulary (ranked by frequency) followed by
//! a public-domain English word list (`words.txt`, from Debian's `wamerican`); names mix the
//! corpus' authors with accented ones. Same `--records` and `--seed`: same bytes.
//!
//! The same papers can be written in the other input formats (`Format`): arXiv snapshot JSON
//! lines (every field of the real snapshot, abstracts wrapped as arXiv stores them, a third with
//! a journal DOI and `journal-ref`), BibTeX (articles with `@string` journals, proceedings,
//! `@misc` arXiv preprints; `Last, First` and `First Last` names; a year alone, year and month,
//! or a full date) and RIS. Their identifiers are unique per paper, so every paper is a record.

use std::io::{self, Write};

const CORPUS: &str = include_str!("../../corpus/mats-research.txt");
const WORDS: &str = include_str!("words.txt");

const TAGS: &[&str] = &[
    "Adversarial Robustness",
    "Agent Foundations",
    "Alignment Training",
    "Dangerous Capability Evals",
    "Interpretability",
    "Model Organisms",
    "Monitoring",
    "Multi-Agent Safety",
    "Red-Teaming",
    "Safeguards",
    "Scalable Oversight",
    "Scheming and Deception",
];

const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

const EXTRA_FIRST: &[&str] = &[
    "José",
    "Zoë",
    "Jürgen",
    "Søren",
    "Łukasz",
    "François",
    "Björn",
    "Chloé",
    "Iñaki",
    "Renée",
    "Mónica",
    "Dóra",
    "Ōta",
    "Ñuria",
    "Émile",
    "Anaïs",
    "Raphaël",
    "Håkon",
    "Ümit",
    "Ștefan",
    "Tomáš",
    "Jiří",
    "Małgorzata",
    "Žofia",
    "Ágnes",
    "Bruno",
    "Mei",
    "Wei",
    "Priya",
    "Aarav",
    "Olusegun",
    "Kwame",
    "Siobhán",
    "Seán",
    "Ana",
    "João",
    "Gaël",
    "Inès",
    "Nikolaj",
    "Mikaël",
];
const EXTRA_LAST: &[&str] = &[
    "Müller",
    "Dvořák",
    "Núñez",
    "García",
    "Ørsted",
    "Kowalczyk",
    "Şahin",
    "Lefèvre",
    "Schäfer",
    "Gonçalves",
    "Öztürk",
    "Łęcki",
    "Peña",
    "Crème",
    "Björklund",
    "Čapek",
    "Jiménez",
    "Håland",
    "Nguyễn",
    "Trần",
    "Ó Briain",
    "Fernández",
    "Sørensen",
    "Wójcik",
    "Grüber",
    "Žukauskas",
    "Rodríguez",
    "Castaño",
    "Bélanger",
    "Gauß",
    "Ibáñez",
    "Kovačević",
    "Lindqvist",
    "Pérez",
    "Tanaka",
    "Okafor",
    "Mensah",
    "Iyer",
    "Chen",
    "Zhang",
];

/// xorshift64*: tiny, fast and good enough for test data.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 scrambles small seeds into a good starting state.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Rank-frequency sampling: P(rank r) ∝ 1 / r^s.
struct Zipf<T> {
    items: Vec<T>,
    cumulative: Vec<f64>,
}

impl<T> Zipf<T> {
    fn new(items: Vec<T>, s: f64) -> Zipf<T> {
        let mut total = 0.0;
        let cumulative = (0..items.len())
            .map(|r| {
                total += 1.0 / ((r + 1) as f64).powf(s);
                total
            })
            .collect();
        Zipf { items, cumulative }
    }
    fn sample(&self, rng: &mut Rng) -> &T {
        let total = *self.cumulative.last().expect("non-empty");
        let x = rng.unit() * total;
        let i = self.cumulative.partition_point(|&c| c <= x);
        &self.items[i.min(self.items.len() - 1)]
    }
}

struct Vocab {
    words: Zipf<String>,
    first: Zipf<String>,
    last: Zipf<String>,
}

impl Vocab {
    fn new(rng: &mut Rng) -> Vocab {
        // The corpus' prose words, most frequent first, then the word list in a seeded order.
        let mut counts: std::collections::HashMap<String, usize> = Default::default();
        for w in CORPUS
            .split(|c: char| !c.is_alphanumeric() && c != '-')
            .filter(|w| w.chars().any(char::is_alphabetic) && !w.starts_with('-'))
        {
            let w = if w.chars().skip(1).any(char::is_uppercase) {
                w.to_owned() // acronyms keep their case
            } else {
                w.to_lowercase()
            };
            *counts.entry(w).or_default() += 1;
        }
        let mut ranked: Vec<(String, usize)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut words: Vec<String> = ranked.into_iter().map(|(w, _)| w).collect();
        let known: std::collections::HashSet<String> = words.iter().cloned().collect();
        let mut list: Vec<String> = WORDS
            .lines()
            .map(str::trim)
            .filter(|w| !w.is_empty() && !known.contains(*w))
            .map(str::to_owned)
            .collect();
        shuffle(&mut list, rng);
        words.extend(list);

        let mut first: Vec<String> = Vec::new();
        let mut last: Vec<String> = Vec::new();
        for line in CORPUS.lines().collect::<Vec<_>>().windows(3) {
            if line[0] == "Authors:" || line[0] == "Fellows:" {
                for name in line[2].split(',') {
                    let parts: Vec<&str> = name.split_whitespace().collect();
                    if parts.len() >= 2 {
                        push_unique(&mut first, parts[0]);
                        push_unique(&mut last, parts[parts.len() - 1]);
                    }
                }
            }
        }
        for f in EXTRA_FIRST {
            push_unique(&mut first, f);
        }
        for l in EXTRA_LAST {
            push_unique(&mut last, l);
        }
        shuffle(&mut first, rng);
        shuffle(&mut last, rng);
        Vocab {
            words: Zipf::new(words, 1.05),
            first: Zipf::new(first, 0.6),
            last: Zipf::new(last, 0.6),
        }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        self.words.sample(rng)
    }

    fn name(&self, rng: &mut Rng) -> Name {
        let mut given = self.first.sample(rng).clone();
        if rng.chance(0.15) {
            given.push(' ');
            given.push(
                self.first
                    .sample(rng)
                    .chars()
                    .next()
                    .unwrap_or('A')
                    .to_ascii_uppercase(),
            );
            given.push('.');
        }
        Name {
            given,
            family: self.last.sample(rng).clone(),
        }
    }
}

/// A generated person: given names (with an initial, sometimes) and a family name (which may be
/// two words, "Ó Briain").
#[derive(Clone, PartialEq)]
struct Name {
    given: String,
    family: String,
}

impl Name {
    fn full(&self) -> String {
        format!("{} {}", self.given, self.family)
    }
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_owned());
    }
}

fn shuffle<T>(v: &mut [T], rng: &mut Rng) {
    for i in (1..v.len()).rev() {
        let j = rng.range(0, i);
        v.swap(i, j);
    }
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn title(v: &Vocab, rng: &mut Rng) -> String {
    let n = rng.range(5, 14);
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push_str(if i == n / 2 && rng.chance(0.2) {
                ": "
            } else {
                " "
            });
        }
        let w = v.word(rng);
        if i == 0 || w.len() > 3 {
            out.push_str(&capitalize(w));
        } else {
            out.push_str(w);
        }
    }
    out
}

fn abstract_text_into(v: &Vocab, rng: &mut Rng, out: &mut String) {
    let n = rng.range(120, 300);
    let mut sentence_left = 0;
    for i in 0..n {
        if sentence_left == 0 {
            if i > 0 {
                out.push_str(". ");
            }
            sentence_left = rng.range(8, 28);
            out.push_str(&capitalize(v.word(rng)));
        } else {
            out.push_str(if rng.chance(0.06) { ", " } else { " " });
            let roll = rng.unit();
            if roll < 0.01 {
                out.push_str(&format!("{}", rng.range(2, 2048)));
            } else if roll < 0.012 {
                out.push_str(&format!("{}%", rng.range(1, 99)));
            } else if roll < 0.0125 {
                out.push_str(&format!("\\textit{{{}}}", v.word(rng)));
            } else {
                out.push_str(v.word(rng));
            }
        }
        sentence_left -= 1;
    }
    out.push('.');
}

/// One generated paper, drawn the same way whatever format it is written in.
struct Paper {
    title: String,
    abstract_text: String,
    featured: bool,
    tags: Vec<&'static str>,
    authors: Vec<Name>,
    fellows: Vec<Name>,
    year: usize,
    /// 0-based.
    month: usize,
    day: usize,
}

/// Draws one paper. The order of the draws is the page format's since the first generator, so
/// page exports keep their bytes; other formats draw their extras from a second generator.
fn paper(v: &Vocab, rng: &mut Rng, featured: bool) -> Paper {
    let title = title(v, rng);
    let mut abstract_text = String::new();
    abstract_text_into(v, rng, &mut abstract_text);
    let mut tags: Vec<&'static str> = Vec::new();
    if !featured {
        let n = rng.range(1, 4);
        while tags.len() < n {
            let t = TAGS[rng.range(0, TAGS.len() - 1)];
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
    }
    // 1–30 authors, most papers with few.
    let n_authors = if rng.chance(0.9) {
        rng.range(1, 8)
    } else {
        rng.range(9, 30)
    };
    let authors: Vec<Name> = (0..n_authors).map(|_| v.name(rng)).collect();
    let n_fellows = rng.range(1, 3.min(n_authors).max(1));
    let mut fellows: Vec<Name> = Vec::new();
    for _ in 0..n_fellows {
        // Fellows are mostly among the authors.
        let f = if rng.chance(0.9) {
            authors[rng.range(0, authors.len() - 1)].clone()
        } else {
            v.name(rng)
        };
        if !fellows.contains(&f) {
            fellows.push(f);
        }
    }
    let year = rng.range(2019, 2026);
    let month = rng.range(0, 11);
    let day = rng.range(1, 28);
    Paper {
        title,
        abstract_text,
        featured,
        tags,
        authors,
        fellows,
        year,
        month,
        day,
    }
}

fn names(list: &[Name]) -> String {
    list.iter().map(Name::full).collect::<Vec<_>>().join(", ")
}

fn render_page(p: &Paper, out: &mut String) {
    out.push_str(&p.title);
    out.push_str("\n\n");
    out.push_str(&p.abstract_text);
    out.push_str("\n\n");
    if p.featured {
        out.push_str("Read more\n\n");
    } else {
        for t in &p.tags {
            out.push_str(t);
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str("Authors:\n\n");
    out.push_str(&names(&p.authors));
    out.push_str("\n\nFellows:\n\n");
    out.push_str(&names(&p.fellows));
    out.push_str(&format!(
        "\n\nDate:\n\n{} {}, {}\n\n",
        MONTHS[p.month], p.day, p.year
    ));
}

/// arXiv categories standing for the page's tags (the featured papers, untagged, get `cs.AI`).
fn categories(p: &Paper) -> String {
    let mut codes: Vec<&str> = Vec::new();
    for t in &p.tags {
        let code = match *t {
            "Adversarial Robustness" => "cs.LG",
            "Agent Foundations" => "cs.AI",
            "Alignment Training" => "cs.CL",
            "Dangerous Capability Evals" => "cs.CY",
            "Interpretability" => "cs.LG",
            "Model Organisms" => "cs.AI",
            "Monitoring" => "cs.SE",
            "Multi-Agent Safety" => "cs.MA",
            "Red-Teaming" => "cs.CR",
            "Safeguards" => "cs.CR",
            "Scalable Oversight" => "stat.ML",
            _ => "cs.HC",
        };
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    if codes.is_empty() {
        codes.push("cs.AI");
    }
    codes.join(" ")
}

/// `Mon`…`Sun` of a Gregorian date (Sakamoto's method).
fn weekday(year: usize, month0: usize, day: usize) -> &'static str {
    const T: [usize; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if month0 < 2 { year - 1 } else { year };
    let w = (y + y / 4 - y / 100 + y / 400 + T[month0] + day) % 7;
    ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][w]
}

/// Wraps prose the way the arXiv snapshot stores it: lines of ~76 characters, continuation
/// lines indented by two spaces (the abstract also starts with two).
fn wrap_arxiv(text: &str, out: &mut String) {
    let mut col = 0;
    for word in text.split(' ') {
        if col > 0 && col + word.len() > 76 {
            out.push('\n');
            col = 0;
        } else if col > 0 {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += word.len();
    }
}

/// An arXiv id unique to the `i`th paper: 99,999 papers a month from January 2015.
fn arxiv_id(i: usize) -> String {
    let month = i / 99_999;
    format!(
        "{:02}{:02}.{:05}",
        15 + month / 12,
        1 + month % 12,
        i % 99_999 + 1
    )
}

const JOURNALS: &[(&str, &str)] = &[
    ("jmlr", "Journal of Machine Learning Research"),
    ("tmlr", "Transactions on Machine Learning Research"),
    ("aij", "Artificial Intelligence"),
    ("nmi", "Nature Machine Intelligence"),
    ("jair", "Journal of Artificial Intelligence Research"),
];
const VENUES: &[&str] = &[
    "Advances in Neural Information Processing Systems",
    "International Conference on Machine Learning",
    "International Conference on Learning Representations",
    "Proceedings of the AAAI Conference on Artificial Intelligence",
];

fn render_arxiv(p: &Paper, i: usize, extra: &mut Rng, out: &mut String) {
    let authors = p.authors.iter().map(Name::full).collect::<Vec<_>>();
    let authors = match authors.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => authors.join(""),
    };
    let mut abstract_text = String::from("  ");
    wrap_arxiv(&p.abstract_text, &mut abstract_text);
    abstract_text.push('\n');
    let mut title = String::new();
    wrap_arxiv(&p.title, &mut title);
    let title = title.replace('\n', "\n  ");
    let abstract_text = abstract_text.replace('\n', "\n  ");
    let abstract_text = abstract_text.trim_end_matches(' ');
    let mut versions = Vec::new();
    let n_versions = extra.range(1, 3);
    let (mut y, mut m, mut d) = (p.year, p.month, p.day);
    for v in 1..=n_versions {
        versions.push(serde_json::json!({
            "version": format!("v{v}"),
            "created": format!(
                "{}, {} {} {} {:02}:{:02}:{:02} GMT",
                weekday(y, m, d), d, MONTHS[m], y,
                extra.range(0, 23), extra.range(0, 59), extra.range(0, 59)
            ),
        }));
        m += extra.range(0, 5);
        if m > 11 {
            m -= 12;
            y += 1;
        }
        d = extra.range(1, 28);
    }
    let journal = extra.chance(0.3);
    let doi = journal.then(|| format!("10.{}/gen.{}", 1000 + extra.range(0, 8999), i));
    let journal_ref = journal.then(|| {
        let (_, name) = JOURNALS[extra.range(0, JOURNALS.len() - 1)];
        format!(
            "{name} {}, {} ({})",
            extra.range(1, 40),
            extra.range(1, 999),
            y
        )
    });
    let line = serde_json::json!({
        "id": arxiv_id(i),
        "submitter": p.authors[0].full(),
        "authors": authors,
        "title": title,
        "comments": if extra.chance(0.5) { serde_json::Value::from(format!("{} pages, {} figures", extra.range(4, 60), extra.range(0, 20))) } else { serde_json::Value::Null },
        "journal-ref": journal_ref,
        "doi": doi,
        "report-no": null,
        "categories": categories(p),
        "license": "http://arxiv.org/licenses/nonexclusive-distrib/1.0/",
        "abstract": abstract_text,
        "versions": versions,
        "update_date": format!("{y:04}-{:02}-{d:02}", m + 1),
        "authors_parsed": p.authors.iter().map(|a| [a.family.as_str(), a.given.as_str(), ""]).collect::<Vec<_>>(),
    });
    out.push_str(&line.to_string());
    out.push('\n');
}

/// BibTeX's special characters in prose: `%` starts a comment in LaTeX, `&` is an alignment tab.
fn bib_text(s: &str) -> String {
    s.replace('%', "\\%").replace('&', "\\&")
}

/// A title as reference managers write it: acronyms protected by braces (`{LLM}`).
fn bib_title(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            if w.chars().skip(1).any(char::is_uppercase) {
                format!("{{{w}}}")
            } else {
                w.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const BIB_MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn render_bibtex(p: &Paper, i: usize, extra: &mut Rng, out: &mut String) {
    let roll = extra.unit();
    let kind = if roll < 0.55 {
        "article"
    } else if roll < 0.85 {
        "inproceedings"
    } else {
        "misc"
    };
    out.push_str(&format!("@{kind}{{gen{i}_{},\n", p.year));
    out.push_str(&format!("  title = {{{}}},\n", bib_title(&p.title)));
    // Mostly `Last, First`; a tenth `First Last` (one-word family names only: a two-word one
    // would need the comma form to be read back whole).
    let authors = p
        .authors
        .iter()
        .map(|a| {
            if !a.family.contains(' ') && extra.chance(0.1) {
                a.full()
            } else {
                format!("{}, {}", a.family, a.given)
            }
        })
        .collect::<Vec<_>>()
        .join(" and ");
    out.push_str(&format!("  author = {{{authors}}},\n"));
    match kind {
        "article" => {
            let (macro_name, name) = JOURNALS[extra.range(0, JOURNALS.len() - 1)];
            if extra.chance(0.3) {
                out.push_str(&format!("  journal = {macro_name},\n"));
            } else {
                out.push_str(&format!("  journal = {{{name}}},\n"));
            }
            out.push_str(&format!(
                "  volume = {{{}}},\n  number = {{{}}},\n  pages = {{{}--{}}},\n",
                extra.range(1, 40),
                extra.range(1, 12),
                extra.range(1, 500),
                extra.range(501, 999)
            ));
        }
        "inproceedings" => {
            let venue = VENUES[extra.range(0, VENUES.len() - 1)];
            out.push_str(&format!("  booktitle = {{{venue}}},\n"));
        }
        _ => {
            out.push_str(&format!(
                "  eprint = {{{}}},\n  archiveprefix = {{arXiv}},\n  primaryclass = {{{}}},\n",
                arxiv_id(i),
                categories(p).split(' ').next().unwrap_or("cs.AI")
            ));
        }
    }
    // Dates as reference managers write them: year and month, a year alone, or a full date.
    let roll = extra.unit();
    if roll < 0.5 {
        out.push_str(&format!(
            "  year = {{{}}},\n  month = {},\n",
            p.year, BIB_MONTHS[p.month]
        ));
    } else if roll < 0.8 {
        out.push_str(&format!("  year = {{{}}},\n", p.year));
    } else {
        out.push_str(&format!(
            "  date = {{{:04}-{:02}-{:02}}},\n",
            p.year,
            p.month + 1,
            p.day
        ));
    }
    if kind != "misc" && extra.chance(0.4) {
        out.push_str(&format!(
            "  doi = {{10.{}/gen.{i}}},\n",
            1000 + extra.range(0, 8999)
        ));
    }
    if !p.tags.is_empty() {
        out.push_str(&format!(
            "  keywords = {{{}}},\n",
            bib_text(&p.tags.join(", "))
        ));
    }
    out.push_str(&format!(
        "  abstract = {{{}}},\n}}\n\n",
        bib_text(&p.abstract_text)
    ));
}

fn render_ris(p: &Paper, i: usize, extra: &mut Rng, out: &mut String) {
    let journal = extra.chance(0.6);
    out.push_str(if journal {
        "TY  - JOUR\n"
    } else {
        "TY  - CONF\n"
    });
    out.push_str(&format!("TI  - {}\n", p.title));
    for a in &p.authors {
        out.push_str(&format!("AU  - {}, {}\n", a.family, a.given));
    }
    if journal {
        let (_, name) = JOURNALS[extra.range(0, JOURNALS.len() - 1)];
        out.push_str(&format!("T2  - {name}\n"));
    } else {
        let venue = VENUES[extra.range(0, VENUES.len() - 1)];
        out.push_str(&format!("T2  - {venue}\n"));
    }
    out.push_str(&format!("PY  - {}\n", p.year));
    if extra.chance(0.7) {
        out.push_str(&format!(
            "DA  - {:04}/{:02}/{:02}/\n",
            p.year,
            p.month + 1,
            p.day
        ));
    }
    out.push_str(&format!("AB  - {}\n", p.abstract_text));
    for t in &p.tags {
        out.push_str(&format!("KW  - {t}\n"));
    }
    if extra.chance(0.4) {
        out.push_str(&format!(
            "DO  - 10.{}/gen.{i}\n",
            1000 + extra.range(0, 8999)
        ));
    }
    out.push_str("ER  - \n\n");
}

/// What the generator writes: the page export, or the same papers in another input format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Page,
    /// The arXiv metadata snapshot's JSON lines.
    Arxiv,
    Bibtex,
    Ris,
}

impl Format {
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "page" | "txt" => Some(Format::Page),
            "arxiv" => Some(Format::Arxiv),
            "bibtex" | "bib" => Some(Format::Bibtex),
            "ris" => Some(Format::Ris),
            _ => None,
        }
    }

    /// The file extension `litsearch ingest` recognises the format by.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Page => "txt",
            Format::Arxiv => "jsonl",
            Format::Bibtex => "bib",
            Format::Ris => "ris",
        }
    }
}

/// Writes an export of `records` entries to the file `path`; returns its size in bytes.
pub fn write_corpus_file(path: &std::path::Path, records: usize, seed: u64) -> io::Result<u64> {
    write_corpus_file_as(path, Format::Page, records, seed)
}

/// Writes `records` papers in `format` to the file `path`; returns its size in bytes.
pub fn write_corpus_file_as(
    path: &std::path::Path,
    format: Format,
    records: usize,
    seed: u64,
) -> io::Result<u64> {
    let mut out = io::BufWriter::new(std::fs::File::create(path)?);
    write_corpus_as(&mut out, format, records, seed)?;
    out.flush()?;
    drop(out);
    Ok(std::fs::metadata(path)?.len())
}

/// Writes an export of `records` entries; the same `records` and `seed` give the same bytes.
pub fn write_corpus(out: &mut impl Write, records: usize, seed: u64) -> io::Result<()> {
    write_corpus_as(out, Format::Page, records, seed)
}

/// Writes `records` papers in `format`. The same `records` and `seed` give the same bytes, and
/// the same papers (titles, abstracts, authors, dates) in every format.
pub fn write_corpus_as(
    out: &mut impl Write,
    format: Format,
    records: usize,
    seed: u64,
) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    let vocab = Vocab::new(&mut rng);
    // Identifiers, venues and the like: drawn apart so the papers stay those of the page format.
    let mut extra = Rng::new(seed ^ 0x5EED_F0E7_u64);
    // A handful of featured papers, as on the real page.
    let featured = (records / 1000).clamp(records.min(1), 6);
    let mut buf = String::with_capacity(8192);
    match format {
        Format::Page => {
            out.write_all(b"AI alignment & security research\n\nThis page highlights research projects that have emerged from the MATS program, showcasing MATS fellows\xE2\x80\x99 contributions to AI alignment, transparency, and security.\n\n")?;
            out.write_all("Featured\u{a0}Research\n\n".as_bytes())?;
        }
        Format::Bibtex => {
            out.write_all(
                b"% Encoding: UTF-8\n\n@preamble{\"\\providecommand{\\noopsort}[1]{}\"}\n\n",
            )?;
            for (name, journal) in JOURNALS {
                out.write_all(format!("@string{{{name} = {{{journal}}}}}\n").as_bytes())?;
            }
            out.write_all(b"\n")?;
        }
        Format::Arxiv | Format::Ris => {}
    }
    for i in 0..records {
        if format == Format::Page && i == featured {
            out.write_all(b"All MATS Research\n\n")?;
        }
        buf.clear();
        let p = paper(&vocab, &mut rng, i < featured);
        match format {
            Format::Page => render_page(&p, &mut buf),
            Format::Arxiv => render_arxiv(&p, i, &mut extra, &mut buf),
            Format::Bibtex => render_bibtex(&p, i, &mut extra, &mut buf),
            Format::Ris => render_ris(&p, i, &mut extra, &mut buf),
        }
        out.write_all(buf.as_bytes())?;
    }
    if format == Format::Page {
        if featured == records {
            out.write_all(b"All MATS Research\n\n")?;
        }
        out.write_all(b"Frequently asked questions\n\nWhat is the MATS Program?\nWho are the MATS Mentors?\nWhat are the key dates of the MATS Program?\nWho is eligible to apply?\nHow does the application and mentor selection process work?")?;
    }
    Ok(())
}
