//! BibTeX / BibLaTeX (`.bib`, what JabRef, Zotero and Mendeley export), streamed entry by entry:
//! a splitter finds each `@type{…}` by brace balance, and the `biblatex` crate reads its fields.
//!
//! Splitting first keeps memory bounded and confines a broken entry (unbalanced braces, an
//! unterminated string, a field of 10 MB) to one `file:line: why`: a line starting with `@`
//! inside an entry ends a broken one. `@string` macros are kept and handed to every entry that
//! uses them, an undefined one read as empty (with one warning per name and file, as BibTeX);
//! `@comment` and `@preamble` are skipped; fields litsearch does not read are dropped unread.
//! `crossref` is resolved here: the child takes the fields it lacks from its parent (kept when it
//! is a book or proceedings), never an identifier, children whose parent comes later waiting
//! until the end of the file.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{self, BufReader};

use biblatex::{Bibliography, ChunksExt, DateValue, PermissiveType, RawBibliography, RawChunk};

use super::clean::{clean_text, latex_to_text};
use super::draft::{Citation, Draft, FieldNames};
use super::lines::{Line, LineReader, MAX_LINE_BYTES};
use super::source::InputBytes;
use super::Event;
use crate::diagnostic::Diagnostic;

/// Longest entry read; a longer one is skipped (its text is not kept past this).
pub const MAX_ENTRY_BYTES: usize = 1 << 20;
/// Bounds on what is kept across entries: `@string` text, crossref parents, waiting children.
const MAX_KEPT_BYTES: usize = 64 << 20;
/// `@string`s referring to `@string`s: deeper chains are cut (a macro defined by itself).
const MAX_MACRO_DEPTH: usize = 16;

/// The fields litsearch reads (and those `crossref` needs); the rest are dropped unread.
const USED_FIELDS: &[&str] = &[
    "title",
    "author",
    "date",
    "year",
    "month",
    "day",
    "keywords",
    "abstract",
    "doi",
    "url",
    "eprint",
    "eprinttype",
    "archiveprefix",
    "journal",
    "journaltitle",
    "booktitle",
    "volume",
    "number",
    "pages",
    "crossref",
];

/// The fields an entry takes from its `crossref` parent when it lacks them: no identifier
/// (`doi`, `url`, `isbn`, `eprint`), which is the volume's and not the paper's.
const INHERITED: &[&str] = &[
    "author",
    "date",
    "year",
    "month",
    "day",
    "booktitle",
    "journal",
    "journaltitle",
    "volume",
    "number",
    "keywords",
];

const BIB_FIELDS: FieldNames = FieldNames {
    authors: "in `author`",
    fellows: "in `fellows`",
};

/// The first thing in a `.bib` file other than comment text must be an `@` entry (a binary
/// file was refused before, by `detect`), and the head (the first 64 KiB) must hold one: text
/// without any is no bibliography (a page export given `--format bib`).
pub fn check(head: &[u8]) -> Result<(), (u64, String)> {
    let text = String::from_utf8_lossy(head);
    let refused = |line: usize| {
        Err((
            line as u64 + 1,
            "not a BibTeX file: expected `@type{key, field = {…}}` entries".to_owned(),
        ))
    };
    let mut first_text = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start_matches('\u{feff}').trim();
        if t.starts_with('@') {
            return Ok(());
        }
        if t.starts_with('{') || t.starts_with('[') || t.starts_with('<') {
            return refused(i);
        }
        if !t.is_empty() && !t.starts_with('%') {
            first_text.get_or_insert(i);
        }
    }
    match first_text {
        Some(line) => refused(line),
        None => Ok(()),
    }
}

/// An entry's text as the splitter found it.
struct RawText {
    line: u64,
    text: String,
}

/// The entry being split off.
struct Splitting {
    line: u64,
    text: String,
    depth: i64,
    /// The entry's delimiter was seen (`{` or `(`): depth back to 0 ends it.
    opened: bool,
    paren: bool,
    too_long: bool,
}

pub struct BibReader {
    file: String,
    lines: LineReader<BufReader<InputBytes>>,
    current: Option<Splitting>,
    /// `@string` name (lowercase: BibTeX matches them ignoring case) → its value as BibTeX
    /// source (`{…} # name`) and the names that value uses, as written.
    strings: HashMap<String, (String, Vec<String>)>,
    /// Crossref parents by key (lowercase).
    parents: HashMap<String, String>,
    waiting: Vec<(RawText, String)>,
    /// Undefined `@string`s already reported (lowercase): one warning per name and file.
    undefined: HashSet<String>,
    kept_bytes: usize,
    pending: VecDeque<Event>,
    done: bool,
}

impl BibReader {
    /// A reader of `bytes`, named `file` in diagnostics.
    pub fn new(file: String, bytes: InputBytes) -> BibReader {
        BibReader {
            file,
            lines: LineReader::new(BufReader::with_capacity(256 * 1024, bytes)),
            current: None,
            strings: HashMap::new(),
            parents: HashMap::new(),
            waiting: Vec::new(),
            undefined: HashSet::new(),
            kept_bytes: 0,
            pending: VecDeque::new(),
            done: false,
        }
    }

    pub fn bytes_read(&self) -> u64 {
        self.lines.bytes_read()
    }

    fn warn(&mut self, line: u64, message: impl Into<String>) {
        self.pending
            .push_back(Event::Warning(Diagnostic::new(&self.file, line, message)));
    }

    fn skip(&mut self, line: u64, message: impl Into<String>) {
        let message = message.into();
        self.pending.push_back(Event::Skipped(Diagnostic::new(
            &self.file,
            line,
            format!("{message}; the entry is skipped"),
        )));
    }

    fn feed(&mut self, raw: Line) {
        if let Some(at) = raw.invalid_utf8_at {
            self.warn(
                raw.number,
                format!("invalid UTF-8 at byte offset {at}; replaced with U+FFFD"),
            );
        }
        let text = raw.text.as_str();
        let starts_entry = text.trim_start().starts_with('@');
        if starts_entry {
            if let Some(broken) = self.current.take() {
                if broken.too_long {
                    self.skip(
                        broken.line,
                        format!("entry longer than {MAX_ENTRY_BYTES} bytes (lines are cut at {MAX_LINE_BYTES})"),
                    );
                } else if broken.opened {
                    self.skip(
                        broken.line,
                        format!(
                            "the entry never closes before the next `@` on line {} (a `}}` is missing, or a string is not terminated)",
                            raw.number
                        ),
                    );
                }
            }
            self.current = Some(Splitting {
                line: raw.number,
                text: String::new(),
                depth: 0,
                opened: false,
                paren: false,
                too_long: false,
            });
        }
        let Some(cur) = self.current.as_mut() else {
            return; // comment text between entries
        };
        if raw.truncated {
            cur.too_long = true;
        }
        if !cur.too_long {
            if cur.text.len() + text.len() > MAX_ENTRY_BYTES {
                cur.too_long = true;
            } else {
                cur.text.push_str(text);
                cur.text.push('\n');
            }
        }
        let mut finished = false;
        for c in text.chars() {
            match c {
                '{' => {
                    cur.depth += 1;
                    cur.opened = true;
                }
                '}' => cur.depth -= 1,
                '(' if !cur.opened => {
                    cur.opened = true;
                    cur.paren = true;
                    cur.depth += 1;
                }
                ')' if cur.paren && cur.depth == 1 => cur.depth -= 1,
                _ => {}
            }
            if cur.opened && cur.depth <= 0 {
                finished = true;
                break;
            }
        }
        if finished {
            if let Some(cur) = self.current.take() {
                if cur.too_long {
                    self.skip(
                        cur.line,
                        format!("entry longer than {MAX_ENTRY_BYTES} bytes (lines are cut at {MAX_LINE_BYTES})"),
                    );
                } else {
                    self.entry(RawText {
                        line: cur.line,
                        text: cur.text,
                    });
                }
            }
        }
    }

    /// One complete `@…` block.
    fn entry(&mut self, raw: RawText) {
        let kind: String = raw
            .text
            .trim_start()
            .trim_start_matches('@')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        match kind.as_str() {
            "comment" | "preamble" => {}
            "" => self.skip(raw.line, "`@` without an entry type"),
            "string" => self.define_strings(raw),
            _ => self.read_entry(raw, &kind),
        }
    }

    fn define_strings(&mut self, raw: RawText) {
        match RawBibliography::parse(&raw.text) {
            Ok(parsed) => {
                for pair in &parsed.abbreviations {
                    if self.kept_bytes + raw.text.len() > MAX_KEPT_BYTES {
                        self.warn(raw.line, "too many `@string`s; this one is ignored");
                        return;
                    }
                    let name = pair.key.v.to_ascii_lowercase();
                    let uses = abbreviations(&pair.value.v);
                    if self.reaches(&uses, &name, 0) {
                        self.warn(
                            raw.line,
                            format!("`@string` {} is defined by itself (directly or through others); ignored", pair.key.v),
                        );
                        continue;
                    }
                    self.kept_bytes += raw.text.len();
                    self.strings
                        .insert(name, (field_source(&pair.value.v), uses));
                }
            }
            Err(e) => {
                let line = raw.line + line_of(&raw.text, e.span.start);
                self.warn(
                    line,
                    format!("`@string` cannot be read ({}); ignored", e.kind),
                );
            }
        }
    }

    fn read_entry(&mut self, raw: RawText, kind: &str) {
        if citation_key(&raw.text).is_some_and(|k| k.trim().is_empty()) {
            return self.skip(raw.line, "the entry has no citation key (`@type{key, …}`)");
        }
        let parsed = match RawBibliography::parse(&raw.text) {
            Ok(p) => p,
            Err(e) => {
                let line = raw.line + line_of(&raw.text, e.span.start);
                return self.skip(line, cannot_read(&raw.text, e.span.start, &e.kind));
            }
        };
        let Some(entry) = parsed.entries.first() else {
            return self.skip(raw.line, "cannot read the entry");
        };
        let key = entry.v.key.v.to_owned();
        let mut crossref = None;
        for pair in &entry.v.fields {
            if pair.key.v.eq_ignore_ascii_case("crossref") {
                crossref = Some(
                    field_source(&pair.value.v)
                        .trim_matches(['{', '}', '"'])
                        .to_ascii_lowercase(),
                );
            }
        }
        let is_parent = matches!(
            kind,
            "proceedings"
                | "book"
                | "collection"
                | "mvbook"
                | "mvcollection"
                | "mvproceedings"
                | "reference"
                | "mvreference"
                | "periodical"
        );
        if is_parent && self.kept_bytes + raw.text.len() <= MAX_KEPT_BYTES {
            self.kept_bytes += raw.text.len();
            self.parents
                .insert(key.to_ascii_lowercase(), raw.text.clone());
        }
        if let Some(parent_key) = crossref {
            if !self.parents.contains_key(&parent_key)
                && !self.done
                && self.kept_bytes + raw.text.len() <= MAX_KEPT_BYTES
            {
                self.kept_bytes += raw.text.len();
                drop(parsed);
                self.waiting.push((raw, parent_key));
                return;
            }
            let parent = self.parents.get(&parent_key).cloned();
            if parent.is_none() {
                self.warn(
                    raw.line,
                    format!(
                        "crossref \"{parent_key}\" is not an entry of this file; read without it"
                    ),
                );
            }
            return self.resolve(&raw, parsed, &key, parent.as_deref());
        }
        self.resolve(&raw, parsed, &key, None)
    }

    /// Resolves the entry (parsed once, by `read_entry`) with the `@string`s it uses and its
    /// crossref parent into a record. The `@string`s are parsed from their own small text and
    /// joined to the entry's parse: parsing the entry again with them in front cost as much as
    /// everything else the reader does.
    fn resolve(
        &mut self,
        raw: &RawText,
        parsed: RawBibliography<'_>,
        key: &str,
        parent: Option<&str>,
    ) {
        let mut parsed = parsed;
        // The parent was read whole when it was kept, so it parses.
        let parent = parent.and_then(|p| RawBibliography::parse(p).ok());
        // `crossref` is resolved here, as BibTeX does: a field the entry lacks is taken from
        // its parent (the volume's `title` as the paper's `booktitle`), but never an
        // identifier. The crate's own resolution types fields (it refuses `pages = "107--??"`)
        // and copies the volume's DOI to every paper.
        let parent_entry = parent.and_then(|p| p.entries.into_iter().next());
        for e in &mut parsed.entries {
            let at =
                e.v.fields
                    .iter()
                    .find(|f| f.key.v.eq_ignore_ascii_case("crossref"))
                    .map(|f| f.key.span.clone());
            e.v.fields
                .retain(|f| !f.key.v.eq_ignore_ascii_case("crossref"));
            let (Some(p), Some(at)) = (&parent_entry, at) else {
                continue;
            };
            // `title` last: the volume's own `booktitle` comes first.
            let mut from: Vec<_> = p.v.fields.iter().collect();
            from.sort_by_key(|f| f.key.v.eq_ignore_ascii_case("title"));
            for f in from {
                let name: &str = if f.key.v.eq_ignore_ascii_case("title") {
                    "booktitle"
                } else {
                    f.key.v
                };
                let taken =
                    e.v.fields
                        .iter()
                        .any(|g| g.key.v.eq_ignore_ascii_case(name));
                if taken || !INHERITED.iter().any(|i| name.eq_ignore_ascii_case(i)) {
                    continue;
                }
                e.v.fields.push(biblatex::Pair::new(
                    biblatex::Spanned::new(name, at.clone()),
                    biblatex::Spanned::new(f.value.v.clone(), at.clone()),
                ));
            }
        }
        let mut names = Vec::new();
        for pair in parsed.entries.iter().flat_map(|e| e.v.fields.iter()) {
            names.extend(abbreviations(&pair.value.v));
        }
        // Every name is looked up (BibTeX warns of all), but a field litsearch does not read
        // never fails an entry (a `@string` undefined in `acknowledgement`, a value the crate
        // cannot type): it is dropped unread.
        for e in &mut parsed.entries {
            e.v.fields
                .retain(|f| USED_FIELDS.iter().any(|u| f.key.v.eq_ignore_ascii_case(u)));
        }
        let mut source = String::new();
        let mut missing = Vec::new();
        self.definitions(&names, &mut source, &mut HashSet::new(), &mut missing, 0);
        // BibTeX reads an undefined `@string` as empty, with a warning: so do we, once per
        // name and file.
        for name in missing {
            if self.undefined.insert(name.to_ascii_lowercase()) {
                self.warn(
                    raw.line,
                    format!(
                        "`@string` {name} is not defined in this file; read as empty, as BibTeX does"
                    ),
                );
            }
            source.push_str(&format!("@string{{{name} = {{}}}}\n"));
        }
        let definitions = match RawBibliography::parse(&source) {
            Ok(d) => d,
            Err(e) => {
                return self.skip(raw.line, format!("cannot read the entry: {}", e.kind));
            }
        };
        parsed.abbreviations.extend(definitions.abbreviations);
        let bib = match Bibliography::from_raw(parsed) {
            Ok(b) => b,
            Err(e) => {
                // Spans are the entry's own (inherited fields carry the `crossref`'s).
                let line = raw.line + line_of(&raw.text, e.span.start);
                return self.skip(line, cannot_read(&raw.text, e.span.start, &e.kind));
            }
        };
        let Some(entry) = bib.get(key) else {
            return self.skip(raw.line, "cannot read the entry");
        };
        let draft = draft_of(entry, key);
        match draft.finish(&self.file, raw.line, &BIB_FIELDS) {
            Ok((record, warnings)) => {
                for (_, w) in warnings {
                    self.warn(raw.line, w);
                }
                self.pending.push_back(Event::Record(record));
            }
            Err(why) => self.skip(raw.line, format!("entry `{key}`: {why}")),
        }
    }

    /// Appends the `@string` definitions `names` need (and those they use) to `out`, each
    /// under the spelling its user wrote: the `biblatex` crate matches names by case, BibTeX
    /// does not.
    fn definitions(
        &self,
        names: &[String],
        out: &mut String,
        emitted: &mut HashSet<String>,
        missing: &mut Vec<String>,
        depth: usize,
    ) {
        if depth > MAX_MACRO_DEPTH {
            return;
        }
        for name in names {
            if emitted.contains(name) {
                continue;
            }
            if let Some((value, uses)) = self.strings.get(&name.to_ascii_lowercase()) {
                emitted.insert(name.clone());
                self.definitions(uses, out, emitted, missing, depth + 1);
                out.push_str(&format!("@string{{{name} = {value}}}\n"));
            } else if !is_month(name) {
                emitted.insert(name.clone());
                missing.push(name.clone());
            }
        }
    }

    /// True when a definition using `uses` would reach `name` through the known `@string`s.
    fn reaches(&self, uses: &[String], name: &str, depth: usize) -> bool {
        if depth > MAX_MACRO_DEPTH {
            return true;
        }
        uses.iter().any(|u| {
            let u = u.to_ascii_lowercase();
            u == name
                || self
                    .strings
                    .get(&u)
                    .is_some_and(|(_, next)| self.reaches(next, name, depth + 1))
        })
    }
}

/// The macro names a raw field value uses, as written.
fn abbreviations(chunks: &[biblatex::Spanned<RawChunk<'_>>]) -> Vec<String> {
    chunks
        .iter()
        .filter_map(|c| match c.v {
            RawChunk::Abbreviation(name) => Some(name.to_owned()),
            RawChunk::Normal(_) => None,
        })
        .collect()
}

/// The source form of a raw field value (`{…} # name # "…"`).
fn field_source(chunks: &[biblatex::Spanned<RawChunk<'_>>]) -> String {
    chunks
        .iter()
        .map(|c| match c.v {
            RawChunk::Normal(s) => format!("{{{s}}}"),
            RawChunk::Abbreviation(s) => s.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" # ")
}

/// The citation key as written: what lies between the entry's `{` (or `(`) and the first
/// comma; `None` when there is no comma (the parser reports what is wrong then).
fn citation_key(text: &str) -> Option<&str> {
    let open = text.find(['{', '('])?;
    let rest = &text[open + 1..];
    rest.find(',').map(|comma| &rest[..comma])
}

/// Why an entry cannot be read, naming the field at byte `at` when there is one: the crate's
/// words alone ("expected comma") do not say where.
fn cannot_read(text: &str, at: usize, why: &impl std::fmt::Display) -> String {
    match field_at(text, at) {
        Some(field) => format!("cannot read the entry at `{field}`: {why}"),
        None => format!("cannot read the entry: {why}"),
    }
}

/// The name of the field whose value holds byte `at`: the last `, name =` (or `{ name =`)
/// before it.
fn field_at(text: &str, at: usize) -> Option<&str> {
    let head = text.get(..at.min(text.len()))?;
    let bytes = head.as_bytes();
    let is_name = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':' | b'.');
    for (eq, _) in head.match_indices('=').rev() {
        let mut end = eq;
        while end > 0 && bytes[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && is_name(bytes[start - 1]) {
            start -= 1;
        }
        let mut before = start;
        while before > 0 && bytes[before - 1].is_ascii_whitespace() {
            before -= 1;
        }
        if start < end && before > 0 && matches!(bytes[before - 1], b',' | b'{' | b'(') {
            return Some(&head[start..end]);
        }
    }
    None
}

/// Lines before byte `at` of `text` (0 for its first line); the end of the text counts as its
/// last line, not the empty one after its final line end.
fn line_of(text: &str, at: usize) -> u64 {
    let at = at.min(text.trim_end().len());
    text.as_bytes()[..at]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}

/// The three-letter month names BibTeX (and the crate) define.
fn is_month(name: &str) -> bool {
    [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .any(|m| name.eq_ignore_ascii_case(m))
}

/// The year a typed date starts at.
trait ValueYear {
    fn value_year(&self) -> i32;
}

impl ValueYear for biblatex::Date {
    fn value_year(&self) -> i32 {
        match self.value {
            DateValue::At(t) | DateValue::After(t) | DateValue::Before(t) => t.year,
            DateValue::Between(t, _) => t.year,
        }
    }
}

fn draft_of(entry: &biblatex::Entry, key: &str) -> Draft {
    let text = |name: &str| {
        entry
            .get(name)
            .map(|c| latex_to_text(&c.format_verbatim()))
            .unwrap_or_default()
    };
    let authors: Vec<String> = entry
        .author()
        .map(|people| {
            people
                .iter()
                .map(|p| {
                    // `and others`: BibTeX's "et al.", not an author named "others".
                    if p.name.trim() == "others" && p.given_name.trim().is_empty() {
                        return "et al.".to_owned();
                    }
                    let parts = [
                        p.given_name.as_str(),
                        p.prefix.as_str(),
                        p.name.as_str(),
                        p.suffix.as_str(),
                    ];
                    let joined = parts
                        .iter()
                        .filter(|s| !s.trim().is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(" ");
                    clean_text(&latex_to_text(&joined))
                })
                .collect()
        })
        .unwrap_or_default();
    // The year as written, TeX read (`\noopsort{1992b}1992`, the classic sorting trick, is 1992).
    let year_as_written = || {
        entry
            .get("year")
            .map(|c| latex_to_text(&c.format_verbatim()))
            .unwrap_or_default()
    };
    let date = match entry.date() {
        // The crate reads `19xx` as the year 19: the message quotes what the file says.
        Ok(PermissiveType::Typed(d)) if d.value_year() < 1000 => year_as_written(),
        Ok(PermissiveType::Typed(d)) => {
            let at = match d.value {
                DateValue::At(t) | DateValue::After(t) | DateValue::Before(t) => t,
                DateValue::Between(t, _) => t,
            };
            match (at.month, at.day) {
                (Some(m), Some(day)) => format!("{:04}-{:02}-{:02}", at.year, m + 1, day + 1),
                (Some(m), None) => format!("{:04}-{:02}", at.year, m + 1),
                _ => format!("{:04}", at.year),
            }
        }
        Ok(PermissiveType::Chunks(c)) => latex_to_text(&c.format_verbatim()),
        Err(_) => year_as_written(),
    };
    let keywords = text("keywords");
    let tags = keywords
        .split([',', ';'])
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect();
    let mut arxiv = String::new();
    if entry.get("eprint").is_some() {
        let eprint = text("eprint");
        let eprint_type = text("eprinttype") + &text("archiveprefix");
        if eprint_type.to_ascii_lowercase().contains("arxiv") || eprint.contains('.') {
            arxiv = eprint;
        }
    }
    // Only an entry without authors is told apart by its venue (`record::bibliographic_id`).
    let venue = if authors.iter().all(|a| a.trim().is_empty()) {
        [
            "journal",
            "journaltitle",
            "booktitle",
            "volume",
            "number",
            "pages",
        ]
        .iter()
        .map(|f| text(f))
        .filter(|v| !v.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
    } else {
        String::new()
    };
    Draft {
        title: text("title"),
        abstract_text: text("abstract"),
        authors,
        tags,
        date,
        doi: text("doi"),
        url: entry
            .get("url")
            .map(|c| c.format_verbatim())
            .unwrap_or_default(),
        arxiv,
        citation: Some(Citation {
            key: key.to_owned(),
            venue,
        }),
        key: key.to_owned(),
        ..Draft::default()
    }
}

impl Iterator for BibReader {
    type Item = io::Result<Event>;

    fn next(&mut self) -> Option<io::Result<Event>> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                return Some(Ok(e));
            }
            if self.done {
                if let Some((raw, _)) = self.waiting.pop() {
                    let kind = String::new();
                    self.read_entry(raw, &kind);
                    continue;
                }
                return None;
            }
            match self.lines.next_line() {
                Ok(Some(line)) => self.feed(line),
                Ok(None) => {
                    self.done = true;
                    self.waiting.reverse();
                    if let Some(cur) = self.current.take() {
                        if cur.opened {
                            self.skip(
                                cur.line,
                                "file ends inside the entry (a `}` is missing, or a string is not terminated)",
                            );
                        }
                    }
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}
