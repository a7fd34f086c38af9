#!/usr/bin/env bash
# `litsearch serve` under load, in ONE run: requests per second and p50/p99 latency (wrk, loopback,
# a fixed duration per query) for a rare word, two common words and a filtered query; beside
# tantivy-cli's own `serve` on the same records, and beside the same queries run as
# `litsearch query` processes. Ratios are litsearch serve ÷ peer (higher is better). Two servers
# run: as installed (wrk repeats one request, so the answer cache serves all but the first) and
# with `--cache 0` (every request searched); the ratios give both, the latter in parentheses.
#
#   benches/serve.sh                                   # 100,000 records, 10 s per query
#   RECORDS=20000 DURATION=5 benches/serve.sh          # a quicker run
#   RECORDS=300 DURATION=1 PEERS=0 PROFILE=dev benches/serve.sh   # the smoke run of .ci/run
#
# Needs wrk (apt-get install -y wrk); with PEERS=1 (the default) installs tantivy-cli when
# missing (cargo install, a few minutes). Data goes to $BENCH_DIR (default
# /tmp/litsearch-serve-bench), never into the repository. Any error or non-2xx response fails.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
RECORDS=${RECORDS:-100000}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
PEERS=${PEERS:-1}
PROFILE=${PROFILE:-release}
SEED=${SEED:-1}
BENCH_DIR=${BENCH_DIR:-/tmp/litsearch-serve-bench}
log() { printf '[serve-bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
if [ "$PEERS" = 1 ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
    if ! command -v tantivy >/dev/null; then
        log "installing tantivy-cli (cargo install, a few minutes)"
        cargo install tantivy-cli >&2
    fi
fi

log "building litsearch and the generator ($PROFILE)"
if [ "$PROFILE" = release ]; then
    cargo build --release --quiet --bin litsearch --example gen-corpus
    BIN=${CARGO_TARGET_DIR:-$REPO/target}/release
else
    cargo build --quiet --bin litsearch --example gen-corpus
    BIN=${CARGO_TARGET_DIR:-$REPO/target}/debug
fi
d=$BENCH_DIR/$RECORDS
mkdir -p "$d/bin"
cp "$BIN/litsearch" "$BIN/examples/gen-corpus" "$d/bin/"
LIT=$d/bin/litsearch

if [ ! -s "$d/export.txt" ] || [ "$(cat "$d/export.seed" 2>/dev/null)" != "$SEED" ]; then
    log "generating $RECORDS records"
    "$d/bin/gen-corpus" --records "$RECORDS" --seed "$SEED" >"$d/export.txt"
    echo "$SEED" >"$d/export.seed"
fi
log "ingesting"
"$LIT" --quiet --index "$d/index" ingest --rebuild "$d/export.txt"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Starts `litsearch serve EXTRA…` logging to $d/serve-NAME.log; sets `served` to its port.
# (Not run in $(…): the server would hold the substitution's pipe open, and its pid be lost.)
start_serve() {
    local log=$d/serve-$1.log
    shift
    "$LIT" --quiet --index "$d/index" serve --bind 127.0.0.1:0 "$@" >/dev/null 2>"$log" &
    pids+=($!)
    served=""
    for _ in $(seq 1 300); do
        served=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log")
        [ -n "$served" ] && break
        sleep 0.1
    done
    [ -n "$served" ] || { echo "litsearch serve did not start:" >&2; cat "$log" >&2; exit 1; }
}
# As installed (a repeated search answered from the cache), and searching every request.
start_serve cached
port=$served
start_serve cold --cache 0
cold_port=$served

tport=""
if [ "$PEERS" = 1 ]; then
    if [ ! -d "$d/tantivy-index" ]; then
        log "tantivy-cli index of the same records"
        "$LIT" parse "$d/export.txt" >"$d/records.jsonl" 2>/dev/null || true
        python3 "$REPO/benches/peers.py" tantivy-docs "$d/records.jsonl" >"$d/tantivy-docs.json"
        python3 "$REPO/benches/peers.py" tantivy-meta "$d/tantivy-index"
        tantivy index -i "$d/tantivy-index" -t "$THREADS" -f "$d/tantivy-docs.json" >/dev/null
    fi
    tport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    tantivy serve -i "$d/tantivy-index" --host 127.0.0.1 -p "$tport" >"$d/tantivy-serve.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 300); do
        curl -fs "http://127.0.0.1:$tport/api/?q=model&nhits=1" >/dev/null 2>&1 && break
        sleep 0.1
    done
fi

# name | /api/search parameters | `litsearch query` arguments | tantivy-cli query
QUERIES=$(cat <<'EOF2'
rare-word|q=quill|quill|quill
two-common|q=language+models|language models|+language +models
filtered|q=deception&tag=Interpretability|deception --tag Interpretability|+tags:interpretability +deception
EOF2
)

# "Requests/sec p50 p99" of one wrk run; fails on any socket error or non-2xx answer.
measure() {
    local out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency "$1")
    if grep -qE 'Socket errors|Non-2xx' <<<"$out"; then
        echo "errors under load for $1:" >&2
        echo "$out" >&2
        exit 1
    fi
    awk '/Requests\/sec/ { r = $2 } $1 == "50%" { p50 = $2 } $1 == "99%" { p99 = $2 }
         END { printf "%s %s %s\n", r, p50, p99 }' <<<"$out"
}

# Queries per second of `litsearch query` processes, $THREADS at a time, for $DURATION seconds.
processes() {
    local name=$1
    shift
    local end=$(($(date +%s) + DURATION))
    local i
    for i in $(seq 1 "$THREADS"); do
        (
            n=0
            while [ "$(date +%s)" -lt "$end" ]; do
                "$LIT" --index "$d/index" query --json "$@" >/dev/null || true
                n=$((n + 1))
            done
            echo "$n" >"$d/processes.$name.$i"
        ) &
    done
    wait
    cat "$d"/processes."$name".* | awk -v s="$DURATION" '{ n += $1 } END { printf "%.1f\n", n / s }'
    rm -f "$d"/processes."$name".*
}

# The 1-minute load average now: other work on the machine shows in every number here.
loads=()
sample_load() { loads+=("$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo '?')"); }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "–" }'; }

echo
echo "litsearch serve, $RECORDS records, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s on loopback ($(git rev-parse --short HEAD 2>/dev/null || echo unknown))"
echo
echo "| query | serve req/s | p50 | p99 | serve --cache 0 req/s | p50 | p99 | tantivy-cli serve req/s | p50 | p99 | \`query\` processes/s | serve ÷ tantivy-cli (--cache 0) | serve ÷ processes (--cache 0) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
while IFS='|' read -r name params args tq; do
    [ -n "$name" ] || continue
    sample_load
    log "$name: litsearch serve"
    read -r rps p50 p99 <<<"$(measure "http://127.0.0.1:$port/api/search?$params")"
    sample_load
    log "$name: litsearch serve --cache 0"
    read -r crps cp50 cp99 <<<"$(measure "http://127.0.0.1:$cold_port/api/search?$params")"
    trps="" tp50="–" tp99="–"
    if [ -n "$tport" ]; then
        sample_load
        log "$name: tantivy-cli serve"
        tq_enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$tq")
        read -r trps tp50 tp99 <<<"$(measure "http://127.0.0.1:$tport/api/?q=$tq_enc&nhits=10")"
    fi
    sample_load
    log "$name: litsearch query processes"
    # shellcheck disable=SC2086
    pps=$(eval "processes $name $args")
    echo "| $name | $rps | $p50 | $p99 | $crps | $cp50 | $cp99 | ${trps:-–} | $tp50 | $tp99 | $pps | $(ratio "$rps" "${trps:-0}") ($(ratio "$crps" "${trps:-0}")) | $(ratio "$rps" "$pps") ($(ratio "$crps" "$pps")) |"
done <<<"$QUERIES"
sample_load
echo
echo "1-minute load average before each measurement and at the end ($(nproc 2>/dev/null || echo '?') CPUs): ${loads[*]}"
