"""Chat latency with the store on SQLite and on PostgreSQL, side by side (issue 14).

Runs benchmarks/load.py's clients twice against a real `navigator serve` on a free 127.0.0.1 port:
once with the default store (SQLite in a temporary data folder), once with NAVIGATOR_DATABASE_URL
pointing at a PostgreSQL started for the run (the Debian package's initdb/pg_ctl, as the tests
start it: tests/postgres.py). After each run it counts the turns in the database: every answered
request must be stored exactly once. Run:
    .venv/bin/python benchmarks/store_load.py --clients 32 --duration 20 --think 1
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

import load  # noqa: E402 - benchmarks/load.py: the clients, the server start, percentiles

from tests.postgres import postgres_server  # noqa: E402


def run(backend: str, args: argparse.Namespace, questions: list, database_url: str | None) -> dict:
    port = load.free_port()
    with tempfile.TemporaryDirectory(prefix=f"navigator-store-{backend}-") as data_dir:
        extra = {"NAVIGATOR_DATABASE_URL": database_url} if database_url else {}
        server = load.start_server(port, data_dir, args.workers, args.threads, extra)
        try:
            load.wait_ready(f"http://127.0.0.1:{port}", server)
            warm = argparse.Namespace(**{**vars(args), "duration": args.warmup, "warmup": 0})
            asyncio.run(load.run_load(port, questions, warm))
            before = count_turns(data_dir, database_url)
            measured = argparse.Namespace(**{**vars(args), "warmup": 0})
            results = asyncio.run(load.run_load(port, questions, measured))
            stored = count_turns(data_dir, database_url) - before
        finally:
            load.stop_server(server)
    latencies = [ms for _, ms, _ in results]
    answered = sum(1 for _, _, status in results if status == 200)
    return {
        "backend": backend,
        "requests": len(results),
        "rate": len(results) / args.duration,
        "errors": len(results) - answered,
        "p50": load.percentile(latencies, 50),
        "p95": load.percentile(latencies, 95),
        "p99": load.percentile(latencies, 99),
        "answered": answered,
        "stored": stored,
    }


def count_turns(data_dir: str, database_url: str | None) -> int:
    """Turns in the store, counted with the database's own client, not the application's code."""
    if database_url:
        import psycopg

        dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn) as conn:
            row = conn.execute("SELECT count(*) FROM turns").fetchone()
            return int(row[0]) if row else 0
    with contextlib.closing(sqlite3.connect(Path(data_dir) / "conversations.sqlite3")) as db:
        return int(db.execute("SELECT count(*) FROM turns").fetchone()[0])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean pause between messages (0: closed loop)"
    )
    parser.add_argument("--follow-up", type=float, default=0.3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    questions = load.load_questions()

    rows = [run("sqlite", args, questions, None)]
    with postgres_server() as server:
        rows.append(run("postgresql", args, questions, server.new_database()))

    think = "closed loop" if not args.think else f"think {args.think:g} s"
    print(f"{args.clients} clients, {think}, {args.duration:g} s measured, {args.workers} worker(s)")
    print("| store | requests/s | p50 | p95 | p99 | errors | answers stored |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['backend']} | {r['rate']:.1f} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['p99']:.1f} ms "
            f"| {r['errors']} | {r['stored']} of {r['answered']} |"
        )
    return 1 if any(r["errors"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
