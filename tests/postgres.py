"""A real PostgreSQL for the tests: the Debian `postgresql` package's initdb and pg_ctl, run as the
`postgres` user (they refuse root) in a temporary folder, on a free 127.0.0.1 port; every test
that asks gets its own database."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator

import psycopg

from tests.conftest import free_port


def _bin(tool: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: apt-get install -y postgresql (scripts/test.sh does)"
        )
    return found[-1]


def _as_postgres(args: list[str]) -> list[str]:
    """Root runs the server tools as `postgres`; anyone else runs them as themselves."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PostgresServer:
    def __init__(self, port: int, folder: str) -> None:
        self.port = port
        self.folder = folder

    @property
    def admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def count(self, url: str, sql: str) -> int:
        """One number from a database (tests count rows where the application cannot cheat)."""
        dbname = url.rsplit("/", 1)[1]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}") as conn:
            row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    folder = tempfile.mkdtemp(prefix="navigator-pg-", dir="/tmp")
    data = os.path.join(folder, "data")
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    os.chmod(folder, 0o700)
    port = free_port()
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    try:
        subprocess.run(
            _as_postgres(
                [
                    _bin("initdb"),
                    "-D",
                    data,
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ]
            ),
            **run,
        )
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=300"
        )
        subprocess.run(
            _as_postgres(
                [_bin("pg_ctl"), "-D", data, "-o", options, "-l", os.path.join(folder, "log"), "-w", "start"]
            ),
            **run,
        )
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr or exc.stdout}") from exc
    try:
        yield PostgresServer(port, folder)
    finally:
        subprocess.run(
            _as_postgres([_bin("pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"]), capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)
