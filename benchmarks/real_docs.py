"""The nine real PDFs of ../shared/real-docs through the admin upload path: how long until they are
answerable, and what they cost the chat, on one real `navigator serve`, in one run.

1. A server starts on an empty data folder and ingests the shipped knowledge.
2. The chat load of benchmarks/load.py (default: 32 clients, 1 s mean think time) runs: the shipped
   knowledge's p50 / p95.
3. The clock starts; each PDF is sent with ``POST /admin/documents``, then one ``POST /admin/reingest``
   runs until it has succeeded (embedding included); the clock stops. Upload and re-ingest times are
   printed apart.
4. The same load again, with the nine PDFs in the live index: p50 / p95 and their ratio to step 2.

Issue 19's targets: the nine PDFs ingested within 60 s on 2 cores; chat p95 with them loaded at most
2x the shipped knowledge's. Run:
    .venv/bin/python benchmarks/real_docs.py [--duration 30] [--docs ../shared/real-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
from admin_load import TOKEN, _multipart, _request  # noqa: E402
from load import free_port, load_questions, percentile, run_load, start_server, stop_server, wait_ready  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT.parent / "shared" / "real-docs"
TARGET_SECONDS = 60.0
TARGET_P95_RATIO = 2.0


def upload_and_reingest(base: str, files: list[Path]) -> tuple[float, float, dict]:
    """Seconds spent uploading, seconds until the re-ingest succeeded, and the job's last state."""
    started = time.monotonic()
    for file in files:
        body, content_type = _multipart(file.name, file.read_bytes())
        status, answer = _request(base, "POST", "/admin/documents", body, content_type)
        if status not in (200, 201):
            raise SystemExit(f"upload of {file.name} answered {status}: {answer}")
    uploaded = time.monotonic()
    status, job = _request(base, "POST", "/admin/reingest")
    if status not in (200, 202):
        raise SystemExit(f"re-ingest answered {status}: {job}")
    while True:
        _, state = _request(base, "GET", f"/admin/reingest/{job['job_id']}")
        if state.get("status") in ("succeeded", "failed"):
            break
        time.sleep(0.25)
    if state["status"] != "succeeded":
        raise SystemExit(f"re-ingest failed: {state}")
    return uploaded - started, time.monotonic() - uploaded, state


def latencies(results: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    values = [ms for _, ms, _ in results]
    errors = sum(1 for _, _, status in results if status != 200)
    return statistics.median(values), percentile(values, 95), errors


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--docs", type=Path, default=DOCS, help="folder of PDFs (default ../shared/real-docs)"
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--follow-up", type=float, default=0.3)
    args = parser.parse_args()
    files = sorted(args.docs.glob("*.pdf"))
    if not files:
        raise SystemExit(f"no PDFs in {args.docs}")
    questions = load_questions()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="navigator-realdocs-") as data_dir:
        server = start_server(port, data_dir, 1, 4, {"NAVIGATOR_ADMIN_TOKEN": TOKEN})
        try:
            wait_ready(base, server)
            shipped = latencies(asyncio.run(run_load(port, questions, args)))
            upload_s, reingest_s, state = upload_and_reingest(base, files)
            loaded = latencies(asyncio.run(run_load(port, questions, args)))
        finally:
            stop_server(server)
    total = upload_s + reingest_s
    print(
        f"documents: {len(files)} PDFs, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB, from {args.docs}"
    )
    print(
        f"ingest: {total:.1f} s (uploads {upload_s:.1f} s + re-ingest {reingest_s:.1f} s); target <= {TARGET_SECONDS:.0f} s"
    )
    report = state.get("report") or {}
    print(
        f"re-ingest: {report.get('records')}, embedded {report.get('embedded')}, "
        f"job's own time {report.get('seconds')} s"
    )
    print(
        f"load: {args.clients} clients, {args.duration:.0f} s, think {args.think:g} s, follow-ups {args.follow_up:.0%}"
    )
    print("| index | p50 ms | p95 ms | errors |")
    print("|---|---|---|---|")
    print(f"| shipped knowledge | {shipped[0]:.1f} | {shipped[1]:.1f} | {shipped[2]} |")
    print(f"| + nine PDFs | {loaded[0]:.1f} | {loaded[1]:.1f} | {loaded[2]} |")
    ratio = loaded[1] / shipped[1]
    print(f"p95 ratio: {ratio:.2f}x (target <= {TARGET_P95_RATIO:.0f}x)")
    return 0 if not (shipped[2] or loaded[2]) else 1


if __name__ == "__main__":
    sys.exit(main())
