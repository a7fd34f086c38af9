#!/usr/bin/env bash
# The bibliography round trip's speed (issue 30, part 5): `export --format bibtex` of every
# record and of a 1,000-key `--aux` selection, beside `pandoc -f csljson -t bibtex` on the same
# records (litsearch's own CSL-JSON export), and BibTeX ingest's records per second beside the
# page export's (the same generated papers, `gen-corpus --format bibtex` and its default).
#
#   benches/bibtex-export.sh                     # 100,000 records, release build
#   RECORDS=2000 PROFILE=dev benches/bibtex-export.sh   # a smoke run
#
# Output: one line per run, `what records seconds`, tab-separated, then the ratios. Data goes
# to $BENCH_DIR (a temporary directory unless given), never the repository. Needs pandoc
# (Debian's) for the peer; PEER=0 leaves it out.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${RECORDS:-100000}
SEED=${SEED:-3}
PROFILE=${PROFILE:-release}
PEER=${PEER:-1}
TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
log() { printf '[bibtex-export %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
case $PROFILE in
    release) cargo build --locked --release --quiet --bin litsearch --example gen-corpus; dir=release ;;
    dev) cargo build --locked --quiet --bin litsearch --example gen-corpus; dir=debug ;;
    *) echo "bibtex-export: PROFILE is release or dev, not $PROFILE" >&2; exit 2 ;;
esac
LITSEARCH=$TARGET_DIR/$dir/litsearch
GEN=$TARGET_DIR/$dir/examples/gen-corpus
if [ "$PEER" != 0 ] && ! command -v pandoc >/dev/null; then
    echo "bibtex-export: the peer is pandoc: apt-get install pandoc (or PEER=0)" >&2
    exit 1
fi
own_dir=
if [ -z "${BENCH_DIR:-}" ]; then
    BENCH_DIR=$(mktemp -d)
    own_dir=$BENCH_DIR
fi
trap '[ -n "$own_dir" ] && rm -rf "$own_dir"' EXIT
d=$BENCH_DIR/bibtex-export-$RECORDS
mkdir -p "$d/page" "$d/bib"
log "generating $RECORDS records (seed $SEED) as a page export and as BibTeX"
"$GEN" --records "$RECORDS" --seed "$SEED" >"$d/page/a.txt"
"$GEN" --records "$RECORDS" --seed "$SEED" --format bibtex >"$d/bib/a.bib"

seconds() { # the wall seconds of a command, its stdout to $OUT
    local start end
    start=$(date +%s.%N)
    "$@" >"${OUT:-/dev/null}"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}
printf 'what\trecords\tseconds\n'
page_ingest=$(seconds "$LITSEARCH" --quiet --index "$d/ix-page" ingest "$d/page")
printf 'ingest page export\t%s\t%s\n' "$RECORDS" "$page_ingest"
bib_ingest=$(seconds "$LITSEARCH" --quiet --index "$d/ix-bib" ingest "$d/bib")
printf 'ingest BibTeX\t%s\t%s\n' "$RECORDS" "$bib_ingest"
ix=$d/ix-page
export_all=$(OUT=$d/all.bib seconds "$LITSEARCH" --index "$ix" export --format bibtex)
printf 'export --format bibtex, all\t%s\t%s\n' "$RECORDS" "$export_all"
# A paper citing 1,000 of them: BibTeX's .aux, ten keys a line.
"$LITSEARCH" --index "$ix" export --format csl-json >"$d/all.json"
python3 - "$d/all.json" "$d/paper.aux" <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))
# 1,000 keys spread over the whole export.
keys = [i["id"] for i in items][:: max(1, len(items) // 1000)][:1000]
with open(sys.argv[2], "w") as aux:
    aux.write("\\relax\n")
    for i in range(0, len(keys), 10):
        aux.write("\\citation{%s}\n" % ",".join(keys[i:i + 10]))
PY
cited=$(grep -o '\\citation{[^}]*}' "$d/paper.aux" | tr ',' '\n' | wc -l)
export_aux=$(OUT=$d/cited.bib seconds "$LITSEARCH" --index "$ix" export --format bibtex --aux "$d/paper.aux")
printf 'export --format bibtex --aux\t%s\t%s\n' "$cited" "$export_aux"
if [ "$PEER" != 0 ]; then
    python3 - "$d/all.json" "$d/cited.json" "$d/paper.aux" <<'PY'
import json, re, sys
items = json.load(open(sys.argv[1]))
cited = set(k for line in open(sys.argv[3]) for k in re.findall(r"\\citation\{([^}]*)\}", line) for k in k.split(","))
json.dump([i for i in items if i["id"] in cited], open(sys.argv[2], "w"))
PY
    pandoc_all=$(seconds pandoc -f csljson -t bibtex "$d/all.json")
    printf 'pandoc -f csljson -t bibtex, all\t%s\t%s\n' "$RECORDS" "$pandoc_all"
    pandoc_aux=$(seconds pandoc -f csljson -t bibtex "$d/cited.json")
    printf 'pandoc -f csljson -t bibtex, the cited\t%s\t%s\n' "$cited" "$pandoc_aux"
    awk -v a="$export_all" -v p="$pandoc_all" -v b="$export_aux" -v q="$pandoc_aux" \
        'BEGIN { printf "export vs pandoc: all %.1fx faster, the cited %.1fx faster (floor 10x)\n", p / a, q / b }'
fi
awk -v p="$page_ingest" -v b="$bib_ingest" -v n="$RECORDS" \
    'BEGIN { printf "BibTeX ingest %.0f records/s, page export %.0f records/s: %.2fx (floor 0.8x)\n", n / b, n / p, p / b }'
