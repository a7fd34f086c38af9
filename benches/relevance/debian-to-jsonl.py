#!/usr/bin/env python3
"""Debian's package descriptions as litsearch JSON lines: one record per package, titled
"NAME: short description", the long description as its abstract. A real corpus no one here
wrote (~64,000 records), for benches/relevance.sh.

Reads the Translation-en file given as the first argument, else bookworm main's from
/var/lib/apt/lists (fetched by `apt-get update -o Acquire::Languages=en`; lz4-compressed)."""
import glob
import json
import subprocess
import sys


def translation_text():
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as f:
            return f.read()
    found = sorted(glob.glob("/var/lib/apt/lists/*_debian_dists_*_main_i18n_Translation-en*"))
    if not found:
        sys.exit(
            "no Translation-en in /var/lib/apt/lists: run "
            "`apt-get update -o Acquire::Languages=en` (or give the file as an argument)"
        )
    path = found[0]
    if path.endswith(".lz4"):
        return subprocess.run(["lz4", "-dc", path], check=True, capture_output=True).stdout.decode()
    with open(path, encoding="utf-8") as f:
        return f.read()


def main():
    seen = set()
    out = sys.stdout
    for block in translation_text().split("\n\n"):
        name, short, long_lines = None, None, []
        for line in block.splitlines():
            if line.startswith("Package: "):
                name = line[len("Package: "):].strip()
            elif line.startswith("Description-en: "):
                short = line[len("Description-en: "):].strip()
            elif line.startswith(" ") and short is not None:
                text = line.strip()
                long_lines.append("" if text == "." else text)
        if not name or not short or name in seen:
            continue
        seen.add(name)
        record = {
            "title": f"{name}: {short}",
            "abstract": " ".join(l for l in long_lines if l) or short,
            "authors": ["Debian"],
            "date": "2023-06-10",
            "url": f"https://packages.debian.org/bookworm/{name}",
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")


main()
