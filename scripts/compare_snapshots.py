"""The reply shape of two snapshots side by side (scripts/snapshot_answers.py), for the README's
before/after of issue 21.

    .venv/bin/python scripts/compare_snapshots.py eval/snapshots/answers-before-issue-21.json \
        eval/snapshots/answers-after-issue-21.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.reply_shape import ReplyShape


def shape_of(path: Path) -> dict[str, float]:
    shape = ReplyShape()
    for item in json.loads(path.read_text(encoding="utf-8")):
        shape.add(item["q"], item["reply"])
    return shape.row()


def main(before: Path, after: Path) -> int:
    rows = shape_of(before), shape_of(after)
    print(f"| reply shape | {before.stem} | {after.stem} |")
    print("| --- | --- | --- |")
    for key in rows[1]:
        print(f"| {key} | {rows[0].get(key, 0):g} | {rows[1][key]:g} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
