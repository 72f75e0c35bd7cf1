"""Upgrading a data folder written by the navigator before the SQLAlchemy store keeps everything:
conversations, feedback, Slack event ids and job history (the files below are built with that
version's own schema, copied from its bot/store.py, bot/slack/dedupe.py and bot/jobs.py)."""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import closing

from bot.answering.conversation import Conversation
from bot.db import open_database
from bot.jobs import IngestJobs
from bot.slack.dedupe import SeenEvents
from bot.store import ConversationStore
from ingest.settings import Settings
from tests.conftest import run_cli

OLD_STORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    external_key TEXT UNIQUE,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    created REAL NOT NULL,
    question TEXT NOT NULL,
    status TEXT NOT NULL,
    language TEXT NOT NULL,
    cited_ids TEXT NOT NULL,
    reply TEXT NOT NULL,
    context TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS turns_by_session ON turns(session_id, id);
CREATE INDEX IF NOT EXISTS turns_by_status ON turns(status, id);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    turn_id INTEGER NOT NULL REFERENCES turns(id),
    session_id TEXT NOT NULL,
    created REAL NOT NULL,
    rating INTEGER NOT NULL,
    comment TEXT NOT NULL,
    question TEXT NOT NULL,
    cited_ids TEXT NOT NULL,
    user TEXT,
    channel TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_by_rating ON feedback(rating, id);
"""
OLD_DEDUPE_SCHEMA = """
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS claims_by_time ON claims(at);
"""


def build_old_data_folder(data, navigator) -> dict:
    """What the previous release left: a real answer (so follow-ups work), feedback, a Slack
    thread's session, Slack claims, and two job files (one finished, one a crash left running)."""
    data.mkdir(parents=True)
    now = time.time()
    scratch = Settings(data_dir=data.parent / "scratch")
    answer = Conversation(navigator, ConversationStore(open_database(scratch))).respond("設備資金を借りたい")
    turn_reply = {k: v for k, v in answer.items() if k != "turn_id"}
    with closing(sqlite3.connect(data / "conversations.sqlite3")) as db, db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(OLD_STORE_SCHEMA)
        db.execute("INSERT INTO sessions VALUES ('s-old1', 'web', NULL, ?, ?)", (now, now))
        db.execute("INSERT INTO sessions VALUES ('s-slack', 'slack', 'slack:T1:C1:1.0', ?, ?)", (now, now))
        db.execute(
            "INSERT INTO turns (session_id, created, question, status, language, cited_ids, reply, context)"
            " VALUES ('s-old1', ?, '設備資金を借りたい', ?, 'ja', ?, ?, ?)",
            (
                now,
                turn_reply["status"],
                json.dumps([c["id"] for c in turn_reply["citations"]]),
                json.dumps({**turn_reply, "session_id": "s-old1"}, ensure_ascii=False),
                json.dumps({"facts": {"employees": 4}}),
            ),
        )
        db.execute(
            "INSERT INTO feedback (turn_id, session_id, created, rating, comment, question, cited_ids, user, channel)"
            " VALUES (1, 's-old1', ?, -1, '金利が知りたい', '設備資金を借りたい', '[\"I-4-1\"]', NULL, 'web')",
            (now,),
        )
    with closing(sqlite3.connect(data / "slack_events.sqlite3")) as db, db:
        db.executescript(OLD_DEDUPE_SCHEMA)
        db.execute("INSERT INTO claims VALUES ('event:Ev1', ?)", (now,))
        db.execute("INSERT INTO claims VALUES ('client_msg:m1', ?)", (now,))
    (data / "jobs").mkdir()
    finished = {
        "id": "job-0123456789ab",
        "status": "succeeded",
        "started": now - 100,
        "finished": now - 90,
        "progress": {"embedded": 3, "to_embed": 3},
        "report": {"added": 0, "updated": 1, "version": 2},
        "error": None,
    }
    crashed = {**finished, "id": "job-ba9876543210", "status": "running", "finished": None, "report": None}
    for job in (finished, crashed):
        (data / "jobs" / f"{job['id']}.json").write_text(json.dumps(job), encoding="utf-8")
    return answer


def test_an_old_data_folder_keeps_conversations_feedback_slack_ids_and_jobs(navigator, tmp_path):
    data = tmp_path / "data"
    answer = build_old_data_folder(data, navigator)
    settings = navigator.settings.model_copy(update={"data_dir": data, "database_url": None})

    upgraded = run_cli(settings, "db", "upgrade")  # what an operator runs (a server does it at start)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "revision 0004" in upgraded.stdout

    database = open_database(settings)
    store = ConversationStore(database)
    conversation = Conversation(navigator, store)
    follow = conversation.respond("その問い合わせ先は？", "s-old1")  # the old conversation goes on
    assert [c["id"] for c in follow["citations"]] == [c["id"] for c in answer["citations"]]
    assert follow["turn_id"] == 2
    assert store.session_for_key("slack", "slack:T1:C1:1.0") == "s-slack"
    [old_feedback] = store.feedback()
    assert old_feedback["comment"] == "金利が知りたい" and old_feedback["cited_ids"] == ["I-4-1"]
    conversation.feedback(1, 1, session_id="s-old1")

    seen = SeenEvents(database)
    assert seen.claim("event:Ev1") is False and seen.claim("event:Other", "client_msg:m1") is False
    assert seen.claim("event:New") is True

    jobs = IngestJobs(settings, database=database)
    assert jobs.get("job-0123456789ab").report == {"added": 0, "updated": 1, "version": 2}
    assert jobs.recover() == 1
    assert jobs.get("job-ba9876543210").status == "interrupted"
    assert not (data / "jobs").exists() and (data / "jobs.imported").is_dir()
    assert (data / "slack_events.sqlite3.imported").is_file()
