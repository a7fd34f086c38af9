#!/usr/bin/env bash
# litsearch on a real 3-node OpenSearch cluster against OpenSearch fed by curl, in ONE run
# (issue 15 part 4). Ratios are litsearch ÷ curl (lower is better; targets 1.2× and 1.3×).
#
#   benches/opensearch.sh                               # 1,000,000 records bulk, 100,000 queried
#   RECORDS=100000 QUERY_RECORDS=20000 benches/opensearch.sh
#   RECORDS=2000 QUERY_RECORDS=2000 RUNS=3 PROFILE=dev benches/opensearch.sh   # smoke run
#
# Bulk: `litsearch ingest --engine …` of the generated export into a new index (whole process:
# parsing, the lock, index creation, every _bulk, the refresh, the alias switch), then the
# very documents it sent — read back from that index (_source is stored as sent), put in
# export order (litsearch sends them as its parsing threads finish) and cut into _bulk files
# as litsearch cuts them (1,000 documents or 8 MiB) — posted by one curl process
# (one connection, --next per file) into an index created with `litsearch engine-config`'s
# settings and mappings, with the same refresh and replica handling (none changed during the
# bulk; one _refresh and a wait for yellow at the end). With VERIFY=1 (the default) the method
# is checked once: the query index is ingested through a logging proxy and its _bulk bodies
# must hold the same documents, byte for byte, in as many requests of the same sizes as the
# files rebuilt from it.
#
# Queries: `litsearch query --engine … WORDS --json` (whole process) against curl sending
# the same requests, captured by the logging proxy (benches/opensearch_bench.py) from one
# litsearch run: "curl, same requests" replays all of them in order on one connection,
# "curl, search only" sends only the largest _search body (the query itself). hyperfine -N.
#
# Environment: RECORDS (bulk, default 1000000), QUERY_RECORDS (default 100000), ROUNDS (bulk
# rounds, litsearch and curl taking turns; default 1), RUNS (hyperfine runs, default 20),
# SHARDS (3), REPLICAS (1), PARTS ("bulk query"), PROFILE (release|dev), SEED (1),
# BENCH_DIR (/tmp/litsearch-opensearch-bench), KEEP_CLUSTER=1 (leave the cluster up),
# VERIFY (1), REUSE_QUERY_INDEX=1 (keep the cluster's bench-q when it holds QUERY_RECORDS
# records; with KEEP_CLUSTER=1 between runs), BIN_DIR (prebuilt litsearch and gen-corpus instead of a cargo build; for
# before/after runs; LABEL names them in the table). The cluster: scripts/opensearch-cluster with LITSEARCH_CLUSTER_DIR (default
# target/opensearch-bench-cluster), LITSEARCH_CLUSTER_HTTP_PORT/_TRANSPORT_PORT (default
# 9400/9500, away from the tests' 9200/9300) and LITSEARCH_CLUSTER_HEAP (default 1g).
# Needs Java 17, Maven, curl, python3, GNU time and hyperfine (apt-get install -y time hyperfine).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
RECORDS=${RECORDS:-1000000}
QUERY_RECORDS=${QUERY_RECORDS:-100000}
ROUNDS=${ROUNDS:-1}
RUNS=${RUNS:-20}
SHARDS=${SHARDS:-3}
REPLICAS=${REPLICAS:-1}
PARTS=${PARTS:-bulk query}
PROFILE=${PROFILE:-release}
SEED=${SEED:-1}
VERIFY=${VERIFY:-1}
BENCH_DIR=${BENCH_DIR:-/tmp/litsearch-opensearch-bench}
export LITSEARCH_CLUSTER_DIR=${LITSEARCH_CLUSTER_DIR:-$REPO/target/opensearch-bench-cluster}
export LITSEARCH_CLUSTER_HTTP_PORT=${LITSEARCH_CLUSTER_HTTP_PORT:-9400}
export LITSEARCH_CLUSTER_TRANSPORT_PORT=${LITSEARCH_CLUSTER_TRANSPORT_PORT:-9500}
export LITSEARCH_CLUSTER_HEAP=${LITSEARCH_CLUSTER_HEAP:-1g}
HELPER=$REPO/benches/opensearch_bench.py
log() { printf '[opensearch-bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
has_part() { [[ " $PARTS " == *" $1 "* ]]; }

command -v curl >/dev/null || { echo "curl is missing: apt-get install -y curl" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing: apt-get install -y time" >&2; exit 2; }
if has_part query && ! command -v hyperfine >/dev/null; then
    echo "hyperfine is missing: apt-get install -y hyperfine" >&2
    exit 2
fi

if [ -n "${BIN_DIR:-}" ]; then
    BIN=$BIN_DIR
    mkdir -p "$BIN/examples"
    [ -x "$BIN/examples/gen-corpus" ] || cp "$BIN/gen-corpus" "$BIN/examples/gen-corpus"
elif [ "$PROFILE" = release ]; then
    log "building litsearch and the generator ($PROFILE)"
    cargo build --release --quiet --bin litsearch --example gen-corpus
    BIN=${CARGO_TARGET_DIR:-$REPO/target}/release
else
    log "building litsearch and the generator ($PROFILE)"
    cargo build --quiet --bin litsearch --example gen-corpus
    BIN=${CARGO_TARGET_DIR:-$REPO/target}/debug
fi
mkdir -p "$BENCH_DIR/bin"
cp "$BIN/litsearch" "$BIN/examples/gen-corpus" "$BENCH_DIR/bin/"
LIT=$BENCH_DIR/bin/litsearch
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- src 2>/dev/null)" ] || COMMIT="$COMMIT+changes"
[ -z "${BIN_DIR:-}" ] || COMMIT="binaries from $BIN_DIR"
COMMIT=${LABEL:-$COMMIT}

proxy_pid=
cleanup() {
    local status=$?
    [ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
    if [ "${KEEP_CLUSTER:-0}" != 1 ]; then
        log "stopping the cluster"
        scripts/opensearch-cluster down >&2 || true
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting (or reusing) a 3-node cluster ($LITSEARCH_CLUSTER_DIR, heap $LITSEARCH_CLUSTER_HEAP per node when started)"
BASE=$(scripts/opensearch-cluster up --nodes 3 | tail -n 1)
[[ $BASE == http://* ]] || { echo "the cluster did not start" >&2; exit 1; }
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# Requests of the bench itself (not timed): curl that fails on any non-2xx answer.
os() {
    local method=$1 path=$2
    shift 2
    curl -sS --fail-with-body -X "$method" "$BASE$path" "$@"
}
# Removes an alias's indexes (every generation and its lock index), or a plain index.
drop_alias() { os DELETE "/$1-*?expand_wildcards=all" >/dev/null; }
drop_index() { os DELETE "/$1?ignore_unavailable=true" >/dev/null; }

export_of() {
    local n=$1 f=$BENCH_DIR/export-$1-seed$SEED.txt
    if [ ! -s "$f" ]; then
        log "generating $n records"
        "$BENCH_DIR/bin/gen-corpus" --records "$n" --seed "$SEED" >"$f.tmp"
        mv "$f.tmp" "$f"
    fi
    echo "$f"
}

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "–" }'; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b < a) print b; else print a }'; }

# Starts the logging proxy (requests to LOGDIR $1); sets PURL to its base URL.
start_proxy() {
    rm -rf "$1" "$BENCH_DIR/proxy.port"
    python3 "$HELPER" proxy "$BASE" "$BENCH_DIR/proxy.port" "$1" >"$BENCH_DIR/proxy.log" 2>&1 &
    proxy_pid=$!
    for _ in $(seq 1 300); do [ -s "$BENCH_DIR/proxy.port" ] && break; sleep 0.1; done
    [ -s "$BENCH_DIR/proxy.port" ] || { echo "the logging proxy did not start" >&2; exit 1; }
    PURL="http://127.0.0.1:$(cat "$BENCH_DIR/proxy.port")"
}
stop_proxy() { kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; proxy_pid=; }

ENGINE_Q=opensearch+$BASE/bench-q
QUERY_TABLE=
if has_part query; then
    qexport=$(export_of "$QUERY_RECORDS")
    if [ "${REUSE_QUERY_INDEX:-0}" = 1 ] && [ "$(os GET /bench-q/_count | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])' 2>/dev/null)" = "$QUERY_RECORDS" ]; then
        log "query index: reusing bench-q ($QUERY_RECORDS records)"
    elif [ "$VERIFY" = 1 ]; then
        drop_alias bench-q
        log "query index: ingesting $QUERY_RECORDS records through the logging proxy (checks the bulk method)"
        start_proxy "$BENCH_DIR/ingest-log"
        "$LIT" --quiet ingest --engine "opensearch+$PURL/bench-q" --shards "$SHARDS" --replicas "$REPLICAS" "$qexport" >/dev/null
        stop_proxy
        index=$(os GET /_alias/bench-q | python3 -c 'import json,sys; print(next(iter(json.load(sys.stdin))))')
        python3 "$HELPER" readback "$BASE" "$index" "$BENCH_DIR/verify-docs.tsv" >/dev/null
        rm -rf "$BENCH_DIR/verify-bulk"
        python3 "$HELPER" batches "$BENCH_DIR/verify-docs.tsv" bench-verify "$BENCH_DIR/verify-bulk" >/dev/null
        VERIFIED=$(python3 "$HELPER" verify "$BENCH_DIR/ingest-log" "$BENCH_DIR/verify-bulk" bench-verify)
        log "$VERIFIED"
        rm -rf "$BENCH_DIR/ingest-log" "$BENCH_DIR/verify-bulk" "$BENCH_DIR/verify-docs.tsv"
    else
        drop_alias bench-q
        log "query index: ingesting $QUERY_RECORDS records"
        "$LIT" --quiet ingest --engine "$ENGINE_Q" --shards "$SHARDS" --replicas "$REPLICAS" "$qexport" >/dev/null
    fi

    # name|litsearch query arguments (shell words)
    QUERIES=$(cat <<'EOF'
rare word|quill
two common words|language models
phrase|'"sparse autoencoders"'
filtered, facets|deception --tag Interpretability
EOF
)
    rows=()
    i=0
    while IFS='|' read -r -u 3 name args; do
        [ -n "$name" ] || continue
        i=$((i + 1))
        qd=$BENCH_DIR/query-$i
        rm -rf "$qd"
        mkdir -p "$qd"
        log "query '$name': capturing the requests litsearch sends"
        start_proxy "$qd/log"
        eval "set -- $args"
        "$LIT" query --engine "opensearch+$PURL/bench-q" --json "$@" >"$qd/via-proxy.json"
        stop_proxy
        "$LIT" query --engine "$ENGINE_Q" --json "$@" >"$qd/direct.json"
        python3 -c 'import json, sys; a, b = (json.load(open(f)) for f in sys.argv[1:]); [d.pop("took_ms", None) for d in (a, b)]; sys.exit(a != b)' "$qd/via-proxy.json" "$qd/direct.json" || { echo "litsearch answered differently through the proxy for $name" >&2; exit 1; }
        nreq=$(python3 "$HELPER" curl-config "$qd/log" "$BASE" "$qd/all.curl")
        python3 "$HELPER" curl-config "$qd/log" "$BASE" "$qd/main.curl" main >/dev/null
        curl -sS -K "$qd/all.curl" && curl -sS -K "$qd/main.curl" || { echo "curl replay failed for $name" >&2; exit 1; }
        total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("total", "?"))' "$qd/direct.json")
        log "query '$name': $nreq request(s), $total matches; hyperfine"
        hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$qd/hyperfine.json" \
            -n litsearch "$LIT query --engine $ENGINE_Q --json $args" \
            -n curl-all "curl -sS -K $qd/all.curl" \
            -n curl-main "curl -sS -K $qd/main.curl" >"$qd/hyperfine.txt"
        read -r l a m <<<"$(python3 -c '
import json, sys
r = {x["command"]: x["median"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
print("%.1f %.1f %.1f" % (r["litsearch"], r["curl-all"], r["curl-main"]))' "$qd/hyperfine.json")"
        rows+=("| $name | \`$args\` | $total | $nreq | $l | $a | $m | $(ratio "$l" "$a") | $(ratio "$l" "$m") |")
    done 3<<<"$QUERIES"
    QUERY_TABLE=$(printf '%s\n' "${rows[@]}")
fi

BULK_TABLE=
if has_part bulk; then
    bexport=$(export_of "$RECORDS")
    mb=$(awk -v b="$(stat -c %s "$bexport")" 'BEGIN { printf "%.0f", b / 1e6 }')
    config=$BENCH_DIR/engine-config.json
    "$LIT" engine-config --shards "$SHARDS" --replicas "$REPLICAS" >"$config"
    bulk=$BENCH_DIR/bulk-$RECORDS
    rm -rf "$bulk" "$bulk.tmp"  # this run's documents (first_seen is the ingest's time), not an earlier run's
    lit_best= curl_best= lit_all= curl_all= lit_cpu=

    # Every round writes into the alias bench-a, whose generations (bench-a-<ms>) are deleted
    # after it; its lock index bench-a-lock stays, made once by the warm-up below, as a user's
    # later ingests find theirs.
    drop_gens() { os DELETE "/bench-a-1*?expand_wildcards=all" >/dev/null; }
    drop_alias bench-a
    log "warm-up (not timed): litsearch ingest of 1000 records (the JVMs' JIT, the lock index)"
    "$LIT" --quiet ingest --engine "opensearch+$BASE/bench-a" --shards "$SHARDS" --replicas "$REPLICAS" "$(export_of 1000)" >/dev/null
    drop_gens

    run_litsearch() {
        local r=$1 t0 t1
        drop_gens
        log "round $r: litsearch ingest of $RECORDS records"
        t0=$(now)
        /usr/bin/time -f "%U %S" -o "$BENCH_DIR/ingest-$r.cpu" \
            "$LIT" --quiet ingest --engine "opensearch+$BASE/bench-a" --shards "$SHARDS" --replicas "$REPLICAS" --json "$bexport" >"$BENCH_DIR/ingest-$r.json"
        t1=$(now)
        local s cpu
        s=$(seconds "$t0" "$t1")
        # litsearch's own CPU time (user + sys): what its serial parsing, serialising and
        # reply parsing can add to the wall time at most
        cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$BENCH_DIR/ingest-$r.cpu")
        log "round $r: litsearch $s s (its CPU: $cpu s)"
        [ -n "$lit_best" ] && [ "$(min "$lit_best" "$s")" = "$lit_best" ] || lit_cpu=$cpu
        lit_best=$(min "$lit_best" "$s")
        lit_all="$lit_all $s"
        if [ ! -d "$bulk" ]; then
            log "reading back the documents litsearch sent, cutting them into _bulk files"
            local index
            index=$(os GET "/_alias/bench-a" | python3 -c 'import json,sys; print(next(iter(json.load(sys.stdin))))')
            python3 "$HELPER" readback "$BASE" "$index" "$BENCH_DIR/docs.tsv" >/dev/null
            python3 "$HELPER" batches "$BENCH_DIR/docs.tsv" bench-b "$bulk.tmp" >/dev/null
            rm -f "$BENCH_DIR/docs.tsv"
            mv "$bulk.tmp" "$bulk"
        fi
        drop_gens
    }

    run_curl() {
        local r=$1 t0 t1 f s
        drop_index bench-b
        {
            for f in "$bulk"/*.ndjson; do
                printf 'url = "%s/_bulk"\nfail-with-body\nrequest = "POST"\nheader = "Content-Type: application/x-ndjson"\ndata-binary = "@%s"\nnext\n' "$BASE" "$f"
            done
            printf 'url = "%s/bench-b/_refresh"\nfail-with-body\nrequest = "POST"\nnext\n' "$BASE"
            printf 'url = "%s/_cluster/health/bench-b?wait_for_status=yellow&timeout=60s"\nfail-with-body\n' "$BASE"
        } >"$BENCH_DIR/bulk.curl"
        log "round $r: curl _bulk of the same documents ($(find "$bulk" -name '*.ndjson' | wc -l) requests)"
        t0=$(now)
        curl -sS --fail-with-body -X PUT "$BASE/bench-b" -H 'Content-Type: application/json' --data-binary "@$config" >/dev/null
        curl -sS --fail-with-body -K "$BENCH_DIR/bulk.curl" | grep -ao '"errors":[a-z]*' | sort | uniq -c >"$BENCH_DIR/bulk-errors.txt"
        t1=$(now)
        s=$(seconds "$t0" "$t1")
        if grep -q true "$BENCH_DIR/bulk-errors.txt"; then echo "curl's _bulk had errors" >&2; exit 1; fi
        local n
        n=$(os GET /bench-b/_count | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
        [ "$n" = "$RECORDS" ] || { echo "bench-b holds $n documents, not $RECORDS" >&2; exit 1; }
        log "round $r: curl $s s"
        curl_best=$(min "$curl_best" "$s")
        curl_all="$curl_all $s"
        drop_index bench-b
    }

    for r in $(seq 1 "$ROUNDS"); do
        # the first round must be litsearch's (it makes the files); then they take turns first
        if [ $((r % 2)) = 1 ]; then run_litsearch "$r"; run_curl "$r"; else run_curl "$r"; run_litsearch "$r"; fi
    done
    BULK_TABLE="| $RECORDS | $mb | $SHARDS×$((REPLICAS + 1)) | $lit_best | $lit_cpu | $curl_best | $(ratio "$lit_best" "$curl_best") | $(awk -v n="$RECORDS" -v s="$lit_best" 'BEGIN { printf "%.0f", n / s }') | $(awk -v n="$RECORDS" -v s="$curl_best" 'BEGIN { printf "%.0f", n / s }') |"
    BULK_ROUNDS="litsearch:$lit_all; curl:$curl_all"
fi

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
echo
HEAPS=$(os GET "/_cat/nodes?h=heap.max" | sort -u | tr -d ' ' | paste -sd/)
echo "litsearch $COMMIT on a 3-node OpenSearch 2.19 cluster (heap $HEAPS per node), $(nproc) cores, load average $LOAD_START at the start, $LOAD_END at the end"
if [ -n "$BULK_TABLE" ]; then
    echo
    echo "Bulk ingest (wall seconds, best of $ROUNDS; every round: $BULK_ROUNDS)"
    echo
    echo "| records | export MB | shards×copies | litsearch ingest s | its CPU s | curl _bulk s | litsearch ÷ curl | litsearch docs/s | curl docs/s |"
    echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|"
    echo "$BULK_TABLE"
fi
if [ -n "$QUERY_TABLE" ]; then
    echo
    echo "Whole-process queries at $QUERY_RECORDS records (hyperfine -N median ms, --warmup 3 --runs $RUNS)${VERIFIED:+; bulk method: $VERIFIED}"
    echo
    echo "| query | litsearch arguments | matches | requests | litsearch | curl, same requests | curl, search only | ÷ same requests | ÷ search only |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
    echo "$QUERY_TABLE"
fi
