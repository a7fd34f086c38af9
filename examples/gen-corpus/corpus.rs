//! The corpus generator, shared by the `gen-corpus` example and the benches.
//! Writes a page header, a `Featured Research` section (entries ending in `Read more`), an
//! `All MATS Research` section (entries with 1–4 tag lines), and the FAQ tail. Words are drawn
//! from a Zipf distribution over the shipped corpus' vocabulary (ranked by frequency) followed by
//! a public-domain English word list (`words.txt`, from Debian's `wamerican`); names mix the
//! corpus' authors with accented ones. Same `--records` and `--seed`: same bytes.

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

    fn name(&self, rng: &mut Rng) -> String {
        let mut name = self.first.sample(rng).clone();
        if rng.chance(0.15) {
            name.push(' ');
            name.push(
                self.first
                    .sample(rng)
                    .chars()
                    .next()
                    .unwrap_or('A')
                    .to_ascii_uppercase(),
            );
            name.push('.');
        }
        name.push(' ');
        name.push_str(self.last.sample(rng));
        name
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

fn abstract_text(v: &Vocab, rng: &mut Rng, out: &mut String) {
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

fn entry(v: &Vocab, rng: &mut Rng, featured: bool, out: &mut String) {
    out.push_str(&title(v, rng));
    out.push_str("\n\n");
    abstract_text(v, rng, out);
    out.push_str("\n\n");
    if featured {
        out.push_str("Read more\n\n");
    } else {
        let n = rng.range(1, 4);
        let mut tags: Vec<&str> = Vec::new();
        while tags.len() < n {
            let t = TAGS[rng.range(0, TAGS.len() - 1)];
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        for t in tags {
            out.push_str(t);
            out.push('\n');
        }
        out.push('\n');
    }
    // 1–30 authors, most papers with few.
    let n_authors = if rng.chance(0.9) {
        rng.range(1, 8)
    } else {
        rng.range(9, 30)
    };
    let authors: Vec<String> = (0..n_authors).map(|_| v.name(rng)).collect();
    out.push_str("Authors:\n\n");
    out.push_str(&authors.join(", "));
    out.push_str("\n\nFellows:\n\n");
    let n_fellows = rng.range(1, 3.min(n_authors).max(1));
    let mut fellows: Vec<String> = Vec::new();
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
    out.push_str(&fellows.join(", "));
    let year = rng.range(2019, 2026);
    let month = rng.range(0, 11);
    let day = rng.range(1, 28);
    out.push_str(&format!(
        "\n\nDate:\n\n{} {}, {}\n\n",
        MONTHS[month], day, year
    ));
}

/// Writes an export of `records` entries to the file `path`; returns its size in bytes.
pub fn write_corpus_file(path: &std::path::Path, records: usize, seed: u64) -> io::Result<u64> {
    let mut out = io::BufWriter::new(std::fs::File::create(path)?);
    write_corpus(&mut out, records, seed)?;
    out.flush()?;
    drop(out);
    Ok(std::fs::metadata(path)?.len())
}

/// Writes an export of `records` entries; the same `records` and `seed` give the same bytes.
pub fn write_corpus(out: &mut impl Write, records: usize, seed: u64) -> io::Result<()> {
    let mut rng = Rng::new(seed);
    let vocab = Vocab::new(&mut rng);
    out.write_all(b"AI alignment & security research\n\nThis page highlights research projects that have emerged from the MATS program, showcasing MATS fellows\xE2\x80\x99 contributions to AI alignment, transparency, and security.\n\n")?;
    // A handful of featured papers, as on the real page.
    let featured = (records / 1000).clamp(records.min(1), 6);
    let mut buf = String::with_capacity(8192);
    out.write_all("Featured\u{a0}Research\n\n".as_bytes())?;
    for i in 0..records {
        if i == featured {
            out.write_all(b"All MATS Research\n\n")?;
        }
        buf.clear();
        entry(&vocab, &mut rng, i < featured, &mut buf);
        out.write_all(buf.as_bytes())?;
    }
    if featured == records {
        out.write_all(b"All MATS Research\n\n")?;
    }
    out.write_all(b"Frequently asked questions\n\nWhat is the MATS Program?\nWho are the MATS Mentors?\nWhat are the key dates of the MATS Program?\nWho is eligible to apply?\nHow does the application and mentor selection process work?")?;
    Ok(())
}
