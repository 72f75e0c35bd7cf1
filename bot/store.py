"""Conversations and feedback in SQLite under the data directory; they survive a restart.

Shared by every channel (web widget, Slack): a Slack thread is a session found by its external key.
One connection per call keeps it safe across the web server's threads; WAL lets readers go on
while a turn is written.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
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


class UnknownSession(LookupError):
    """A session id that was never issued (or belongs to another data directory)."""


class UnknownTurn(LookupError):
    """Feedback for an answer that does not exist."""


def new_session_id() -> str:
    return "s-" + uuid.uuid4().hex[:20]


class ConversationStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """One connection per thread, kept open: opening one per call was most of a chat request's
        cost under load. WAL with synchronous=NORMAL stays consistent after a crash; at worst the
        last turns before a power loss are missing."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        with db:
            yield db

    # --- sessions ------------------------------------------------------------------------------
    def create_session(self, channel: str, external_key: str | None = None) -> str:
        session_id = new_session_id()
        now = time.time()
        with self._connect() as db:
            db.execute(
                "INSERT INTO sessions (id, channel, external_key, created, updated) VALUES (?, ?, ?, ?, ?)",
                (session_id, channel, external_key, now, now),
            )
        return session_id

    def has_session(self, session_id: str) -> bool:
        with self._connect() as db:
            return db.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone() is not None

    def session_for_key(self, channel: str, external_key: str) -> str:
        """The session of an external conversation (a Slack thread), created on first use."""
        with self._connect() as db:
            row = db.execute("SELECT id FROM sessions WHERE external_key = ?", (external_key,)).fetchone()
        if row:
            return str(row["id"])
        try:
            return self.create_session(channel, external_key)
        except sqlite3.IntegrityError:  # another worker created it a moment ago
            return self.session_for_key(channel, external_key)

    # --- turns ---------------------------------------------------------------------------------
    def add_turn(
        self,
        session_id: str,
        question: str,
        reply: dict[str, Any],
        context: dict[str, Any],
        new_session_channel: str | None = None,
    ) -> int:
        """Store one answer; with ``new_session_channel`` the session is created in the same
        transaction (one commit per answer instead of two)."""
        now = time.time()
        cited = [c["id"] for c in reply.get("citations", [])]
        with self._connect() as db:
            if new_session_channel is not None:
                db.execute(
                    "INSERT INTO sessions (id, channel, external_key, created, updated) VALUES (?, ?, NULL, ?, ?)",
                    (session_id, new_session_channel, now, now),
                )
            cursor = db.execute(
                "INSERT INTO turns (session_id, created, question, status, language, cited_ids, reply, context)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    now,
                    question,
                    reply["status"],
                    reply["language"],
                    json.dumps(cited),
                    json.dumps(reply, ensure_ascii=False),
                    json.dumps(context, ensure_ascii=False),
                ),
            )
            db.execute("UPDATE sessions SET updated = ? WHERE id = ?", (now, session_id))
            return int(cursor.lastrowid or 0)

    def last_turn(self, session_id: str) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM turns WHERE session_id = ? ORDER BY id DESC LIMIT 1", (session_id,)
            ).fetchone()
        return _turn(row) if row else None

    def turn(self, turn_id: int) -> dict[str, Any] | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM turns WHERE id = ?", (turn_id,)).fetchone()
        return _turn(row) if row else None

    def unanswered(self, limit: int = 50) -> list[dict[str, Any]]:
        """No-match questions, newest first: what staff should add to the catalog."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT t.id, t.session_id, t.created, t.question, t.language, s.channel FROM turns t"
                " JOIN sessions s ON s.id = t.session_id WHERE t.status = 'no_match'"
                " ORDER BY t.id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [dict(row) for row in rows]

    # --- feedback ------------------------------------------------------------------------------
    def add_feedback(
        self, turn_id: int, rating: int, comment: str = "", user: str | None = None, channel: str = "web"
    ) -> int:
        turn = self.turn(turn_id)
        if turn is None:
            raise UnknownTurn(f"no answer with id {turn_id}")
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO feedback (turn_id, session_id, created, rating, comment, question, cited_ids, user,"
                " channel) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    turn_id,
                    turn["session_id"],
                    time.time(),
                    1 if rating > 0 else -1,
                    comment,
                    turn["question"],
                    json.dumps(turn["cited_ids"]),
                    user,
                    channel,
                ),
            )
            return int(cursor.lastrowid or 0)

    def feedback(self, rating: int | None = -1, limit: int = 50) -> list[dict[str, Any]]:
        """Feedback newest first (by default the 👎 ones)."""
        query = "SELECT * FROM feedback"
        params: tuple[Any, ...] = ()
        if rating is not None:
            query += " WHERE rating = ?"
            params = (rating,)
        with self._connect() as db:
            rows = db.execute(query + " ORDER BY id DESC LIMIT ?", (*params, limit)).fetchall()
        return [{**dict(row), "cited_ids": json.loads(row["cited_ids"])} for row in rows]


def _turn(row: sqlite3.Row) -> dict[str, Any]:
    data = dict(row)
    data["cited_ids"] = json.loads(data["cited_ids"])
    data["reply"] = json.loads(data["reply"])
    data["context"] = json.loads(data["context"])
    return data
