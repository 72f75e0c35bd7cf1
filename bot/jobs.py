"""Re-ingests started by admins over HTTP or Slack run as background jobs in the serving process.

The writer lock is taken before the job is accepted, so a second request is refused at once with a
clear message instead of queueing or interleaving; the live version keeps answering throughout and
switches only when the new one has passed its checks.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from ingest.pipeline import IngestBusy, IngestError, run_ingest_locked, writer_lock
from ingest.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class IngestJob:
    id: str
    status: str = "running"  # running | succeeded | failed
    started: float = field(default_factory=time.time)
    finished: float | None = None
    progress: dict[str, int] = field(default_factory=lambda: {"embedded": 0, "to_embed": 0})
    report: dict[str, Any] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class IngestJobs:
    """Jobs of this data directory. Their status is a JSON file under ``data/jobs/``, so every worker
    process or replica sharing the data directory can report a job another one started."""

    def __init__(self, settings: Settings, embedder: Embeddings | None = None, keep: int = 20) -> None:
        self.settings = settings
        self.embedder = embedder
        self.keep = keep
        self.folder = settings.data_dir / "jobs"

    def start(self, paths: list[Path] | None = None, allow_shrink: bool = False) -> IngestJob:
        """Accept a re-ingest and run it in the background; IngestBusy when another one runs."""
        stack = ExitStack()
        stack.enter_context(writer_lock(self.settings))  # raises IngestBusy at once
        job = IngestJob(id="job-" + uuid.uuid4().hex[:12])
        self.folder.mkdir(parents=True, exist_ok=True)
        self._save(job)
        for old in sorted(self.folder.glob("job-*.json"), key=lambda p: p.stat().st_mtime)[: -self.keep]:
            old.unlink(missing_ok=True)
        thread = threading.Thread(target=self._run, args=(job, stack, paths, allow_shrink), daemon=True)
        thread.start()
        return job

    def _run(self, job: IngestJob, stack: ExitStack, paths: list[Path] | None, allow_shrink: bool) -> None:
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
                report = run_ingest_locked(
                    self.settings, paths, embedder=self.embedder, progress=progress, allow_shrink=allow_shrink
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
        path = self.folder / f"{job.id}.json"
        scratch = path.with_suffix(".tmp")
        scratch.write_text(json.dumps(job.to_dict(), ensure_ascii=False), encoding="utf-8")
        os.replace(scratch, path)  # readers see the old status or the new one, never half a file

    def get(self, job_id: str) -> IngestJob | None:
        if not job_id.startswith("job-") or not job_id[4:].isalnum():
            return None
        try:
            data = json.loads((self.folder / f"{job_id}.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return IngestJob(**data)

    def wait(self, job_id: str, timeout: float) -> IngestJob | None:
        """Bounded wait for a job to finish (used by Slack's reindex and by tests)."""
        deadline = time.monotonic() + timeout
        job = self.get(job_id)
        while job is not None and job.status == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
            job = self.get(job_id)
        return job


__all__ = ["IngestBusy", "IngestJob", "IngestJobs"]
