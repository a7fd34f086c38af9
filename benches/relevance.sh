#!/usr/bin/env bash
# Relevance of the ranking on judged questions written down before tuning (benches/relevance/):
# MRR@10, nDCG@10 and found@10 on the shipped corpus and on Debian 12's ~64,000 package
# descriptions, for paraphrased questions and for keyword queries. Issue 29's proof.
#
#   benches/relevance.sh                 # release build; EXTRA="--exact" etc. is passed to query
#   PROFILE=dev BENCH_DIR=/tmp/rel benches/relevance.sh
# Needs lz4 and bookworm's Translation-en (`apt-get update -o Acquire::Languages=en`), or
# TRANSLATION=/path/to/Translation-en.
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${PROFILE:-release}
BENCH_DIR=${BENCH_DIR:-target/relevance}
mkdir -p "$BENCH_DIR"
flag=(); [ "$PROFILE" = release ] && flag=(--release)
cargo build --locked --quiet "${flag[@]}" --bin litsearch
bin="${CARGO_TARGET_DIR:-target}/$([ "$PROFILE" = release ] && echo release || echo debug)/litsearch"
python3 benches/relevance/debian-to-jsonl.py ${TRANSLATION:+"$TRANSLATION"} > "$BENCH_DIR/debian.jsonl"
# Exit 1 is "indexed, with warnings" (one description is longer than the 64 KB cap).
"$bin" --quiet --index "$BENCH_DIR/debian-index" ingest --rebuild "$BENCH_DIR/debian.jsonl" || [ $? -eq 1 ]
"$bin" --quiet --index "$BENCH_DIR/mats-index" ingest --rebuild corpus/mats-research.txt
extra=(${EXTRA:-})
score() { python3 benches/relevance/score.py "$bin" "$@" -- "${extra[@]}"; }
echo "debian, paraphrased: $(score "$BENCH_DIR/debian-index" benches/relevance/debian-questions.tsv --by name)"
echo "debian, keywords:    $(score "$BENCH_DIR/debian-index" benches/relevance/debian-keywords.tsv --by name)"
echo "shipped, paraphrased: $(score "$BENCH_DIR/mats-index" benches/relevance/mats-questions.tsv --by title)"
