#!/usr/bin/env python3
"""Scores litsearch's ranking on judged questions: MRR@10 (the first hit graded 1 or 2),
nDCG@10 (graded) and found@10, each question run through `litsearch query --json`.

score.py LITSEARCH INDEX QUESTIONS.tsv [--by name|title] [-- EXTRA QUERY ARGS...]
  --by name: a hit is judged by its title's part before ": " (Debian package names);
  --by title: by the whole title (the shipped corpus). Prints one line per question that
  missed with --verbose, then `questions N  MRR@10 X  nDCG@10 Y  found@10 Z`."""
import json
import math
import subprocess
import sys


def judged(path, by):
    sep = ", " if by == "name" else " | "
    out = []
    for line in open(path, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        question, answers = line.rstrip("\n").split("\t")
        grades = {}
        for item in answers.replace(",", sep).split(sep) if by == "name" else answers.split(sep):
            item = item.strip()
            if item:
                key, grade = item.rsplit(":", 1)
                grades[key.strip()] = int(grade)
        out.append((question, grades))
    return out


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        i = args.index("--")
        args, extra = args[:i], args[i + 1:]
    verbose = "--verbose" in args
    args = [a for a in args if a != "--verbose"]
    by = "title"
    if "--by" in args:
        i = args.index("--by")
        by = args[i + 1]
        del args[i:i + 2]
    litsearch, index, questions = args
    rr, ndcg, found = [], [], 0
    for question, grades in judged(questions, by):
        run = subprocess.run(
            [litsearch, "--index", index, "query", "--json", "--limit", "10", "--facets", "none",
             question, *extra],
            capture_output=True, text=True,
        )
        if run.returncode not in (0, 1):
            sys.exit(f"query {question!r} failed ({run.returncode}): {run.stderr.strip()}")
        hits = json.loads(run.stdout)["hits"]
        keys = [h["title"].split(": ", 1)[0] if by == "name" else h["title"] for h in hits]
        gains = [grades.get(k, 0) for k in keys]
        first = next((i for i, g in enumerate(gains) if g > 0), None)
        rr.append(0.0 if first is None else 1.0 / (first + 1))
        found += first is not None
        dcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
        ideal = sorted(grades.values(), reverse=True)[:10]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        ndcg.append(dcg / idcg if idcg else 0.0)
        if verbose and first is None:
            print(f"missed: {question!r} -> {keys[:3]}")
    n = len(rr)
    print(f"questions {n}  MRR@10 {sum(rr) / n:.3f}  nDCG@10 {sum(ndcg) / n:.3f}  found@10 {found}/{n}")


main()
