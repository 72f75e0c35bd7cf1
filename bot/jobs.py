"""Re-ingests started by admins over HTTP or Slack run as background jobs in the serving process.

The writer lock is taken before the job is accepted, so a second request is refused at once with a
clear message instead of queueing or interleaving; the live version keeps answering throughout and
switches only when the new one has passed its checks. A job's status is a row in the store, so
every worker process or host sharing the store can report a job another one started; a job left
`running` by a process that died is marked `interrupted` when a server starts.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from sqlalchemy import Row, delete, select, update

from bot.db import Database, open_database
from bot.db.schema import ingest_jobs
from bot.db.shared_uploads import sync_uploads
from ingest.pipeline import IngestBusy, IngestError, run_ingest_locked, writer_lock
from ingest.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class IngestJob:
    id: str
    status: str = "running"  # running | succeeded | failed | interrupted
    started: float = field(default_factory=time.time)
    finished: float | None = None
    progress: dict[str, int] = field(default_factory=lambda: {"embedded": 0, "to_embed": 0})
    report: dict[str, Any] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class IngestJobs:
    """Jobs of this store: rows of ``ingest_jobs``, the newest ``keep`` kept."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embeddings | None = None,
        database: Database | None = None,
        keep: int = 100,
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.db = database or open_database(settings)
        self.keep = keep

    def start(
        self, paths: list[Path] | None = None, allow_shrink: bool = False, publish: bool = True
    ) -> IngestJob:
        """Accept a re-ingest and run it in the background; IngestBusy when another one runs. With
        ``publish=False`` the new version is built and checked as a candidate, the live one stays."""
        stack = ExitStack()
        stack.enter_context(writer_lock(self.settings))  # raises IngestBusy at once
        try:
            job = IngestJob(id="job-" + uuid.uuid4().hex[:12])
            with self.db.write() as conn:
                conn.execute(ingest_jobs.insert().values(**_row(job), owner=_owner()))
                newest = select(ingest_jobs.c.id).order_by(ingest_jobs.c.started.desc()).limit(self.keep)
                conn.execute(
                    delete(ingest_jobs).where(
                        ingest_jobs.c.status != "running", ingest_jobs.c.id.not_in(newest)
                    )
                )
        except BaseException:
            stack.close()
            raise
        thread = threading.Thread(
            target=self._run, args=(job, stack, paths, allow_shrink, publish), daemon=True
        )
        thread.start()
        return job

    def recover(self) -> int:
        """Mark jobs ``interrupted`` that are ``running`` while nobody holds the writer lock: their
        process died (a restart, a crash). Returns how many; 0 when an ingest is running now."""
        with self.db.read() as conn:
            if (
                conn.execute(select(ingest_jobs.c.id).where(ingest_jobs.c.status == "running")).first()
                is None
            ):
                return 0  # the usual case: no lock taken at all
        try:
            with writer_lock(self.settings), self.db.write() as conn:
                count = conn.execute(
                    update(ingest_jobs)
                    .where(ingest_jobs.c.status == "running")
                    .values(
                        status="interrupted",
                        finished=time.time(),
                        error="the process running this job stopped before it finished; start it again",
                    )
                ).rowcount
        except IngestBusy:
            return 0
        if count:
            log.warning("%d ingest job(s) left running by a stopped process marked interrupted", count)
        return count

    def _run(
        self,
        job: IngestJob,
        stack: ExitStack,
        paths: list[Path] | None,
        allow_shrink: bool,
        publish: bool = True,
    ) -> None:
        last_saved = 0.0

        def progress(done: int, total: int) -> None:
            nonlocal last_saved
            job.progress = {"embedded": done, "to_embed": total}
            if time.monotonic() - last_saved > 0.5 or done == total:
                self._save(job)
                last_saved = time.monotonic()

        status, report, error = "failed", None, None
        try:
            with stack:  # the writer lock, released before the job is seen to finish
                sync_uploads(self.settings)  # another host's uploads, when the store is shared
                report = run_ingest_locked(
                    self.settings,
                    paths,
                    embedder=self.embedder,
                    progress=progress,
                    allow_shrink=allow_shrink,
                    publish=publish,
                ).to_dict()
                status = "succeeded"
        except IngestError as exc:
            error = str(exc)
            report = exc.report.to_dict() if exc.report else None
        except Exception as exc:  # a job must end with a status, whatever went wrong
            log.exception("ingest job %s failed", job.id)
            error = f"internal error: {type(exc).__name__}"
        job.report, job.error, job.finished = report, error, time.time()
        job.status = status  # last: whoever polls for the end finds the lock free
        self._save(job)
        log.info("ingest job %s %s", job.id, job.status)

    def _save(self, job: IngestJob) -> None:
        with self.db.write() as conn:
            conn.execute(update(ingest_jobs).where(ingest_jobs.c.id == job.id).values(**_row(job)))

    def get(self, job_id: str) -> IngestJob | None:
        with self.db.read() as conn:
            row = conn.execute(select(ingest_jobs).where(ingest_jobs.c.id == job_id)).first()
        return _job(row) if row else None

    def wait(self, job_id: str, timeout: float) -> IngestJob | None:
        """Bounded wait for a job to finish (used by Slack's reindex and by tests)."""
        deadline = time.monotonic() + timeout
        job = self.get(job_id)
        while job is not None and job.status == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
            job = self.get(job_id)
        return job


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _row(job: IngestJob) -> dict[str, Any]:
    return {
        "id": job.id,
        "status": job.status,
        "started": job.started,
        "finished": job.finished,
        "progress": json.dumps(job.progress),
        "report": None if job.report is None else json.dumps(job.report, ensure_ascii=False),
        "error": job.error,
    }


def _job(row: Row[Any]) -> IngestJob:
    return IngestJob(
        id=row.id,
        status=row.status,
        started=row.started,
        finished=row.finished,
        progress=json.loads(row.progress),
        report=None if row.report is None else json.loads(row.report),
        error=row.error,
    )


__all__ = ["IngestBusy", "IngestJob", "IngestJobs"]
