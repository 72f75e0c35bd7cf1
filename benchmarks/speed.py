"""Issue 20's speed targets, this checkout against a baseline commit, in one run.

Starts two real `navigator serve` processes one after the other, each on a free 127.0.0.1 port
with its own temporary data folder (its first start ingests its own knowledge/), rate limiting
off, 1 worker with 4 threads:

* this checkout, with the interpreter running this script (the repository's .venv);
* the baseline commit (default 91fce5a), exported with `git archive` into ``--baseline-dir``
  (default /tmp/navigator-baseline-<commit>) and installed by that commit's own
  `scripts/setup.sh` (its product install: its own .venv, no torch). The folder is created if
  missing and reused after; it serves its own knowledge/ and is started the way that commit
  starts (`python -m bot.cli serve --port P`, the same NAVIGATOR_* variables as today).

Both servers get the same load code (benchmarks/load.py's client: one keep-alive connection per
client, a question from today's eval/questions.yaml, then 30% of the time the follow-up
"その問い合わせ先は？" / "Who do I contact?" in the same session) in three runs:

* single: one client, no think time, ``--single-requests`` sequential requests after
  ``--single-warmup`` unmeasured ones. It is the latency of one answer with nothing else
  queued, the figure a lone owner sees; the target is a median within 3x the bare embedding.
  The client's random sequence is seeded, so both servers answer the very same requests.
* think: ``--clients`` clients pausing 0.5-1.5 s (``--think`` mean) between messages, for
  ``--duration`` s after ``--warmup`` s: the widget's users at a realistic rate. The target is a
  p95 within 10x the bare embedding, with no errors. Each request's send time is kept, and the
  slowest requests are printed with their offset into the run, their end and whether they were a
  follow-up: the issue reports p95s of 45 to 1,173 ms on a quiet machine, as if something stalled
  some requests for about a second; several slow requests ending at one moment point at a
  server-wide stall, an isolated one at that request's own work (``--requests-csv`` keeps them all).
* closed: the same clients without think time: requests/s is the throughput a worker sustains
  (on 2 cores it measures queueing more than serving); the target is this checkout's at least the
  baseline's.

The bare query embedding (today's embedder, with the server's thread setting, as load.py's
`embedding_floor` measures it) is measured once, before any server starts: it is the floor any
answer pays, and the unit of the first two targets. The machine may be shared, so its load
average is printed at the start and the end, and the table gives the cores other processes kept busy
during each run (from /proc: the machine's busy time less the server's and the load generator's).
Exit code 1 if any request failed. Run:
    .venv/bin/python benchmarks/speed.py    # both servers: 3 min, +1 min to set up the baseline
    .venv/bin/python benchmarks/speed.py --only current --duration 10
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402 - load.client builds its connection through this module's namespace
from load import (  # noqa: E402
    Connection,
    client,
    embedding_floor,
    free_port,
    load_questions,
    percentile,
    run_load,
    start_server,
    stop_server,
    wait_ready,
)

ROOT = Path(__file__).resolve().parent.parent
BASELINE_COMMIT = "91fce5a"
MARKER = ".speed-baseline"  # written once the baseline's setup has succeeded: the commit it holds
SINGLE_TARGET = 3.0  # single median / bare embedding at most
THINK_TARGET = 10.0  # think p95 / bare embedding at most
CLOSED_TARGET = 1.0  # closed req/s this checkout / baseline at least
RUNS = ("single", "think", "closed")


@dataclass
class Request:
    offset: float  # s from the start of the measured period to the send
    ms: float
    status: int
    follow_up: bool
    message: str


@dataclass
class Server:
    label: str
    commit: str
    python: str
    cwd: Path
    ready: dict = field(default_factory=dict)
    single: list[Request] = field(default_factory=list)
    think: list[Request] = field(default_factory=list)
    closed: list[Request] = field(default_factory=list)
    others_cpu: dict[str, float] = field(default_factory=dict)  # run -> cores other processes used

    def errors(self) -> int:
        return sum(1 for r in self.single + self.think + self.closed if r.status != 200)


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def ensure_baseline(commit: str, folder: Path) -> Path:
    """The baseline's checkout with its own .venv, as its scripts/setup.sh installs it."""
    marker = folder / MARKER
    if marker.exists():
        held = marker.read_text().strip()
        if held != commit:
            raise SystemExit(f"{folder} holds commit {held}, not {commit}: pick another --baseline-dir")
        print(f"baseline: reusing {folder}", file=sys.stderr)
        return folder
    if folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"{folder} exists without {MARKER}: remove it or pick another --baseline-dir")
    print(f"baseline: exporting {commit[:12]} into {folder}", file=sys.stderr)
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.Popen(["git", "archive", commit], cwd=ROOT, stdout=subprocess.PIPE)
    extracted = subprocess.run(["tar", "-x", "-C", str(folder)], stdin=archive.stdout, check=False)
    assert archive.stdout is not None
    archive.stdout.close()
    if archive.wait() or extracted.returncode:
        raise SystemExit(f"baseline: git archive {commit} | tar -x into {folder} failed")
    print("baseline: bash scripts/setup.sh (its product install; a minute or more)", file=sys.stderr)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NAVIGATOR_")}
    env.pop("VIRTUAL_ENV", None)
    setup = subprocess.run(["bash", "scripts/setup.sh"], cwd=folder, env=env, stdout=sys.stderr, check=False)
    if setup.returncode:  # its output goes to stderr: stdout is the report
        raise SystemExit(f"baseline: scripts/setup.sh failed in {folder}; fix or remove the folder")
    marker.write_text(commit + "\n")
    return folder


class _RequestBudget:
    """Stands in for load.client's end time: ``time.monotonic() < budget`` holds until ``count``
    results are recorded, so the unchanged time-bounded client sends an exact number of requests."""

    def __init__(self, results: list, count: int) -> None:
        self.results, self.count = results, count

    def __gt__(self, now: float) -> bool:
        return len(self.results) < self.count


class _NotingConnection(Connection):
    """load.Connection that notes, as each request starts, whether it is a follow-up and its text."""

    notes: list[tuple[float, bool, str]] = []

    async def post(self, path: str, payload: dict) -> tuple[int, bytes]:
        self.notes.append((time.monotonic(), "session_id" in payload, str(payload.get("message"))))
        return await super().post(path, payload)


@contextlib.contextmanager
def noting_requests() -> Iterator[list[tuple[float, bool, str]]]:
    """load.client builds its connection by the name load.Connection: swap in the noting one."""
    notes: list[tuple[float, bool, str]] = []
    _NotingConnection.notes = notes
    load.Connection = _NotingConnection  # type: ignore[misc]
    try:
        yield notes
    finally:
        load.Connection = Connection  # type: ignore[misc]


def joined(
    results: list[tuple[float, float, int]], notes: list[tuple[float, bool, str]], start: float
) -> list[Request]:
    """load.client's (sent, ms, status) with what the connection noted. The client reads the clock
    and enters post with no await between, so a request's note is the first one at or after its send."""
    times = [t for t, _, _ in notes]
    requests = []
    for sent, ms, status in results:
        _, follow_up, message = notes[bisect.bisect_left(times, sent)]
        requests.append(Request(sent - start, ms, status, follow_up, message))
    return requests


async def _single(port: int, questions: list, args: argparse.Namespace) -> tuple[float, list]:
    load_args = argparse.Namespace(think=0.0, follow_up=args.follow_up)
    results: list[tuple[float, float, int]] = []
    budget = _RequestBudget(results, args.single_warmup + args.single_requests)
    start = time.monotonic()
    await client(0, port, questions, load_args, 0.0, budget, results)  # type: ignore[arg-type]
    return start, results[args.single_warmup :]


async def _timed_load(port: int, questions: list, load_args: argparse.Namespace) -> tuple[float, list]:
    before = time.monotonic()
    results = await run_load(port, questions, load_args)
    return before + load_args.warmup, results


def _cpu_seconds(pid: int | str | None = None) -> float:
    """CPU seconds the whole machine has been busy (``pid`` None), or one process has used."""
    tick = os.sysconf("SC_CLK_TCK")
    if pid is None:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(
            int, Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
        )
        return (user + nice + system + irq + softirq + steal) / tick
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick  # utime, stime


@contextlib.contextmanager
def others_cpu(server: Server, run: str, pid: int) -> Iterator[None]:
    """Note the cores that processes other than the server and this load generator kept busy
    during a run: the machine is shared, and this tells which figures another job disturbed."""
    try:
        before = (time.monotonic(), _cpu_seconds(), _cpu_seconds(pid), _cpu_seconds("self"))
    except (OSError, ValueError):  # no /proc: nothing noted
        yield
        return
    yield
    after = (time.monotonic(), _cpu_seconds(), _cpu_seconds(pid), _cpu_seconds("self"))
    wall, total, served, generated = (b - a for a, b in zip(before, after, strict=True))
    server.others_cpu[run] = max(0.0, total - served - generated) / wall


def measure(server: Server, questions: list, args: argparse.Namespace) -> None:
    """Start the server, run single, think and closed on it, stop it."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix=f"navigator-speed-{server.label}-") as data_dir:
        # An inherited PYTHONPATH could make the baseline import this checkout's code.
        proc = start_server(port, data_dir, 1, args.threads, {"PYTHONPATH": ""}, server.python, server.cwd)
        try:
            print(f"{server.label}: starting (first start ingests its knowledge/)", file=sys.stderr)
            try:
                server.ready = wait_ready(f"http://127.0.0.1:{port}", proc, args.ready_timeout)
            except SystemExit:
                log = (Path(data_dir) / "serve.log").read_text(errors="replace").splitlines()
                print("\n".join(log[-20:]), file=sys.stderr)
                raise
            print(f"{server.label}: single, {args.single_requests} requests", file=sys.stderr)
            with noting_requests() as notes, others_cpu(server, "single", proc.pid):
                start, results = asyncio.run(_single(port, questions, args))
                server.single = joined(results, notes, start)
            for name, think in (("think", args.think), ("closed", 0.0)):
                print(f"{server.label}: {name}, {args.clients} clients, {args.duration:g} s", file=sys.stderr)
                load_args = argparse.Namespace(
                    clients=args.clients,
                    duration=args.duration,
                    warmup=args.warmup,
                    think=think,
                    follow_up=args.follow_up,
                )
                with noting_requests() as notes, others_cpu(server, name, proc.pid):
                    start, results = asyncio.run(_timed_load(port, questions, load_args))
                    setattr(server, name, joined(results, notes, start))
        finally:
            stop_server(proc)


def ms(requests: list[Request]) -> list[float]:
    return [r.ms for r in requests]


def fmt(*values: float) -> str:
    return " / ".join(f"{v:.1f}" for v in values)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def table(servers: dict[str, Server], args: argparse.Namespace, embed: tuple[float, float]) -> list[str]:
    this, base = servers.get("current"), servers.get("baseline")
    embed_p50 = embed[0]

    def cell(server: Server | None, text) -> str:
        return "—" if server is None else text(server)

    def single_ratio(s: Server) -> float:
        return statistics.median(ms(s.single)) / embed_p50

    def think_ratio(s: Server) -> float:
        return percentile(ms(s.think), 95) / embed_p50

    def rate(s: Server) -> float:
        return len(s.closed) / args.duration

    def judged(ok) -> str:
        return verdict(None if this is None else ok(this))

    closed_ratio = rate(this) / rate(base) if this and base else None
    rows = [
        ("bare query embedding, p50 / p95 ms", fmt(*embed), "(the same: measured once)", "", ""),
        (
            "single: median / p95 ms",
            cell(this, lambda s: fmt(statistics.median(ms(s.single)), percentile(ms(s.single), 95))),
            cell(base, lambda s: fmt(statistics.median(ms(s.single)), percentile(ms(s.single), 95))),
            "",
            "",
        ),
        (
            "single median / embedding",
            cell(this, lambda s: f"{single_ratio(s):.1f}×"),
            cell(base, lambda s: f"{single_ratio(s):.1f}×"),
            f"≤ {SINGLE_TARGET:g}×",
            judged(lambda s: single_ratio(s) <= SINGLE_TARGET),
        ),
    ]
    think_ms = [
        (
            "think: p50 / p95 / p99 / max ms",
            lambda s: fmt(*(percentile(ms(s.think), p) for p in (50, 95, 99, 100))),
        ),
        (
            "think: requests (req/s), errors",
            lambda s: (
                f"{len(s.think)} ({len(s.think) / args.duration:.1f}), {sum(r.status != 200 for r in s.think)}"
            ),
        ),
    ]
    rows += [(name, cell(this, text), cell(base, text), "", "") for name, text in think_ms]
    rows += [
        (
            "think p95 / embedding",
            cell(this, lambda s: f"{think_ratio(s):.1f}×"),
            cell(base, lambda s: f"{think_ratio(s):.1f}×"),
            f"≤ {THINK_TARGET:g}×",
            judged(lambda s: think_ratio(s) <= THINK_TARGET),
        ),
        (
            "closed: req/s",
            cell(this, lambda s: f"{rate(s):.1f}"),
            cell(base, lambda s: f"{rate(s):.1f}"),
            "",
            "",
        ),
        (
            "closed: p50 / p95 ms, errors",
            cell(
                this,
                lambda s: (
                    f"{fmt(percentile(ms(s.closed), 50), percentile(ms(s.closed), 95))}, {sum(r.status != 200 for r in s.closed)}"
                ),
            ),
            cell(
                base,
                lambda s: (
                    f"{fmt(percentile(ms(s.closed), 50), percentile(ms(s.closed), 95))}, {sum(r.status != 200 for r in s.closed)}"
                ),
            ),
            "",
            "",
        ),
        (
            "closed req/s, this / baseline",
            "—" if closed_ratio is None else f"{closed_ratio:.2f}×",
            "",
            f"≥ {CLOSED_TARGET:g}×",
            verdict(None if closed_ratio is None else closed_ratio >= CLOSED_TARGET),
        ),
        (
            "other processes' CPU, cores: single / think / closed",
            cell(this, lambda s: " / ".join(f"{s.others_cpu.get(r, float('nan')):.2f}" for r in RUNS)),
            cell(base, lambda s: " / ".join(f"{s.others_cpu.get(r, float('nan')):.2f}" for r in RUNS)),
            "≈ 0 (quiet machine)",
            "",
        ),
        (
            "errors, all runs",
            cell(this, lambda s: str(s.errors())),
            cell(base, lambda s: str(s.errors())),
            "0",
            judged(lambda s: s.errors() == 0),
        ),
    ]
    head = (
        "measure",
        f"this checkout ({this.commit})" if this else "this checkout",
        f"baseline ({base.commit})" if base else "baseline",
        "target",
        "this checkout",
    )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def slowest(server: Server, count: int) -> list[str]:
    lines = [
        f"{count} slowest think requests, {server.label} ({server.commit}):",
        "",
        "| sent at s | done at s | ms | follow-up | message |",
        "|---|---|---|---|---|",
    ]
    for r in sorted(server.think, key=lambda r: r.ms, reverse=True)[:count]:
        status = "" if r.status == 200 else f" (status {r.status})"
        message = r.message[:40].replace("|", "\\|")
        lines.append(
            f"| {r.offset:.3f} | {r.offset + r.ms / 1000:.3f} | {r.ms:.1f}{status} | "
            f"{'yes' if r.follow_up else 'no'} | {message} |"
        )
    return lines


def write_csv(path: Path, servers: dict[str, Server]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["server", "commit", "run", "sent_s", "ms", "status", "follow_up", "message"])
        for server in servers.values():
            for run in RUNS:
                for r in getattr(server, run):
                    writer.writerow(
                        [
                            server.label,
                            server.commit,
                            run,
                            f"{r.offset:.4f}",
                            f"{r.ms:.2f}",
                            r.status,
                            int(r.follow_up),
                            r.message,
                        ]
                    )


def python_version(python: str) -> str:
    out = subprocess.run(
        [python, "-c", "import platform; print(platform.python_version())"], capture_output=True, text=True
    )
    return out.stdout.strip() or "?"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=["current", "baseline"], help="measure one server only")
    parser.add_argument("--baseline-commit", default=BASELINE_COMMIT, help=f"default {BASELINE_COMMIT}")
    parser.add_argument(
        "--baseline-dir",
        type=Path,
        help="the baseline's checkout and venv, reused (default /tmp/navigator-baseline-<commit>)",
    )
    parser.add_argument("--clients", type=int, default=32, help="clients of think and closed (default 32)")
    parser.add_argument(
        "--duration", type=float, default=30, help="measured s of think and closed (default 30)"
    )
    parser.add_argument("--warmup", type=float, default=3, help="s of load before measuring (default 3)")
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean think time of the think run in s (default 1)"
    )
    parser.add_argument(
        "--follow-up", type=float, default=0.3, help="chance that a follow-up comes next (default 0.3)"
    )
    parser.add_argument(
        "--single-requests", type=int, default=300, help="measured requests of single (default 300)"
    )
    parser.add_argument(
        "--single-warmup", type=int, default=20, help="unmeasured requests before them (default 20)"
    )
    parser.add_argument(
        "--embed-samples", type=int, default=1000, help="bare query embeddings timed (default 1000)"
    )
    parser.add_argument(
        "--threads", type=int, default=4, help="NAVIGATOR_WEB_THREADS of both servers (default 4)"
    )
    parser.add_argument("--slowest", type=int, default=5, help="slowest think requests listed (default 5)")
    parser.add_argument("--requests-csv", type=Path, help="write every measured request to this CSV file")
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=300,
        help="s to wait for a server, its first ingest included (default 300)",
    )
    args = parser.parse_args()
    began = time.monotonic()

    baseline_commit = git("rev-parse", "--verify", f"{args.baseline_commit}^{{commit}}")
    current_commit = git("rev-parse", "--short", "HEAD")
    changed = [line for line in git("status", "--porcelain").splitlines() if line.strip()]
    servers: dict[str, Server] = {}
    if args.only != "baseline":
        label = current_commit + (f" + {len(changed)} changed files" if changed else "")
        servers["current"] = Server("current", label, sys.executable, ROOT)
    if args.only != "current":
        folder = ensure_baseline(
            baseline_commit,
            args.baseline_dir or Path(tempfile.gettempdir()) / f"navigator-baseline-{args.baseline_commit}",
        )
        servers["baseline"] = Server(
            "baseline", baseline_commit[:7], str(folder / ".venv" / "bin" / "python"), folder
        )

    from ingest.settings import Settings

    load_start = os.getloadavg()
    questions = load_questions()
    print(f"bare query embedding, {args.embed_samples} samples", file=sys.stderr)
    embed = embedding_floor(questions, args.embed_samples)
    for server in servers.values():
        measure(server, questions, args)
    load_end = os.getloadavg()

    pythons = ", ".join(f"{s.label} {python_version(s.python)}" for s in servers.values())
    print(
        f"machine: {os.cpu_count()} cores, python {pythons}; load average (1/5/15 min) at start "
        + " ".join(f"{v:.2f}" for v in load_start)
        + ", at end "
        + " ".join(f"{v:.2f}" for v in load_end)
    )
    for s in servers.values():
        print(
            f"{s.label}: {s.commit} in {s.cwd}, index v{s.ready.get('index_version')} ({s.ready.get('records')} records, {s.ready.get('embedder')})"
        )
    print(
        f"servers: navigator serve, 1 worker x {args.threads} threads, rate limit off; embedding: today's "
        f"{Settings().embedder} embedder, {Settings().serve_embed_threads} thread(s), {args.embed_samples} samples, before any server"
    )
    print(
        f"load: {len(questions)} questions from eval/questions.yaml, follow-ups {args.follow_up:.0%}; single: 1 client, "
        f"{args.single_requests} requests after {args.single_warmup}; think: {args.clients} clients, {args.think:g} s mean "
        f"think, {args.duration:g} s after {args.warmup:g} s; closed: {args.clients} clients, no think, {args.duration:g} s"
    )
    print()
    print("\n".join(table(servers, args, embed)))
    for server in servers.values():
        print()
        print("\n".join(slowest(server, args.slowest)))
    if args.requests_csv:
        write_csv(args.requests_csv, servers)
    print(f"\nwhole run: {time.monotonic() - began:.0f} s")
    return 1 if any(s.errors() for s in servers.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
