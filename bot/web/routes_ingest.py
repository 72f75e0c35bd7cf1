"""Admins re-ingest over HTTP: start a re-ingest, follow its progress (documents: routes_documents).

A re-ingest runs as a background job; the live index keeps answering and switches only when the
new version passes its checks. ``?candidate=true`` builds and checks the new version without
switching to it: staff may build one and try it (POST /admin/versions/{n}/ask); an administrator
switches to it later (routes_versions), and only an administrator starts a re-ingest that goes live.
Every start is in the audit log with the admin's name.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from bot.db.audit import AuditLog
from bot.jobs import IngestBusy, IngestJob
from bot.web.context import context
from bot.web.errors import ApiError
from bot.web.routes_admin import Admin, ensure_administrator
from bot.web.schemas import ADMIN_ERRORS

log = logging.getLogger("navigator.admin")

router = APIRouter(prefix="/admin", tags=["admin"], responses=ADMIN_ERRORS)


def start_job(request: Request, admin: str, candidate: bool = False) -> IngestJob:
    """Start a re-ingest (or a candidate build) for ``admin``, logged and audited; IngestBusy when
    another one runs. Shared by this route and the document routes' ``?reingest=true``."""
    ctx = context(request)
    job = ctx.jobs.start(publish=not candidate)
    log.info("admin %s started %s %s", admin, "candidate build" if candidate else "re-ingest", job.id)
    AuditLog(ctx.runtime.store.db).record(
        admin, "publish" if candidate else "reingest", job.id, candidate=candidate
    )
    return job


def job_link(job: IngestJob) -> dict[str, str]:
    return {"job_id": job.id, "status": job.status, "href": f"/admin/reingest/{job.id}"}


@router.post("/reingest", status_code=202, summary="Start a re-ingest of knowledge/; returns a job id")
def start_reingest(
    request: Request,
    admin: Admin,
    candidate: bool = Query(
        default=False, description="build and check the new version as a candidate; the live one stays"
    ),
) -> JSONResponse:
    if not candidate:  # the new version goes live when it passes: administrators only
        ensure_administrator(request)
    try:
        job = start_job(request, admin, candidate)
    except IngestBusy as exc:
        raise ApiError(409, "ingest_running", str(exc)) from exc
    return JSONResponse(job_link(job), status_code=202)


@router.get("/reingest/{job_id}", summary="Progress and change report of a re-ingest job")
def reingest_status(job_id: str, request: Request, admin: Admin) -> JSONResponse:
    job = context(request).jobs.get(job_id)
    if job is None:
        raise ApiError(404, "unknown_job", f"no re-ingest job {job_id} (the newest 100 are kept)")
    return JSONResponse(job.to_dict())
