"""Candidate builds over real HTTP: build a version without switching to it, try it, switch, roll back.

One server (module scope) over its own knowledge copy and index; the uploaded document is fiction,
written in the test's folder.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.answering.retrieve import Retriever
from bot.db.audit import AuditLog
from bot.runtime import Runtime, build_runtime
from ingest.index_store import IndexStore
from ingest.pipeline import run_ingest, writer_lock
from ingest.settings import Settings
from tests.conftest import KNOWLEDGE, make_settings
from tests.web_support import ADMIN_TOKEN, live_server, wait_job, web_settings

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
DOCUMENT_NAME = "kamome-tenpo-ouen.md"
DOCUMENT = """# かもめ商店街 店舗リフレッシュ応援金

## 概要
かもめ商店街 店舗リフレッシュ応援金は、架空のかもめ商店街にある小売店が看板や陳列棚を新しくするときに、
費用の一部を応援する制度です。

## 応援金の額
上限は30万円で、対象経費の3分の1までです。

## 申込先
かもめ商店街振興会事務局（電話 0466-00-0000、平日9時から17時）
"""
QUESTION = "かもめ商店街の店舗リフレッシュ応援金の上限は？"


@dataclass
class Server:
    base: str
    settings: Settings
    runtime: Runtime
    client: httpx.Client


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, embedder, chroma_url) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("publish")
    knowledge = root / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge, ignore=shutil.ignore_patterns("programs", "facts"))
    settings = web_settings(make_settings(knowledge, root / "data", chroma_url))
    run_ingest(settings, embedder=embedder)
    runtime = build_runtime(settings, Retriever(settings, embedder=embedder))
    with live_server(settings, runtime) as base, httpx.Client(base_url=base, timeout=60) as client:
        yield Server(base, settings, runtime, client)


def cited_documents(answer: dict) -> set[str]:
    return {c["id"] for c in answer["citations"] if c["kind"] in ("document", "passage")}


def chat_cites(client: httpx.Client, ids: set[str], expected: bool, timeout: float = 5) -> dict:
    """The chat's answer once it cites the document (or no longer does): the server follows the live
    pointer about once a second, so the first answers after a switch may still come from the old one."""
    deadline = time.monotonic() + timeout
    while True:
        answer = client.post("/api/chat", json={"message": QUESTION}).json()
        cites = bool(cited_documents(answer) & ids)
        if cites == expected or time.monotonic() > deadline:
            return answer
        time.sleep(0.1)


def versions(client: httpx.Client) -> dict:
    response = client.get("/admin/versions", headers=AUTH)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_candidate_is_built_tried_switched_to_and_rolled_back(server: Server, tmp_path: Path):
    client = server.client
    before = versions(client)
    live = before["live"]
    assert isinstance(live, int) and isinstance(before["switched_at"], float)
    assert [item["live"] for item in before["items"]].count(True) == 1

    source = tmp_path / DOCUMENT_NAME
    source.write_text(DOCUMENT, encoding="utf-8")
    uploaded = client.post(
        "/admin/documents", files={"file": (DOCUMENT_NAME, source.read_bytes())}, headers=AUTH
    )
    assert uploaded.status_code == 201, uploaded.text

    started = client.post("/admin/reingest", params={"candidate": "true"}, headers=AUTH)
    assert started.status_code == 202, started.text
    job_id = started.json()["job_id"]
    job = wait_job(client, job_id)
    assert job["status"] == "succeeded", job
    report = job["report"]
    assert report["candidate"] is True and report["nothing_changed"] is False
    number = report["version"]
    assert number > live and report["previous_version"] == live
    added_ids = {c["id"] for c in report["changes"]["added"]}
    assert {c["document"] for c in report["changes"]["added"]} == {DOCUMENT_NAME}

    # The live version is unchanged: listed as live, answering the chat, which does not cite the upload.
    listed = versions(client)
    assert listed["live"] == live
    newest = listed["items"][0]
    assert newest["version"] == number
    assert (newest["status"], newest["live"], newest["candidate"]) == ("ready", False, True)
    assert newest["added"] == len(added_ids) and (newest["updated"], newest["deleted"]) == (0, 0)
    assert newest["records"]["document"] == 1 and newest["records"]["passage"] >= 1
    assert newest["changes_by_document"] == [
        {"document": DOCUMENT_NAME, "added": len(added_ids), "updated": 0, "deleted": 0, "fields": []}
    ]
    assert newest["embedder"]
    assert [item["version"] for item in listed["items"]] == sorted(
        (item["version"] for item in listed["items"]), reverse=True
    )
    assert client.get("/readyz").json()["index_version"] == live
    answer = client.post("/api/chat", json={"message": QUESTION}).json()
    assert answer["index_version"] == live
    assert not cited_documents(answer) & added_ids

    # Asked directly, the candidate answers from the upload, and nothing is stored.
    tried = client.post(f"/admin/versions/{number}/ask", json={"message": QUESTION}, headers=AUTH)
    assert tried.status_code == 200, tried.text
    tried_answer = tried.json()
    assert tried_answer["index_version"] == number
    assert tried_answer["status"] == "answered"
    assert cited_documents(tried_answer) & added_ids
    assert "30万円" in tried_answer["answer"]
    assert {"answer", "citations", "contacts", "suggestions", "language"} <= tried_answer.keys()
    assert "turn_id" not in tried_answer and "session_id" not in tried_answer

    # Switch: the chat follows within about a second.
    switched = client.post(f"/admin/versions/{number}/switch", headers=AUTH)
    assert switched.status_code == 200, switched.text
    assert switched.json() == {"live": number, "previous": live}
    answer = chat_cites(client, added_ids, expected=True)
    assert answer["index_version"] == number
    assert cited_documents(answer) & added_ids
    after_switch = versions(client)
    assert after_switch["live"] == number and after_switch["items"][0]["live"] is True
    assert after_switch["switched_at"] > before["switched_at"]

    # Rollback to the previous version: no longer cited, and the build is a candidate again.
    rolled = client.post("/admin/rollback", json={"to": None}, headers=AUTH)
    assert rolled.status_code == 200, rolled.text
    assert rolled.json() == {"live": live, "previous": number}
    answer = chat_cites(client, added_ids, expected=False)
    assert answer["index_version"] == live
    assert not cited_documents(answer) & added_ids
    assert versions(client)["items"][0]["candidate"] is True

    entries = AuditLog(server.runtime.store.db).entries()
    by_action = {e["action"]: e for e in entries}
    assert by_action["publish"]["target"] == job_id and by_action["publish"]["actor"] == "admin"
    assert by_action["switch"]["target"] == f"v{number}"
    assert by_action["switch"]["detail"] == {"previous": live}
    assert by_action["rollback"]["target"] == f"v{live}"
    assert by_action["rollback"]["detail"] == {"previous": number}
    assert QUESTION not in str(entries)


def test_unknown_and_unready_versions_and_a_busy_writer_are_refused(server: Server):
    client = server.client

    def error(response: httpx.Response, status: int) -> str:
        assert response.status_code == status, response.text
        return response.json()["error"]["code"]

    assert error(client.post("/admin/versions/9999/switch", headers=AUTH), 404) == "unknown_version"
    assert error(client.post("/admin/versions/9999/ask", json={"message": QUESTION}, headers=AUTH), 404) == (
        "unknown_version"
    )
    assert error(client.post("/admin/rollback", json={"to": 9999}, headers=AUTH), 409) == "cannot_rollback"
    live = versions(client)["live"]
    assert error(client.post(f"/admin/versions/{live}/ask", json={"message": " "}, headers=AUTH), 422) == (
        "empty_message"
    )
    too_long = "あ" * (server.settings.max_message_chars + 1)
    assert (
        error(client.post(f"/admin/versions/{live}/ask", json={"message": too_long}, headers=AUTH), 422)
        == "message_too_long"
    )

    store = IndexStore(server.settings)
    building, _ = store.begin_version("bundled")
    try:
        assert error(client.post(f"/admin/versions/{building}/switch", headers=AUTH), 409) == "not_ready"
        item = next(i for i in versions(client)["items"] if i["version"] == building)
        assert item["status"] == "building" and item["candidate"] is False and item["records"] is None
    finally:
        store.drop(building)

    with writer_lock(server.settings):
        assert error(client.post(f"/admin/versions/{live}/switch", headers=AUTH), 409) == "ingest_running"
        assert error(client.post("/admin/rollback", json={}, headers=AUTH), 409) == "ingest_running"
        assert error(client.post("/admin/reingest?candidate=true", headers=AUTH), 409) == "ingest_running"
    assert versions(client)["live"] == live

    assert client.get("/admin/versions").status_code == 401
    assert client.post(f"/admin/versions/{live}/switch").status_code == 401
    assert client.post("/admin/rollback", json={}).status_code == 401
    assert client.post(f"/admin/versions/{live}/ask", json={"message": QUESTION}).status_code == 401


def test_cleanup_keeps_candidates_newer_than_live_and_rollback_skips_those_never_live(settings, embedder):
    plan = settings.documents_dir / "fujisawa-sme-plan.txt"
    text = plan.read_text(encoding="utf-8")
    first = run_ingest(settings, embedder=embedder)
    store = IndexStore(settings)

    same = run_ingest(settings, embedder=embedder, publish=False)
    assert (same.candidate, same.nothing_changed, same.version) == (True, True, first.version)

    plan.write_text(text.replace("の商工業者への貸付", "の商工業者への貸付(案1)"), encoding="utf-8")
    passed_over = run_ingest(settings, embedder=embedder, publish=False)
    assert passed_over.candidate is True and store.live_number() == first.version
    assert passed_over.changes_by_document == [
        {"document": "plan", "added": 0, "updated": 1, "deleted": 0, "fields": ["text"]}
    ]
    assert store.cleanup(0) == []  # a candidate newer than live is kept whatever `keep` says

    plan.write_text(text.replace("の商工業者への貸付", "の商工業者への貸付(案2)"), encoding="utf-8")
    chosen = run_ingest(settings, embedder=embedder, publish=False)
    store.publish(chosen.version)
    assert store.previous_ready() == first.version  # not the candidate that never went live
    assert store.cleanup(1) == [passed_over.version]
    assert [v.number for v in store.versions()] == [first.version, chosen.version]
