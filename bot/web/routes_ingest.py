"""Admins update the knowledge over HTTP: upload a document, start a re-ingest, follow its progress.

An upload is checked before it is kept (type, size, and that the loaders can read it), so a file
that is not a document never reaches the knowledge folder. A re-ingest runs as a background job;
the live index keeps answering and switches only when the new version passes its checks.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePath
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from bot.jobs import IngestBusy
from bot.web.context import context
from bot.web.errors import ApiError
from bot.web.routes_admin import require_admin
from bot.web.schemas import ERRORS
from ingest.documents import parse_document
from ingest.loaders import SUPPORTED_SUFFIXES, DocumentError, load_document

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_admin)], responses=ERRORS)

_CHUNK = 1024 * 1024


@router.post("/documents", status_code=201, summary="Upload a document into knowledge/documents")
async def upload_document(request: Request, file: Annotated[UploadFile, File()]) -> JSONResponse:
    settings = context(request).settings
    name = PurePath(file.filename or "").name
    suffix = PurePath(name).suffix.lower()
    if not name or name.startswith("."):
        raise ApiError(422, "invalid_filename", "the upload needs a file name such as plan-2026.pdf")
    if suffix not in SUPPORTED_SUFFIXES:
        raise ApiError(
            415,
            "unsupported_document_type",
            f"'{suffix or name}' is not a document type the navigator reads "
            f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})",
        )
    settings.documents_dir.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(dir=settings.documents_dir, prefix=".upload-", suffix=suffix)
    size = 0
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := await file.read(_CHUNK):
                size += len(chunk)
                if size > settings.max_document_bytes:
                    raise ApiError(
                        413,
                        "document_too_large",
                        f"the document is larger than {settings.max_document_bytes} bytes",
                    )
                out.write(chunk)
        records = await run_in_threadpool(_check_document, Path(scratch), name, settings.max_document_bytes)
        target = settings.documents_dir / name
        replaced = target.exists()
        os.replace(scratch, target)  # atomic: an ingest sees the old file or the new one
    finally:
        if os.path.exists(scratch):
            os.unlink(scratch)
    return JSONResponse(
        {"file": f"documents/{name}", "bytes": size, "replaced": replaced, "records": records},
        status_code=201,
    )


def _check_document(path: Path, name: str, max_bytes: int) -> dict[str, int]:
    try:
        loaded = load_document(path, max_bytes=max_bytes)
    except DocumentError as exc:
        raise ApiError(422, "not_a_document", f"{name}: {exc}") from exc
    counts: dict[str, int] = {}
    for record in parse_document(loaded, name):
        counts[record.kind] = counts.get(record.kind, 0) + 1
    if not counts:
        raise ApiError(422, "not_a_document", f"{name}: no text the navigator can use")
    return counts


@router.post("/reingest", status_code=202, summary="Start a re-ingest of knowledge/; returns a job id")
def start_reingest(request: Request) -> JSONResponse:
    jobs = context(request).jobs
    try:
        job = jobs.start()
    except IngestBusy as exc:
        raise ApiError(409, "ingest_running", str(exc)) from exc
    return JSONResponse(
        {"job_id": job.id, "status": job.status, "href": f"/admin/reingest/{job.id}"}, status_code=202
    )


@router.get("/reingest/{job_id}", summary="Progress and change report of a re-ingest job")
def reingest_status(job_id: str, request: Request) -> JSONResponse:
    job = context(request).jobs.get(job_id)
    if job is None:
        raise ApiError(404, "unknown_job", f"no re-ingest job {job_id} (the newest 100 are kept)")
    return JSONResponse(job.to_dict())
