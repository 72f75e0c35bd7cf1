"""How ingest and chat latency scale from the shipped knowledge to a large synthetic corpus.

For each corpus, in a temporary folder:

- ``shipped``: a copy of knowledge/ as it is;
- ``synthetic``: a copy of knowledge/ plus the documents of benchmarks/synthetic_corpus.py
  (default 300, about 5,000 passages) in its documents/ folder;

it times ``navigator ingest --json`` into an empty data folder (a subprocess, with
NAVIGATOR_KNOWLEDGE_DIR and NAVIGATOR_DATA_DIR pointing at the copies), then runs
benchmarks/load.py's load (the same clients, think time and questions from eval/questions.yaml)
against a ``navigator serve`` answering from that index, and prints one table:

    corpus     documents  records  ingest s  chat p50 ms  chat p95 ms  req/s  errors

Run (the defaults are load.py's: 32 clients, 30 s, 1 s think time):
    .venv/bin/python benchmarks/corpus_scale.py [--documents 300] [--duration 30] [--clients 32]
A quick end-to-end check:
    .venv/bin/python benchmarks/corpus_scale.py --documents 20 --duration 5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_corpus import generate  # noqa: E402 - benchmarks/ is not a package

KNOWLEDGE = ROOT / "knowledge"
LOAD = ROOT / "benchmarks" / "load.py"


@dataclass
class Row:
    corpus: str
    documents: int = 0
    records: int = 0
    ingest_seconds: float = float("nan")
    p50: float = float("nan")
    p95: float = float("nan")
    rps: float = float("nan")
    errors: int | None = None
    note: str = ""


def clean_env(knowledge: Path, data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NAVIGATOR_", "SLACK_"))}
    env.update(
        NAVIGATOR_KNOWLEDGE_DIR=str(knowledge),
        NAVIGATOR_DATA_DIR=str(data),
        HF_HUB_OFFLINE="1",
    )
    return env


def ingest(row: Row, knowledge: Path, data: Path, timeout: float) -> bool:
    data.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", "ingest", "--json"],
            cwd=ROOT,
            env=clean_env(knowledge, data),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        row.note = f"ingest timed out after {timeout:.0f} s"
        return False
    row.ingest_seconds = time.perf_counter() - started
    if done.returncode != 0:
        row.note = f"ingest exited {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"
        return False
    report = json.loads(done.stdout)
    row.documents = int(report.get("documents", 0))
    row.records = sum(int(n) for n in report.get("records", {}).values())
    if report.get("errors"):
        row.note = f"{len(report['errors'])} document(s) refused, e.g. {report['errors'][0]}"
    return True


def load(row: Row, knowledge: Path, data: Path, args: argparse.Namespace) -> None:
    command = [
        sys.executable,
        str(LOAD),
        "--knowledge-dir",
        str(knowledge),
        "--data-dir",
        str(data),
        "--clients",
        str(args.clients),
        "--duration",
        str(args.duration),
        "--warmup",
        str(args.warmup),
        "--think",
        str(args.think),
        "--workers",
        str(args.workers),
        "--ready-timeout",
        str(args.timeout),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    output = done.stdout
    if args.verbose:
        print(output, end="")
    latency = re.search(r"latency ms: p50 ([\d.]+)\s+p95 ([\d.]+)", output)
    requests = re.search(r"requests: (\d+)\s+\(([\d.]+) req/s\)\s+errors: (\d+)", output)
    if not latency or not requests:
        tail = (done.stderr or output).strip().splitlines()[-3:]
        row.note = (row.note + "; " if row.note else "") + f"load.py exited {done.returncode}: {tail}"
        return
    row.p50, row.p95 = float(latency.group(1)), float(latency.group(2))
    row.rps, row.errors = float(requests.group(2)), int(requests.group(3))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=300, help="synthetic documents (default 300)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic corpus (default 7)")
    parser.add_argument("--clients", type=int, default=32, help="load.py --clients (default 32)")
    parser.add_argument("--duration", type=float, default=30, help="load.py --duration in s (default 30)")
    parser.add_argument("--warmup", type=float, default=3, help="load.py --warmup in s (default 3)")
    parser.add_argument("--think", type=float, default=1.0, help="load.py --think in s (default 1)")
    parser.add_argument("--workers", type=int, default=1, help="load.py --workers (default 1)")
    parser.add_argument(
        "--timeout", type=float, default=1800, help="limit for one ingest or server start in s (default 1800)"
    )
    parser.add_argument("--keep", type=Path, help="build the corpora here and keep them (default: temporary)")
    parser.add_argument("--verbose", action="store_true", help="also print load.py's own report")
    args = parser.parse_args()

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="navigator-scale-") as temporary:
        base = args.keep or Path(temporary)
        for name, documents in (("shipped", 0), ("synthetic", args.documents)):
            folder = base / name
            if folder.exists():
                shutil.rmtree(folder)
            knowledge, data = folder / "knowledge", folder / "data"
            shutil.copytree(KNOWLEDGE, knowledge, ignore=shutil.ignore_patterns(".*"))
            if documents:
                counts = generate(knowledge / "documents", documents, args.seed)
                print(
                    f"synthetic corpus: {counts['documents']} documents, {counts['headings']} headings, "
                    f"approx {counts['passages']} passages ({counts['sections']} sections, "
                    f"{counts['faq_pairs']} FAQ pairs, {counts['table_rows']} table rows), "
                    f"{counts['bytes'] / 1e6:.1f} MB",
                    flush=True,
                )
            row = Row(f"{name}" + (f"+{documents}" if documents else ""))
            rows.append(row)
            print(f"[{row.corpus}] ingest …", flush=True)
            if ingest(row, knowledge, data, args.timeout):
                print(
                    f"[{row.corpus}] {row.documents} documents, {row.records} records "
                    f"in {row.ingest_seconds:.1f} s; load {args.clients} clients for {args.duration:g} s …",
                    flush=True,
                )
                load(row, knowledge, data, args)
        print()
        print(
            f"load: {args.clients} clients, {args.duration:g} s after {args.warmup:g} s warm-up, "
            f"think {args.think:g} s, {args.workers} worker(s); machine {os.cpu_count()} cores"
        )
        header = f"{'corpus':<16} {'documents':>9} {'records':>8} {'ingest s':>9} {'chat p50 ms':>12} {'chat p95 ms':>12} {'req/s':>7} {'errors':>6}"
        print(header)
        print("-" * len(header))
        for r in rows:
            errors = "-" if r.errors is None else str(r.errors)
            print(
                f"{r.corpus:<16} {r.documents:>9} {r.records:>8} {r.ingest_seconds:>9.1f} "
                f"{r.p50:>12.1f} {r.p95:>12.1f} {r.rps:>7.1f} {errors:>6}"
            )
        for r in rows:
            if r.note:
                print(f"note [{r.corpus}]: {r.note}")
    failed = any(r.errors is None or r.errors for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
