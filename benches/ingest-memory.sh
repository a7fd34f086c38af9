#!/usr/bin/env bash
# Ingest's wall time, CPU time and peak RSS (issue 31), for the three syncs cron meets: a
# rebuild, an incremental sync that rewrites every record (the same export under another name:
# every record moved), and a no-change re-ingest. With MAX_RSS_MB set, exits 1 when any of
# them peaks above it: CI runs it on 20,000 records so that a change that makes ingest hungrier
# fails there, not in a user's cron job (a memory cap is deterministic enough to test; times
# are only reported).
#
#   benches/ingest-memory.sh                          # 100,000 records, release build
#   RECORDS=1000000 benches/ingest-memory.sh
#   RECORDS=100000 MAX_RSS_MB=300 PROFILE=dev benches/ingest-memory.sh   # the CI check
#   PEER=1 ROUNDS=2 benches/ingest-memory.sh          # and tantivy-cli's `index`, taking turns
#
# Output: one line per sync, `sync records wall_s cpu_s peak_rss_mb`, tab-separated, after a
# header. With PEER=1, each round is a litsearch rebuild (parsing included) and tantivy-cli
# indexing the same records (`litsearch parse` → its JSON, schema in benches/peers.py, 2
# threads, its default budget), then the ratio of the fastest rounds. Data goes to $BENCH_DIR
# (a temporary directory unless given), never the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${RECORDS:-100000}
SEED=${SEED:-3}
PROFILE=${PROFILE:-release}
MAX_RSS_MB=${MAX_RSS_MB:-}
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
log() { printf '[ingest-memory %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

if [ ! -x /usr/bin/time ]; then
    echo "ingest-memory: needs GNU time for peak RSS: apt-get install time" >&2
    exit 1
fi
case $PROFILE in
    release) cargo build --locked --release --quiet --bin litsearch --example gen-corpus; dir=release ;;
    dev) cargo build --locked --quiet --bin litsearch --example gen-corpus; dir=debug ;;
    *) echo "ingest-memory: PROFILE is release or dev, not $PROFILE" >&2; exit 2 ;;
esac
LITSEARCH=$TARGET_DIR/$dir/litsearch
GEN=$TARGET_DIR/$dir/examples/gen-corpus

own_dir=
if [ -z "${BENCH_DIR:-}" ]; then
    BENCH_DIR=$(mktemp -d)
    own_dir=$BENCH_DIR
fi
trap '[ -n "$own_dir" ] && rm -rf "$own_dir"' EXIT
d=$BENCH_DIR/ingest-memory-$RECORDS
mkdir -p "$d"
if [ ! -s "$d/a.txt" ]; then
    log "generating $RECORDS records (seed $SEED)"
    "$GEN" --records "$RECORDS" --seed "$SEED" >"$d/a.txt"
fi
# The same bytes under another name: every record's source changes, so every one is rewritten.
cp "$d/a.txt" "$d/b.txt"

over=0
printf 'sync\trecords\twall_s\tcpu_s\tpeak_rss_mb\n'
measure() {
    local name=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$d/time" "$LITSEARCH" --quiet --index "$d/index" ingest "$@" >/dev/null
    read -r wall user sys rss_kb <"$d/time"
    local rss_mb=$((rss_kb / 1024))
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$RECORDS" "$wall" \
        "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" "$rss_mb"
    if [ -n "$MAX_RSS_MB" ] && [ "$rss_mb" -gt "$MAX_RSS_MB" ]; then
        echo "ingest-memory: $name of $RECORDS records peaked at $rss_mb MB, over the $MAX_RSS_MB MB budget" >&2
        over=1
    fi
}
rm -rf "$d/index"
measure rebuild --rebuild "$d/a.txt"
measure every-record-moved "$d/b.txt"
measure no-change "$d/b.txt"

if [ "${PEER:-0}" = 1 ]; then
    TANTIVY=$(command -v tantivy || true)
    if [ -z "$TANTIVY" ]; then
        echo "ingest-memory: PEER=1 needs tantivy-cli: cargo install tantivy-cli" >&2
        exit 1
    fi
    if [ ! -s "$d/tantivy-docs.json" ]; then
        "$LITSEARCH" parse "$d/a.txt" >"$d/records.jsonl" 2>/dev/null || true
        python3 benches/peers.py tantivy-docs "$d/records.jsonl" >"$d/tantivy-docs.json"
    fi
    best_ls= best_tv=
    for round in $(seq "${ROUNDS:-2}"); do
        rm -rf "$d/index"
        measure "rebuild-round-$round" --rebuild "$d/a.txt"
        ls_wall=$(cut -d' ' -f1 "$d/time")
        rm -rf "$d/tantivy-index"
        python3 benches/peers.py tantivy-meta "$d/tantivy-index"
        /usr/bin/time -f '%e %U %S %M' -o "$d/time" "$TANTIVY" index -i "$d/tantivy-index" -t 2 \
            -f "$d/tantivy-docs.json" >/dev/null 2>&1
        read -r wall user sys rss_kb <"$d/time"
        printf 'tantivy-cli-round-%s\t%s\t%s\t%s\t%s\n' "$round" "$RECORDS" "$wall" \
            "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" "$((rss_kb / 1024))"
        best_ls=$(awk -v a="$ls_wall" -v b="${best_ls:-1e9}" 'BEGIN { print (a < b) ? a : b }')
        best_tv=$(awk -v a="$wall" -v b="${best_tv:-1e9}" 'BEGIN { print (a < b) ? a : b }')
    done
    awk -v a="$best_ls" -v b="$best_tv" \
        'BEGIN { printf "fastest rebuild: litsearch %s s, tantivy-cli %s s: %.2fx\n", a, b, a / b }'
    printf 'index bytes: litsearch %s, tantivy-cli %s, export %s\n' \
        "$(du -sb "$d/index" | cut -f1)" "$(du -sb "$d/tantivy-index" | cut -f1)" \
        "$(stat -L -c %s "$d/a.txt")"
fi
exit "$over"
