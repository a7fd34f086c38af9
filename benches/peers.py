#!/usr/bin/env python3
"""Helpers of benches/compare.sh: feed the peers the same records litsearch indexes, and print
the comparison table. Standard library only.

  peers.py tantivy-meta DIR                 write a tantivy-cli index skeleton (meta.json)
  peers.py tantivy-docs RECORDS.jsonl       records → tantivy-cli JSON documents on stdout
  peers.py fts5-build DB RECORDS.jsonl      build an SQLite FTS5 table (porter, diacritics off)
  peers.py report RESULTS_DIR SIZES..              the markdown tables, with ratios litsearch ÷ peer
"""
import json
import os
import re
import sqlite3
import sys

# tantivy-cli schema equivalent to litsearch's searchable part: stemmed prose with positions,
# names with positions (not stemmed), tags, a raw id and the date; all stored.
def _text_field(name, record, tokenizer):
    fieldnorms = record == "position"
    return {"name": name, "type": "text",
            "options": {"indexing": {"record": record, "fieldnorms": fieldnorms,
                                     "tokenizer": tokenizer},
                        "stored": True, "fast": False}}


TANTIVY_SCHEMA = [
    _text_field("id", "basic", "raw"),
    _text_field("title", "position", "en_stem"),
    _text_field("abstract", "position", "en_stem"),
    _text_field("authors", "position", "default"),
    _text_field("fellows", "position", "default"),
    _text_field("tags", "position", "en_stem"),
    _text_field("date", "basic", "raw"),
]


def tantivy_meta(directory):
    os.makedirs(directory, exist_ok=True)
    meta = {
        "index_settings": {"docstore_compression": "lz4", "docstore_blocksize": 16384},
        "segments": [],
        "schema": TANTIVY_SCHEMA,
        "opstamp": 0,
    }
    with open(os.path.join(directory, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)


def records(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def tantivy_docs(path):
    out = sys.stdout
    for r in records(path):
        doc = {
            "id": r["id"],
            "title": r["title"],
            "abstract": r["abstract"],
            "authors": r["authors"],
            "fellows": r["fellows"],
            "tags": r["tags"],
            "date": r["date"],
        }
        out.write(json.dumps(doc, ensure_ascii=False))
        out.write("\n")


def fts5_build(db, path):
    if os.path.exists(db):
        os.remove(db)
    con = sqlite3.connect(db)
    con.execute(
        "CREATE VIRTUAL TABLE papers USING fts5("
        "id UNINDEXED, title, abstract, authors, fellows, tags, date UNINDEXED, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    rows = (
        (r["id"], r["title"], r["abstract"], ", ".join(r["authors"]),
         ", ".join(r["fellows"]), "\n".join(r["tags"]), r["date"])
        for r in records(path)
    )
    with con:
        con.executemany("INSERT INTO papers VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("INSERT INTO papers(papers) VALUES ('optimize')")
    con.commit()
    con.close()


def parse_time_v(path):
    """Wall seconds and peak RSS (MB) from `/usr/bin/time -v` output."""
    wall = rss = None
    try:
        text = open(path).read()
    except OSError:
        return None, None
    m = re.search(r"Elapsed \(wall clock\) time.*?: (?:(\d+):)?(\d+):([\d.]+)", text)
    if m:
        h = int(m.group(1) or 0)
        wall = h * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if m:
        rss = int(m.group(1)) / 1024
    return wall, rss


def fmt(x, unit=""):
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f}{unit}"
    if x >= 10:
        return f"{x:.1f}{unit}"
    return f"{x:.2f}{unit}"


def ratio(a, b):
    if a is None or b in (None, 0):
        return "–"
    return f"{a / b:.2f}×"


PEERS = ["litsearch", "tantivy", "fts5", "rg"]
LABEL = {"litsearch": "litsearch", "tantivy": "tantivy-cli", "fts5": "SQLite FTS5 (Python)",
         "rg": "ripgrep"}


def report(results, sizes):
    sizes = sorted(int(n) for n in sizes)
    print("### Ingest\n")
    print("| records | export MB | tool | ingest s | docs/s | peak RSS MB | index MB | index ÷ export |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    ingest = {}
    sizes = [n for n in sizes if os.path.exists(os.path.join(results, str(n), "info.json"))]
    for n in sizes:
        d = os.path.join(results, str(n))
        info = json.load(open(os.path.join(d, "info.json")))
        export_mb = info["export_bytes"] / 1e6
        for peer in PEERS[:3]:
            wall, rss = parse_time_v(os.path.join(d, f"ingest-{peer}.time"))
            size = info.get(f"{peer}_bytes")
            size_mb = size / 1e6 if size else None
            ingest[(n, peer)] = (wall, rss, size_mb)
            docs = info["records"] / wall if wall else None
            print(f"| {n:,} | {fmt(export_mb)} | {LABEL[peer]} | {fmt(wall)} | {fmt(docs)} | "
                  f"{fmt(rss)} | {fmt(size_mb)} | {ratio(size_mb, export_mb)} |")
    print("\nRatios litsearch ÷ peer (ingest wall time, peak RSS, index size):\n")
    print("| records | ÷ tantivy-cli time | ÷ FTS5 time | ÷ tantivy-cli RSS | ÷ FTS5 RSS | ÷ tantivy-cli size | ÷ FTS5 size |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        ls = ingest[(n, "litsearch")]
        tv = ingest[(n, "tantivy")]
        ft = ingest[(n, "fts5")]
        print(f"| {n:,} | {ratio(ls[0], tv[0])} | {ratio(ls[0], ft[0])} | {ratio(ls[1], tv[1])} | "
              f"{ratio(ls[1], ft[1])} | {ratio(ls[2], tv[2])} | {ratio(ls[2], ft[2])} |")

    print("\n### Whole-process query latency (hyperfine median, ms)\n")
    for n in sizes:
        d = os.path.join(results, str(n))
        qfiles = sorted(f for f in os.listdir(d) if f.startswith("query-") and f.endswith(".json"))
        if not qfiles:
            continue
        print(f"**{n:,} records**\n")
        print("| query | litsearch | tantivy-cli | FTS5 | rg -c | ÷ tantivy-cli | ÷ FTS5 | ÷ rg |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        cols = {p: [] for p in PEERS}
        for qf in qfiles:
            data = json.load(open(os.path.join(d, qf)))
            med = {}
            for r in data["results"]:
                peer = r["command"].split(":", 1)[0]
                med[peer] = r["median"] * 1000
            name = data.get("name") or qf[6:-5]
            for p in PEERS:
                cols[p].append(med.get(p))
            print(f"| {name} | {fmt(med.get('litsearch'))} | {fmt(med.get('tantivy'))} | "
                  f"{fmt(med.get('fts5'))} | {fmt(med.get('rg'))} | "
                  f"{ratio(med.get('litsearch'), med.get('tantivy'))} | "
                  f"{ratio(med.get('litsearch'), med.get('fts5'))} | "
                  f"{ratio(med.get('litsearch'), med.get('rg'))} |")
        meds = {p: median([x for x in cols[p] if x is not None]) for p in PEERS}
        print(f"| **median of queries** | {fmt(meds['litsearch'])} | {fmt(meds['tantivy'])} | "
              f"{fmt(meds['fts5'])} | {fmt(meds['rg'])} | "
              f"{ratio(meds['litsearch'], meds['tantivy'])} | {ratio(meds['litsearch'], meds['fts5'])} | "
              f"{ratio(meds['litsearch'], meds['rg'])} |\n")


def median(xs):
    if not xs:
        return None
    xs = sorted(xs)
    m = len(xs) // 2
    return xs[m] if len(xs) % 2 else (xs[m - 1] + xs[m]) / 2


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "tantivy-meta":
        tantivy_meta(args[0])
    elif cmd == "tantivy-docs":
        tantivy_docs(args[0])
    elif cmd == "fts5-build":
        fts5_build(args[0], args[1])
    elif cmd == "report":
        report(args[0], args[1:])
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
