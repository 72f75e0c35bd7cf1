"""The single-writer rule across hosts: a PostgreSQL advisory lock, when the store is PostgreSQL.

Hosts with their own data folders share no file to lock, but they share the database. The lock is
held by one dedicated connection for the whole ingest and released with it, also when the
process dies (the server ends the session), so a killed ingest never blocks the next one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

INGEST_LOCK_KEY = 0x696E6765  # "inge": one writer of the index at a time


class LockHeld(RuntimeError):
    """Another session holds the advisory lock."""


@contextmanager
def advisory_lock(url: str, key: int = INGEST_LOCK_KEY) -> Iterator[None]:
    """Hold ``pg_try_advisory_lock(key)`` for the block; LockHeld at once if someone else has it."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            if not conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}):
                raise LockHeld("another ingest is running (database lock)")
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    finally:
        engine.dispose()
