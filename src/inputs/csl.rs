//! CSL-JSON (what pandoc's citeproc, Zotero and `export --format csl-json` write): one JSON
//! array of items, judged by content (it ships as `.json`, like records): an item → a draft.
//!
//! Read: `id` (the citation key), `title`, `author` (`family`/`given`, or `literal`), `issued`
//! (`date-parts`, else `raw`/`literal`), `abstract`, `keyword` (`,`/`;`-joined), `DOI`, `URL`, an
//! arXiv id from `number: "arXiv:…"` or an arXiv URL; `container-title`, `volume`, `issue`,
//! `page` (the venue). Other keys are ignored (CSL has dozens).

use serde_json::Value;

use super::draft::{Citation, Draft};

/// Keys only CSL items have, looked for in a `.json` file's head: CSL-JSON, not records.
const CSL_KEYS: [&str; 4] = [
    "\"issued\"",
    "\"date-parts\"",
    "\"container-title\"",
    "\"family\"",
];

/// Whether a `.json` file's first bytes are a CSL-JSON array (not litsearch's records).
pub fn looks_like_csl(head: &[u8]) -> bool {
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(body);
    text.trim_start().starts_with('[') && CSL_KEYS.iter().any(|k| text.contains(k))
}

/// A CSL item as a draft; the error says why it cannot be one.
pub fn draft_from_csl(value: Value) -> Result<Draft, String> {
    let Value::Object(item) = value else {
        return Err("not a CSL item: expected a JSON object".to_owned());
    };
    let text = |key: &str| -> String {
        match item.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    };
    let authors = match item.get("author") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(names)) => names.iter().map(name).collect::<Result<_, _>>()?,
        Some(_) => return Err("author must be a list of names".to_owned()),
    };
    let number = text("number");
    let arxiv = number
        .strip_prefix("arXiv:")
        .map(str::to_owned)
        .or_else(|| {
            let url = text("URL");
            url.contains("arxiv.org/").then_some(url)
        })
        .unwrap_or_default();
    let venue = ["container-title", "volume", "issue", "page"]
        .iter()
        .map(|k| text(k))
        .filter(|v| !v.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let key = text("id");
    Ok(Draft {
        title: text("title"),
        abstract_text: text("abstract"),
        authors,
        tags: text("keyword")
            .split([',', ';'])
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .collect(),
        date: issued(item.get("issued"))?,
        doi: text("DOI"),
        url: text("URL"),
        arxiv,
        citation: Some(Citation {
            key: key.clone(),
            venue,
        }),
        key,
        ..Draft::default()
    })
}

/// A CSL name: `given family` (particles and suffix in place), or its `literal`.
fn name(value: &Value) -> Result<String, String> {
    let part = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or("").trim();
    if !part("literal").is_empty() {
        return Ok(part("literal").to_owned());
    }
    let parts = [
        part("given"),
        part("dropping-particle"),
        part("non-dropping-particle"),
        part("family"),
        part("suffix"),
    ];
    if !value.is_object() {
        return Err("author must be a list of names (objects with family and given)".to_owned());
    }
    Ok(parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" "))
}

/// `issued`: `{"date-parts": [[2023, 8, 20]]}` → `2023-08-20` (of any precision), else its
/// `raw` or `literal` as written.
fn issued(value: Option<&Value>) -> Result<String, String> {
    let Some(value) = value else {
        return Ok(String::new());
    };
    if let Some(first) = value
        .get("date-parts")
        .and_then(Value::as_array)
        .and_then(|parts| parts.first())
        .and_then(Value::as_array)
    {
        let numbers: Vec<i64> = first
            .iter()
            .map(|p| match p {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
            .collect::<Option<_>>()
            .ok_or("issued date-parts must be numbers")?;
        return Ok(match numbers.as_slice() {
            [y, m, d, ..] => format!("{y:04}-{m:02}-{d:02}"),
            [y, m] => format!("{y:04}-{m:02}"),
            [y] => format!("{y:04}"),
            [] => String::new(),
        });
    }
    for key in ["raw", "literal"] {
        if let Some(s) = value.get(key).and_then(Value::as_str) {
            return Ok(s.to_owned());
        }
    }
    Ok(String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zotero_item_is_a_draft() {
        let item = serde_json::json!({
            "id": "turner2023steering", "type": "article",
            "title": "Steering Language Models",
            "author": [{"family": "Turner", "given": "Alexander Matt"},
                       {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
                       {"literal": "OpenAI Team"}],
            "issued": {"date-parts": [[2023, 8, 20]]},
            "keyword": "Interpretability, Steering",
            "DOI": "10.48550/arXiv.2308.10248", "number": "arXiv:2308.10248"
        });
        let d = draft_from_csl(item).unwrap();
        assert_eq!(d.key, "turner2023steering");
        assert_eq!(
            d.authors,
            [
                "Alexander Matt Turner",
                "Ludwig van Beethoven",
                "OpenAI Team"
            ]
        );
        assert_eq!(d.date, "2023-08-20");
        assert_eq!(d.tags, ["Interpretability", "Steering"]);
        assert_eq!(d.arxiv, "2308.10248");
        let year = serde_json::json!({"title": "T", "issued": {"date-parts": [["1999"]]}});
        assert_eq!(draft_from_csl(year).unwrap().date, "1999");
        let bad = serde_json::json!({"title": "T", "author": "Ada"});
        assert!(draft_from_csl(bad).unwrap_err().contains("author must be"));
    }

    #[test]
    fn csl_is_told_from_records_by_its_own_keys() {
        assert!(looks_like_csl(
            b"[\n  {\n    \"id\": \"k\",\n    \"issued\": {\"date-parts\": [[2020]]}"
        ));
        assert!(!looks_like_csl(
            b"[{\"title\": \"t\", \"date\": \"2020\", \"authors\": []}]"
        ));
        assert!(!looks_like_csl(b"{\"issued\": 1}"));
    }
}
