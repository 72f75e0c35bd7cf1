"""Cold start and ingest, measured as a user meets them: whole processes, from nothing.

- ingest of knowledge/ into an empty data folder (process start to report), and
- a cold `navigator ask` (process start to answer) on the index it built,
each repeated, with min / median / max printed. Run: .venv/bin/python benchmarks/cold_start.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "従業員4人の美容室ですがマル経は使えますか",
    "How can I hire foreign workers?",
    "設備を入れたいので低金利で借りたい",
]


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], env=env, cwd=ROOT, check=True, capture_output=True
    )
    return time.perf_counter() - started


def summary(label: str, values: list[float], limit: float) -> str:
    med = statistics.median(values)
    verdict = "ok" if med < limit else "OVER"
    return f"{label:<34} min {min(values):6.2f} s  median {med:6.2f} s  max {max(values):6.2f} s  (limit {limit:.0f} s: {verdict})"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each measurement")
    args = parser.parse_args()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("NAVIGATOR_")}
    ingest_times, ask_times = [], []
    for run in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="navigator-bench-") as tmp:
            env = {**base_env, "NAVIGATOR_DATA_DIR": tmp}
            ingest_times.append(timed(["ingest"], env))
            ask_times.append(timed(["ask", QUESTIONS[run % len(QUESTIONS)]], env))
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, runs: {args.runs}")
    print(summary("ingest of knowledge/ from empty", ingest_times, 30))
    print(summary("cold `navigator ask`", ask_times, 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
