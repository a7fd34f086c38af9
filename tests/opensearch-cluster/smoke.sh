#!/usr/bin/env bash
# Smoke checks of the features litsearch's OpenSearch engine relies on, against a
# running cluster: tests/opensearch-cluster/smoke.sh [URL] (default: node 0 of
# scripts/opensearch-cluster). Each check prints "ok NAME" or "FAIL NAME: why";
# exits non-zero if any failed. Creates and deletes indices named smoke-*.
# The requests here are the exact syntax that works on 2.19.6.
set -uo pipefail
URL=${1:-$("$(dirname "$0")/../../scripts/opensearch-cluster" url)}
failed=0
J=(-H 'Content-Type: application/json')

req() { curl -s -m 30 -X "$1" "$URL$2" "${@:3}"; }
check() { # NAME RESPONSE PATTERN...
    local name=$1 body=$2 p
    shift 2
    for p in "$@"; do
        if ! grep -qE -- "$p" <<<"$body"; then
            echo "FAIL $name: /$p/ not in: ${body:0:400}"
            failed=1
            return
        fi
    done
    echo "ok $name"
}

req DELETE '/smoke-*' >/dev/null
req DELETE '/_aliases/smoke' >/dev/null 2>&1

# 1. Index with our analysis chain: pattern tokenizer (split where Rust's
#    char::is_alphanumeric is false: Unicode Alphabetic or Number; \p{L} alone would
#    also split Devanagari vowel signs), length + truncate,
#    lowercase, asciifolding, stemmer porter2 (Snowball English).
body=$(req PUT /smoke-1 "${J[@]}" -d '{
  "settings": {
    "number_of_shards": 3, "number_of_replicas": 1,
    "analysis": {
      "tokenizer": {"words": {"type": "pattern", "pattern": "[^\\p{IsAlphabetic}\\p{N}]+"}},
      "filter": {
        "max_len": {"type": "length", "min": 1, "max": 40},
        "cut": {"type": "truncate", "length": 40},
        "english_porter2": {"type": "stemmer", "language": "porter2"}
      },
      "analyzer": {
        "text": {"type": "custom", "tokenizer": "words",
                 "filter": ["max_len", "cut", "lowercase", "asciifolding", "english_porter2"]},
        "folded": {"type": "custom", "tokenizer": "keyword", "filter": ["lowercase", "asciifolding"]}
      },
      "normalizer": {"folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}}
    }
  },
  "mappings": {"properties": {
    "title": {"type": "text", "analyzer": "text"},
    "abstract": {"type": "text", "analyzer": "text", "term_vector": "with_positions_offsets"},
    "authors": {"type": "text", "analyzer": "text",
                "fields": {"facet": {"type": "keyword", "normalizer": "folded"}}},
    "tags": {"type": "keyword"},
    "date": {"type": "date", "format": "strict_date||strict_date_optional_time"},
    "first_seen": {"type": "date"},
    "featured": {"type": "boolean"}
  }}
}')
check create-index "$body" '"acknowledged":true'

# 2. _analyze with the custom analyzer. porter2 is Snowball English: "generously" ->
#    "generous" and "fairly" -> "fair" (Porter1, "porter"/"english", gives "gener", "fairli").
body=$(req POST /smoke-1/_analyze "${J[@]}" -d '{"analyzer": "text",
  "text": "Généralisation of Running runners: naïve MÜLLER-Lyon, generously fairly 42abc"}')
check analyze-porter2 "$body" '"token":"generalis"' '"token":"run"' '"token":"runner"' '"token":"naiv"' \
    '"token":"muller"' '"token":"lyon"' '"token":"generous"' '"token":"fair"' '"token":"42abc"'
body=$(req POST /smoke-1/_analyze "${J[@]}" -d "{\"analyzer\": \"text\", \"text\": \"short $(printf 'x%.0s' {1..45}) end\"}")
body2=$(req POST /smoke-1/_analyze "${J[@]}" -d '{"tokenizer": "words", "text": "हिन्दी x²y a_b"}')
check analyze-alphabetic "$body2" '"token":"हिन"' '"token":"दी"' '"token":"x²y"' '"token":"a"' '"token":"b"'
check analyze-length "$body" '"token":"short"' '"token":"end"'
if grep -q 'xxxxxxxx' <<<"$body"; then echo "FAIL analyze-length: a 45-letter token survived: ${body:0:300}"; failed=1; fi

# 3. _bulk (NDJSON, ends with a newline), with refresh so the next search sees it.
bulk=$(cat <<'EOF'
{"index":{"_index":"smoke-1","_id":"p1"}}
{"title":"Running deep networks","abstract":"We study running networks and generous priors for deep learning.","authors":["Ada Müller","Bo Chen"],"tags":["ml","nets"],"date":"2021-03-04","featured":true}
{"index":{"_index":"smoke-1","_id":"p2"}}
{"title":"Deep sea runners","abstract":"Fish that run in the deep sea; runners of the abyss and deep learning of fish.","authors":["Bo Chen"],"tags":["bio"],"date":"2020-01-02","featured":false}
{"index":{"_index":"smoke-1","_id":"p3"}}
{"title":"Generalisation bounds","abstract":"Generalisation of deep networks, bounds and priors.","authors":["Ada Muller"],"tags":["ml"],"date":"2019-05-06","featured":false}
{"index":{"_index":"smoke-1","_id":"p4"}}
{"title":"Cooking with networks","abstract":"Recipes learned by deep networks running in kitchens.","authors":["Cy Dee"],"tags":["food","ml"],"date":"2022-07-08","featured":false}
EOF
)
body=$(req POST '/_bulk?refresh=true' -H 'Content-Type: application/x-ndjson' --data-binary "$bulk"$'\n')
check bulk "$body" '"errors":false' '"_id":"p4"'

# 4. Alias: add, then an atomic switch in one _aliases call, queries through the alias.
req PUT /smoke-2 "${J[@]}" -d '{"settings":{"number_of_shards":3,"number_of_replicas":1}}' >/dev/null
body=$(req POST /_aliases "${J[@]}" -d '{"actions":[{"add":{"index":"smoke-2","alias":"smoke"}}]}')
check alias-add "$body" '"acknowledged":true'
body=$(req POST /_aliases "${J[@]}" -d '{"actions":[
  {"remove":{"index":"smoke-2","alias":"smoke"}},{"add":{"index":"smoke-1","alias":"smoke"}}]}')
check alias-switch "$body" '"acknowledged":true'
body=$(req GET /_alias/smoke)
check alias-get "$body" '"smoke-1":\{"aliases":\{"smoke":\{\}\}\}'
check alias-missing "$(req GET /no-such-alias/_search)" '"status":404' 'index_not_found_exception'

# 5. Search through the alias: bool query, dfs_query_then_fetch, highlight with <mark>,
#    terms aggregations (exact: doc_count_error_upper_bound 0), track_total_hits.
body=$(req POST '/smoke/_search?search_type=dfs_query_then_fetch' "${J[@]}" -d '{
  "track_total_hits": true,
  "query": {"bool": {
    "must": [{"multi_match": {"query": "deep running", "fields": ["title^3", "abstract", "authors^2"], "operator": "and"}}],
    "filter": [{"range": {"date": {"gte": "2020-01-01"}}}]}},
  "sort": [{"_score": "desc"}, {"_id": "asc"}],
  "highlight": {"pre_tags": ["<mark>"], "post_tags": ["</mark>"],
                "fields": {"abstract": {"number_of_fragments": 1, "fragment_size": 150}}},
  "aggs": {"tags": {"terms": {"field": "tags", "size": 10, "shard_size": 100}},
           "authors": {"terms": {"field": "authors.facet", "size": 10}}}
}')
check search-highlight "$body" '"total":\{"value":3,"relation":"eq"\}' '<mark>running</mark>|<mark>Running</mark>|<mark>run</mark>'
check terms-agg "$body" '"tags":\{"doc_count_error_upper_bound":0,"sum_other_doc_count":0,"buckets":\[\{"key":"ml","doc_count":2\}' \
    '"key":"ada muller","doc_count":1'
body=$(req POST '/smoke/_search' "${J[@]}" -d '{"size":0,"aggs":{"tags":{"composite":{"size":100,"sources":[{"tag":{"terms":{"field":"tags"}}}]}}}}')
check composite-agg "$body" '"key":\{"tag":"bio"\},"doc_count":1' '"key":\{"tag":"ml"\},"doc_count":3'
body=$(req POST '/smoke/_search?explain=true' "${J[@]}" -d '{"size":1,"query":{"match":{"title":"deep"}}}')
check explain "$body" '"_explanation":\{"value":'

# 6. more_like_this on a stored document (like by _id) and on free text.
body=$(req POST /smoke/_search "${J[@]}" -d '{"query":{"more_like_this":{
  "fields":["title","abstract"],"like":[{"_index":"smoke","_id":"p1"}],
  "min_term_freq":1,"min_doc_freq":1,"max_query_terms":25,"minimum_should_match":"10%"}}}')
check more-like-this "$body" '"_id":"p(2|3|4)"'
if grep -q '"_id":"p1"' <<<"$body"; then echo "FAIL more-like-this: the liked document itself came back"; failed=1; fi

# 7. op_type=create: a second create of the same id is a 409 version_conflict.
body=$(req PUT '/smoke/_doc/lock?op_type=create&refresh=true' "${J[@]}" -d '{"holder":"a","expires":"2099-01-01T00:00:00Z"}')
check create-first "$body" '"result":"created"' '"_seq_no":[0-9]+' '"_primary_term":[0-9]+'
body=$(req PUT '/smoke/_doc/lock?op_type=create' "${J[@]}" -d '{"holder":"b"}')
check create-conflict "$body" '"status":409' 'version_conflict_engine_exception'
body=$(req PUT '/smoke/_create/lock2' "${J[@]}" -d '{"holder":"a"}')
check create-endpoint "$body" '"result":"created"'
# take over a lock only if nobody changed it meanwhile (optimistic concurrency)
seq=$(req GET /smoke/_doc/lock | sed -n 's/.*"_seq_no":\([0-9]*\),"_primary_term":\([0-9]*\).*/if_seq_no=\1\&if_primary_term=\2/p')
check if-seq-no "$(req PUT "/smoke/_doc/lock?$seq" "${J[@]}" -d '{"holder":"b"}')" '"result":"updated"'
check if-seq-no-stale "$(req PUT "/smoke/_doc/lock?$seq" "${J[@]}" -d '{"holder":"c"}')" '"status":409'
req DELETE '/smoke/_doc/lock?refresh=true' >/dev/null; req DELETE '/smoke/_doc/lock2?refresh=true' >/dev/null

# 8. Point in time (2.x syntax): create on the index or alias with keep_alive in the
#    query string, then search WITHOUT an index in the path, "pit": {"id", "keep_alive"},
#    sort with a unique tiebreak, search_after; delete with DELETE /_search/point_in_time.
#    2.19 has no "_shard_doc" ("No mapping found for [_shard_doc]"), and "_doc" values
#    repeat across shards (search_after would skip documents): break ties on "_id"
#    (or a keyword copy of the id with doc values).
body=$(req POST '/smoke/_search/point_in_time?keep_alive=1m')
check pit-create "$body" '"pit_id":"' '"_shards":\{"total":3,"successful":3'
pit=$(sed -n 's/.*"pit_id":"\([^"]*\)".*/\1/p' <<<"$body")
body=$(req POST /_search "${J[@]}" -d "{\"size\":2,\"pit\":{\"id\":\"$pit\",\"keep_alive\":\"1m\"},
  \"query\":{\"match_all\":{}},\"sort\":[{\"date\":\"asc\"},{\"_id\":\"asc\"}]}")
check pit-page1 "$body" '"_id":"p3"' '"_id":"p2"' '"pit_id":"'
after=$(grep -o '"sort":\[[^]]*\]' <<<"$body" | tail -1 | sed 's/"sort"://')
body=$(req POST /_search "${J[@]}" -d "{\"size\":2,\"pit\":{\"id\":\"$pit\",\"keep_alive\":\"1m\"},
  \"query\":{\"match_all\":{}},\"sort\":[{\"date\":\"asc\"},{\"_id\":\"asc\"}],\"search_after\":$after}")
check pit-search-after "$body" '"_id":"p1"' '"_id":"p4"'
body=$(req DELETE /_search/point_in_time "${J[@]}" -d "{\"pit_id\":[\"$pit\"]}")
check pit-delete "$body" '"successful":true'
# search_after without a PIT, sorted by _id (the id is a keyword): for comparison
body=$(req POST /smoke/_search "${J[@]}" -d '{"size":2,"sort":[{"_id":"asc"}],"search_after":["p2"]}')
check search-after-id "$body" '"_id":"p3"' '"_id":"p4"'

# 9. A document by id, and _mget.
check get "$(req GET /smoke/_doc/p2)" '"found":true' '"title":"Deep sea runners"'
check get-missing "$(req GET /smoke/_doc/nope)" '"found":false'

req DELETE '/smoke-*' >/dev/null
if ((failed)); then echo "smoke: some checks failed"; exit 1; fi
echo "smoke: all checks passed"
