"""One engine (connection pool) per store URL and process, its schema brought up to date once.

SQLite: the file in the data folder, created readable by the service user only (0600, folder
0700); WAL with ``synchronous=NORMAL`` (consistent after a crash, at worst the last answers before a
power loss are missing); write transactions start with ``BEGIN IMMEDIATE`` so that two writers queue
on the busy timeout instead of one failing at once when it upgrades a read lock. PostgreSQL: a pool
of psycopg connections. Reads are single statements outside a transaction on both.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from ingest.settings import Settings


@dataclass(frozen=True, eq=False)
class Database:
    engine: Engine

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @cached_property
    def _reader(self) -> Engine:
        # Reads are single statements: in autocommit they cost no BEGIN and ROLLBACK round trips
        # (the SQLite driver is in autocommit mode already: `_sqlite_engine`).
        if self.is_postgres:
            return self.engine.execution_options(isolation_level="AUTOCOMMIT")
        return self.engine

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads, each statement its own snapshot (no transaction around them)."""
        with self._reader.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction, committed at the end of the block (rolled back on an exception)."""
        with self.engine.connect() as conn, conn.begin():
            if not self.is_postgres:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite itself never begins (see below)
            yield conn


_engines: dict[str, Database] = {}
_lock = threading.Lock()


def open_database(settings: Settings) -> Database:
    """The process's database for these settings, created and migrated on first use."""
    url = settings.store_url
    with _lock:
        database = _engines.get(url)
        if database is None:
            from bot.db.legacy import import_legacy_files
            from bot.db.migrate import upgrade

            database = Database(make_engine(url))
            upgrade(database)
            import_legacy_files(database, settings.data_dir)
            _engines[url] = database
    return database


def make_engine(url: str) -> Engine:
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    # No pre-ping (a round trip per checkout): a connection broken by a database restart fails
    # one request, and SQLAlchemy then drops the whole pool's stale connections at once.
    return create_engine(url, pool_size=8, max_overflow=16, pool_recycle=1800)


def _sqlite_engine(url: str) -> Engine:
    path = make_url(url).database
    if path and path != ":memory:":
        _private_file(Path(path))
    engine = create_engine(
        url,
        pool_size=8,
        max_overflow=16,
        # Nothing is ever left open to reset: reads run outside transactions, and every write
        # transaction ends in a commit or a rollback before its connection goes back.
        pool_reset_on_return=None,
        connect_args={"timeout": 30, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # `Database.write` emits BEGIN IMMEDIATE itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


def _private_file(path: Path) -> None:
    """Conversations are personal data: only the service user may read the folder and the file.
    SQLite gives its -wal and -shm files the database file's permissions."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.chmod(side, 0o600)
