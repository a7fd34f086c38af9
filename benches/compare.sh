#!/usr/bin/env bash
# litsearch side by side with tantivy-cli, SQLite FTS5 (through Python) and ripgrep, in ONE run:
# the same generated records at each size; ingest wall time, docs/s, peak RSS, index size, and
# whole-process query latency (hyperfine medians) with ratios litsearch ÷ peer.
#
#   benches/compare.sh                      # 10k, 100k and 1M records
#   benches/compare.sh 10000                # a quick run
#   BENCH_DIR=/tmp/lb RUNS=20 benches/compare.sh 100000 1000000
#   REUSE_INDEXES=1 benches/compare.sh 1000000   # queries only, on the last run's indexes
#   INGEST_ROUNDS=3 benches/compare.sh 1000000     # ingests taking turns 3 times (default 2)
#
# Installs its peers itself when missing (apt: hyperfine ripgrep time sqlite3 python3;
# cargo: tantivy-cli), so it runs on a bare machine. Generated data goes to $BENCH_DIR
# (default /tmp/litsearch-bench), never into the repository; exports are reused when present.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000 1000000)
BENCH_DIR=${BENCH_DIR:-/tmp/litsearch-bench}
RUNS=${RUNS:-10}
INGEST_ROUNDS=${INGEST_ROUNDS:-2}
THREADS=${THREADS:-2}
SEED=${SEED:-1}
mkdir -p "$BENCH_DIR"
log() { printf '[compare %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# --- peers -----------------------------------------------------------------------------------
install_peers() {
    local missing=()
    command -v hyperfine >/dev/null || missing+=(hyperfine)
    command -v rg >/dev/null || missing+=(ripgrep)
    [ -x /usr/bin/time ] || missing+=(time)
    command -v python3 >/dev/null || missing+=(python3)
    command -v sqlite3 >/dev/null || missing+=(sqlite3)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        local sudo=""
        [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    python3 -c 'import sqlite3; sqlite3.connect(":memory:").execute("create virtual table t using fts5(a)")' \
        || { echo "python3's sqlite3 lacks FTS5" >&2; exit 2; }
    export PATH="$HOME/.cargo/bin:$PATH"
    if ! command -v tantivy >/dev/null; then
        log "installing tantivy-cli (cargo install, a few minutes)"
        # Its lock file pins a dependency that no longer builds on current Rust: resolve afresh.
        cargo install tantivy-cli >&2
    fi
}

install_peers
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
log "building litsearch $COMMIT and the generator (release)"
cargo build --release --quiet --bin litsearch --example gen-corpus
# Copies, so that a rebuild during a long run cannot swap the binary under it.
mkdir -p "$BENCH_DIR/bin"
cp "$REPO/target/release/litsearch" "$REPO/target/release/examples/gen-corpus" "$BENCH_DIR/bin/"
LITSEARCH=$BENCH_DIR/bin/litsearch
GEN=$BENCH_DIR/bin/gen-corpus
TANTIVY=$(command -v tantivy)
PEERS_PY=$REPO/benches/peers.py
FTS5_QUERY=$REPO/benches/fts5_query.py
TIMEV=(/usr/bin/time -v)

# --- queries ---------------------------------------------------------------------------------
# name | litsearch arguments (shell) | tantivy-cli query (raw) | FTS5 MATCH (raw) | rg arguments (shell).
# rg has no ranking or fields: it counts matching lines, the floor of "search without an index".
QUERIES=$(cat <<'EOF'
two-common|language models|+language +models|language models|-c -i 'language.*models'
two-common-b|sparse autoencoders|+sparse +autoencoders|sparse autoencoders|-c -i 'sparse.*autoencoders'
three-words|sparse autoencoders features|+sparse +autoencoders +features|sparse autoencoders features|-c -i 'sparse.*autoencoders.*features'
rare-word|quill|quill|quill|-c -i quill
mid-word|sycophancy|sycophancy|sycophancy|-c -i sycophancy
very-common|models|models|models|-c -i models
phrase|'"steering vector"'|"steering vector"|"steering vector"|-c -i 'steering vector'
author|'author:"Neel Nanda"'|authors:"neel nanda"|authors:"neel nanda"|-c 'Neel Nanda'
tag-filter|--tag Interpretability deception|+tags:interpretability +deception|tags:interpretability AND deception|-c -x Interpretability
or|sycophancy OR jailbreak|sycophancy jailbreak|sycophancy OR jailbreak|-c -i -e sycophancy -e jailbreak
not|-- deception -sycophancy|+deception -sycophancy|deception NOT sycophancy|-c -i deception
typo|interpretabilty|interpretabilty|interpretabilty|-c -i interpretabilty
EOF
)

quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# Wall-clock seconds from a `time -v` report.
wall_seconds() {
    awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + p[i]
        print s
    }' "$1"
}

# Copies the fastest of the reports PREFIX.1, PREFIX.2, ... to PREFIX.
fastest_round() {
    local best="" best_s="" f s
    for f in "$1".*; do
        s=$(wall_seconds "$f")
        if [ -z "$best" ] || awk -v a="$s" -v b="$best_s" 'BEGIN { exit !(a < b) }'; then
            best=$f best_s=$s
        fi
    done
    cp "$best" "$1"
}

# --- one size --------------------------------------------------------------------------------
run_size() {
    local n=$1 d=$BENCH_DIR/$1
    mkdir -p "$d"
    if [ ! -s "$d/export.txt" ] || [ "$(cat "$d/export.seed" 2>/dev/null)" != "$SEED" ]; then
        log "$n: generating the export"
        "$GEN" --records "$n" --seed "$SEED" >"$d/export.txt"
        echo "$SEED" >"$d/export.seed"
    fi
    if [ "${REUSE_INDEXES:-0}" = 1 ] && [ -s "$d/info.json" ] && [ -d "$d/litsearch-index" ] \
        && [ -d "$d/tantivy-index" ] && [ -s "$d/fts5.db" ]; then
        # Queries only: the indexes and ingest measurements of the previous run at this size
        # (same export, same schema) are kept.
        log "$n: reusing the previous run's indexes and ingest results (REUSE_INDEXES=1)"
    else
        log "$n: records for the peers (litsearch parse → JSON)"
        "$LITSEARCH" parse "$d/export.txt" >"$d/records.jsonl" 2>"$d/parse.log" || true
        python3 "$PEERS_PY" tantivy-docs "$d/records.jsonl" >"$d/tantivy-docs.json"
        local records
        records=$(wc -l <"$d/records.jsonl")

        # litsearch and tantivy-cli take turns, INGEST_ROUNDS times; each keeps its fastest
        # round (the one least slowed by the rest of a shared machine). All rounds are listed
        # in ingest-rounds.txt.
        : >"$d/ingest-rounds.txt"
        local round
        for round in $(seq "$INGEST_ROUNDS"); do
            log "$n: ingest litsearch (round $round of $INGEST_ROUNDS)"
            rm -rf "$d/litsearch-index"
            "${TIMEV[@]}" -o "$d/ingest-litsearch.time.$round" \
                "$LITSEARCH" --quiet --index "$d/litsearch-index" ingest "$d/export.txt" >/dev/null
            log "$n: ingest tantivy-cli ($THREADS threads, round $round of $INGEST_ROUNDS)"
            rm -rf "$d/tantivy-index"
            python3 "$PEERS_PY" tantivy-meta "$d/tantivy-index"
            "${TIMEV[@]}" -o "$d/ingest-tantivy.time.$round" \
                "$TANTIVY" index -i "$d/tantivy-index" -t "$THREADS" -f "$d/tantivy-docs.json" >/dev/null
            echo "round $round: litsearch $(wall_seconds "$d/ingest-litsearch.time.$round") s," \
                "tantivy-cli $(wall_seconds "$d/ingest-tantivy.time.$round") s" >>"$d/ingest-rounds.txt"
        done
        fastest_round "$d/ingest-litsearch.time"
        fastest_round "$d/ingest-tantivy.time"
        log "$n: ingest SQLite FTS5"
        "${TIMEV[@]}" -o "$d/ingest-fts5.time" \
            python3 "$PEERS_PY" fts5-build "$d/fts5.db" "$d/records.jsonl"

        cat >"$d/info.json" <<EOF
    {"records": $records, "export_bytes": $(stat -c %s "$d/export.txt"),
     "litsearch_bytes": $(du -sb "$d/litsearch-index" | cut -f1),
     "tantivy_bytes": $(du -sb "$d/tantivy-index" | cut -f1),
     "fts5_bytes": $(stat -c %s "$d/fts5.db")}
EOF
    fi

    rm -f "$d"/query-*.json
    local i=0
    while IFS='|' read -r name lq tq fq rq; do
        i=$((i + 1))
        log "$n: query $name"
        hyperfine --style none --warmup 2 --runs "$RUNS" --ignore-failure \
            --export-json "$d/query-$(printf %02d $i)-$name.json" \
            -n litsearch "$(quote "$LITSEARCH") --index $(quote "$d/litsearch-index") query $lq" \
            -n tantivy "$(quote "$TANTIVY") search -i $(quote "$d/tantivy-index") -q $(quote "$tq") | head -n 10" \
            -n fts5 "python3 $(quote "$FTS5_QUERY") $(quote "$d/fts5.db") $(quote "$fq")" \
            -n rg "rg $rq $(quote "$d/export.txt")" >/dev/null
    done <<<"$QUERIES"
}

for n in "${SIZES[@]}"; do
    run_size "$n"
done
{
    echo "## compare.sh run $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "\`benches/compare.sh ${SIZES[*]}\` (RUNS=$RUNS, INGEST_ROUNDS=$INGEST_ROUNDS, THREADS=$THREADS, seed $SEED) on $(nproc) cores; litsearch $COMMIT"
    echo
    python3 "$PEERS_PY" report "$BENCH_DIR" "${SIZES[@]}"
    echo
    echo "Ingest rounds (litsearch and tantivy-cli taking turns; the tables show each one's fastest):"
    echo
    for n in "${SIZES[@]}"; do
        sed "s/^/- $n records, /" "$BENCH_DIR/$n/ingest-rounds.txt" 2>/dev/null || true
    done
} | tee "$BENCH_DIR/report.md"
