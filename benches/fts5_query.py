#!/usr/bin/env python3
"""Top-10 of an SQLite FTS5 table by bm25, with a snippet of the abstract (benches/compare.sh).

  fts5_query.py DB 'MATCH expression'
"""
import sqlite3
import sys

con = sqlite3.connect(sys.argv[1])
rows = con.execute(
    "SELECT id, title, date, snippet(papers, 2, '[', ']', '…', 24), bm25(papers) "
    "FROM papers WHERE papers MATCH ? ORDER BY rank LIMIT 10",
    (sys.argv[2],),
)
for row in rows:
    print("\t".join(str(x) for x in row))
