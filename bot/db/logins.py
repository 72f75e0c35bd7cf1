"""Login attempts, counted in the store so that a limit holds across every host. The sign-in checks
`failures` before it checks a password and `record`s the outcome after; what the counts mean is
``bot.web.signin_throttle``'s business."""

from __future__ import annotations

import time

from sqlalchemy import delete, func, select

from bot.db.engine import Database
from bot.db.schema import login_attempts


class LoginAttempts:
    def __init__(self, database: Database) -> None:
        self.db = database

    def record(self, key: str, ok: bool) -> None:
        """One attempt for ``key`` (an account, an account at an address, or an address)."""
        with self.db.write() as conn:
            conn.execute(login_attempts.insert().values(key=key, at=time.time(), ok=ok))

    def failures(self, key: str, within_seconds: float) -> int:
        """Failed attempts for ``key`` in the last ``within_seconds``, since its last success."""
        since = time.time() - within_seconds
        with self.db.read() as conn:
            last_ok = conn.scalar(
                select(func.max(login_attempts.c.at)).where(login_attempts.c.key == key, login_attempts.c.ok)
            )
            return int(
                conn.scalar(
                    select(func.count()).where(
                        login_attempts.c.key == key,
                        ~login_attempts.c.ok,
                        login_attempts.c.at >= max(since, last_ok or 0.0),
                    )
                )
                or 0
            )

    def purge(self, older_than_seconds: float, now: float | None = None) -> int:
        """Delete attempts older than ``older_than_seconds`` (the retention job calls this)."""
        cutoff = (now or time.time()) - older_than_seconds
        with self.db.write() as conn:
            return int(conn.execute(delete(login_attempts).where(login_attempts.c.at < cutoff)).rowcount)
