"""Admins manage documents over HTTP: list, upload, delete, and restore an earlier version.

An upload is checked before it is kept: its name is cleaned, its type and size bounded, and the
loaders read it in the sandbox (``ingest.sandbox``: separate processes with memory, CPU and time
limits, after the format caps of ``ingest.file_limits``), so neither a bomb nor a file that is not
a document reaches the uploads folder. The work runs on the admin thread pool, never on the
threads that answer chat. Each change takes effect with the next re-ingest, or at once with
``?reingest=true``. Uploading and restoring are staff work; deleting, and ``?reingest=true`` (the
new version goes live), are the administrators'.
"""

from __future__ import annotations

import logging
from pathlib import Path, PurePath
from typing import Any

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from bot.db.audit import AuditLog
from bot.db.shared_uploads import publish_upload, withdraw_upload
from bot.jobs import IngestBusy
from bot.web.context import context
from bot.web.errors import ApiError
from bot.web.routes_admin import Admin, AdminOnly, ensure_administrator
from bot.web.routes_ingest import job_link, start_job
from bot.web.schemas import ADMIN_ERRORS
from bot.web.upload_stream import receive_one_file
from ingest.dates import period_status, today
from ingest.library import BadFileName, DocumentLibrary, UnknownDocument, clean_name, is_supported
from ingest.loaders import SUPPORTED_SUFFIXES, DocumentError
from ingest.pipeline import load_file_outcomes
from ingest.untrusted import count_records

log = logging.getLogger("navigator.admin")

router = APIRouter(prefix="/admin", tags=["admin"], responses=ADMIN_ERRORS)

# Admin work (reading uploads in the sandbox) waits on these threads, never on the chat's.
_ADMIN_THREADS = anyio.CapacityLimiter(2)

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "additionalProperties": False,
                }
            }
        },
    }
}


class DocumentInfo(BaseModel):
    name: str
    type: str = Field(description="the file type: txt, md, pdf, docx, html, htm")
    size: int
    origin: str = Field(description="shipped (knowledge/documents, replaced on upgrade) or uploaded")
    uploaded_at: float | None
    uploaded_by: str | None
    status: str = Field(description="live (in the live index), failed (last ingest refused it), pending")
    records: int = Field(description="records the live index version has from this document")
    last_error: str | None
    period: dict[str, str] | None = Field(
        default=None, description="the application period the document states ({start, end} ISO dates)"
    )
    period_status: str | None = Field(
        default=None, description="ended, upcoming (not yet open) or open, on today's date; null: none stated"
    )


class DocumentList(BaseModel):
    count: int
    items: list[DocumentInfo]


class VersionInfo(BaseModel):
    version: str
    size: int
    uploaded_at: float | None
    uploaded_by: str | None
    kept_at: float
    kept_by: str
    why: str


class VersionList(BaseModel):
    name: str
    versions: list[VersionInfo]


class RestoreRequest(BaseModel):
    version: str = Field(description="a version id from GET /admin/documents/{name}/versions")


class Uploaded(BaseModel):
    file: str
    bytes: int
    replaced: bool
    previous_version: str | None
    records: dict[str, int]
    uploaded_by: str
    reingest: dict[str, Any] | None = None


def document_items(request: Request) -> list[dict[str, Any]]:
    """Every document ingest reads with its state, records and (when it states one) application
    period: what GET /admin/documents answers and the console's documents page shows."""
    ctx = context(request)
    library = DocumentLibrary(ctx.settings)
    outcomes = load_file_outcomes(ctx.settings)
    last_run = outcomes.get("at") or 0.0
    live_counts: dict[str, int] = {}
    periods: dict[str, dict[str, str]] = {}
    try:
        for record in ctx.runtime.navigator.retriever.index().records.values():
            live_counts[record.source] = live_counts.get(record.source, 0) + 1
            if record.kind == "document" and record.info.get("period"):
                periods[record.source] = record.info["period"]
    except Exception:  # noqa: BLE001 - no index yet: every document is pending
        live_counts = {}
    on = today(ctx.settings.today)
    items = []
    for stored in library.files():
        label = f"{'documents' if stored.origin == 'shipped' else 'uploads'}/{stored.name}"
        outcome = outcomes.get("files", {}).get(label) or {}
        records = live_counts.get(stored.name, 0)
        changed_since = stored.path.stat().st_mtime > last_run
        if outcome.get("error") and not changed_since:
            status = "failed"
        elif records and not changed_since:
            status = "live"
        else:
            status = "pending"
        period = periods.get(stored.name)
        items.append(
            {
                "name": stored.name,
                "type": PurePath(stored.name).suffix.lower().lstrip("."),
                "size": stored.size,
                "origin": stored.origin,
                "uploaded_at": stored.uploaded_at,
                "uploaded_by": stored.uploaded_by,
                "status": status,
                "records": records,
                "last_error": outcome.get("error"),
                "period": period,
                "period_status": period_status(period, on) or None,
            }
        )
    return items


@router.get("/documents", response_model=DocumentList, summary="Every document ingest reads, and its state")
def list_documents(request: Request, admin: Admin) -> JSONResponse:
    items = document_items(request)
    return JSONResponse({"count": len(items), "items": items})


@router.post(
    "/documents",
    status_code=201,
    response_model=Uploaded,
    summary="Upload a document (multipart field `file`) into the uploads folder",
    openapi_extra=_UPLOAD_BODY,
)
async def upload_document(
    request: Request,
    admin: Admin,
    reingest: bool = Query(default=False, description="start a re-ingest once the file is stored"),
) -> JSONResponse:
    if reingest:  # a re-ingest goes live: refused to staff before a byte of the upload is read
        ensure_administrator(request)
    settings = context(request).settings
    library = DocumentLibrary(settings)
    received = await receive_one_file(request, library.uploads, settings.max_document_bytes, _checked_name)
    name, size = received.name, received.size
    try:
        records = await anyio.to_thread.run_sync(
            _check_document, received.path, name, settings, limiter=_ADMIN_THREADS
        )
        saved = await anyio.to_thread.run_sync(
            library.save, name, received.path, admin, limiter=_ADMIN_THREADS
        )
        await anyio.to_thread.run_sync(publish_upload, settings, name, admin, limiter=_ADMIN_THREADS)
    finally:
        received.path.unlink(missing_ok=True)
    log.info("admin %s uploaded %s (%s bytes, replaced: %s)", admin, name, size, saved["replaced"])
    await anyio.to_thread.run_sync(
        lambda: _audit(request).record(admin, "upload", name, bytes=size, replaced=saved["replaced"])
    )
    body = {
        "file": f"uploads/{name}",
        "bytes": size,
        "replaced": saved["replaced"],
        "previous_version": saved["previous_version"],
        "records": records,
        "uploaded_by": admin,
        "reingest": _maybe_reingest(request, reingest, admin),
    }
    return JSONResponse(body, status_code=201)


@router.delete("/documents/{name}", summary="Delete an uploaded document (kept as a version)")
def delete_document(
    name: str,
    request: Request,
    admin: AdminOnly,
    reingest: bool = Query(default=False, description="start a re-ingest once the file is removed"),
) -> JSONResponse:
    library = DocumentLibrary(context(request).settings)
    name = _known_name(name)
    stored = library.get(name)
    if stored is not None and stored.origin == "shipped":
        raise ApiError(
            409, "shipped_document", f"{name} ships with the navigator and comes back with every upgrade"
        )
    try:
        version = library.delete(name, admin)
    except UnknownDocument as exc:
        raise ApiError(404, "unknown_document", f"no uploaded document named {name}") from exc
    withdraw_upload(context(request).settings, name)
    log.info("admin %s deleted %s (kept as %s)", admin, name, version)
    _audit(request).record(admin, "delete", name, kept_as=version)
    return JSONResponse(
        {"deleted": name, "kept_as": version, "reingest": _maybe_reingest(request, reingest, admin)}
    )


@router.get("/documents/{name}/versions", response_model=VersionList, summary="Kept earlier versions")
def document_versions(name: str, request: Request, admin: Admin) -> JSONResponse:
    library = DocumentLibrary(context(request).settings)
    name = _known_name(name)
    versions = library.versions(name)
    if not versions and library.get(name) is None:
        raise ApiError(404, "unknown_document", f"no document named {name}")
    return JSONResponse({"name": name, "versions": versions})


@router.post("/documents/{name}/restore", summary="Make a kept version the current upload again")
def restore_document(
    name: str,
    body: RestoreRequest,
    request: Request,
    admin: Admin,
    reingest: bool = Query(default=False, description="start a re-ingest once the file is restored"),
) -> JSONResponse:
    if reingest:
        ensure_administrator(request)
    library = DocumentLibrary(context(request).settings)
    name = _known_name(name)
    try:
        restored = library.restore(name, body.version, admin)
    except UnknownDocument as exc:
        raise ApiError(404, "unknown_version", f"no kept version {body.version} of {name}") from exc
    publish_upload(context(request).settings, name, admin)
    log.info("admin %s restored %s to %s", admin, name, body.version)
    _audit(request).record(admin, "restore", name, version=body.version)
    return JSONResponse({"name": name, **restored, "reingest": _maybe_reingest(request, reingest, admin)})


def _audit(request: Request) -> AuditLog:
    return AuditLog(context(request).runtime.store.db)


def _checked_name(raw: str | None) -> str:
    try:
        name = clean_name(raw)
    except BadFileName as exc:
        raise ApiError(422, exc.code, str(exc)) from exc
    if not is_supported(name):
        suffix = PurePath(name).suffix.lower()
        raise ApiError(
            415,
            "unsupported_document_type",
            f"'{suffix or name}' is not a document type the navigator reads "
            f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})",
        )
    return name


def _known_name(raw: str) -> str:
    try:
        return clean_name(raw)
    except BadFileName as exc:
        raise ApiError(422, exc.code, str(exc)) from exc


def _check_document(path: Path, name: str, settings: Any) -> dict[str, int]:
    try:
        counts = count_records(path, settings, name)
    except DocumentError as exc:
        raise ApiError(422, "not_a_document", f"{name}: {exc}") from exc
    if not counts:
        raise ApiError(422, "not_a_document", f"{name}: no text the navigator can use")
    return counts


def _maybe_reingest(request: Request, wanted: bool, admin: str) -> dict[str, Any] | None:
    if not wanted:
        return None
    try:
        return job_link(start_job(request, admin))
    except IngestBusy as exc:
        return {"status": "not_started", "reason": str(exc)}
