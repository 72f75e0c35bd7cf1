"""Taught questions and unanswered groups: staff see what nothing answered, grouped by need, and
teach the navigator the record that answers it (bot/taught.py, bot/unanswered.py,
bot/web/routes_questions.py). Real HTTP server over the shared index of the repository's knowledge,
a real store, the real embedder."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.answering.conversation import Conversation
from bot.answering.select import Navigator
from bot.db import open_database
from bot.db.audit import AuditLog
from bot.runtime import Runtime
from bot.store import ConversationStore
from bot.taught import EmbeddingCache, TaughtQuestions, question_key
from bot.unanswered import mark_out_of_scope, unanswered_groups
from tests.conftest import reopened, store_settings
from tests.web_support import ADMIN_TOKEN, live_server, web_settings

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
# Nothing in the knowledge answers a shop sign's permit (checked below: status no_match).
QUESTION = "店の前に置く看板の許可はどこで取りますか"
NEAR = "店の前に置く看板の許可はどこで取れますか"  # one word changed: the same need
REWORDED = "店の前の看板の許可はどこで取るの？"
UNRELATED = "酒類販売の免許を取りたい"  # another need nothing answers either
PROGRAM = "I-6-1"  # expert business consultation (permits and licences among its topics)


@pytest.fixture
def app(navigator, tmp_path: Path) -> Iterator[tuple[httpx.Client, TaughtQuestions, object]]:
    """The web app on a real server, its navigator answering with taught questions from its own store."""
    web = web_settings(navigator.settings)
    database = open_database(store_settings(web, tmp_path / "store"))
    taught = TaughtQuestions(database, navigator.retriever.embedder, web.taught_similarity)
    taught_navigator = Navigator(web, navigator.retriever, taught)
    store = ConversationStore(database)
    runtime = Runtime(web, taught_navigator, store, Conversation(taught_navigator, store))
    with live_server(web, runtime) as base, httpx.Client(base_url=base, timeout=60) as client:
        yield client, taught, database


def ask(client: httpx.Client, message: str) -> dict:
    response = client.post("/api/chat", json={"message": message})
    assert response.status_code == 200, response.text
    return response.json()


def groups(client: httpx.Client) -> list[dict]:
    response = client.get("/admin/unanswered/groups", headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == len(body["items"])
    return body["items"]


def test_staff_teach_a_missed_question_and_it_is_answered_from_then_on(app):
    client, _, database = app
    for message in (QUESTION, QUESTION, NEAR, UNRELATED):
        assert ask(client, message)["status"] == "no_match"

    found = groups(client)
    sign = next(g for g in found if g["question"] == QUESTION)
    assert sign["count"] == 3 and sign["key"] == question_key(QUESTION)
    assert set(sign["questions"]) == {QUESTION, NEAR}  # the near-duplicate is in the same group
    assert sign["first_seen"] <= sign["last_seen"]
    liquor = next(g for g in found if g["question"] == UNRELATED)
    assert liquor["count"] == 1 and liquor["questions"] == [UNRELATED]
    assert found.index(sign) < found.index(liquor)  # most frequent first
    assert set(sign) == {"key", "question", "questions", "count", "first_seen", "last_seen"}

    assert client.get(f"/api/programs/{PROGRAM}").status_code == 200
    picker = client.get("/admin/records", params={"q": PROGRAM.lower()}, headers=AUTH).json()
    assert {"id": PROGRAM, "kind": "program"}.items() <= picker["items"][0].items()
    assert set(picker["items"][0]) == {"id", "kind", "title", "document"}

    unknown = client.post("/admin/taught", json={"question": QUESTION, "record_id": "I-99-9"}, headers=AUTH)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_record"
    empty = client.post("/admin/taught", json={"question": "  ", "record_id": PROGRAM}, headers=AUTH)
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "empty_question"
    long = client.post("/admin/taught", json={"question": "あ" * 5000, "record_id": PROGRAM}, headers=AUTH)
    assert long.status_code == 422 and long.json()["error"]["code"] == "question_too_long"
    assert client.post("/admin/taught", json={"question": QUESTION, "record_id": PROGRAM}).status_code == 401

    taught = client.post("/admin/taught", json={"question": QUESTION, "record_id": PROGRAM}, headers=AUTH)
    assert taught.status_code == 201, taught.text
    item = taught.json()
    assert item["question"] == QUESTION and item["record_ids"] == [PROGRAM] and item["created_by"]
    assert set(item) == {"id", "question", "record_ids", "created", "created_by"}
    assert client.get("/admin/taught", headers=AUTH).json() == {"count": 1, "items": [item]}

    for message in (QUESTION, REWORDED):  # each a new conversation
        reply = ask(client, message)
        assert reply["status"] == "answered", message
        assert reply["citations"][0]["id"] == PROGRAM
    assert ask(client, UNRELATED)["status"] == "no_match"  # a different need is not captured
    assert ask(client, "マル経融資について教えて")["citations"][0]["id"] != PROGRAM  # nor retrieval's answers

    # A group a taught question now answers leaves the list; the others stay.
    assert [g["question"] for g in groups(client)] == [UNRELATED]

    removed = client.delete(f"/admin/taught/{item['id']}", headers=AUTH)
    assert removed.status_code == 200 and removed.json() == {"id": item["id"], "removed": True}
    again = client.delete(f"/admin/taught/{item['id']}", headers=AUTH)
    assert again.status_code == 404 and again.json()["error"]["code"] == "unknown_taught"
    assert client.get("/admin/taught", headers=AUTH).json() == {"count": 0, "items": []}
    assert ask(client, QUESTION)["status"] == "no_match"
    assert any(g["question"] == QUESTION for g in groups(client))

    marked = client.post("/admin/unanswered/out-of-scope", json={"key": liquor["key"]}, headers=AUTH)
    assert marked.status_code == 200 and marked.json() == {"key": liquor["key"], "status": "out_of_scope"}
    assert all(g["question"] != UNRELATED for g in groups(client))
    assert ask(client, "酒類販売の免許が欲しい")["status"] == "no_match"  # a new wording of it stays hidden
    assert all("酒類" not in g["question"] for g in groups(client))

    entries = AuditLog(database).entries()
    actions = [e["action"] for e in entries]
    assert actions[:3] == ["out_of_scope", "untaught", "teach"]
    teach = entries[2]
    assert teach["target"] == PROGRAM and teach["actor"] and teach["detail"]["taught_id"] == item["id"]
    assert entries[1]["target"] == PROGRAM
    recorded = json.dumps(entries, ensure_ascii=False)
    for words in (QUESTION, UNRELATED, liquor["key"], "看板", "酒類"):
        assert words not in recorded


def test_csv_export_has_a_bom_dates_and_escapes_formulas(app):
    client, _, _ = app
    hostile = "=cmd|' /C calc'!A0"
    assert ask(client, hostile)["status"] == "no_match"
    assert ask(client, QUESTION)["status"] == "no_match"
    response = client.get("/admin/unanswered.csv", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "question,count,first_seen,last_seen,variants"
    assert any(line.startswith("'=cmd") for line in lines[1:])
    assert not any(line.startswith("=") for line in lines[1:])
    sign = next(line for line in lines if line.startswith(QUESTION))
    assert ",1,20" in sign and "+09:00" in sign  # ISO dates, Japan time
    assert client.get("/admin/unanswered.csv").status_code == 401


def test_taught_questions_match_whole_questions_and_reach_other_hosts(store_db, embedder):
    here = TaughtQuestions(store_db, embedder)
    there = TaughtQuestions(reopened(store_db), embedder)  # another host on the same store
    assert there.match(QUESTION) == []
    here.add(QUESTION, [PROGRAM], "staff")
    assert here.match(QUESTION) == [PROGRAM]  # at once where it was taught
    assert here.match("  店の前に置く看板の許可は　どこで取りますか ") == [PROGRAM]  # normalised text
    assert here.match(REWORDED) == [PROGRAM]
    assert here.match("看板") == []  # a word of it is not the question
    assert here.match("看板のデザインを頼みたい") == []
    time.sleep(1.1)
    assert there.match(NEAR) == [PROGRAM]  # within a second on the other host

    here.add(UNRELATED, ["I-4-1"], "staff")
    assert here.match("酒類の製造免許を取りたい") == []  # shares most words, a different need
    assert [t["question"] for t in here.list()] == [UNRELATED, QUESTION]  # newest first
    assert here.remove(here.list()[0]["id"])["record_ids"] == ["I-4-1"]
    assert here.remove(9999) is None
    assert here.match(UNRELATED) == []


def test_records_missing_from_the_live_version_are_skipped(navigator, store_db):
    """After a rollback to a version without a taught record, the rest of the teaching applies and a
    teaching with nothing left is as if absent: taught questions live in the store, not the index."""
    taught = TaughtQuestions(store_db, navigator.retriever.embedder)
    with_taught = Navigator(navigator.settings, navigator.retriever, taught)
    taught.add(QUESTION, ["gone-record", PROGRAM], "staff")
    result = with_taught.search(QUESTION)
    assert result.covered and result.scope is None
    assert [h.record.id for h in result.hits][:1] == [PROGRAM] and result.hits[0].score == 1.0
    assert "gone-record" not in {h.record.id for h in result.hits}

    taught.add(UNRELATED, ["gone-record"], "staff")
    assert not with_taught.search(UNRELATED).covered
    assert not navigator.search(QUESTION).covered  # a navigator without them answers as before


def test_groups_join_the_same_text_then_near_duplicates(store_db, embedder):
    store = ConversationStore(store_db)
    reply = {"status": "no_match", "language": "ja", "citations": []}
    for message in (QUESTION, f" {QUESTION} ", NEAR, UNRELATED, "ゴミの収集日を教えて", NEAR):
        store.add_turn(store.create_session("web"), message, reply, {})
    store.add_turn(store.create_session("web"), "マル経", {**reply, "status": "answered"}, {})
    found = unanswered_groups(store, EmbeddingCache(embedder))
    assert [g["count"] for g in found] == [4, 1, 1]
    assert found[0]["key"] in {question_key(QUESTION), question_key(NEAR)}
    assert set(found[0]["questions"]) == {QUESTION, NEAR}
    assert {g["question"] for g in found[1:]} == {UNRELATED, "ゴミの収集日を教えて"}
    assert all("マル経" not in g["question"] for g in found)
    assert len(unanswered_groups(store, EmbeddingCache(embedder), limit=1)) == 1

    mark_out_of_scope(store_db, "ゴミの収集日を教えて", "staff")
    mark_out_of_scope(store_db, "ゴミの収集日を教えて", "staff")  # again: still one mark
    assert [g["question"] for g in unanswered_groups(store, EmbeddingCache(embedder))][1:] == [UNRELATED]
