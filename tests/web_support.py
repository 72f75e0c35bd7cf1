"""Helpers for the web tests: an app over a shared index with a private conversation store, real
HTTP servers on free 127.0.0.1 ports (the API in a thread, a second-origin host page), the
`navigator serve` subprocess, and the system Chromium for Playwright."""

from __future__ import annotations

import contextlib
import functools
import http.server
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.answering.conversation import Conversation
from bot.answering.retrieve import Retriever
from bot.answering.select import Navigator
from bot.db import open_database
from bot.runtime import Runtime, build_runtime
from bot.store import ConversationStore
from bot.taught import TaughtQuestions
from bot.web.app import create_app
from ingest.settings import REPO_ROOT, Settings
from tests.conftest import free_port, store_settings

ADMIN_TOKEN = "test-admin-token"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO_ROOT / "test-artifacts"


def web_settings(base: Settings, **overrides: object) -> Settings:
    """The index's settings with the web knobs tests expect (admin on, no rate limit) plus overrides."""
    values = {"admin_token": ADMIN_TOKEN, "rate_limit_per_minute": 0, **overrides}
    return base.model_copy(update=values)


def admin_client(settings: Settings, embedder: object, **overrides: object) -> TestClient:
    """An in-process client of the whole app over ``settings``' own index (built by the caller), with
    the web knobs of ``web_settings`` plus ``overrides``: for uploads and re-ingests a test keeps private.
    Its requests come from 127.0.0.1, which may read /metrics."""
    web = web_settings(settings, **overrides)
    app = create_app(web, build_runtime(web, Retriever(web, embedder=embedder)))
    return TestClient(app, client=("127.0.0.1", 50000))  # on loopback, as an operator on the host


def runtime_for(navigator: Navigator, settings: Settings, store: Settings | Path) -> Runtime:
    """A runtime over an already loaded navigator (shared index and embedder) and its own store:
    a folder (a new store there, or a new database when the tests run against PostgreSQL), or the
    settings of a store made before (`store_settings`), to reopen it as a restarted app would."""
    if not isinstance(store, Settings):
        store = store_settings(settings, store)
    database = open_database(store)
    conversations = ConversationStore(database)
    # the same index and embedder, answering with the taught questions of this store
    taught = TaughtQuestions(database, navigator.retriever.embedder, settings.taught_similarity)
    navigator = Navigator(settings, navigator.retriever, taught)
    return Runtime(settings, navigator, conversations, Conversation(navigator, conversations))


@contextlib.contextmanager
def serve_app(app: FastAPI) -> Iterator[str]:
    """uvicorn on a free 127.0.0.1 port in a thread, as `navigator serve` runs it; yields its base URL.

    The socket is bound here and handed to uvicorn, so no other process can take the port between
    choosing it and listening on it.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def live_server(settings: Settings, runtime: Runtime) -> contextlib.AbstractContextManager[str]:
    """The web app of these settings and runtime on a real HTTP server."""
    return serve_app(create_app(settings, runtime))


@contextlib.contextmanager
def static_site(directory: Path, port: int | None = None) -> Iterator[str]:
    """A second origin: a plain file server for a host page that embeds the widget."""
    port = port or free_port()
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def start_serve(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    """`navigator serve` as a user starts it, in its own process; what it prints goes to a file
    (a pipe nobody reads while requests run would fill with access-log lines and stall it)."""
    output = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 - closed in stop()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        env=env,
        cwd=REPO_ROOT,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.output_file = output  # type: ignore[attr-defined]
    return process


def _printed(process: subprocess.Popen[str]) -> str:
    output = process.output_file  # type: ignore[attr-defined]
    output.seek(0)
    return output.read()


def wait_ready(base: str, process: subprocess.Popen[str], timeout: float = 180) -> None:
    """Bounded wait until /readyz answers 200 (first start includes an ingest)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"navigator serve exited with {process.returncode}:\n{_printed(process)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/readyz", timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError("navigator serve did not become ready")


def stop(process: subprocess.Popen[str]) -> str:
    """Stop the server the way Ctrl-C does and return what it printed."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    printed = _printed(process)
    process.output_file.close()  # type: ignore[attr-defined]
    return printed


def wait_job(client, job_id: str, headers: dict[str, str] | None = None, timeout: float = 180) -> dict:
    """Poll a re-ingest job until it is no longer running (a bounded wait, not a speed check).
    ``client`` is an httpx.Client or a TestClient; ``headers`` default to the admin token."""
    import pytest

    headers = headers if headers is not None else {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/admin/reingest/{job_id}", headers=headers).json()
        if job["status"] != "running":
            return job
        time.sleep(0.1)
    pytest.fail("the re-ingest job did not finish")
