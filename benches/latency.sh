#!/usr/bin/env bash
# Whole-process query latency against a bare engine, in ONE run (issue 17, point 3):
# `litsearch query --json --limit 10` (snippets, relaxation and the four default facets) beside
# `tantivy bench -n 1` (open the index, parse, top 10 + count, fetch the 10 stored documents)
# on the same records, per query and as a geometric mean of the ratios; and the typo query
# beside litsearch's own query for the corrected word.
#
#   benches/latency.sh                         # 100,000 records
#   benches/latency.sh 100000 1000000          # both sizes of the target
#   RUNS=5 benches/latency.sh 20000            # quicker
#
# Needs hyperfine (apt) and tantivy-cli (`cargo install tantivy-cli`); installs them when
# missing. Data goes to $BENCH_DIR (default /tmp/litsearch-bench, shared with compare.sh, whose
# exports and indexes are reused when present), never into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000)
BENCH_DIR=${BENCH_DIR:-/tmp/litsearch-bench}
RUNS=${RUNS:-15}
SEED=${SEED:-1}
THREADS=${THREADS:-2}
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
mkdir -p "$BENCH_DIR"
log() { printf '[latency %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v hyperfine >/dev/null; then
    log "installing hyperfine (apt)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null
fi
if ! command -v tantivy >/dev/null; then
    log "installing tantivy-cli (cargo install, a few minutes)"
    cargo install tantivy-cli >&2
fi
TANTIVY=$(command -v tantivy)

COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
log "building litsearch $COMMIT and the generator (release)"
cargo build --release --quiet --bin litsearch --example gen-corpus
mkdir -p "$BENCH_DIR/bin"
cp "$TARGET_DIR/release/litsearch" "$TARGET_DIR/release/examples/gen-corpus" "$BENCH_DIR/bin/"
LITSEARCH=$BENCH_DIR/bin/litsearch
GEN=$BENCH_DIR/bin/gen-corpus

# name | litsearch query arguments (shell) | tantivy-cli query (one line of its query file).
# The nine of the issue: two common words, a rare pair, a phrase, a rare word, a very common
# word, a stop word, an author phrase, three words.
QUERIES=$(cat <<'EOF'
two-common|language models|+language +models
rare-pair|quill sycophancy|+quill +sycophancy
phrase|'"steering vector"'|"steering vector"
rare-word|quill|quill
very-common|models|models
stop-word|the|the
author|'author:"Neel Nanda"'|authors:"neel nanda"
three-words|sparse autoencoders features|+sparse +autoencoders +features
mid-word|sycophancy|sycophancy
EOF
)
quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

prepare() {
    local n=$1 d=$BENCH_DIR/$1
    mkdir -p "$d"
    if [ ! -s "$d/export.txt" ] || [ "$(cat "$d/export.seed" 2>/dev/null)" != "$SEED" ]; then
        log "$n: generating the export"
        "$GEN" --records "$n" --seed "$SEED" >"$d/export.txt"
        echo "$SEED" >"$d/export.seed"
        rm -rf "$d/litsearch-index" "$d/tantivy-index"
    fi
    # Always rebuilt: the index format follows the binary under test.
    log "$n: litsearch ingest --rebuild"
    "$LITSEARCH" --quiet --index "$d/litsearch-index" ingest --rebuild "$d/export.txt" >/dev/null
    # tantivy-cli writes meta.json pretty-printed: "segments" and its first "{" on two lines.
    if ! python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["segments"] else 1)' \
        "$d/tantivy-index/meta.json" 2>/dev/null; then
        log "$n: tantivy-cli index"
        "$LITSEARCH" parse "$d/export.txt" >"$d/records.jsonl" 2>/dev/null || true
        python3 benches/peers.py tantivy-docs "$d/records.jsonl" >"$d/tantivy-docs.json"
        rm -rf "$d/tantivy-index"
        python3 benches/peers.py tantivy-meta "$d/tantivy-index"
        "$TANTIVY" index -i "$d/tantivy-index" -t "$THREADS" -f "$d/tantivy-docs.json" >/dev/null
    fi
}

run_size() {
    local n=$1 d=$BENCH_DIR/$1 i=0
    prepare "$n"
    rm -f "$d"/latency-*.json
    while IFS='|' read -r name lq tq; do
        i=$((i + 1))
        printf '%s\n' "$tq" >"$d/latency-$name.query"
        log "$n: $name"
        hyperfine -N --style none --warmup 3 --runs "$RUNS" --ignore-failure \
            --export-json "$d/latency-$(printf %02d $i)-$name.json" \
            -n litsearch "$(quote "$LITSEARCH") --index $(quote "$d/litsearch-index") query --json --limit 10 $lq" \
            -n tantivy "$(quote "$TANTIVY") bench -n 1 -i $(quote "$d/tantivy-index") -q $(quote "$d/latency-$name.query")" \
            >/dev/null
    done <<<"$QUERIES"
    log "$n: typo against the corrected word"
    hyperfine -N --style none --warmup 3 --runs "$RUNS" --ignore-failure \
        --export-json "$d/latency-typo.json" \
        -n typo "$(quote "$LITSEARCH") --index $(quote "$d/litsearch-index") query --json --limit 10 interpretabilty" \
        -n corrected "$(quote "$LITSEARCH") --index $(quote "$d/litsearch-index") query --json --limit 10 interpretability" \
        >/dev/null
}

for n in "${SIZES[@]}"; do
    run_size "$n"
done
echo "## latency.sh run $(date -u +%Y-%m-%dT%H:%M:%SZ), litsearch $COMMIT, RUNS=$RUNS, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
python3 - "$BENCH_DIR" "${SIZES[@]}" <<'EOF'
import glob, json, math, os, sys
base, sizes = sys.argv[1], sys.argv[2:]
def medians(path):
    return {r["command"]: r["median"] * 1000 for r in json.load(open(path))["results"]}
for n in sizes:
    d = os.path.join(base, n)
    print(f"**{int(n):,} records** (hyperfine medians, ms)\n")
    print("| query | litsearch | tantivy bench -n 1 | ÷ |")
    print("|---|---:|---:|---:|")
    ratios = []
    for f in sorted(glob.glob(os.path.join(d, "latency-[0-9][0-9]-*.json"))):
        m = medians(f)
        name = os.path.basename(f)[len("latency-00-"):-len(".json")]
        r = m["litsearch"] / m["tantivy"]
        ratios.append(r)
        print(f"| {name} | {m['litsearch']:.2f} | {m['tantivy']:.2f} | {r:.2f}× |")
    gm = math.exp(sum(map(math.log, ratios)) / len(ratios))
    print(f"| **geometric mean** | | | **{gm:.2f}×** |\n")
    m = medians(os.path.join(d, "latency-typo.json"))
    print(f"Typo `interpretabilty` {m['typo']:.1f} ms against `interpretability` "
          f"{m['corrected']:.1f} ms: **{m['typo'] / m['corrected']:.2f}×**\n")
EOF
