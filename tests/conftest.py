"""Shared fixtures: real Chroma, the real bundled embedder, the repository's own knowledge."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.embeddings import make_embedder
from ingest.settings import REPO_ROOT, Settings

KNOWLEDGE = REPO_ROOT / "knowledge"


def said(reply: dict) -> str:
    """All a reply says: its main text and the details behind 「詳しく」 (issue 21)."""
    return "\n".join([reply["answer"], *(d["text"] for d in reply.get("details") or [])])


PLAN = KNOWLEDGE / "documents" / "fujisawa-sme-plan.txt"


@pytest.fixture(scope="session")
def embedder():
    return make_embedder("bundled")


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A private copy of knowledge/ that a test may change: the plan, contacts and catalog. The
    program sheets (documents/programs/) are left out so that a test's expectations do not move
    when staff add or edit a sheet; tests of sheets use `shipped_knowledge_dir`."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target, ignore=shutil.ignore_patterns("programs", "facts"))
    return target


@pytest.fixture
def shipped_knowledge_dir(tmp_path: Path) -> Path:
    """A private copy of the whole shipped knowledge/, program sheets included."""
    target = tmp_path / "shipped-knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
    """With NAVIGATOR_TEST_CHROMA=server, a real `chroma run` on 127.0.0.1 that every test's settings use."""
    if os.environ.get("NAVIGATOR_TEST_CHROMA") != "server":
        yield None
        return
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@contextlib.contextmanager
def chroma_server(path: Path) -> Iterator[str]:
    """`chroma run` from the chromadb package, on a free loopback port, stopped afterwards."""
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("chroma run did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the whole run (started on first use); `.new_database()` per test."""
    from tests.postgres import postgres_server

    with postgres_server() as server:
        yield server


_test_postgres = None  # the server every store uses when NAVIGATOR_TEST_DB=postgresql


@pytest.fixture(scope="session", autouse=True)
def _store_backend(request: pytest.FixtureRequest) -> None:
    """With NAVIGATOR_TEST_DB=postgresql, every test's store is a fresh PostgreSQL database."""
    global _test_postgres
    if os.environ.get("NAVIGATOR_TEST_DB") == "postgresql":
        _test_postgres = request.getfixturevalue("postgres")


def store_settings(settings: Settings, data_dir: Path | None = None) -> Settings:
    """These settings with their own store: SQLite in ``data_dir`` (default: the settings' data
    folder), or a new PostgreSQL database when the tests run against PostgreSQL."""
    update: dict[str, object] = {"database_url": _test_postgres.new_database() if _test_postgres else None}
    if data_dir is not None:
        update["data_dir"] = data_dir
    return settings.model_copy(update=update)


@pytest.fixture
def store_db(tmp_path: Path):
    """A fresh, migrated store (SQLite in the test's folder, or PostgreSQL per NAVIGATOR_TEST_DB)."""
    from bot.db import open_database

    return open_database(store_settings(Settings(data_dir=tmp_path / "data")))


def reopened(database):
    """The same store through a new engine: what a restarted process (or another host) sees."""
    from bot.db import Database
    from bot.db.engine import make_engine

    return Database(make_engine(database.engine.url.render_as_string(hide_password=False)))


def make_settings(knowledge_dir: Path, data_dir: Path, chroma_url: str | None) -> Settings:
    """Settings for one test; in server mode each test gets its own collection prefix on the shared server."""
    if chroma_url:
        prefix = "t" + uuid.uuid4().hex[:10]
        settings = Settings(
            knowledge_dir=knowledge_dir, data_dir=data_dir, chroma_url=chroma_url, collection_prefix=prefix
        )
    else:
        settings = Settings(knowledge_dir=knowledge_dir, data_dir=data_dir)
    return store_settings(settings)


@pytest.fixture
def settings(tmp_path: Path, knowledge_dir: Path, chroma_url: str | None) -> Settings:
    return make_settings(knowledge_dir, tmp_path / "data", chroma_url)


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, embedder, chroma_url: str | None) -> Settings:
    """One index of the repository's knowledge, built once and shared by read-only tests."""
    from ingest.pipeline import run_ingest

    settings = make_settings(KNOWLEDGE, tmp_path_factory.mktemp("index") / "data", chroma_url)
    run_ingest(settings, embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def navigator(built_index: Settings, embedder):
    from bot.answering.retrieve import Retriever
    from bot.answering.select import Navigator

    return Navigator(built_index, Retriever(built_index, embedder=embedder))


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NAVIGATOR_")}
    env.update(
        NAVIGATOR_KNOWLEDGE_DIR=str(settings.knowledge_dir),
        NAVIGATOR_DATA_DIR=str(settings.data_dir),
        NAVIGATOR_COLLECTION_PREFIX=settings.collection_prefix,
        HF_HUB_OFFLINE="1",
    )
    if settings.chroma_url:
        env["NAVIGATOR_CHROMA_URL"] = settings.chroma_url
    if settings.database_url:
        env["NAVIGATOR_DATABASE_URL"] = settings.database_url
    env.update(extra)
    return env


def run_cli(settings: Settings, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """The installed command as a user runs it: a real process with real settings."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=cli_env(settings, **extra_env),
        cwd=REPO_ROOT,
        timeout=300,
    )


def run_json(settings: Settings, *args: str, **extra_env: str) -> tuple[int, dict]:
    done = run_cli(settings, *args, "--json", **extra_env)
    assert done.stdout.strip(), done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """The system Chromium under Playwright (never `playwright install`), one per test module."""
    from playwright.sync_api import sync_playwright

    from tests.web_support import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
