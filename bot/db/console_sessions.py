"""Console sign-ins as rows in the store, so that ending one takes effect on every replica at once.

The cookie carries a random token (signed, see ``bot.web.console_session``); the row keeps only the
token's SHA-256, so a copy of the table signs nobody in. A session ends when it is signed out, when
it outlives its absolute lifetime or its idle time, when its account's role changes or the account
is removed, and, all but the one that asked, when the account's password changes or its owner ends
the others (those changes delete the rows in their own transaction).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, delete, select, update

from bot.db.engine import Database
from bot.db.schema import accounts, console_sessions

# `last_seen` is written at most this often per session: a write per page view and API call would
# cost more than the idle timeout's precision is worth (a minute on a timeout of tens of minutes).
TOUCH_EVERY_SECONDS = 60.0
USER_AGENT_CHARS = 300  # browsers send 100-200 characters; more is padding, not worth storing


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class SessionRow:
    id: int
    account_id: int
    account_name: str
    role: str
    account_created: float
    created: float
    last_seen: float
    user_agent: str


class ConsoleSessions:
    def __init__(self, database: Database) -> None:
        self.db = database

    def create(self, account_id: int, user_agent: str, lifetime_seconds: float) -> str:
        """A new session of the account; returns the token its cookie carries."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self.db.write() as conn:
            conn.execute(
                console_sessions.insert().values(
                    token_hash=token_hash(token),
                    account_id=account_id,
                    created=now,
                    last_seen=now,
                    expires=now + lifetime_seconds,
                    user_agent=user_agent[:USER_AGENT_CHARS],
                )
            )
        return token

    def find(self, token: str, idle_seconds: float) -> SessionRow | None:
        """The live session of this token, with its (enabled) account; None when it never existed,
        was ended, expired or went idle for too long."""
        now = time.time()
        query = _with_account().where(
            console_sessions.c.token_hash == token_hash(token),
            console_sessions.c.expires > now,
            console_sessions.c.last_seen > now - idle_seconds,
            ~accounts.c.disabled,
        )
        with self.db.read() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        if now - row.last_seen > TOUCH_EVERY_SECONDS:
            with self.db.write() as conn:
                conn.execute(
                    update(console_sessions).where(console_sessions.c.id == row.id).values(last_seen=now)
                )
        return _row(row, last_seen=now)

    def of_account(self, account_id: int) -> list[SessionRow]:
        """The account's live sessions, newest first (what its account page lists)."""
        query = (
            _with_account()
            .where(console_sessions.c.account_id == account_id, console_sessions.c.expires > time.time())
            .order_by(console_sessions.c.id.desc())
        )
        with self.db.read() as conn:
            rows = conn.execute(query).all()
        return [_row(r, r.last_seen) for r in rows]

    def end(self, token: str) -> bool:
        """Sign-out: the session of this token is gone."""
        with self.db.write() as conn:
            gone = conn.execute(
                delete(console_sessions).where(console_sessions.c.token_hash == token_hash(token))
            ).rowcount
        return bool(gone)

    def end_others(self, account_id: int, keep_token: str) -> int:
        """End every session of the account but the one of ``keep_token``; returns how many."""
        with self.db.write() as conn:
            return end_sessions(conn, account_id, keep=keep_token)

    def end_one(self, account_id: int, session_id: int) -> bool:
        """End one session of the account (from its account page); False if it has no such session."""
        with self.db.write() as conn:
            gone = conn.execute(
                delete(console_sessions).where(
                    and_(console_sessions.c.id == session_id, console_sessions.c.account_id == account_id)
                )
            ).rowcount
        return bool(gone)

    def purge(self, now: float | None = None) -> int:
        """Delete expired rows (the retention job calls this)."""
        with self.db.write() as conn:
            return int(
                conn.execute(
                    delete(console_sessions).where(console_sessions.c.expires < (now or time.time()))
                ).rowcount
            )


def end_sessions(conn: Connection, account_id: int, keep: str | None = None) -> int:
    """Within the caller's transaction (a password or role change, a removal): end the account's
    sessions, all of them or all but the one of the token ``keep``."""
    query = delete(console_sessions).where(console_sessions.c.account_id == account_id)
    if keep is not None:
        query = query.where(console_sessions.c.token_hash != token_hash(keep))
    return int(conn.execute(query).rowcount)


def _row(row: Row[Any], last_seen: float) -> SessionRow:
    return SessionRow(
        row.id,
        row.account_id,
        row.name,
        row.role,
        row.account_created,
        row.created,
        last_seen,
        row.user_agent,
    )


def _with_account() -> Select:
    """Sessions joined with the account each belongs to (its name, role and creation time)."""
    return select(
        console_sessions,
        accounts.c.name,
        accounts.c.role,
        accounts.c.created.label("account_created"),
    ).join(accounts, accounts.c.id == console_sessions.c.account_id)
