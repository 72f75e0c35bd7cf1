"""Index versions for admins: list them, try one before it is live, switch to it, roll back.

A candidate build (``POST /admin/reingest?candidate=true``) is built and checked beside the live
version but not switched to. An admin asks it questions here (answers stored nowhere), reads its
change report per document, and switches when it is right; a rollback returns to a version that was
live before. Only administrators switch and roll back (``staff`` build and try candidates).
Switches take the writer lock, so none happens while a build runs, and every switch
and rollback is in the audit log with the admin's name and the version numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from bot.answering.index import IndexNotReady
from bot.db.audit import AuditLog
from bot.web.context import WebContext, context
from bot.web.errors import ApiError
from bot.web.routes_admin import Admin, AdminOnly
from bot.web.schemas import ADMIN_ERRORS, AskVersionRequest, RollbackRequest
from bot.web.validation import clean_text
from ingest.index_store import IndexStore, VersionInfo
from ingest.pipeline import IngestBusy, writer_lock
from ingest.settings import Settings

log = logging.getLogger("navigator.admin")

VersionNumber = Annotated[int, Path(ge=1, le=10**9, description="an index version's number")]

router = APIRouter(prefix="/admin", tags=["admin"], responses=ADMIN_ERRORS)


def _store(ctx: WebContext) -> IndexStore:
    return ctx.runtime.navigator.retriever.store


@contextmanager
def _writing(settings: Settings) -> Iterator[None]:
    """The writer lock for moving the live pointer; a build that holds it is a 409, not a wait."""
    try:
        with writer_lock(settings):
            yield
    except IngestBusy as exc:
        raise ApiError(409, "ingest_running", str(exc)) from exc


def _known(store: IndexStore, number: int) -> VersionInfo:
    info = store.version(number)
    if info is None:
        raise ApiError(404, "unknown_version", f"there is no index version {number}")
    return info


def _item(info: VersionInfo, live: int | None) -> dict[str, Any]:
    report = info.snapshot.get("report") or {}
    ready = info.status == "ready"
    return {
        "version": info.number,
        "created": info.created,
        "status": info.status,
        "live": info.number == live,
        "candidate": ready and info.number != live and (live is None or info.number > live),
        "embedder": info.embedder,
        "records": report.get("records"),
        "changes_by_document": report.get("changes_by_document") or [],
        "added": int(report.get("added", 0)),
        "updated": int(report.get("updated", 0)),
        "deleted": int(report.get("deleted", 0)),
    }


def versions_data(request: Request) -> dict[str, Any]:
    """Every kept version, newest first, with its change report (the API's and the console's)."""
    store = _store(context(request))
    live = store.live_number()
    items = [_item(info, live) for info in reversed(store.versions())]
    return {"live": live, "switched_at": store.switched_at(), "items": items}


@router.get("/versions", summary="Index versions, newest first: which is live, candidates, their changes")
def versions(request: Request, admin: Admin) -> JSONResponse:
    return JSONResponse(versions_data(request))


@router.post("/versions/{number}/switch", summary="Make a ready index version live")
def switch(number: VersionNumber, request: Request, admin: AdminOnly) -> JSONResponse:
    ctx = context(request)
    store = _store(ctx)
    with _writing(ctx.settings):
        info = _known(store, number)
        if info.status != "ready":
            raise ApiError(409, "not_ready", f"index version {number} is still being built")
        previous = store.live_number()
        store.publish(number)
    log.info("admin %s switched the live index version %s → %s", admin, previous, number)
    AuditLog(ctx.runtime.store.db).record(admin, "switch", f"v{number}", previous=previous)
    return JSONResponse({"live": number, "previous": previous})


@router.post("/rollback", summary="Make the previous (or a given) index version live again")
def rollback(body: RollbackRequest, request: Request, admin: AdminOnly) -> JSONResponse:
    ctx = context(request)
    store = _store(ctx)
    with _writing(ctx.settings):
        previous = store.live_number()
        try:
            target = store.rollback(body.to)
        except ValueError as exc:
            raise ApiError(409, "cannot_rollback", str(exc)) from exc
    log.info("admin %s rolled the live index version back %s → %s", admin, previous, target)
    AuditLog(ctx.runtime.store.db).record(admin, "rollback", f"v{target}", previous=previous)
    return JSONResponse({"live": target, "previous": previous})


@router.post(
    "/versions/{number}/ask",
    summary="Answer a question from a given index version (a candidate before it goes live); nothing is stored",
)
def ask(number: VersionNumber, body: AskVersionRequest, request: Request, admin: Admin) -> JSONResponse:
    ctx = context(request)
    message = clean_text(body.message, ctx.settings.max_message_chars)
    store = _store(ctx)
    info = _known(store, number)
    if info.status != "ready":
        raise ApiError(409, "not_ready", f"index version {number} is still being built")
    retriever = ctx.runtime.navigator.retriever
    if info.embedder != retriever.embedder_name:
        raise ApiError(
            409,
            "not_ready",
            f"index version {number} was built with embedder '{info.embedder}', "
            f"this server uses '{retriever.embedder_name}'",
        )
    try:
        index = ctx.versions.get(store, info)
    except IndexNotReady as exc:  # dropped between the look-up and the load
        raise ApiError(404, "unknown_version", str(exc)) from exc
    return JSONResponse(ctx.runtime.conversation.answer_once(message, index))
