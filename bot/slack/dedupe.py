"""Answer each Slack event once, however often and to however many hosts it is delivered.

Slack redelivers an event (with `X-Slack-Retry-Num`) when it did not see our 200 within 3 seconds
or got an error, and one user message can arrive as two events (an `app_mention` and a
`message.im`). The first delivery *claims* its keys (the event id, and the message's
`client_msg_id` or channel+ts) by inserting them into the store's `slack_events` table, whose
primary key makes a second insert of the same key fail: the database decides, so the rule holds
across threads, worker processes, hosts sharing PostgreSQL, and restarts. Claims expire after
`NAVIGATOR_SLACK_DEDUPE_SECONDS` (Slack stops retrying after minutes).
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.db import Database
from bot.db.schema import slack_events

_PURGE_EVERY = 60.0  # seconds between sweeps of expired claims


class SeenEvents:
    def __init__(self, database: Database, ttl_seconds: float = 3600.0) -> None:
        self.db = database
        self.ttl = ttl_seconds
        self._last_purge = 0.0
        self._lock = threading.Lock()

    def claim(self, *keys: str) -> bool:
        """True for the first delivery: claims every key; False when any key was claimed before.

        One transaction: expired claims of these keys are dropped, then all keys are inserted; a
        unique violation (a claim by another thread, process or host, committed or in flight)
        rolls the whole claim back.
        """
        keys = tuple(dict.fromkeys(k for k in keys if k))
        if not keys:
            return True
        now = time.time()
        self._purge(now)
        try:
            with self.db.write() as conn:
                conn.execute(
                    delete(slack_events).where(
                        slack_events.c.key.in_(keys), slack_events.c.at < now - self.ttl
                    )
                )
                conn.execute(slack_events.insert(), [{"key": key, "at": now} for key in keys])
        except IntegrityError:
            return False
        return True

    def _purge(self, now: float) -> None:
        with self._lock:
            if now - self._last_purge < _PURGE_EVERY:
                return
            self._last_purge = now
        with self.db.write() as conn:
            conn.execute(delete(slack_events).where(slack_events.c.at < now - self.ttl))
