//! Records as CSV: a header row naming the columns (any order, unknown ones warned about),
//! then one row per record, streamed; a row that cannot be read is skipped with its line.

use std::io::{self, BufReader, Read};

use super::Pending;
use crate::inputs::draft::Draft;
use crate::inputs::source::InputBytes;

/// The header (in `head`, the input's first whole lines) must name at least `title` and `date`.
pub(super) fn check(head: &[u8]) -> Result<(), (u64, String)> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(head);
    let header = csv
        .headers()
        .map_err(|e| (1, format!("not a records CSV: {e}")))?;
    let columns = Columns::from_header(header);
    if columns.title.is_none() || columns.date.is_none() {
        let found: Vec<&str> = header.iter().take(12).collect();
        return Err((
            1,
            format!(
                "not a records CSV: the header needs `title` and `date` columns (found: {})",
                found.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Most bytes one row may take. The csv crate holds a row whole, and a quote left open makes
/// the rest of the input one field: without a cap a bad (or decompressed-to-gigabytes) file
/// would be held in memory. Export's rows are far smaller (abstracts are capped at 64 KiB).
const MAX_ROW_BYTES: u64 = 8 << 20;

/// The error a row past `MAX_ROW_BYTES` stops the read with.
#[derive(Debug)]
struct RowTooLong;

impl std::fmt::Display for RowTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a row longer than {MAX_ROW_BYTES} bytes")
    }
}

impl std::error::Error for RowTooLong {}

/// The input as the csv crate reads it, counting the bytes since the row being read started.
struct RowLimited {
    inner: BufReader<InputBytes>,
    since_row: std::rc::Rc<std::cell::Cell<u64>>,
}

impl Read for RowLimited {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let since = self.since_row.get() + n as u64;
        self.since_row.set(since);
        if since > MAX_ROW_BYTES {
            return Err(io::Error::other(RowTooLong));
        }
        Ok(n)
    }
}

pub(super) struct CsvReader {
    reader: Box<csv::Reader<RowLimited>>,
    since_row: std::rc::Rc<std::cell::Cell<u64>>,
    columns: Option<Columns>,
    bytes: u64,
    /// A row too long stopped the read.
    stopped: bool,
}

impl CsvReader {
    pub(super) fn new(bytes: InputBytes) -> Self {
        let since_row = std::rc::Rc::new(std::cell::Cell::new(0));
        CsvReader {
            reader: Box::new(
                csv::ReaderBuilder::new()
                    .flexible(true)
                    .has_headers(false)
                    .from_reader(RowLimited {
                        inner: BufReader::with_capacity(256 * 1024, bytes),
                        since_row: since_row.clone(),
                    }),
            ),
            since_row,
            columns: None,
            bytes: 0,
            stopped: false,
        }
    }

    pub(super) fn bytes_read(&self) -> u64 {
        self.bytes
    }

    /// Reads one row (the first is the header); false at the end of the file.
    pub(super) fn fill(&mut self, pending: &mut Pending) -> io::Result<bool> {
        if self.stopped {
            return Ok(false);
        }
        let mut row = csv::StringRecord::new();
        let starts_at = self.reader.position().line();
        // What the crate has buffered ahead counts towards this row: the cap is that much
        // looser, never tighter.
        self.since_row.set(0);
        let read = self.reader.read_record(&mut row);
        self.bytes = self.reader.position().byte();
        let line = row.position().map(|p| p.line()).unwrap_or(0);
        match read {
            Ok(false) => Ok(false),
            Ok(true) => {
                match &self.columns {
                    None => {
                        let found = Columns::from_header(&row);
                        if !found.unknown.is_empty() {
                            pending.warn(
                                line,
                                format!("unknown column(s) ignored: {}", found.unknown.join(", ")),
                            );
                        }
                        self.columns = Some(found);
                    }
                    Some(cols) => pending.push_draft(line, cols.draft(&row)),
                }
                Ok(true)
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::Io(io)
                    if io.get_ref().is_some_and(|inner| inner.is::<RowTooLong>()) =>
                {
                    pending.skip(
                        starts_at,
                        format!(
                            "{RowTooLong} (a quote left open?); the rest of the file is not read"
                        ),
                    );
                    self.stopped = true;
                    Ok(true)
                }
                csv::ErrorKind::Io(_) => Err(io::Error::other(e.to_string())),
                _ => {
                    let line = e.position().map(|p| p.line()).unwrap_or(line);
                    let message = match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => "invalid UTF-8".to_owned(),
                        _ => e.to_string(),
                    };
                    pending.skip(line, format!("{message}; the row is skipped"));
                    Ok(true)
                }
            },
        }
    }
}

/// Where each known column sits in a CSV header.
#[derive(Debug, Default, Clone)]
struct Columns {
    id: Option<usize>,
    title: Option<usize>,
    abstract_text: Option<usize>,
    authors: Option<usize>,
    fellows: Option<usize>,
    tags: Option<usize>,
    date: Option<usize>,
    featured: Option<usize>,
    doi: Option<usize>,
    url: Option<usize>,
    arxiv: Option<usize>,
    key: Option<usize>,
    unknown: Vec<String>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Columns {
        let mut c = Columns::default();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim_start_matches('\u{feff}').trim().to_lowercase();
            let slot = match name.as_str() {
                "id" => &mut c.id,
                "title" => &mut c.title,
                "abstract" => &mut c.abstract_text,
                "authors" => &mut c.authors,
                "fellows" => &mut c.fellows,
                "tags" => &mut c.tags,
                "date" => &mut c.date,
                "featured" => &mut c.featured,
                "doi" => &mut c.doi,
                "url" => &mut c.url,
                "arxiv" => &mut c.arxiv,
                "key" => &mut c.key,
                "source_file" | "source_line" | "source" => continue,
                _ => {
                    c.unknown.push(name);
                    continue;
                }
            };
            slot.get_or_insert(i);
        }
        c
    }

    fn draft(&self, row: &csv::StringRecord) -> Result<Draft, String> {
        let cell = |col: Option<usize>| col.and_then(|i| row.get(i)).unwrap_or("").to_owned();
        let list = |col: Option<usize>| -> Vec<String> {
            cell(col)
                .split(';')
                .map(str::to_owned)
                .filter(|s| !s.trim().is_empty())
                .collect()
        };
        let featured = match cell(self.featured).trim().to_ascii_lowercase().as_str() {
            "" | "false" | "0" | "no" => false,
            "true" | "1" | "yes" => true,
            other => return Err(format!("featured \"{other}\" is not true or false")),
        };
        let id = cell(self.id);
        Ok(Draft {
            id: (!id.trim().is_empty()).then_some(id),
            title: cell(self.title),
            abstract_text: cell(self.abstract_text),
            authors: list(self.authors),
            fellows: list(self.fellows),
            tags: list(self.tags),
            date: cell(self.date),
            featured,
            doi: cell(self.doi),
            url: cell(self.url),
            arxiv: cell(self.arxiv),
            citation: None,
            key: cell(self.key),
        })
    }
}
