//! Records by id, and every record in `export` order, read from the stored documents.
//! (The forgiving title lookup above it is engine-neutral: `search::lookup`.)

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, TantivyDocument, Term};

use super::docs::from_document;
use super::store::OpenIndex;
use crate::error::Result;
use crate::record::StoredRecord;

pub fn by_id(index: &OpenIndex, key: &str) -> Result<Option<StoredRecord>> {
    let searcher = index.searcher();
    let query = TermQuery::new(
        Term::from_field_text(index.fields.id, key),
        IndexRecordOption::Basic,
    );
    let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
    let Some((_, address)) = top.into_iter().next() else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(address)?;
    Ok(Some(from_document(&index.fields, &doc)))
}

/// Every record in the index, newest first, ties by id: the order of `export` without a query.
pub fn all_records(index: &OpenIndex) -> Result<Vec<StoredRecord>> {
    let searcher = index.searcher();
    let mut out = Vec::with_capacity(searcher.num_docs() as usize);
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        for doc_id in segment.doc_ids_alive() {
            let address = DocAddress::new(ord as u32, doc_id);
            let doc: TantivyDocument = searcher.doc(address)?;
            out.push(from_document(&index.fields, &doc));
        }
    }
    out.sort_by(|a, b| {
        let (a, b) = (&a.record, &b.record);
        b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id))
    });
    Ok(out)
}
