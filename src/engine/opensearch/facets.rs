//! Facet counts on the cluster, exact across shards, in as few searches as can be: the page's
//! own search carries the aggregations, and only a field with more to say is asked again.
//!
//! - The most frequent `limit` values: a terms aggregation per field, ordered by count, then
//!   value, listing ten times `limit` with their error bounds. Each shard sends its
//!   `shard_size` most frequent; when a shard may have left a value out (error bound other
//!   than 0) the listed counts are still exact if the bounds prove that no value left out can
//!   reach the last one shown (`proven_top`); else, when the bounds name every value that can
//!   (`candidates`), only those are counted again (`include`); else the field is asked again
//!   with room for every value.
//! - Every value (`--facet-limit 0`, the `facets` command): a composite aggregation per field,
//!   page by page, the fields with a full page asked again from where they stopped.

use std::borrow::Cow;

use serde_json::{json, Value};

use super::{schema, OpenSearchEngine};
use crate::engine::facets::{FacetCount, FacetCounts, FacetField, FieldCounts};
use crate::engine::PageRequest;
use crate::error::Result;

/// Values a composite aggregation lists per search.
const COMPOSITE_PAGE: usize = 5_000;

/// The aggregations a page's own search carries for its facets (None: nothing to count).
pub(super) fn page_aggs(request: &PageRequest) -> Option<Value> {
    if request.facets.is_empty() {
        return None;
    }
    let fields: Vec<(usize, FacetField)> = request.facets.iter().copied().enumerate().collect();
    Some(match request.facet_limit {
        0 => composite_aggs(&fields, &[]),
        limit => terms_aggs(&fields, first_size(limit), first_shard_size(limit)),
    })
}

/// What a field whose first list is not exact needs to become exact.
#[derive(Debug, PartialEq)]
enum Inexact {
    /// Every value that can be among the top ones: their counts asked for exactly, and
    /// whether the field has values past the limit.
    Candidates { values: Vec<String>, more: bool },
    /// The shard_size that leaves no value out.
    Room(usize),
}

impl OpenSearchEngine {
    /// The page's facet counts from the reply to its search, which carried `page_aggs`. Nothing
    /// matched: every field empty. Else each field as the reply counted it, a field not
    /// exact yet (or with more values to list) asked again, with the others in that case.
    pub(super) fn page_facets(
        &self,
        query: &Value,
        request: &PageRequest,
        total: usize,
        reply: &Value,
    ) -> Result<FacetCounts> {
        let (fields, limit) = (&request.facets, request.facet_limit);
        if total == 0 {
            return Ok(fields
                .iter()
                .map(|&field| FieldCounts {
                    field,
                    values: Vec::new(),
                    more: false,
                })
                .collect());
        }
        if limit == 0 {
            return self.all_values(query, fields, Some(reply));
        }
        let first = first_size(limit);
        let mut counts: Vec<Result<FieldCounts, Inexact>> = fields
            .iter()
            .enumerate()
            .map(|(i, &field)| exact_counts(reply, &agg_name(i), field, limit, first))
            .collect();
        let mut shard_size = first_shard_size(limit);
        // Values a follow-up with room lists: the limit and a look-ahead for the bounds.
        let listed = limit.saturating_add(lookahead(limit));
        loop {
            let mut aggs = serde_json::Map::new();
            let mut room = Vec::new();
            for (i, count) in counts.iter().enumerate() {
                match count {
                    Ok(_) => {}
                    Err(Inexact::Candidates { values, .. }) => {
                        aggs.insert(agg_name(i), candidate_agg(fields[i], values));
                    }
                    Err(Inexact::Room(needed)) => room.push((i, fields[i], *needed)),
                }
            }
            if aggs.is_empty() && room.is_empty() {
                break;
            }
            // Asked again with room for every value the reply says there can be, so that one
            // more search is exact (a shard sends no more values than it has, whatever the
            // size); at least four times the last size, should a reply not say.
            if !room.is_empty() {
                let needed = room.iter().map(|&(_, _, n)| n).max().unwrap_or(0);
                shard_size = shard_size
                    .saturating_mul(4)
                    .max(needed)
                    .min(MAX_SHARD_SIZE.max(shard_size.saturating_mul(4)));
                let fields: Vec<(usize, FacetField)> =
                    room.iter().map(|&(i, field, _)| (i, field)).collect();
                if let Value::Object(more) = terms_aggs(&fields, listed, shard_size) {
                    aggs.extend(more);
                }
            }
            let reply = self.search(&aggs_only(query, Value::Object(aggs)), false)?;
            for (i, count) in counts.iter_mut().enumerate() {
                let name = agg_name(i);
                *count = match std::mem::replace(count, Err(Inexact::Room(0))) {
                    Err(Inexact::Candidates { values, more }) => {
                        // Every shard sent every candidate it has (shard_size above their
                        // number): exact, whatever else the field holds. Should a cluster
                        // say otherwise, the field is asked for with room for every value.
                        match exact_counts(&reply, &name, fields[i], limit, values.len() + 1) {
                            Ok(exact) => Ok(FieldCounts { more, ..exact }),
                            Err(_) => Err(Inexact::Room(0)),
                        }
                    }
                    Err(Inexact::Room(_)) => exact_counts(&reply, &name, fields[i], limit, listed),
                    done => done,
                };
            }
        }
        Ok(counts.into_iter().flatten().collect())
    }

    /// Every value of each field over `query`'s matches, most frequent first, then by value.
    /// `first`: a reply whose search carried the first pages (`composite_aggs` without after
    /// keys); else they are asked for here.
    pub(super) fn all_values(
        &self,
        query: &Value,
        fields: &[FacetField],
        first: Option<&Value>,
    ) -> Result<FacetCounts> {
        let all: Vec<(usize, FacetField)> = fields.iter().copied().enumerate().collect();
        let mut reply = match first {
            Some(reply) => Cow::Borrowed(reply),
            None => Cow::Owned(self.search(&aggs_only(query, composite_aggs(&all, &[])), false)?),
        };
        let mut values: Vec<Vec<FacetCount>> = vec![Vec::new(); fields.len()];
        let mut pending = all;
        loop {
            let mut after = Vec::new();
            for &(i, _) in &pending {
                if let Some(key) = composite_page(&reply, &agg_name(i), &mut values[i]) {
                    after.push((i, key));
                }
            }
            if after.is_empty() {
                break;
            }
            pending = after.iter().map(|(i, _)| (*i, fields[*i])).collect();
            let aggs = composite_aggs(&pending, &after);
            reply = Cow::Owned(self.search(&aggs_only(query, aggs), false)?);
        }
        Ok(fields
            .iter()
            .zip(values)
            .map(|(&field, mut values)| {
                values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                FieldCounts {
                    field,
                    values,
                    more: false,
                }
            })
            .collect())
    }
}

/// A search for aggregations only.
fn aggs_only(query: &Value, aggs: Value) -> Value {
    json!({"size": 0, "query": query, "track_total_hits": false, "aggs": aggs})
}

/// The largest shard_size asked for at once from a reply's bound (a bigger need grows by four
/// times a round, as without a bound).
const MAX_SHARD_SIZE: usize = 1 << 20;

/// Values each shard first considers per facet field: enough for most fields to be exact in
/// the page's own search.
fn first_shard_size(limit: usize) -> usize {
    limit.saturating_mul(10).max(500)
}

/// The name of the aggregation counting the `i`th facet field asked for.
fn agg_name(i: usize) -> String {
    format!("facet{i}")
}

/// Values the page's own search lists per field (of the `first_shard_size` each shard sends):
/// enough that the last listed count plus the shards' bounds is usually below the top ones,
/// which proves them or names every candidate, and not so many that the reply costs (listing
/// all 500 made a common word's search ~8% slower at 100k records; 100 under 1%).
fn first_size(limit: usize) -> usize {
    limit
        .saturating_mul(10)
        .max(limit.saturating_add(lookahead(limit)))
}

/// Values listed per field beyond the `limit` asked for: their error bounds are what can prove
/// that the first `limit` are the top ones (`proven_top`).
fn lookahead(limit: usize) -> usize {
    limit.max(10)
}

/// One terms aggregation per `(i, field)`, named `agg_name(i)`: the field's `size` most
/// frequent values (count, then value), each with its own error bound, each shard considering
/// `shard_size` of them.
fn terms_aggs(fields: &[(usize, FacetField)], size: usize, shard_size: usize) -> Value {
    let mut aggs = serde_json::Map::new();
    for &(i, field) in fields {
        aggs.insert(
            agg_name(i),
            json!({"terms": {
                "field": schema::facet_field(field),
                "size": size,
                "shard_size": shard_size.max(size),
                "show_term_doc_count_error": true,
                "order": [{"_count": "desc"}, {"_key": "asc"}]
            }}),
        );
    }
    Value::Object(aggs)
}

/// The counts of `values` of `field` alone, exact: each shard sends every one it has (its
/// shard_size above their number, so no shard reports an error bound).
fn candidate_agg(field: FacetField, values: &[String]) -> Value {
    json!({"terms": {
        "field": schema::facet_field(field),
        "include": values,
        "size": values.len() + 1,
        "shard_size": values.len() + 1,
        "show_term_doc_count_error": true,
        "order": [{"_count": "desc"}, {"_key": "asc"}]
    }})
}

/// One composite aggregation per `(i, field)`, named `agg_name(i)`, listing the field's
/// values in value order from the after key noted for `i` (from the first, when none).
fn composite_aggs(fields: &[(usize, FacetField)], after: &[(usize, Value)]) -> Value {
    let mut aggs = serde_json::Map::new();
    for &(i, field) in fields {
        let mut composite = json!({
            "size": COMPOSITE_PAGE,
            "sources": [{"v": {"terms": {"field": schema::facet_field(field)}}}]
        });
        if let Some((_, key)) = after.iter().find(|(j, _)| *j == i) {
            composite["after"] = key.clone();
        }
        aggs.insert(agg_name(i), json!({ "composite": composite }));
    }
    Value::Object(aggs)
}

/// Adds the values of the composite aggregation `name` of a reply to `values`; the key to go
/// on from when its page was full (a shorter page is the last: each shard sent all it had
/// left), None when the field is done.
fn composite_page(reply: &Value, name: &str, values: &mut Vec<FacetCount>) -> Option<Value> {
    let agg = reply.get("aggregations").and_then(|a| a.get(name))?;
    let page = agg.get("buckets").and_then(Value::as_array)?;
    values.extend(page.iter().map(|b| FacetCount {
        value: key_text(b.pointer("/key/v")),
        count: b.get("doc_count").and_then(Value::as_u64).unwrap_or(0),
    }));
    if page.len() < COMPOSITE_PAGE {
        return None;
    }
    agg.get("after_key").cloned()
}

/// `field`'s `limit` most frequent values from the terms aggregation `name` of a search's
/// reply, which asked for `size` values (`terms_aggs`), whichever search carried it, when
/// their counts and their order are exact: no shard left a value out (error bound 0), or the
/// bounds prove the list right (`proven_top`). Else what would make it exact: the values that
/// can be among the top ones, when the bounds name them all (`candidates`), or room for the
/// most distinct values the matches can hold (those listed, and one per occurrence of the
/// others) as the next shard_size.
fn exact_counts(
    reply: &Value,
    name: &str,
    field: FacetField,
    limit: usize,
    size: usize,
) -> Result<FieldCounts, Inexact> {
    let agg = reply
        .get("aggregations")
        .and_then(|a| a.get(name))
        .unwrap_or(&Value::Null);
    let error = agg
        .get("doc_count_error_upper_bound")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let listed = buckets(agg);
    let others = agg
        .get("sum_other_doc_count")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let full = listed.len() >= size;
    let more = others > 0 || listed.len() > limit;
    if error != 0 && !proven_top(&listed, limit, error, full) {
        return Err(match candidates(&listed, limit, error, full) {
            Some(values) if field != FacetField::Year => Inexact::Candidates { values, more },
            _ => Inexact::Room(listed.len().saturating_add(others as usize)),
        });
    }
    Ok(FieldCounts {
        field,
        values: listed.into_iter().take(limit).map(|b| b.value).collect(),
        more,
    })
}

/// Every value that can be among the first `limit` when some shard left values out (`error`,
/// the sum of the shards' bounds), if the bounds name them all: the true count of the
/// `limit`th value is at least its listed count (counts only ever lack), so a value can be
/// among the top ones only if its count plus its bound reaches that; none not listed can when
/// the most one can have (`error`, plus the last listed count when the list was cut) is below
/// it. None when one might, or when the list is too short to say.
fn candidates(listed: &[Listed], limit: usize, error: i64, full: bool) -> Option<Vec<String>> {
    if limit == 0 || listed.len() < limit || error < 0 || listed.iter().any(|l| l.error < 0) {
        return None;
    }
    let floor = listed[limit - 1].value.count as i64;
    let unlisted = match (full, listed.last()) {
        (true, Some(last)) => (last.value.count as i64).saturating_add(error),
        _ => error,
    };
    if unlisted >= floor {
        return None;
    }
    Some(
        listed
            .iter()
            .filter(|l| (l.value.count as i64).saturating_add(l.error) >= floor)
            .map(|l| l.value.value.clone())
            .collect(),
    )
}

/// A value a terms aggregation listed, with the most its count may lack: the error bounds of
/// the shards that did not send it (-1: unknown).
#[derive(Debug, Clone, PartialEq)]
struct Listed {
    value: FacetCount,
    error: i64,
}

/// Whether the first `limit` of `listed` (by count, then value) are the field's top values
/// with exact counts although some shard left values out (`error`, the sum of the shards'
/// bounds, above 0): each of them was sent by every shard that left anything out (its own
/// bound 0), and the last of them counts more than any other value can: a listed one at most
/// its count plus its bound; one not listed at most `error` (sent by no shard) or, when the
/// list was cut (`full`), the last listed count plus `error`. Ties are not proof (the order
/// between equal counts is by value, which a value left out may win).
fn proven_top(listed: &[Listed], limit: usize, error: i64, full: bool) -> bool {
    if limit == 0 || listed.len() < limit || error < 0 {
        return false;
    }
    let (top, rest) = listed.split_at(limit);
    if top.iter().any(|l| l.error != 0) {
        return false;
    }
    let last_top = top[limit - 1].value.count as i64;
    let unlisted = match (full, listed.last()) {
        (true, Some(last)) => (last.value.count as i64).saturating_add(error),
        _ => error,
    };
    let beaten = |bound: i64| bound < last_top;
    beaten(unlisted)
        && rest
            .iter()
            .all(|l| l.error >= 0 && beaten((l.value.count as i64).saturating_add(l.error)))
}

fn buckets(agg: &Value) -> Vec<Listed> {
    agg.get("buckets")
        .and_then(Value::as_array)
        .map(|bs| {
            bs.iter()
                .map(|b| Listed {
                    value: FacetCount {
                        value: key_text(b.get("key_as_string").or(b.get("key"))),
                        count: b.get("doc_count").and_then(Value::as_u64).unwrap_or(0),
                    },
                    error: b
                        .get("doc_count_error_upper_bound")
                        .and_then(Value::as_i64)
                        .unwrap_or(-1),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn key_text(key: Option<&Value>) -> String {
    match key {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(facets: Vec<FacetField>, facet_limit: usize) -> PageRequest {
        super::super::tests::request(10, facets, facet_limit)
    }

    #[test]
    fn a_page_counts_each_field_it_asks_for() {
        let aggs = page_aggs(&request(FacetField::ALL.to_vec(), 10)).expect("aggs");
        assert_eq!(aggs.as_object().map(|a| a.len()), Some(4));
        for (i, field) in FacetField::ALL.into_iter().enumerate() {
            assert_eq!(
                aggs[&agg_name(i)],
                json!({"terms": {
                    "field": schema::facet_field(field),
                    "size": 100,
                    "shard_size": 500,
                    "show_term_doc_count_error": true,
                    "order": [{"_count": "desc"}, {"_key": "asc"}]
                }}),
                "{field:?}"
            );
        }
        // Every value: a composite per field, from the first.
        let aggs = page_aggs(&request(vec![FacetField::Year, FacetField::Tags], 0)).expect("aggs");
        assert_eq!(
            aggs["facet1"],
            json!({"composite": {
                "size": COMPOSITE_PAGE,
                "sources": [{"v": {"terms": {"field": schema::facet_field(FacetField::Tags)}}}]
            }})
        );
        assert_eq!(
            aggs["facet0"]["composite"]["sources"][0]["v"]["terms"]["field"],
            "year"
        );
        assert_eq!(page_aggs(&request(Vec::new(), 10)), None);
        // The next page of the fields not done, each from its own after key.
        let next = composite_aggs(&[(1, FacetField::Tags)], &[(1, json!({"v": "Evals"}))]);
        assert_eq!(next["facet1"]["composite"]["after"], json!({"v": "Evals"}));
        assert!(next.get("facet0").is_none());
    }

    #[test]
    fn facet_counts_come_from_any_reply() {
        let reply = json!({
            "hits": {"total": {"value": 7, "relation": "eq"}, "hits": []},
            "aggregations": {
                "facet0": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 3,
                           "buckets": [{"key": "Interpretability", "doc_count": 5},
                                       {"key": "Evals", "doc_count": 2}]},
                "facet1": {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0,
                           "buckets": [{"key": 2025, "doc_count": 4}]},
                "facet2": {"doc_count_error_upper_bound": 2, "sum_other_doc_count": 9,
                           "buckets": [{"key": "A B", "doc_count": 3,
                                        "doc_count_error_upper_bound": 0}]}
            }
        });
        let listed = |field, values: &[(&str, u64)], more| {
            Ok(FieldCounts {
                field,
                values: values
                    .iter()
                    .map(|&(value, count)| FacetCount {
                        value: value.into(),
                        count,
                    })
                    .collect(),
                more,
            })
        };
        let tags = [("Interpretability", 5), ("Evals", 2)];
        assert_eq!(
            exact_counts(&reply, "facet0", FacetField::Tags, 10, 20),
            listed(FacetField::Tags, &tags, true)
        );
        // Only the first `limit` are shown; the look-ahead says there are more.
        assert_eq!(
            exact_counts(&reply, "facet0", FacetField::Tags, 1, 11),
            listed(FacetField::Tags, &tags[..1], true)
        );
        assert_eq!(
            exact_counts(&reply, "facet1", FacetField::Year, 10, 20),
            listed(FacetField::Year, &[("2025", 4)], false)
        );
        // As many values as asked for, none other: nothing more to show.
        assert_eq!(
            exact_counts(&reply, "facet1", FacetField::Year, 1, 11),
            listed(FacetField::Year, &[("2025", 4)], false)
        );
        // A shard may have left a value out: asked again, with room for the one value listed
        // and the nine other occurrences, each maybe a value of its own.
        assert_eq!(
            exact_counts(&reply, "facet2", FacetField::Authors, 10, 20),
            Err(Inexact::Room(10))
        );
        // No such aggregation (nothing to count): an empty, exact list.
        assert_eq!(
            exact_counts(&reply, "facet3", FacetField::Fellows, 10, 20),
            listed(FacetField::Fellows, &[], false)
        );
    }

    /// `(count, error)` pairs as a terms aggregation lists them, named by position.
    fn listed(pairs: &[(u64, i64)]) -> Vec<Listed> {
        pairs
            .iter()
            .enumerate()
            .map(|(i, &(count, error))| Listed {
                value: FacetCount {
                    value: format!("v{i:02}"),
                    count,
                },
                error,
            })
            .collect()
    }

    #[test]
    fn error_bounds_prove_a_top_list_or_name_its_candidates_only_when_nothing_left_out_can_reach_it(
    ) {
        // (listed (count, error), limit, the sum of the shards' bounds, list cut,
        //  proven as listed, the candidates named (by position) otherwise)
        type Case = (
            &'static [(u64, i64)],
            usize,
            i64,
            bool,
            bool,
            Option<&'static [usize]>,
        );
        let cases: [Case; 19] = [
            // Nothing left out: proven, and the top ones are the only values that can be.
            (&[(20, 0), (9, 0), (5, 0)], 2, 0, false, true, Some(&[0, 1])),
            // The top two exact, the rest at most 5 + 3 and 4 + 3, unlisted at most 4 + 3.
            (
                &[(20, 0), (9, 0), (5, 3), (4, 3)],
                2,
                3,
                true,
                true,
                Some(&[0, 1]),
            ),
            // Not cut: a value no shard sent has at most the sum of the bounds.
            (&[(20, 0), (9, 0), (5, 3)], 2, 8, false, true, Some(&[0, 1])),
            // ...but a cut list: the last listed count (5) plus the bounds can reach 9.
            (&[(20, 0), (9, 0), (5, 3)], 2, 4, true, false, None),
            // A listed value may reach the last top count: a tie is no proof, but it is named.
            (
                &[(20, 0), (9, 0), (6, 3)],
                2,
                3,
                false,
                false,
                Some(&[0, 1, 2]),
            ),
            (&[(20, 0), (9, 0), (6, 2)], 2, 3, false, true, Some(&[0, 1])),
            // A top value some shard did not send: its count is not exact; named.
            (
                &[(20, 1), (9, 0), (1, 1)],
                2,
                1,
                false,
                false,
                Some(&[0, 1]),
            ),
            // An unknown bound (-1) proves and names nothing.
            (&[(20, 0), (9, 0), (1, -1)], 2, 1, false, false, None),
            (&[(20, 0), (9, 0), (1, 0)], 2, -1, false, false, None),
            (&[(20, 2), (9, -1), (5, 5)], 2, 6, false, false, None),
            (&[(20, 2), (9, 0)], 2, -1, false, false, None),
            // Fewer values than asked for while values were left out: they may be others.
            (&[(20, 0)], 2, 1, false, false, None),
            (&[(20, 2)], 2, 1, false, false, None),
            // Nothing asked for.
            (&[(20, 0)], 0, 1, false, false, None),
            (&[(20, 2)], 0, 1, false, false, None),
            // Unlisted values bounded by the sum of the bounds (9) against 10.
            (&[(30, 0), (10, 0)], 2, 9, false, true, Some(&[0, 1])),
            // The 2nd counts at least 9; v02 may reach 5 + 5, v03 only 3 + 5; one not listed 6.
            (
                &[(20, 2), (9, 0), (5, 5), (3, 5)],
                2,
                6,
                false,
                false,
                Some(&[0, 1, 2]),
            ),
            // Cut: one not listed may have 3 + 6 = 9, reaching 9.
            (&[(20, 2), (9, 0), (5, 5), (3, 5)], 2, 6, true, false, None),
            // Not listed: at most 9, reaching 9.
            (&[(20, 2), (9, 0), (5, 5)], 2, 9, false, false, None),
        ];
        for (pairs, limit, error, full, proven, named) in cases {
            let case = format!("{pairs:?} limit {limit} error {error} full {full}");
            let listed = listed(pairs);
            assert_eq!(proven_top(&listed, limit, error, full), proven, "{case}");
            let named: Option<Vec<String>> =
                named.map(|ix| ix.iter().map(|i| format!("v{i:02}")).collect());
            assert_eq!(candidates(&listed, limit, error, full), named, "{case}");
        }
    }

    #[test]
    fn a_proven_list_is_taken_without_asking_again() {
        let buckets: Vec<Value> = [(20, 0), (9, 0), (5, 3), (4, 3)]
            .iter()
            .enumerate()
            .map(|(i, (c, e))| {
                json!({"key": format!("v{i}"), "doc_count": c,
                                      "doc_count_error_upper_bound": e})
            })
            .collect();
        let reply = json!({"aggregations": {"facet0": {
            "doc_count_error_upper_bound": 3, "sum_other_doc_count": 40, "buckets": buckets
        }}});
        // Four listed of twelve asked for: not cut.
        let counts = exact_counts(&reply, "facet0", FacetField::Authors, 2, 12).expect("proven");
        assert_eq!(
            counts.values.iter().map(|c| c.count).collect::<Vec<_>>(),
            [20, 9]
        );
        assert!(counts.more);
        // limit 3: the third (5, sent by only some shards) is not exact; every value that can
        // reach 5 is listed (one not listed has at most 3): those are counted again.
        let values: Vec<String> = (0..4).map(|i| format!("v{i}")).collect();
        assert_eq!(
            exact_counts(&reply, "facet0", FacetField::Authors, 3, 12),
            Err(Inexact::Candidates { values, more: true })
        );
        // Cut at four: one not listed may have 4 + 3, past 5: room for every value instead.
        assert_eq!(
            exact_counts(&reply, "facet0", FacetField::Authors, 3, 4),
            Err(Inexact::Room(44))
        );
        // Years are never asked for by name.
        assert_eq!(
            exact_counts(&reply, "facet0", FacetField::Year, 3, 12),
            Err(Inexact::Room(44))
        );
    }

    #[test]
    fn candidates_are_counted_by_name_with_room_for_all_of_them() {
        let values = vec!["A B".to_owned(), "C \"D\"".to_owned()];
        assert_eq!(
            candidate_agg(FacetField::Authors, &values),
            json!({"terms": {
                "field": schema::facet_field(FacetField::Authors),
                "include": ["A B", "C \"D\""],
                "size": 3,
                "shard_size": 3,
                "show_term_doc_count_error": true,
                "order": [{"_count": "desc"}, {"_key": "asc"}]
            }})
        );
    }

    #[test]
    fn composite_pages_go_on_only_when_full() {
        let reply = json!({"aggregations": {
            "facet0": {"after_key": {"v": 2025},
                       "buckets": [{"key": {"v": 2024}, "doc_count": 3},
                                   {"key": {"v": 2025}, "doc_count": 1}]}
        }});
        let mut values = Vec::new();
        assert_eq!(composite_page(&reply, "facet0", &mut values), None);
        assert_eq!(
            values,
            vec![
                FacetCount {
                    value: "2024".into(),
                    count: 3
                },
                FacetCount {
                    value: "2025".into(),
                    count: 1
                }
            ]
        );
        let full: Vec<Value> = (0..COMPOSITE_PAGE)
            .map(|n| json!({"key": {"v": format!("name {n:05}")}, "doc_count": 1}))
            .collect();
        let reply = json!({"aggregations": {
            "facet0": {"after_key": {"v": "name 04999"}, "buckets": full}
        }});
        let mut values = Vec::new();
        assert_eq!(
            composite_page(&reply, "facet0", &mut values),
            Some(json!({"v": "name 04999"}))
        );
        assert_eq!(values.len(), COMPOSITE_PAGE);
        assert_eq!(composite_page(&json!({}), "facet0", &mut values), None);
    }
}
