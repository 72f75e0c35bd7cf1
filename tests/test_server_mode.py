"""Several processes sharing one Chroma server (`chroma run`): replicas agree, a re-ingest under load
never mixes versions, a killed ingest leaves the last good version live (issue 5)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from ingest.index_store import IndexStore
from ingest.settings import Settings
from tests.conftest import chroma_server, cli_env, free_port, run_cli
from tests.test_safe_reingest import start_ingest, wait_for_building, write_bulk_document
from tests.web_support import ADMIN_TOKEN, start_serve, stop, wait_ready

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
QUESTIONS = [
    "マル経融資の条件は？",
    "設備を買うためにお金を借りたい",
    "How can I hire foreign workers?",
    "事業承継の相談をしたい",
    "健康経営優良法人の目標は？",
    "ゴミの収集日を教えて",
]
CHANGED_ROW = ("の商工業者への貸付", "の商工業者への無担保・無保証人の貸付")


@pytest.fixture(scope="module")
def chroma(tmp_path_factory) -> Iterator[str]:
    with chroma_server(tmp_path_factory.mktemp("chroma")) as url:
        yield url


@pytest.fixture
def shared(chroma, knowledge_dir, tmp_path) -> Settings:
    """Settings of a deployment on the Chroma server (its own collections), for CLI processes."""
    return Settings(
        knowledge_dir=knowledge_dir,
        data_dir=tmp_path / "cli-data",
        chroma_url=chroma,
        collection_prefix="s" + uuid.uuid4().hex[:10],
    )


@contextlib.contextmanager
def replica(shared: Settings, name: str) -> Iterator[str]:
    """`navigator serve` with its own data directory (another host) on the shared Chroma server."""
    port = free_port()
    replica_settings = shared.model_copy(update={"data_dir": shared.data_dir.parent / name})
    env = cli_env(replica_settings, NAVIGATOR_ADMIN_TOKEN=ADMIN_TOKEN, NAVIGATOR_RATE_LIMIT_PER_MINUTE="0")
    process = start_serve(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        yield base
    finally:
        stop(process)


def ask(base: str, question: str) -> dict:
    response = httpx.post(f"{base}/api/chat", json={"message": question}, timeout=30)
    response.raise_for_status()
    return response.json()


def essence(reply: dict) -> tuple:
    """What must be identical across replicas and within a version (sessions and turns differ)."""
    return (
        reply["status"],
        reply["answer"] + "".join(c.get("text", "") for c in reply["citations"]),  # the cited words too
        tuple(c["id"] for c in reply["citations"]),
        tuple(c["id"] for c in reply["contacts"]),
    )


def answers(base: str) -> dict[str, tuple]:
    return {q: essence(ask(base, q)) for q in QUESTIONS}


def wait_version(base: str, version: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(f"{base}/readyz", timeout=5).json().get("index_version") == version:
            return
        time.sleep(0.1)
    pytest.fail(f"{base} did not switch to version {version}")


def change_plan(settings: Settings) -> None:
    plan = settings.documents_dir / "fujisawa-sme-plan.txt"
    plan.write_text(plan.read_text(encoding="utf-8").replace(*CHANGED_ROW), encoding="utf-8")


def test_two_replicas_give_identical_answers_before_and_after_a_reingest_through_one(shared):
    with replica(shared, "host-a") as a, replica(shared, "host-b") as b:
        before = answers(a)
        assert answers(b) == before

        change_plan(shared)
        job = httpx.post(f"{a}/admin/reingest", headers=AUTH, timeout=30).json()
        deadline = time.monotonic() + 120
        while (status := httpx.get(f"{a}/admin/reingest/{job['job_id']}", headers=AUTH).json())[
            "status"
        ] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert status["status"] == "succeeded", status
        wait_version(a, status["report"]["version"])
        wait_version(b, status["report"]["version"])

        after = answers(a)
        assert answers(b) == after
        assert after != before
        assert "無担保・無保証人の貸付" in after["マル経融資の条件は？"][1]


def test_clients_asking_during_a_reingest_see_one_version_or_the_other_then_rollback(shared):
    with replica(shared, "host-a") as base:
        old_version = httpx.get(f"{base}/readyz").json()["index_version"]
        reference = {old_version: answers(base)}

        change_plan(shared)
        write_bulk_document(shared.documents_dir, sections=1500)  # a re-ingest that lasts a while
        ingest = start_ingest(shared)
        replies: list[dict] = []
        errors: list[str] = []

        def client(n: int) -> None:
            asked = 0
            while (ingest.poll() is None or len(replies) < 40) and len(replies) < 5000:
                question = QUESTIONS[(n + asked) % len(QUESTIONS)]
                asked += 1
                try:
                    replies.append({**ask(base, question), "question": question})
                except httpx.HTTPError as exc:
                    errors.append(repr(exc))

        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(client, n) for n in range(8)]
            wait_for_building(ingest)
            ingest.wait(timeout=300)
            for future in futures:
                future.result(timeout=300)
        assert ingest.returncode == 0
        new_version = IndexStore(shared).live_number()
        assert new_version != old_version
        wait_version(base, new_version)
        reference[new_version] = answers(base)

        assert errors == []
        assert all(r["answer"].strip() for r in replies)
        seen_versions = {r["index_version"] for r in replies}
        assert old_version in seen_versions and seen_versions <= {old_version, new_version}
        for reply in replies:
            assert essence(reply) == reference[reply["index_version"]][reply["question"]], reply

        rollback = run_cli(shared, "rollback")
        assert rollback.returncode == 0, rollback.stderr
        wait_version(base, old_version)
        assert answers(base) == reference[old_version]


def test_a_killed_ingest_leaves_the_server_on_the_last_good_version(shared):
    with replica(shared, "host-a") as base:
        good = httpx.get(f"{base}/readyz").json()["index_version"]
        before = answers(base)
        change_plan(shared)
        write_bulk_document(shared.documents_dir, sections=2500)
        ingest = start_ingest(shared)
        wait_for_building(ingest)
        time.sleep(0.5)
        os.kill(ingest.pid, signal.SIGKILL)
        ingest.wait(timeout=30)

        assert httpx.get(f"{base}/readyz").json()["index_version"] == good
        assert answers(base) == before

        done = run_cli(shared, "ingest")
        assert done.returncode == 0, done.stderr
        store = IndexStore(shared)
        on_server = sorted(
            int(c.name.rsplit("-v", 1)[1])
            for c in store.client.list_collections()
            if c.name.startswith(store.prefix + "-v")
        )
        assert on_server == sorted(v.number for v in store.versions())
        wait_version(base, store.live_number())
        assert "無担保・無保証人の貸付" in ask(base, "マル経融資の条件は？")["citations"][0]["text"]
