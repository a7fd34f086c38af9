//! Property test of the BibTeX, RIS and arXiv readers: any bytes, read through detection and
//! `read_records`, give records and `file:line` diagnostics or a clean refusal, never a panic.

use std::convert::Infallible;

use litsearch::diagnostic::Diagnostic;
use litsearch::inputs::{collect_inputs, read_records, RecordSink};
use litsearch::Record;
use proptest::prelude::*;

struct Count(usize);

impl RecordSink for Count {
    type Error = Infallible;
    fn record(&mut self, _: Record) -> Result<(), Infallible> {
        self.0 += 1;
        Ok(())
    }
    fn diagnostic(&mut self, _: &Diagnostic) {}
}

/// Pieces of each format, shuffled into hostile files.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("@article{k, title = {T".to_owned()),
        Just("}".to_owned()),
        Just("{".to_owned()),
        Just("\"".to_owned()),
        Just("@string{a = a # b}\n".to_owned()),
        Just("@string{b = a}\n".to_owned()),
        Just(", author = {Last, First and {Corp}}".to_owned()),
        Just(", year = 2020, month = sep".to_owned()),
        Just(", crossref = {p}".to_owned()),
        Just("@proceedings{p, title={P}, year=1999}\n".to_owned()),
        Just("\\\"{o}\\c c\\'".to_owned()),
        Just("TY  - JOUR\n".to_owned()),
        Just("ER  - \n".to_owned()),
        Just("TI  - x\nAU  - a, b\nPY  - 2020///\n".to_owned()),
        Just("{\"id\":\"0704.0001\",\"title\":\"t\",\"abstract\":\"a\",\"categories\":\"cs.LG\",\"versions\":[{\"created\":\"Mon, 2 Apr 2007 19:18:42 GMT\"}]}\n".to_owned()),
        Just("{\"id\": 3, \"versions\": 7}\n".to_owned()),
        "[ -~]{0,20}",
        "\\PC{0,10}",
        Just("\n".to_owned()),
        Just("\u{0}\u{ff}".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn no_input_panics(
        pieces in prop::collection::vec(piece(), 0..40),
        ext in prop::sample::select(vec!["bib", "ris", "json", "jsonl"]),
        junk in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("x.{ext}"));
        let mut bytes = pieces.concat().into_bytes();
        bytes.extend(junk);
        std::fs::write(&path, &bytes).unwrap();
        let mut notes = Vec::new();
        if let Ok(inputs) = collect_inputs(std::slice::from_ref(&path), &Default::default(), &mut notes) {
            let mut sink = Count(0);
            let _ = read_records(&inputs, &mut sink);
        }
    }
}
