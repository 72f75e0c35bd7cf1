"""Conversations and feedback in the store (SQLite in the data folder, or PostgreSQL); they survive
a restart, and with PostgreSQL every host sees every conversation.

Shared by every channel (web widget, Slack, CLI): a Slack thread is a session found by its external
key. An answer is one write transaction (the session when new, the turn, the session's time).
Old conversations and feedback are deleted after ``NAVIGATOR_RETENTION_DAYS``: at start-up and then
at most once an hour, by whichever request comes next (a few indexed deletes). The same job deletes
the console's expired sign-ins and old login attempts.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, exists, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot.db import Database
from bot.db.console_sessions import ConsoleSessions
from bot.db.logins import LoginAttempts
from bot.db.schema import feedback, sessions, turns

log = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 3600.0
_DAY = 86400.0
# Sign-in throttling looks back one window (15 minutes by default); a day of attempts is more than
# any window and little enough to keep the counting queries on a small table.
LOGIN_ATTEMPTS_KEPT_SECONDS = _DAY

# The statements of the answering path, built once: SQLAlchemy then reuses their compiled form and
# cache key, where building them per call cost more than the database work itself.
_INSERT_SESSION = insert(sessions)
_TOUCH_SESSION = (
    update(sessions).where(sessions.c.id == bindparam("session_id")).values(updated=bindparam("now"))
)
_INSERT_TURN = insert(turns)
_PREVIOUS_TURN = (
    select(sessions.c.id.label("known"), *turns.c)
    .select_from(sessions.outerjoin(turns, turns.c.session_id == sessions.c.id))
    .where(sessions.c.id == bindparam("session_id"))
    .order_by(turns.c.id.desc())
    .limit(1)
)


class UnknownSession(LookupError):
    """A session id that was never issued (or was deleted after the retention period)."""


class UnknownTurn(LookupError):
    """Feedback for an answer that does not exist, or not in the conversation named."""


def new_session_id() -> str:
    return "s-" + uuid.uuid4().hex[:20]


class ConversationStore:
    def __init__(self, database: Database, retention_days: int = 90) -> None:
        self.db = database
        self.retention_days = retention_days
        self._purge_lock = threading.Lock()
        self._last_purge = time.monotonic()
        self.purge_expired()

    # --- sessions ------------------------------------------------------------------------------
    def create_session(self, channel: str, external_key: str | None = None) -> str:
        session_id = new_session_id()
        now = time.time()
        with self.db.write() as conn:
            conn.execute(
                insert(sessions).values(
                    id=session_id, channel=channel, external_key=external_key, created=now, updated=now
                )
            )
        return session_id

    def has_session(self, session_id: str) -> bool:
        with self.db.read() as conn:
            return conn.execute(select(sessions.c.id).where(sessions.c.id == session_id)).first() is not None

    def session_for_key(self, channel: str, external_key: str) -> str:
        """The session of an external conversation (a Slack thread), created on first use."""
        with self.db.read() as conn:
            found = conn.scalar(select(sessions.c.id).where(sessions.c.external_key == external_key))
        if found:
            return str(found)
        try:
            return self.create_session(channel, external_key)
        except IntegrityError:  # another worker or host created it a moment ago
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
        transaction (one commit per answer)."""
        now = time.time()
        cited = [c["id"] for c in reply.get("citations", [])]
        with self.db.write() as conn:
            if new_session_channel is not None:
                conn.execute(
                    _INSERT_SESSION,
                    {
                        "id": session_id,
                        "channel": new_session_channel,
                        "external_key": None,
                        "created": now,
                        "updated": now,
                    },
                )
            else:
                conn.execute(_TOUCH_SESSION, {"session_id": session_id, "now": now})
            result = conn.execute(
                _INSERT_TURN,
                {
                    "session_id": session_id,
                    "created": now,
                    "question": question,
                    "status": reply["status"],
                    "language": reply["language"],
                    "cited_ids": json.dumps(cited),
                    "reply": json.dumps(reply, ensure_ascii=False),
                    "context": json.dumps(context, ensure_ascii=False),
                },
            )
            turn_id = int(result.inserted_primary_key[0])
        self._maybe_purge()
        return turn_id

    def previous_turn(self, session_id: str) -> dict[str, Any] | None:
        """The session's last turn (None in a session without one), UnknownSession for an unknown
        id: what answering a message needs, in one query instead of `has_session` + `last_turn`."""
        with self.db.read() as conn:
            row = conn.execute(_PREVIOUS_TURN, {"session_id": session_id}).first()
        if row is None:
            raise UnknownSession(f"unknown session '{session_id}'")
        if row.id is None:
            return None
        return _turn_data({column.name: row._mapping[column.name] for column in turns.c})

    def last_turn(self, session_id: str) -> dict[str, Any] | None:
        with self.db.read() as conn:
            row = conn.execute(
                select(turns).where(turns.c.session_id == session_id).order_by(turns.c.id.desc()).limit(1)
            ).first()
        return _turn(row) if row else None

    def turn(self, turn_id: int) -> dict[str, Any] | None:
        with self.db.read() as conn:
            row = conn.execute(select(turns).where(turns.c.id == turn_id)).first()
        return _turn(row) if row else None

    def unanswered(self, limit: int = 50) -> list[dict[str, Any]]:
        """No-match questions, newest first: what staff should add to the catalog."""
        query = (
            select(
                turns.c.id,
                turns.c.session_id,
                turns.c.created,
                turns.c.question,
                turns.c.language,
                sessions.c.channel,
            )
            .join(sessions, sessions.c.id == turns.c.session_id)
            .where(turns.c.status == "no_match")
            .order_by(turns.c.id.desc())
            .limit(limit)
        )
        with self.db.read() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    # --- feedback ------------------------------------------------------------------------------
    def add_feedback(
        self,
        turn_id: int,
        rating: int,
        comment: str = "",
        *,
        session_id: str,
        user: str | None = None,
        channel: str = "web",
    ) -> int:
        """Feedback on an answer of the conversation ``session_id``; UnknownTurn when that
        conversation has no such answer (a guessed turn id rates nothing). One rating per turn: a
        second one replaces the first (and is new to staff again), so repeating a 👎 counts once.
        Returns the feedback's id, the same for every rating of the turn."""
        rated = {
            "created": time.time(),
            "rating": 1 if rating > 0 else -1,
            "comment": comment,
            "user": user,
            "channel": channel,
            "handled_at": None,
            "handled_by": None,
        }
        try:
            with self.db.write() as conn:
                return self._rate(conn, turn_id, session_id, rated)
        except IntegrityError:  # PostgreSQL: another request rated the turn a moment ago; replace it
            with self.db.write() as conn:
                return self._rate(conn, turn_id, session_id, rated)

    @staticmethod
    def _rate(conn: Connection, turn_id: int, session_id: str, rated: dict[str, Any]) -> int:
        turn = conn.execute(
            select(turns.c.question, turns.c.cited_ids).where(
                turns.c.id == turn_id, turns.c.session_id == session_id
            )
        ).first()
        if turn is None:
            raise UnknownTurn(f"no answer {turn_id} in conversation {session_id}")
        existing = conn.scalar(select(feedback.c.id).where(feedback.c.turn_id == turn_id))
        if existing is not None:
            conn.execute(update(feedback).where(feedback.c.id == existing).values(**rated))
            return int(existing)
        result = conn.execute(
            insert(feedback).values(
                turn_id=turn_id,
                session_id=session_id,
                question=turn.question,
                cited_ids=turn.cited_ids,
                **rated,
            )
        )
        return int(result.inserted_primary_key[0])

    def feedback(self, rating: int | None = -1, limit: int = 50) -> list[dict[str, Any]]:
        """Feedback newest first (by default the 👎 ones)."""
        query = select(feedback).order_by(feedback.c.id.desc()).limit(limit)
        if rating is not None:
            query = query.where(feedback.c.rating == rating)
        with self.db.read() as conn:
            rows = conn.execute(query).all()
        return [{**row._mapping, "cited_ids": json.loads(row.cited_ids)} for row in rows]

    # --- retention -----------------------------------------------------------------------------
    def purge_expired(self, now: float | None = None) -> dict[str, int]:
        """Delete conversations, turns and feedback older than the retention period, and the
        console's expired sign-ins and stale login attempts (whatever the retention setting)."""
        now = now or time.time()
        gone = {
            "console_sessions": ConsoleSessions(self.db).purge(now),
            "login_attempts": LoginAttempts(self.db).purge(LOGIN_ATTEMPTS_KEPT_SECONDS, now),
        }
        if self.retention_days > 0:
            gone.update(self._purge_conversations(now - self.retention_days * _DAY))
        if any(gone.values()):
            log.info("retention (%d days): deleted %s", self.retention_days, gone)
        return gone

    def _purge_conversations(self, cutoff: float) -> dict[str, int]:
        old_turns = select(turns.c.id).where(turns.c.created < cutoff)
        with self.db.write() as conn:
            return {
                "feedback": conn.execute(
                    delete(feedback).where(
                        or_(feedback.c.created < cutoff, feedback.c.turn_id.in_(old_turns))
                    )
                ).rowcount,
                "turns": conn.execute(delete(turns).where(turns.c.created < cutoff)).rowcount,
                "sessions": conn.execute(
                    delete(sessions).where(
                        sessions.c.updated < cutoff, ~exists().where(turns.c.session_id == sessions.c.id)
                    )
                ).rowcount,
            }

    def _maybe_purge(self) -> None:
        with self._purge_lock:
            if time.monotonic() - self._last_purge < PURGE_EVERY_SECONDS:
                return
            self._last_purge = time.monotonic()
        try:
            self.purge_expired()
        except Exception:  # the answer is stored; a failed sweep is retried in an hour
            log.exception("retention purge failed")


def _turn(row: Row[Any]) -> dict[str, Any]:
    return _turn_data(dict(row._mapping))


def _turn_data(data: dict[str, Any]) -> dict[str, Any]:
    data["cited_ids"] = json.loads(data["cited_ids"])
    data["reply"] = json.loads(data["reply"])
    data["context"] = json.loads(data["context"])
    return data
