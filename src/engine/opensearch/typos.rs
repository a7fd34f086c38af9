//! Typo look-ups for the query builder: whether the index holds a word as written and, in the
//! same search, its words within the allowed typos (term suggester; edits counted as locally).

use serde_json::{json, Value};

use super::{query, total_of, OpenSearchEngine};
use crate::error::Result;

impl query::Dictionary for OpenSearchEngine {
    /// One search: the word as written (size 0, each shard stopping at its first match), and
    /// a term suggester per field with every threshold off, so that each lists all its words
    /// within `typos` edits (a transposition counting as one).
    fn lookup(&self, held: &Value, near: &[&str], word: &str, typos: u8) -> Result<query::Lookup> {
        let mut body =
            json!({"size": 0, "query": held, "track_total_hits": 1, "terminate_after": 1});
        if !near.is_empty() {
            let mut suggest = serde_json::Map::new();
            for (i, field) in near.iter().enumerate() {
                suggest.insert(
                    format!("near{i}"),
                    json!({"text": word, "term": {
                        "field": field,
                        "suggest_mode": "always",
                        "max_edits": typos.clamp(1, 2),
                        "prefix_length": 0,
                        "min_word_length": 1,
                        "accuracy": 0.0,
                        "size": crate::engine::fields::MAX_EXPANSIONS,
                        "shard_size": crate::engine::fields::MAX_EXPANSIONS * 4,
                        "max_inspections": 20,
                        "string_distance": "damerau_levenshtein"
                    }}),
                );
            }
            body["suggest"] = Value::Object(suggest);
        }
        let reply = self.search(&body, false)?;
        Ok(query::Lookup {
            known: total_of(&reply) > 0,
            near: (0..near.len())
                .map(|i| suggested(&reply, &format!("near{i}"), word, typos))
                .collect(),
        })
    }
}

/// The options of the term suggestion `name` within `typos` of `word`, as the local engine
/// counts edits.
fn suggested(reply: &Value, name: &str, word: &str, typos: u8) -> Vec<String> {
    let mut out = Vec::new();
    for entry in reply
        .pointer(&format!("/suggest/{name}"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        for option in entry
            .get("options")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            if let Some(text) = option.get("text").and_then(Value::as_str) {
                if transposition_close(text, word, typos) {
                    out.push(text.to_owned());
                }
            }
        }
    }
    out
}

/// Within `typos` edits when a swap of neighbours counts as one (as the local engine counts).
fn transposition_close(a: &str, b: &str, typos: u8) -> bool {
    strsim::osa_distance(a, b) <= usize::from(typos)
}
