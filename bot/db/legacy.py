"""Upgrading a data folder from before the SQLAlchemy store keeps its state.

Conversations and feedback were already in ``conversations.sqlite3`` (the default store's file: the
first migration adopts its tables). Slack event ids were in ``slack_events.sqlite3`` and ingest jobs
in ``jobs/job-*.json``: they are copied into the store once, then the old files are renamed with an
``.imported`` suffix (kept, not deleted, in case anyone wants to look).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
from pathlib import Path

from sqlalchemy import select

from bot.db import schema
from bot.db.engine import Database

log = logging.getLogger(__name__)


def import_legacy_files(database: Database, data_dir: Path) -> None:
    _import_slack_events(database, data_dir / "slack_events.sqlite3")
    _import_jobs(database, data_dir / "jobs")


def _import_slack_events(database: Database, path: Path) -> None:
    if not path.is_file():
        return
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as old:
        try:
            claims = old.execute("SELECT key, at FROM claims").fetchall()
        except sqlite3.DatabaseError:
            log.warning("%s has no Slack claims table; left as it is", path)
            return
    with database.write() as conn:
        known = set(conn.scalars(select(schema.slack_events.c.key)))
        rows = [{"key": key, "at": at} for key, at in claims if key not in known]
        if rows:
            conn.execute(schema.slack_events.insert(), rows)
    _retire(path)
    for suffix in ("-wal", "-shm"):
        _retire(path.with_name(path.name + suffix))
    log.warning("imported %d Slack event ids from %s", len(claims), path)


def _import_jobs(database: Database, folder: Path) -> None:
    if not folder.is_dir():
        return
    jobs = []
    for file in sorted(folder.glob("job-*.json")):
        try:
            jobs.append(json.loads(file.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            log.warning("unreadable job file %s skipped", file)
    with database.write() as conn:
        known = set(conn.scalars(select(schema.ingest_jobs.c.id)))
        rows = [
            {
                "id": job["id"],
                "status": job.get("status", "failed"),
                "started": job.get("started", 0.0),
                "finished": job.get("finished"),
                "progress": json.dumps(job.get("progress") or {"embedded": 0, "to_embed": 0}),
                "report": None
                if job.get("report") is None
                else json.dumps(job["report"], ensure_ascii=False),
                "error": job.get("error"),
                "owner": "",
            }
            for job in jobs
            if job.get("id") and job["id"] not in known
        ]
        if rows:
            conn.execute(schema.ingest_jobs.insert(), rows)
    _retire(folder)
    log.warning("imported %d ingest jobs from %s", len(jobs), folder)


def _retire(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.rename(path.with_name(path.name + ".imported"))
