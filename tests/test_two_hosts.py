"""Two hosts: two `navigator serve` processes with their own data folders, sharing one PostgreSQL
and one Chroma server (issue 14). A conversation, feedback, a Slack event and a re-ingest are each
one thing, whichever host they reach; under load every answer is stored exactly once."""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from ingest.settings import Settings
from tests.conftest import chroma_server, cli_env, free_port
from tests.slack_standin import (
    BOT_TOKEN,
    SECRET,
    SlackStandIn,
    event_body,
    mention,
    posted_to,
    signed_headers,
)
from tests.test_safe_reingest import write_bulk_document
from tests.web_support import ADMIN_TOKEN, start_serve, stop, wait_ready

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass
class Hosts:
    a: str
    b: str
    database_url: str
    shared: Settings
    standin: SlackStandIn


@pytest.fixture(scope="module")
def hosts(tmp_path_factory, postgres) -> Iterator[Hosts]:
    import shutil

    from tests.conftest import KNOWLEDGE

    root = tmp_path_factory.mktemp("two-hosts")
    knowledge = root / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    standin = SlackStandIn()
    with chroma_server(root / "chroma") as chroma:
        shared = Settings(
            knowledge_dir=knowledge,
            data_dir=root / "unused",
            chroma_url=chroma,
            collection_prefix="h" + uuid.uuid4().hex[:10],
            database_url=postgres.new_database(),
        )
        with (
            serve_host(shared, root / "host-a", standin) as a,
            serve_host(shared, root / "host-b", standin) as b,
        ):
            yield Hosts(a, b, shared.database_url or "", shared, standin)
    standin.close()


@contextlib.contextmanager
def serve_host(shared: Settings, data_dir, standin: SlackStandIn) -> Iterator[str]:
    """`navigator serve` as one host: its own data folder, the shared database and Chroma, Slack on."""
    port = free_port()
    env = cli_env(
        shared.model_copy(update={"data_dir": data_dir}),
        NAVIGATOR_ADMIN_TOKEN=ADMIN_TOKEN,
        NAVIGATOR_RATE_LIMIT_PER_MINUTE="0",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
        NAVIGATOR_SLACK_API_URL=standin.api_url,
    )
    process = start_serve(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process)
        yield base
    finally:
        stop(process)


def chat(base: str, message: str, session_id: str | None = None) -> dict:
    body = {"message": message} if session_id is None else {"message": message, "session_id": session_id}
    response = httpx.post(f"{base}/api/chat", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_conversation_started_on_one_host_continues_on_the_other(hosts):
    first = chat(hosts.a, "うちは従業員3人の飲食店です。お金を借りたい")
    on_b = chat(hosts.b, "マル経は使えますか", first["session_id"])  # the facts came with the session
    assert on_b["session_id"] == first["session_id"]
    assert on_b["eligibility"][0]["id"] == "I-4-3" and on_b["eligibility"][0]["fits"] is True
    back_on_a = chat(hosts.a, "その問い合わせ先は？", first["session_id"])  # a follow-up of B's answer
    assert [c["id"] for c in back_on_a["citations"]] == [c["id"] for c in on_b["citations"]]


def test_feedback_given_on_one_host_is_listed_by_the_other(hosts):
    reply = chat(hosts.a, "設備を買うためにお金を借りたい")
    comment = "金利も知りたい " + uuid.uuid4().hex[:6]
    given = httpx.post(
        f"{hosts.a}/api/feedback",
        json={
            "turn_id": reply["turn_id"],
            "rating": "down",
            "comment": comment,
            "session_id": reply["session_id"],
        },
    )
    assert given.status_code == 201
    listed = httpx.get(f"{hosts.b}/admin/feedback", headers=AUTH).json()["items"]
    assert [f["comment"] for f in listed if f["turn_id"] == reply["turn_id"]] == [comment]
    wrong = httpx.post(
        f"{hosts.b}/api/feedback",
        json={
            "turn_id": reply["turn_id"],
            "rating": "up",
            "session_id": chat(hosts.b, "マル経")["session_id"],
        },
    )
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "unknown_turn"


def test_the_same_slack_event_delivered_to_both_hosts_is_answered_once(hosts):
    event = mention("マル経融資の条件は？", channel="C2HOSTS")
    body = event_body(event, event_id="Ev" + uuid.uuid4().hex[:10].upper())
    start = threading.Barrier(4)

    def deliver(base: str, retry: int) -> int:
        headers = {
            "Content-Type": "application/json",
            **signed_headers(body, **{"X-Slack-Retry-Num": str(retry)}),
        }
        start.wait()
        return httpx.post(
            f"{base}/slack/events", content=body.encode(), headers=headers, timeout=30
        ).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(deliver, [hosts.a, hosts.b, hosts.a, hosts.b], [0, 0, 1, 1]))
    assert codes == [200] * 4
    hosts.standin.wait_for(posted_to("C2HOSTS", containing="マル経融資"))
    time.sleep(3)  # time for a second answer, were one on its way
    answers = [c for c in hosts.standin.api_calls("chat.postMessage") if c.body.get("channel") == "C2HOSTS"]
    assert len(answers) == 1


def test_a_reingest_started_on_one_host_is_reported_by_the_other_and_a_second_is_refused(hosts):
    write_bulk_document(hosts.shared.documents_dir, sections=1500)  # long enough to overlap
    try:
        started = httpx.post(f"{hosts.a}/admin/reingest", headers=AUTH, timeout=30)
        assert started.status_code == 202, started.text
        job_id = started.json()["job_id"]
        refused = [
            httpx.post(f"{base}/admin/reingest", headers=AUTH, timeout=30) for base in (hosts.b, hosts.a)
        ]
        seen_by_b = httpx.get(f"{hosts.b}/admin/reingest/{job_id}", headers=AUTH).json()
        deadline = time.monotonic() + 300
        while (status := httpx.get(f"{hosts.b}/admin/reingest/{job_id}", headers=AUTH).json())[
            "status"
        ] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        (hosts.shared.documents_dir / "bulk-notices.md").unlink()
    assert [r.status_code for r in refused] == [409, 409]
    assert {r.json()["error"]["code"] for r in refused} == {"ingest_running"}
    assert seen_by_b["id"] == job_id and seen_by_b["status"] in ("running", "succeeded")
    assert status["status"] == "succeeded", status
    assert status["report"]["added"] >= 1500  # the notice's document record and its passages
    again = httpx.post(f"{hosts.b}/admin/reingest", headers=AUTH, timeout=30)  # the lock is free again
    assert again.status_code == 202
    deadline = time.monotonic() + 300
    while (
        httpx.get(f"{hosts.a}/admin/reingest/{again.json()['job_id']}", headers=AUTH).json()["status"]
        == "running"
    ):
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_a_document_uploaded_through_one_host_is_ingested_by_a_reingest_started_on_the_other(hosts):
    notice = (
        "# 窓口の臨時移転\n\n## 期間\n融資相談の窓口は2026年12月中、藤沢商工会館3階の会議室で受け付けます。\n"
    )
    uploaded = httpx.post(
        f"{hosts.a}/admin/documents",
        files={"file": ("temporary-desk.md", notice.encode())},
        headers=AUTH,
        timeout=60,
    )
    assert uploaded.status_code == 201, uploaded.text
    started = httpx.post(f"{hosts.b}/admin/reingest", headers=AUTH, timeout=30)
    assert started.status_code == 202, started.text
    deadline = time.monotonic() + 300
    while (job := httpx.get(f"{hosts.b}/admin/reingest/{started.json()['job_id']}", headers=AUTH).json())[
        "status"
    ] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert job["status"] == "succeeded", job
    added = {c["id"] for c in job["report"]["changes"]["added"]}
    assert {"temporary-desk", "temporary-desk-kikan"} <= added
    listed = httpx.get(f"{hosts.b}/admin/documents", headers=AUTH, timeout=30).json()
    assert "temporary-desk.md" in {item["name"] for item in listed["items"]}


def test_sixteen_clients_over_both_hosts_for_20_seconds_store_every_turn_once(hosts, postgres):
    questions = [
        "マル経融資の条件は？",
        "設備を買うためにお金を借りたい",
        "How can I hire foreign workers?",
        "ゴミの収集日を教えて",
    ]
    before = postgres.count(hosts.database_url, "SELECT count(*) FROM turns")
    turn_ids: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + 20

    def client(n: int) -> None:
        base = (hosts.a, hosts.b)[n % 2]
        other = (hosts.b, hosts.a)[n % 2]
        with httpx.Client(timeout=30) as http:
            asked = 0
            while time.monotonic() < stop_at:
                try:
                    first = http.post(f"{base}/api/chat", json={"message": questions[(n + asked) % 4]})
                    first.raise_for_status()
                    reply = first.json()
                    follow = http.post(  # the follow-up goes to the other host
                        f"{other}/api/chat",
                        json={"message": "その問い合わせ先は？", "session_id": reply["session_id"]},
                    )
                    follow.raise_for_status()
                    with lock:
                        turn_ids.extend([reply["turn_id"], follow.json()["turn_id"]])
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(repr(exc))
                asked += 1

    with ThreadPoolExecutor(max_workers=16) as pool:
        for future in [pool.submit(client, n) for n in range(16)]:
            future.result(timeout=120)

    assert errors == []
    assert len(turn_ids) > 100 and len(set(turn_ids)) == len(turn_ids)
    stored = postgres.count(hosts.database_url, "SELECT count(*) FROM turns") - before
    assert stored == len(turn_ids)
