"""Answer each Slack event once, however often it is delivered.

Slack redelivers an event (with `X-Slack-Retry-Num`) when it did not see our 200 within 3 seconds
or got an error, and one user message can arrive as two events (an `app_mention` and a
`message.im`). The first delivery *claims* its keys (the event id, and the message's
`client_msg_id` or channel+ts); later deliveries find the claim and are acknowledged without an
answer. Claims live in SQLite under the data directory, so they hold across the web server's
threads, a Socket Mode worker beside it, and a restart; they expire after
`NAVIGATOR_SLACK_DEDUPE_SECONDS` (Slack stops retrying after minutes).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS claims_by_time ON claims(at);
"""
_PURGE_EVERY = 60.0  # seconds between sweeps of expired claims


class SeenEvents:
    def __init__(self, path: Path, ttl_seconds: float = 3600.0) -> None:
        self.path = path
        self.ttl = ttl_seconds
        self._last_purge = 0.0
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)

    def claim(self, *keys: str) -> bool:
        """True for the first delivery: claims every key; False when any key was claimed before.

        Atomic across threads and processes (one `BEGIN IMMEDIATE` transaction), so two
        concurrent deliveries of one event cannot both win.
        """
        keys = tuple(k for k in keys if k)
        if not keys:
            return True
        now = time.time()
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            self._purge(db, now)
            placeholders = ",".join("?" * len(keys))
            seen = db.execute(
                f"SELECT 1 FROM claims WHERE key IN ({placeholders}) AND at >= ? LIMIT 1",
                (*keys, now - self.ttl),
            ).fetchone()
            if seen is None:
                db.executemany(
                    "INSERT OR REPLACE INTO claims (key, at) VALUES (?, ?)", [(k, now) for k in keys]
                )
            db.execute("COMMIT")
            return seen is None
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.close()

    def _purge(self, db: sqlite3.Connection, now: float) -> None:
        with self._lock:
            if now - self._last_purge < _PURGE_EVERY:
                return
            self._last_purge = now
        db.execute("DELETE FROM claims WHERE at < ?", (now - self.ttl,))
