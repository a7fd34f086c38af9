#!/usr/bin/env bash
# Whole-process query latency of two litsearch binaries on ONE index, alternating under
# hyperfine (the queries of latency.sh, plus the typo): a change that should cost queries
# nothing (a refactor, an ingest change) is checked against the commit before it.
#
#   benches/two-binaries.sh INDEX OLD_BINARY NEW_BINARY        # RUNS=15 by default
#
# Prints each query's medians and their ratio, then the geometric mean of new ÷ old.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: benches/two-binaries.sh INDEX OLD_BINARY NEW_BINARY" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "two-binaries: needs hyperfine: apt-get install hyperfine" >&2; exit 1; }
idx=$1 old=$2 new=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
while IFS='|' read -r name q; do
  hyperfine -N --style none --warmup 3 --runs "${RUNS:-15}" --export-json "$out/$name.json" \
    -n old "$old --index $idx query --json --limit 10 $q" -n new "$new --index $idx query --json --limit 10 $q" >/dev/null 2>&1
done <<'Q'
two-common|language models
rare-pair|quill sycophancy
phrase|'"steering vector"'
rare-word|quill
very-common|models
stop-word|the
author|'author:"Neel Nanda"'
three-words|sparse autoencoders features
mid-word|sycophancy
typo|interpretabilty
Q
python3 - $out <<'PY'
import json,glob,math,sys,os
rs=[]
for f in sorted(glob.glob(sys.argv[1]+'/*.json')):
    r=json.load(open(f))['results']; o,n=r[0]['median']*1000,r[1]['median']*1000
    rs.append(n/o); print(f"{os.path.basename(f)[:-5]:12s} old {o:7.1f} ms  new {n:7.1f} ms  {n/o:.2f}x")
print(f"geometric mean new/old: {math.exp(sum(map(math.log,rs))/len(rs)):.3f}x")
PY
