//! Records out, as `export` writes them: JSON lines, a JSON array or CSV, in the layout that
//! `inputs::records` defines and reads back (so an export round-trips through `ingest`).

use std::io::{self, Write};

use crate::inputs::records::{RecordFormat, CSV_HEADER, LIST_SEPARATOR};
use crate::record::Record;

/// Writes `records` in `format`. I/O errors come back as `io::Error` so a closed pipe stays quiet.
pub fn write_records<'a, W: Write>(
    mut out: W,
    format: RecordFormat,
    records: impl IntoIterator<Item = &'a Record>,
) -> io::Result<()> {
    match format {
        RecordFormat::Jsonl => {
            for r in records {
                serde_json::to_writer(&mut out, r)?;
                out.write_all(b"\n")?;
            }
        }
        RecordFormat::Json => {
            let all: Vec<&Record> = records.into_iter().collect();
            serde_json::to_writer_pretty(&mut out, &all)?;
            out.write_all(b"\n")?;
        }
        RecordFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(CSV_HEADER)?;
            for r in records {
                w.write_record([
                    r.id.as_str(),
                    &r.title,
                    &r.abstract_text,
                    &r.authors.join(LIST_SEPARATOR),
                    &r.fellows.join(LIST_SEPARATOR),
                    &r.tags.join(LIST_SEPARATOR),
                    &r.date,
                    if r.featured { "true" } else { "false" },
                    &r.source.file,
                    &r.source.line.to_string(),
                    &r.doi,
                    &r.url,
                    &r.arxiv,
                    &r.key,
                ])?;
            }
            w.flush()?;
        }
    }
    out.flush()
}

// Written and read back: the tests of both directions sit with the writer, which depends on
// the reader's format (never the other way round).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::inputs::records::{check_content, RecordReader};
    use crate::inputs::{Event, Head};
    use crate::record::{record_id, Source};

    fn sample() -> Record {
        Record {
            id: record_id("A \"quoted\", title", "2024-12-09"),
            key: "arcuschin2024quoted".into(),
            title: "A \"quoted\", title".into(),
            abstract_text: "Line one; with a semicolon, commas and \"quotes\".".into(),
            authors: vec!["Iván Arcuschin".into(), "Neel Nanda".into()],
            fellows: vec!["Iván Arcuschin".into()],
            tags: vec!["Interpretability".into(), "Scheming and Deception".into()],
            date: "2024-12-09".into(),
            featured: true,
            doi: "10.48550/arXiv.2309.08600".into(),
            url: "https://example.org/a?b=1,2".into(),
            arxiv: "2309.08600".into(),
            source: Source {
                file: "corpus/x.txt".into(),
                line: 7,
            },
        }
    }

    fn read_all(name: &str, bytes: &[u8]) -> (Vec<Record>, Vec<Diagnostic>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let format = RecordFormat::from_path(&path).unwrap();
        let mut records = Vec::new();
        let mut diags = Vec::new();
        let file = std::fs::File::open(&path).unwrap();
        let reader = RecordReader::new(
            path.display().to_string(),
            Box::new(file),
            Some(bytes.len() as u64),
            format,
        );
        for e in reader.unwrap() {
            match e.unwrap() {
                Event::Record(r) => records.push(r),
                Event::Warning(d) | Event::Skipped(d) => diags.push(d),
            }
        }
        (records, diags)
    }

    fn without_source(mut r: Record) -> Record {
        r.source = Source::default();
        r
    }

    #[test]
    fn every_format_round_trips_a_record_except_its_source() {
        for (name, format) in [
            ("a.jsonl", RecordFormat::Jsonl),
            ("a.json", RecordFormat::Json),
            ("a.csv", RecordFormat::Csv),
        ] {
            let mut bytes = Vec::new();
            write_records(&mut bytes, format, [&sample(), &sample()]).unwrap();
            let (records, diags) = read_all(name, &bytes);
            assert!(diags.is_empty(), "{name}: {diags:?}");
            assert_eq!(records.len(), 2, "{name}");
            assert_eq!(without_source(records[0].clone()), without_source(sample()));
            assert!(records[0].source.file.ends_with(name));
        }
    }

    #[test]
    fn csv_header_is_documented_and_lists_use_semicolons() {
        let mut bytes = Vec::new();
        write_records(&mut bytes, RecordFormat::Csv, [&sample()]).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(
            "id,title,abstract,authors,fellows,tags,date,featured,source_file,source_line,doi,url,arxiv,key\n"
        ));
        assert!(text.contains("Iván Arcuschin; Neel Nanda"));
    }

    #[test]
    fn bad_rows_are_skipped_with_file_and_line() {
        let jsonl = b"{\"title\":\"Good\",\"date\":\"Mar 1, 2025\"}\n\nnot json\n{\"title\":\"No date\"}\n{\"title\":\"T\",\"date\":\"2025-02-30\"}\n{\"title\":\"X\",\"date\":\"2025-01-01\",\"id\":\"zz\",\"colour\":1}\n";
        let (records, diags) = read_all("r.jsonl", jsonl);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].date, "2025-03-01");
        assert_eq!(records[0].id, record_id("Good", "2025-03-01"));
        assert_eq!(records[1].id, record_id("X", "2025-01-01"));
        let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(lines[0].contains("r.jsonl:3: not JSON"), "{lines:?}");
        assert!(
            lines[1].contains("r.jsonl:4: \"No date\" has no date"),
            "{lines:?}"
        );
        assert!(
            lines[2].contains("r.jsonl:5: date \"2025-02-30\""),
            "{lines:?}"
        );
        assert!(
            lines[3].contains("r.jsonl:6: unknown key(s) ignored: colour"),
            "{lines:?}"
        );
        assert!(lines[4].contains("r.jsonl:6: id \"zz\""), "{lines:?}");
    }

    #[test]
    fn csv_rows_report_their_line_even_after_multiline_cells() {
        let csv = "title,date,featured,extra\n\"Two\nlines\",2025-01-01,true,x\nNo date,,false,\nBad flag,2025-01-02,maybe,\n";
        let (records, diags) = read_all("r.csv", csv.as_bytes());
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].title, "Two lines");
        assert!(records[0].featured);
        let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(
            lines[0].contains("/r.csv:1: unknown column(s) ignored: extra"),
            "{lines:?}"
        );
        assert!(
            lines[1].contains("/r.csv:4: \"No date\" has no date"),
            "{lines:?}"
        );
        assert!(
            lines[2].contains("/r.csv:5: featured \"maybe\""),
            "{lines:?}"
        );
    }

    #[test]
    fn json_array_elements_report_their_line() {
        let json = b"[\n  {\"title\":\"A\",\"date\":\"2025-01-01\"},\n  {\"title\":\"\",\"date\":\"2025-01-01\"},\n  3\n]\n";
        let (records, diags) = read_all("r.json", json);
        assert_eq!(records.len(), 1);
        let lines: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(lines[0].contains("/r.json:3: no title"), "{lines:?}");
        assert!(lines[1].contains("/r.json:4: not a record"), "{lines:?}");
    }

    #[test]
    fn content_checks_name_the_offending_line() {
        let err = check_content(&Head::whole(b"\n[1,2]\n"), RecordFormat::Jsonl).unwrap_err();
        assert_eq!(err.0, 2);
        let err = check_content(&Head::whole(b"name,when\na,b\n"), RecordFormat::Csv).unwrap_err();
        assert_eq!(err.0, 1);
        assert!(err.1.contains("found: name, when"), "{}", err.1);
        assert!(check_content(&Head::whole(b"{\"title\":\"a\"}"), RecordFormat::Json).is_err());
    }
}
