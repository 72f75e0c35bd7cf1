"""Bounded load on `navigator serve`, as the widget's users would put on it.

Starts a real `navigator serve` subprocess on a free 127.0.0.1 port with a temporary data folder
(its first start ingests knowledge/), rate limiting off, then runs N concurrent clients for a fixed
time. Each client holds one keep-alive connection and plays conversations: a question drawn from
eval/questions.yaml (Japanese and English, covered and not), then with some probability the
follow-up "その問い合わせ先は？" / "Who do I contact?" in the same session. `--think` adds a pause
between a client's messages (uniform between 0.5x and 1.5x the mean); 0 is a closed loop, which
on a small machine measures queueing more than serving.

Prints requests/s, p50/p95/p99/max latency and errors, next to the time of one bare query
embedding measured in the same run (the floor any answer pays). Run:
    .venv/bin/python benchmarks/load.py --clients 32 --duration 30 --think 1

`--knowledge-dir` serves another knowledge folder, and `--data-dir` uses a data folder that is kept
(an index already built there is served as it is, without a new ingest); benchmarks/corpus_scale.py
uses both to load a server answering from a large synthetic corpus.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "eval" / "questions.yaml"
TARGET_P95_MS = 150.0
FOLLOW_UP = {"ja": "その問い合わせ先は？", "en": "Who do I contact?"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def load_questions() -> list[tuple[str, str]]:
    items = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    return [(str(item["q"]), str(item.get("lang", "ja"))) for item in items]


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the server as an operator would (SIGTERM), killing it if it has not ended in 20 s."""
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def start_server(
    port: int,
    data_dir: str,
    workers: int,
    threads: int,
    extra_env: dict[str, str] | None = None,
    python: str | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """`navigator serve` of the checkout at ``cwd`` (default: this one) run by ``python`` (default:
    this interpreter); benchmarks/speed.py starts an older commit's checkout with its own venv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NAVIGATOR_", "SLACK_"))}
    env.update(extra_env or {})
    env.update(
        NAVIGATOR_DATA_DIR=data_dir,
        NAVIGATOR_RATE_LIMIT_PER_MINUTE="0",  # the load comes from one address: limiting must be off
        NAVIGATOR_WEB_WORKERS=str(workers),
        NAVIGATOR_WEB_THREADS=str(threads),
        HF_HUB_OFFLINE="1",
    )
    # The server's JSON access log goes to a file: it is part of the cost being measured, and a pipe
    # nobody reads would fill up and stall the server.
    log = open(Path(data_dir) / "serve.log", "wb")  # noqa: SIM115 - lives as long as the server
    return subprocess.Popen(
        [python or sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=cwd or ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


def wait_ready(base: str, server: subprocess.Popen[bytes] | None, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise SystemExit(
                f"navigator serve exited with {server.returncode}; see serve.log in its data folder"
            )
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
                return json.loads(response.read())
        except OSError:
            time.sleep(0.2)
    raise SystemExit("navigator serve did not become ready")


def embedding_floor(questions: list[tuple[str, str]], samples: int = 60) -> tuple[float, float]:
    """Median and p95 (ms) of one bare query embedding with the server's embedder settings."""
    from ingest.embeddings import make_embedder
    from ingest.settings import Settings
    from ingest.textnorm import normalize

    settings = Settings()
    embedder = make_embedder(settings.embedder, settings.serve_embed_threads)  # as the server has it
    texts = [normalize(q) for q, _ in questions]
    for text in texts[:5]:
        embedder.embed_query(text)
    times = []
    for i in range(samples):
        started = time.perf_counter()
        embedder.embed_query(texts[i % len(texts)])
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 95)


class Connection:
    """One keep-alive HTTP/1.1 connection: a minimal client so the load generator stays cheap."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, payload: dict) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        body = json.dumps(payload, ensure_ascii=False).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        self.writer.write(head + body)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        length, close = 0, False
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "connection" and value.strip().lower() == "close":
                close = True
        data = await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, data

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def client(
    n: int,
    port: int,
    questions: list[tuple[str, str]],
    args: argparse.Namespace,
    start: float,
    end: float,
    results: list[tuple[float, float, int]],
) -> None:
    rng = random.Random(n)
    connection = Connection("127.0.0.1", port)
    await asyncio.sleep(rng.uniform(0, min(1.0, args.think or 0.2)))  # do not all start in one instant
    session: str | None = None
    language = "ja"
    try:
        while time.monotonic() < end:
            if session and rng.random() < args.follow_up:
                payload = {"message": FOLLOW_UP[language], "session_id": session}
                session = None
            else:
                message, language = rng.choice(questions)
                payload = {"message": message}
            sent = time.monotonic()
            try:
                status, body = await connection.post("/api/chat", payload)
                if status == 200 and payload.get("session_id") is None:
                    session = json.loads(body)["session_id"]
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                status = 0
                await connection.close()
            done = time.monotonic()
            if sent >= start:  # requests sent during warm-up are not counted
                results.append((sent, (done - sent) * 1000, status))
            if args.think:
                await asyncio.sleep(rng.uniform(0.5 * args.think, 1.5 * args.think))
    finally:
        await connection.close()


async def run_load(port: int, questions: list[tuple[str, str]], args: argparse.Namespace) -> list:
    results: list[tuple[float, float, int]] = []
    now = time.monotonic()
    start, end = now + args.warmup, now + args.warmup + args.duration
    await asyncio.gather(
        *(client(n, port, questions, args, start, end, results) for n in range(args.clients))
    )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--duration", type=float, default=30, help="measured seconds (default 30)")
    parser.add_argument(
        "--warmup", type=float, default=3, help="seconds of load before measuring (default 3)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="mean pause between a client's messages in s (0: closed loop)",
    )
    parser.add_argument("--follow-up", type=float, default=0.3, help="chance that a follow-up comes next")
    parser.add_argument(
        "--workers", type=int, default=1, help="server worker processes (NAVIGATOR_WEB_WORKERS)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (NAVIGATOR_WEB_THREADS)")
    parser.add_argument(
        "--port", type=int, help="load a server already running on this 127.0.0.1 port (rate limit off!)"
    )
    parser.add_argument(
        "--knowledge-dir",
        help="knowledge folder the server ingests (NAVIGATOR_KNOWLEDGE_DIR; default knowledge/)",
    )
    parser.add_argument(
        "--data-dir",
        help="data folder to use and keep (default: a temporary one); an index already in it is served as is",
    )
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=180,
        help="seconds to wait for the server to be ready, its first ingest included (default 180)",
    )
    args = parser.parse_args()

    questions = load_questions()
    if args.port:  # profiling a server started by hand
        ready = wait_ready(f"http://127.0.0.1:{args.port}", None)
        embed_p50, embed_p95 = embedding_floor(questions)
        results = asyncio.run(run_load(args.port, questions, args))
        return report(args, questions, ready, results, embed_p50, embed_p95)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="navigator-load-") as temporary:
        data_dir = args.data_dir or temporary
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        extra = {"NAVIGATOR_KNOWLEDGE_DIR": args.knowledge_dir} if args.knowledge_dir else None
        server = start_server(port, data_dir, args.workers, args.threads, extra)
        try:
            ready = wait_ready(base, server, args.ready_timeout)
            embed_p50, embed_p95 = embedding_floor(questions)
            results = asyncio.run(run_load(port, questions, args))
        finally:
            stop_server(server)
    return report(args, questions, ready, results, embed_p50, embed_p95)


def report(
    args: argparse.Namespace,
    questions: list[tuple[str, str]],
    ready: dict,
    results: list[tuple[float, float, int]],
    embed_p50: float,
    embed_p95: float,
) -> int:
    """Print the run's numbers; the exit code says whether any request failed."""
    latencies = [ms for _, ms, _ in results]
    errors = sum(1 for _, _, status in results if status != 200)
    print(
        f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}; "
        f"server: navigator serve, {args.workers} worker(s) x {args.threads} threads, index v{ready['index_version']}, {ready['embedder']}"
    )
    print(
        f"load: {args.clients} clients, {args.duration:.0f} s measured after {args.warmup:.0f} s warm-up, "
        f"think time {'none (closed loop)' if not args.think else f'{args.think:g} s mean'}, "
        f"follow-ups {args.follow_up:.0%}, {len(questions)} questions from eval/questions.yaml"
    )
    print(f"requests: {len(results)}  ({len(results) / args.duration:.1f} req/s)  errors: {errors}")
    print(
        f"latency ms: p50 {percentile(latencies, 50):.1f}  p95 {percentile(latencies, 95):.1f}  "
        f"p99 {percentile(latencies, 99):.1f}  max {max(latencies, default=float('nan')):.1f}"
    )
    print(f"bare query embedding ms (same run, idle server): p50 {embed_p50:.1f}  p95 {embed_p95:.1f}")
    p95 = percentile(latencies, 95)
    print(
        f"target: 0 errors and p95 under {TARGET_P95_MS:.0f} ms: {'met' if not errors and p95 < TARGET_P95_MS else 'MISSED'}"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
