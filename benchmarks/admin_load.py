"""Chat latency while admins work: idle, then while four admins upload 20 MB documents and a
re-ingest runs, on one real `navigator serve`.

The same chat load as benchmarks/load.py (default: 32 clients, 1 s think time, questions from
eval/questions.yaml) is measured twice on the same server: first alone, then while
``--uploaders`` clients each upload a 20 MB PDF (one page of text and a 20 MB photo, as a brochure
is) again and again over a 100 Mbit/s link each (``--mbps``; 0 sends as fast as loopback goes),
and re-ingests run back to back, each with real work (a notice of 300 sections, reworded every
round, to embed), with the index in a `chroma run` process as docker-compose deploys it
(``--embedded``: embedded Chroma in the API process). Uploads are read in the sandbox's
processes and on the admin threads, never on the chat's; the target is chat p95 under admin work
within 2x of idle. Run:
    .venv/bin/python benchmarks/admin_load.py [--duration 20] [--uploaders 4] [--embedded]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
from load import (  # noqa: E402
    free_port,
    load_questions,
    percentile,
    run_load,
    start_server,
    stop_server,
    wait_ready,
)

from tests.conftest import chroma_server  # noqa: E402 - `chroma run` as the tests start it
from tests.hostile_files import pdf_bytes  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "benchmark-admin-token"
_MB = 1024 * 1024


def brochure_pdf(path: Path, megabytes: int = 20) -> None:
    """A valid one-page PDF: a line of text and an uncompressed image of ``megabytes`` MB."""
    pixels = os.urandom(megabytes * _MB - 4096)
    side = int((len(pixels) / 3) ** 0.5)
    pixels = pixels[: side * side * 3]
    content = b"BT /F1 12 Tf 72 720 Td (Energy saving subsidy 2027: apply at the chamber) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << /Im1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Length %d >>\nstream\n" % (side, side, len(pixels)) + pixels + b"\nendstream",
    ]
    path.write_bytes(pdf_bytes(objects))


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "navigatorbenchmark"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _request(base: str, method: str, path: str, body: bytes | None = None, content_type: str = "") -> tuple:
    request = urllib.request.Request(base + path, data=body, method=method)
    request.add_header("Authorization", f"Bearer {TOKEN}")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def _paced_upload(base: str, body: bytes, content_type: str, mbps: float) -> int:
    """POST an upload at ``mbps`` megabits per second (0: as fast as loopback goes), as an admin's
    browser on the office network would send it."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=300)
    try:
        connection.putrequest("POST", "/admin/documents")
        connection.putheader("Authorization", f"Bearer {TOKEN}")
        connection.putheader("Content-Type", content_type)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders()
        chunk = 256 * 1024
        started = time.monotonic()
        for offset in range(0, len(body), chunk):
            connection.send(body[offset : offset + chunk])
            if mbps:
                due = started + (offset + chunk) * 8 / (mbps * 1_000_000)
                time.sleep(max(0.0, due - time.monotonic()))
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


class AdminWork:
    """Uploaders and a re-ingest loop in threads, until stopped; counts what they did."""

    def __init__(
        self, base: str, document: bytes, uploaders: int, reingest: bool = True, mbps: float = 0
    ) -> None:
        self.base, self.document, self.uploaders, self.mbps = base, document, uploaders, mbps
        self.stop = threading.Event()
        self.uploads: list[tuple[float, int]] = []
        self.ingests: list[str] = []
        self.threads = [threading.Thread(target=self._upload, args=(n,)) for n in range(uploaders)]
        if reingest:
            self.threads.append(threading.Thread(target=self._reingest))

    def _upload(self, n: int) -> None:
        body, content_type = _multipart(f"brochure-{n}.pdf", self.document)
        while not self.stop.is_set():
            started = time.monotonic()
            status = _paced_upload(self.base, body, content_type, self.mbps)
            self.uploads.append((time.monotonic() - started, status))

    def _reingest(self) -> None:
        round_ = 0
        while not self.stop.is_set():
            # New wording every round, so each re-ingest has real work: 300 sections to embed.
            round_ += 1
            notices = "\n".join(
                f"# お知らせ {n}\n第{round_}期 第{n}回 商店街の清掃と防犯の打合せ、議題{(n * 7 + round_) % 101}について。\n"
                for n in range(300)
            )
            body, content_type = _multipart("notices.md", notices.encode())
            _request(self.base, "POST", "/admin/documents", body, content_type.replace("pdf", "md"))
            status, job = _request(self.base, "POST", "/admin/reingest")
            if status != 202:
                time.sleep(0.2)
                continue
            while not self.stop.is_set():
                _, state = _request(self.base, "GET", f"/admin/reingest/{job['job_id']}")
                if state.get("status") != "running":
                    self.ingests.append(str(state.get("status")))
                    break
                time.sleep(0.2)

    def __enter__(self) -> AdminWork:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def server_latencies(log: Path, phases: list[float]) -> tuple[list[float], list[float]]:
    """The server's own time for each chat answer (its JSON access log, whole seconds), per phase,
    leaving out each phase's first and last second. Beside the clients' figures, because on a
    2-core machine the load generator competes for the same cores as the server and its work."""
    idle: list[float] = []
    busy: list[float] = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        entry = json.loads(line)
        if entry.get("route") != "/api/chat" or "ms" not in entry:
            continue
        at = time.mktime(time.strptime(entry["time"], "%Y-%m-%dT%H:%M:%S"))
        if phases[0] + 1 <= at < phases[1] - 1:
            idle.append(float(entry["ms"]))
        elif phases[2] + 1 <= at < phases[3] - 1:
            busy.append(float(entry["ms"]))
    return idle, busy


def summary(results: list[tuple[float, float, int]]) -> dict[str, float]:
    latencies = [ms for _, ms, _ in results]
    return {
        "requests": len(results),
        "errors": sum(1 for _, _, status in results if status != 200),
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--duration", type=float, default=20, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--follow-up", type=float, default=0.3)
    parser.add_argument("--uploaders", type=int, default=4)
    parser.add_argument(
        "--mbps", type=float, default=100, help="each uploader's link speed in Mbit/s (0: unpaced loopback)"
    )
    parser.add_argument("--keep-log", help="copy the server's JSON log here")
    parser.add_argument("--no-reingest", action="store_true", help="uploads only, no re-ingest")
    parser.add_argument("--megabytes", type=int, default=20, help="size of each uploaded document")
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="embedded Chroma in the API process (the default install) instead of a `chroma run` "
        "process as docker-compose deploys it",
    )
    args = parser.parse_args()

    questions = load_questions()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="navigator-admin-load-") as data_dir:
        if args.keep_log:
            print(f"server log: {args.keep_log}")
        document_path = Path(data_dir) / "brochure.pdf"
        brochure_pdf(document_path, args.megabytes)
        document = document_path.read_bytes()
        chroma = contextlib.ExitStack()
        chroma_url = None if args.embedded else chroma.enter_context(chroma_server(Path(data_dir) / "chroma"))
        extra = {
            "NAVIGATOR_ADMIN_TOKEN": TOKEN,
            **({"NAVIGATOR_CHROMA_URL": chroma_url} if chroma_url else {}),
        }
        server = start_server(port, data_dir, workers=1, threads=4, extra_env=extra)
        try:
            ready = wait_ready(base, server)
            phases = [time.time()]
            idle = summary(asyncio.run(run_load(port, questions, args)))
            phases.append(time.time())
            with AdminWork(base, document, args.uploaders, not args.no_reingest, args.mbps) as work:
                time.sleep(2)  # the uploads and the first re-ingest are under way
                phases.append(time.time())
                busy = summary(asyncio.run(run_load(port, questions, args)))
                phases.append(time.time())
        finally:
            stop_server(server)
            chroma.close()
            if args.keep_log:
                Path(args.keep_log).write_bytes((Path(data_dir) / "serve.log").read_bytes())
            served = server_latencies(Path(data_dir) / "serve.log", phases)
    accepted = sum(1 for _, status in work.uploads if status == 201)
    upload_s = percentile([s for s, _ in work.uploads], 50)
    index = "embedded Chroma" if args.embedded else "a `chroma run` server"
    print(
        f"machine: {os.cpu_count()} cores; server: navigator serve, index v{ready['index_version']} in {index}"
    )
    print(
        f"chat load: {args.clients} clients, think {args.think:g} s, {args.duration:.0f} s measured per phase"
    )
    for label, result in (("idle", idle), ("admin work", busy)):
        print(
            f"{label:>10}: {result['requests']} requests, errors {result['errors']}, "
            f"p50 {result['p50']:.1f} ms  p95 {result['p95']:.1f} ms  p99 {result['p99']:.1f} ms"
        )
    print(
        f"admin work: {len(work.uploads)} uploads of {len(document) / _MB:.0f} MB by {args.uploaders} clients "
        f"at {args.mbps:g} Mbit/s each "
        f"({accepted} accepted, median {upload_s:.1f} s each), {len(work.ingests)} re-ingests finished "
        f"({', '.join(sorted(set(work.ingests))) or 'none'})"
    )
    for label, values in (("idle", served[0]), ("admin work", served[1])):
        print(
            f"{label:>10} (server's own time, access log): p50 {percentile(values, 50):.1f} ms  "
            f"p95 {percentile(values, 95):.1f} ms  p99 {percentile(values, 99):.1f} ms"
        )
    ratio = busy["p95"] / idle["p95"] if idle["p95"] else float("inf")
    met = ratio <= 2.0 and not busy["errors"] and not idle["errors"]
    print(f"chat p95 under admin work / idle: {ratio:.2f}x (target at most 2x): {'met' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
