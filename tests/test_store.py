"""The store on both backends: schema, feedback tied to its conversation, retention, Slack claims,
job rows, login attempts, private files."""

from __future__ import annotations

import os
import stat
import threading
import time

import pytest
from sqlalchemy import inspect

from bot.db import Database, open_database
from bot.db.logins import LoginAttempts
from bot.db.migrate import current_revision
from bot.db.schema import metadata
from bot.jobs import IngestJobs
from bot.slack.dedupe import SeenEvents
from bot.store import ConversationStore, UnknownTurn
from ingest.settings import Settings
from tests.conftest import reopened

REPLY = {"status": "answered", "language": "ja", "citations": [{"id": "I-4-3"}], "answer": "…"}


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path) -> Settings:
    """Settings whose store is SQLite in a fresh data folder, or a fresh PostgreSQL database."""
    url = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else None
    return Settings(data_dir=tmp_path / "data", database_url=url)


@pytest.fixture
def db(backend) -> Database:
    return open_database(backend)


def test_the_migrations_create_what_the_queries_expect(db):
    assert current_revision(db) == "0004"
    found = inspect(db.engine)
    for table in metadata.sorted_tables:
        columns = {c["name"] for c in found.get_columns(table.name)}
        assert columns == set(table.c.keys()), table.name


def test_an_answer_is_one_row_and_feedback_needs_its_conversation(db):
    store = ConversationStore(db)
    turn = store.add_turn("s-one", "マル経？", REPLY, {"facts": {}}, new_session_channel="web")
    other = store.create_session("web")
    with pytest.raises(UnknownTurn):
        store.add_feedback(turn, -1, session_id=other)
    with pytest.raises(UnknownTurn):
        store.add_feedback(turn + 1000, -1, session_id="s-one")
    store.add_feedback(turn, -1, "金利は？", session_id="s-one", user="U1", channel="slack")
    [stored] = ConversationStore(reopened(db)).feedback()
    assert (stored["turn_id"], stored["session_id"], stored["cited_ids"]) == (turn, "s-one", ["I-4-3"])
    assert store.last_turn("s-one")["reply"] == REPLY


def test_retention_deletes_old_conversations_turns_and_feedback_only(db, monkeypatch):
    store = ConversationStore(db, retention_days=90)
    with monkeypatch.context() as past:
        past.setattr(time, "time", lambda: 1_000_000_000.0)  # 2001
        old_turn = store.add_turn("s-old", "古い", REPLY, {}, new_session_channel="web")
        store.add_feedback(old_turn, 1, session_id="s-old")
        store.add_turn("s-both", "前の質問", REPLY, {}, new_session_channel="web")
    new_turn = store.add_turn("s-new", "新しい", REPLY, {}, new_session_channel="web")
    store.add_feedback(new_turn, -1, session_id="s-new")
    store.add_turn("s-both", "続き", REPLY, {})

    gone = store.purge_expired()
    assert {k: gone[k] for k in ("feedback", "turns", "sessions")} == {
        "feedback": 1,
        "turns": 2,
        "sessions": 1,
    }
    assert not store.has_session("s-old") and store.has_session("s-new") and store.has_session("s-both")
    assert store.last_turn("s-both")["question"] == "続き"
    assert [f["turn_id"] for f in store.feedback(rating=None)] == [new_turn]
    kept = ConversationStore(db, retention_days=0).purge_expired()  # 0 keeps every conversation
    assert kept == {"console_sessions": 0, "login_attempts": 0}


def test_a_slack_event_is_claimed_once_across_hosts(db):
    hosts = [SeenEvents(reopened(db)) for _ in range(4)]
    wins: list[bool] = []
    threads = [
        threading.Thread(target=lambda seen=seen: wins.append(seen.claim("event:E9", "client_msg:m9")))
        for seen in hosts
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 15 + [True]


def test_a_job_left_running_by_a_dead_process_is_interrupted_at_start_up(backend, db):
    jobs = IngestJobs(backend, database=db)
    with db.write() as conn:
        from bot.db.schema import ingest_jobs

        conn.execute(
            ingest_jobs.insert().values(
                id="job-dead", status="running", started=time.time() - 60, progress="{}", owner="gone:1"
            )
        )
    assert jobs.recover() == 1
    job = jobs.get("job-dead")
    assert job.status == "interrupted" and "stopped" in job.error and job.finished
    assert jobs.recover() == 0


def test_login_attempts_are_counted_in_the_store(db):
    logins = LoginAttempts(db)
    for _ in range(3):
        logins.record("staff@example.jp", ok=False)
    assert LoginAttempts(reopened(db)).failures("staff@example.jp", within_seconds=600) == 3
    logins.record("staff@example.jp", ok=True)
    assert logins.failures("staff@example.jp", within_seconds=600) == 0
    assert logins.failures("someone-else", within_seconds=600) == 0


def test_the_sqlite_store_is_private_to_the_service_user(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    ConversationStore(open_database(settings)).create_session("web")
    assert stat.S_IMODE(os.stat(settings.data_dir).st_mode) == 0o700
    for path in settings.data_dir.glob("conversations.sqlite3*"):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path


def test_documents_are_kept_with_their_history_and_materialised_for_an_ingest(db, tmp_path):
    from bot.db.documents import DocumentStore, materialise

    store = DocumentStore(db)
    first = store.put("notice.md", "# お知らせ\n旧版\n".encode(), uploaded_by="admin-a")
    assert store.put("notice.md", "# お知らせ\n旧版\n".encode(), uploaded_by="admin-b") == first  # same bytes
    store.put("notice.md", "# お知らせ\n新版\n".encode(), uploaded_by="admin-b")
    store.put("plan.txt", b"plan", uploaded_by="admin-a")
    with pytest.raises(ValueError):
        store.put("../escape.md", b"x", uploaded_by="admin-a")

    other_host = DocumentStore(reopened(db))
    assert [d.name for d in other_host.list()] == ["notice.md", "plan.txt"]
    assert other_host.get("notice.md") == "# お知らせ\n新版\n".encode()
    history = other_host.history("notice.md")
    assert [h.uploaded_by for h in history] == ["admin-b", "admin-a"] and history[1].replaced_at
    assert other_host.get("notice.md", history[1].id) == "# お知らせ\n旧版\n".encode()

    folder = tmp_path / "documents-from-store"
    folder.mkdir()
    (folder / "stale.md").write_text("gone", encoding="utf-8")
    assert sorted(p.name for p in materialise(other_host, folder)) == ["notice.md", "plan.txt"]
    assert (folder / "notice.md").read_text(encoding="utf-8") == "# お知らせ\n新版\n"
    assert not (folder / "stale.md").exists()

    assert store.delete("plan.txt") and not store.delete("plan.txt")
    materialise(store, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["notice.md"]
    assert len(store.history("plan.txt")) == 1  # the deleted document is kept as a copy


def test_a_turn_is_rated_once_and_a_second_rating_replaces_the_first(db):
    store = ConversationStore(db)
    turn = store.add_turn("s-rate", "マル経？", REPLY, {}, new_session_channel="web")
    first = store.add_feedback(turn, -1, session_id="s-rate")
    hosts = [ConversationStore(reopened(db)) for _ in range(4)]
    threads = [
        threading.Thread(target=lambda h=h: h.add_feedback(turn, -1, "again", session_id="s-rate"))
        for h in hosts
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [only] = [f for f in store.feedback(rating=None) if f["turn_id"] == turn]
    assert only["id"] == first and only["comment"] == "again"
    assert store.add_feedback(turn, 1, session_id="s-rate") == first
    assert [f["rating"] for f in store.feedback(rating=None) if f["turn_id"] == turn] == [1]


def test_the_upgrade_keeps_a_turns_newest_rating_and_never_reuses_an_account_id(backend):
    from sqlalchemy import delete, insert, select

    from bot.db.engine import make_engine
    from bot.db.migrate import upgrade
    from bot.db.schema import accounts, feedback, sessions, turns

    database = Database(make_engine(backend.store_url))
    upgrade(database, "0003")
    with database.write() as conn:
        conn.execute(insert(sessions).values(id="s-old", channel="web", created=1.0, updated=1.0))
        turn = conn.execute(
            insert(turns).values(
                session_id="s-old",
                created=1.0,
                question="q",
                status="answered",
                language="ja",
                cited_ids="[]",
                reply="{}",
                context="{}",
            )
        ).inserted_primary_key[0]
        for n, rating in enumerate((-1, -1, 1)):
            conn.execute(
                insert(feedback).values(
                    turn_id=turn,
                    session_id="s-old",
                    created=float(n),
                    rating=rating,
                    comment=str(n),
                    question="q",
                    cited_ids="[]",
                    channel="web",
                )
            )
        for name in ("first", "second"):
            conn.execute(insert(accounts).values(name=name, password_hash="x", role="staff", created=1.0))
    upgrade(database)
    assert current_revision(database) == "0004"
    with database.write() as conn:
        assert [r.comment for r in conn.execute(select(feedback))] == ["2"]
        conn.execute(delete(accounts).where(accounts.c.name == "second"))
        again = conn.execute(
            insert(accounts).values(name="second", password_hash="x", role="staff", created=2.0)
        ).inserted_primary_key[0]
    assert again == 3  # not the removed account's 2
