"""Background re-ingest jobs: accepted once, refused while one runs, always ending with a status."""

from __future__ import annotations

import pytest

from bot.jobs import IngestBusy, IngestJobs
from ingest.pipeline import run_ingest
from tests.test_safe_reingest import write_bulk_document


def test_a_job_reports_progress_and_its_change_report(settings, embedder):
    run_ingest(settings, embedder=embedder)
    write_bulk_document(settings.documents_dir, sections=400)
    jobs = IngestJobs(settings, embedder)

    job = jobs.start()
    with pytest.raises(IngestBusy):
        jobs.start()
    finished = jobs.wait(job.id, timeout=300)

    assert finished is not None and finished.status == "succeeded", finished
    assert finished.report["added"] == 401  # the notice's document record and its 400 passages
    assert finished.progress["embedded"] == finished.progress["to_embed"] >= 401
    assert jobs.start() is not None  # the lock was released


def test_a_refused_version_ends_the_job_as_failed_with_the_reason(settings, embedder):
    run_ingest(settings, embedder=embedder)
    plan = settings.documents_dir / "fujisawa-sme-plan.txt"
    plan.write_text(plan.read_text(encoding="utf-8").split("I-施策1")[0], encoding="utf-8")
    jobs = IngestJobs(settings, embedder)
    finished = jobs.wait(jobs.start().id, timeout=120)
    assert finished.status == "failed"
    assert "refused" in finished.error
