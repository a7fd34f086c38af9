//! The page-export grammar: sections, entries (title, abstract, `Read more` or tags, then
//! `Authors:`, `Fellows:`, `Date:`), and the tail. Streams entries; never holds a whole file.

use std::io::BufRead;

use crate::date::{iso, parse_date, DateError};
use crate::diagnostic::Diagnostic;
use crate::inputs::clean::clean_text;
use crate::inputs::draft::{Draft, FieldNames, Part, MAX_NAMES};
use crate::inputs::lines::{Line, LineReader, MAX_LINE_BYTES};
use crate::inputs::Event;
use crate::record::Record;
use crate::text::{fold_key, squash_spaces};

/// How warnings name a page's fields.
const PAGE_FIELDS: FieldNames = FieldNames {
    authors: "after `Authors:`",
    fellows: "after `Fellows:`",
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    /// Before any section header: page header text, skipped.
    Preamble,
    Featured,
    All,
    /// After the FAQ header: not records.
    Tail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Authors,
    Fellows,
    Date,
}

impl Label {
    fn name(self) -> &'static str {
        match self {
            Label::Authors => "Authors:",
            Label::Fellows => "Fellows:",
            Label::Date => "Date:",
        }
    }
}

struct Block {
    line: u64,
    lines: Vec<String>,
    bytes: usize,
}

/// Most text one paragraph (or a label's value) keeps: far more than a title, an abstract
/// (`MAX_ABSTRACT_BYTES`) or a list of names can use, so only an absurd input loses text —
/// with a warning — and a page export with no entry structure (or a compressed one that
/// inflates to gigabytes) is read in bounded memory, not held whole.
const MAX_BLOCK_BYTES: usize = 1 << 20;
/// Most text kept of the paragraphs before an entry's labels: past it, the paragraphs after
/// the title are let go oldest first (the title and the latest, where tags are, stay).
const MAX_BODY_BYTES: usize = 4 << 20;

#[derive(Default)]
struct Meta {
    authors: Option<(u64, String)>,
    fellows: Option<(u64, String)>,
    date: Option<(u64, String)>,
    current: Option<Label>,
    /// The current label's value block is still open (no blank line since it started).
    value_open: bool,
    label_line: u64,
}

/// Streaming parser of one export file.
pub struct ExportParser<R> {
    file: String,
    reader: LineReader<R>,
    section: Section,
    saw_section_header: bool,
    body: Vec<Block>,
    block_open: bool,
    meta: Option<Meta>,
    /// Entries started since the last section header (the first may carry a page header).
    entries_in_section: usize,
    pending: std::collections::VecDeque<Event>,
    finished: bool,
    last_line: u64,
    /// Bytes of text held in `body`.
    body_bytes: usize,
    /// Text was let go since the last entry (warned once per entry).
    body_cut: bool,
}

impl<R: BufRead> ExportParser<R> {
    pub fn new(file: impl Into<String>, input: R) -> Self {
        ExportParser {
            file: file.into(),
            reader: LineReader::new(input),
            section: Section::Preamble,
            saw_section_header: false,
            body: Vec::new(),
            block_open: false,
            meta: None,
            entries_in_section: 0,
            pending: Default::default(),
            finished: false,
            last_line: 0,
            body_bytes: 0,
            body_cut: false,
        }
    }

    pub fn bytes_read(&self) -> u64 {
        self.reader.bytes_read()
    }

    fn warn(&mut self, line: u64, message: impl Into<String>) {
        self.pending
            .push_back(Event::Warning(Diagnostic::new(&self.file, line, message)));
    }

    /// A warning for an entry that cannot be indexed at all.
    fn skip(&mut self, line: u64, message: impl Into<String>) {
        self.pending
            .push_back(Event::Skipped(Diagnostic::new(&self.file, line, message)));
    }

    fn feed_line(&mut self, raw: Line) {
        self.last_line = raw.number;
        if let Some(at) = raw.invalid_utf8_at {
            self.warn(
                raw.number,
                format!("invalid UTF-8 at byte offset {at}; replaced with U+FFFD"),
            );
        }
        if raw.had_nul {
            self.warn(raw.number, "NUL bytes in line; replaced with spaces");
        }
        if raw.truncated {
            self.warn(
                raw.number,
                format!("line longer than {MAX_LINE_BYTES} bytes; cut there"),
            );
        }
        let text = raw
            .text
            .trim_end_matches(|c: char| c.is_whitespace())
            .to_owned();
        let trimmed = text.trim();
        if trimmed.is_empty() {
            self.block_open = false;
            if let Some(meta) = self.meta.as_mut() {
                meta.value_open = false;
            }
            return;
        }
        if !self.block_open {
            if let Some(section) = section_header(trimmed) {
                self.enter_section(section, raw.number);
                return;
            }
        }
        if self.section == Section::Tail {
            return;
        }
        if let Some((label, inline)) = label_line(trimmed) {
            self.block_open = false;
            let meta = self.meta.get_or_insert_with(Meta::default);
            meta.current = Some(label);
            meta.label_line = raw.number;
            meta.value_open = false;
            if !inline.is_empty() {
                set_value(meta, label, raw.number, inline);
                meta.value_open = true;
                if label == Label::Date {
                    self.finish_entry();
                }
            }
            return;
        }
        if let Some(meta) = self.meta.as_mut() {
            match meta.current {
                Some(label) if meta.value_open || value_of(meta, label).is_none() => {
                    let continuing = meta.value_open;
                    if continuing {
                        append_value(meta, label, trimmed);
                    } else {
                        set_value(meta, label, raw.number, trimmed);
                    }
                    meta.value_open = true;
                    if label == Label::Date {
                        self.finish_entry();
                    }
                    return;
                }
                _ => {
                    // A value was read and a new paragraph starts without `Date:`: the entry
                    // ended early, and this line begins the next one.
                    self.finish_entry();
                }
            }
        }
        self.hold(raw.number, trimmed);
    }

    /// Keeps a line of an entry's text, in the open paragraph or a new one, within the caps.
    fn hold(&mut self, number: u64, text: &str) {
        let open = self.block_open && !self.body.is_empty();
        if !open {
            while self.body_bytes > MAX_BODY_BYTES && self.body.len() > 4 {
                let gone = self.body.remove(1);
                self.body_bytes -= gone.bytes;
                self.note_cut(number);
            }
            self.body.push(Block {
                line: number,
                lines: Vec::new(),
                bytes: 0,
            });
            self.block_open = true;
        }
        let Some(block) = self.body.last_mut() else {
            return;
        };
        if block.bytes + text.len() > MAX_BLOCK_BYTES {
            self.note_cut(number);
            return;
        }
        block.lines.push(text.to_owned());
        block.bytes += text.len();
        self.body_bytes += text.len();
    }

    fn note_cut(&mut self, number: u64) {
        if !self.body_cut {
            self.body_cut = true;
            self.warn(
                number,
                format!(
                    "more text than an entry can hold (a paragraph over {MAX_BLOCK_BYTES} bytes, or \
                     over {MAX_BODY_BYTES} before `Authors:`/`Date:`); the rest is not kept"
                ),
            );
        }
    }

    fn enter_section(&mut self, section: Section, line: u64) {
        if self.meta.is_some() {
            self.finish_entry();
        }
        if !self.body.is_empty()
            && self.section != Section::Preamble
            && self.section != Section::Tail
        {
            let at = self.body[0].line;
            self.skip(
                at,
                "text without `Authors:`, `Fellows:` and `Date:` before a section header; skipped",
            );
        }
        self.body.clear();
        self.body_bytes = 0;
        self.body_cut = false;
        self.block_open = false;
        self.section = section;
        self.saw_section_header = true;
        self.entries_in_section = 0;
        let _ = line;
    }

    fn finish_entry(&mut self) {
        let Some(meta) = self.meta.take() else { return };
        let mut body = std::mem::take(&mut self.body);
        self.body_bytes = 0;
        self.body_cut = false;
        self.block_open = false;
        let first_in_file_without_header = !self.saw_section_header && self.entries_in_section == 0;
        self.entries_in_section += 1;
        if first_in_file_without_header && body.len() > 3 {
            // Page header text before the first entry of a file with no section headers.
            body.drain(..body.len() - 3);
        }
        let entry_line = body.first().map(|b| b.line).unwrap_or(meta.label_line);
        if let Some(record) = self.build_record(entry_line, body, meta) {
            self.pending.push_back(Event::Record(record));
        }
    }

    fn build_record(&mut self, line: u64, mut body: Vec<Block>, meta: Meta) -> Option<Record> {
        if body.is_empty() {
            self.skip(
                line,
                "entry has no title before `Authors:`/`Fellows:`/`Date:`; skipped",
            );
            return None;
        }
        let mut tags = Vec::new();
        let mut tags_line = line;
        let last = body.last()?;
        if last.lines.len() == 1 && fold_key(&last.lines[0]) == "read more" {
            body.pop();
        } else if body.len() >= 3 || (body.len() == 2 && looks_like_tags(last)) {
            let block = body.pop()?;
            tags_line = block.line;
            tags = block.lines.iter().map(|t| clean_text(t)).collect();
        }
        if body.is_empty() {
            self.skip(line, "entry has only `Read more` or tags before `Authors:`/`Fellows:`/`Date:`, no title; skipped");
            return None;
        }
        let title_block = body.remove(0);
        let title = clean_text(&title_block.lines.join(" "));
        if title.is_empty() {
            self.skip(line, "empty title; entry skipped");
            return None;
        }
        let abstract_text = body
            .iter()
            .map(|b| clean_text(&b.lines.join(" ")))
            .collect::<Vec<_>>()
            .join("\n\n");
        if abstract_text.is_empty() {
            self.warn(
                line,
                format!(
                    "entry \"{}\": abstract missing (expected a paragraph after the title)",
                    short(&title)
                ),
            );
        }
        let Some((date_line, date_text)) = meta.date else {
            self.skip(
                line,
                if self.finished {
                    format!("file ends in the middle of entry \"{}\" (no `Date:` follows); entry skipped", short(&title))
                } else {
                    format!("entry \"{}\": `Date:` missing; entry skipped", short(&title))
                },
            );
            return None;
        };
        let date = match parse_date(&date_text) {
            Ok(d) => iso(d),
            Err(DateError::DoesNotExist) => {
                self.skip(
                    date_line,
                    format!(
                        "date \"{}\" does not exist; entry skipped",
                        short(&date_text)
                    ),
                );
                return None;
            }
            Err(DateError::Unrecognised) => {
                self.skip(
                    date_line,
                    format!("expected a date like `Sep 15, 2023` or `2023-09-15`, found \"{}\"; entry skipped", short(&date_text)),
                );
                return None;
            }
        };
        let authors_line = meta.authors.as_ref().map_or(line, |(l, _)| *l);
        let fellows_line = meta.fellows.as_ref().map_or(line, |(l, _)| *l);
        let authors = self.names(meta.authors, Label::Authors, line, &title);
        let fellows = self.names(meta.fellows, Label::Fellows, line, &title);
        let draft = Draft {
            title,
            abstract_text,
            authors,
            fellows,
            tags,
            date,
            featured: self.section == Section::Featured,
            ..Draft::default()
        };
        match draft.finish(&self.file, line, &PAGE_FIELDS) {
            Ok((record, warnings)) => {
                for (part, message) in warnings {
                    let at = match part {
                        Part::Authors => authors_line,
                        Part::Fellows => fellows_line,
                        Part::Tags => tags_line,
                        _ => line,
                    };
                    self.warn(at, message);
                }
                Some(record)
            }
            Err(why) => {
                self.skip(line, format!("{why}; entry skipped"));
                None
            }
        }
    }

    /// The names after a label, split at commas; the draft step caps how many are kept.
    fn names(
        &mut self,
        value: Option<(u64, String)>,
        label: Label,
        line: u64,
        title: &str,
    ) -> Vec<String> {
        let Some((_, text)) = value else {
            self.warn(
                line,
                format!("entry \"{}\": `{}` missing", short(title), label.name()),
            );
            return Vec::new();
        };
        // One past the cap, so the draft step sees there were more and says so.
        text.split(',')
            .map(clean_text)
            .filter(|n| !n.is_empty())
            .take(MAX_NAMES + 1)
            .collect()
    }

    fn finish_file(&mut self) {
        if self.meta.is_some() {
            self.finish_entry();
        }
        if !self.body.is_empty()
            && self.section != Section::Tail
            && self.section != Section::Preamble
        {
            let at = self.body[0].line;
            self.skip(at, "file ends in the middle of an entry (no `Authors:`, `Fellows:` or `Date:` followed); skipped");
        }
        self.body.clear();
        self.body_bytes = 0;
    }
}

impl<R: BufRead> Iterator for ExportParser<R> {
    type Item = Result<Event, std::io::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                return Some(Ok(event));
            }
            if self.finished {
                return None;
            }
            match self.reader.next_line() {
                Ok(Some(line)) => self.feed_line(line),
                Ok(None) => {
                    self.finished = true;
                    self.finish_file();
                }
                Err(e) => {
                    self.finished = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Headers are a few words; longer lines (abstracts) are not folded at all, which keeps the
/// Unicode normalisation of `fold_key` off the parser's hot path.
const MAX_SECTION_HEADER_BYTES: usize = 120;

fn section_header(line: &str) -> Option<Section> {
    // Folding splits words, never joins them: a line of more than five words is no header.
    if line.len() > MAX_SECTION_HEADER_BYTES || line.split_whitespace().nth(5).is_some() {
        return None;
    }
    let key = fold_key(line);
    if key == "featured research" || key == "featured papers" || key == "featured" {
        Some(Section::Featured)
    } else if key.starts_with("all ")
        && (key.ends_with(" research") || key.ends_with(" papers"))
        && key.split(' ').count() <= 5
    {
        Some(Section::All)
    } else if key == "frequently asked questions" || key == "faq" || key == "faqs" {
        Some(Section::Tail)
    } else {
        None
    }
}

fn label_line(line: &str) -> Option<(Label, &str)> {
    let (name, rest) = line.split_once(':')?;
    let label = match name.trim().to_ascii_lowercase().as_str() {
        "authors" | "author" => Label::Authors,
        "fellows" | "fellow" => Label::Fellows,
        "date" => Label::Date,
        _ => return None,
    };
    Some((label, rest.trim()))
}

fn value_of(meta: &Meta, label: Label) -> Option<&(u64, String)> {
    match label {
        Label::Authors => meta.authors.as_ref(),
        Label::Fellows => meta.fellows.as_ref(),
        Label::Date => meta.date.as_ref(),
    }
}

fn set_value(meta: &mut Meta, label: Label, line: u64, text: &str) {
    let slot = match label {
        Label::Authors => &mut meta.authors,
        Label::Fellows => &mut meta.fellows,
        Label::Date => &mut meta.date,
    };
    *slot = Some((line, text.to_owned()));
}

fn append_value(meta: &mut Meta, label: Label, text: &str) {
    let slot = match label {
        Label::Authors => &mut meta.authors,
        Label::Fellows => &mut meta.fellows,
        Label::Date => &mut meta.date,
    };
    if let Some((_, value)) = slot {
        // A value past the cap is cut (names are capped at MAX_NAMES anyway).
        if value.len() + text.len() > MAX_BLOCK_BYTES {
            return;
        }
        // Names wrapped over lines: a line break is a separator unless a comma already is.
        if !value.trim_end().ends_with(',') && label != Label::Date {
            value.push(',');
        }
        value.push(' ');
        value.push_str(text);
    }
}

/// A block after the title that is short lines without sentence punctuation reads as tags.
fn looks_like_tags(block: &Block) -> bool {
    block.lines.iter().all(|l| {
        let l = squash_spaces(l);
        l.chars().count() <= 60 && l.split(' ').count() <= 6 && !l.ends_with('.')
    })
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}
