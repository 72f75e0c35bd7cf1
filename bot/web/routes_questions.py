"""Staff work on the questions nothing answered: grouped, exported, marked out of scope, or taught.

``/admin/unanswered/groups`` and ``/admin/unanswered.csv`` group the no-match questions
(bot/unanswered.py); ``/admin/taught`` teaches the navigator a question with the record that
answers it (bot/taught.py); ``/admin/records`` is the picker of those records. Every change is in
the audit log, which names records and keys' lengths, never an owner's question text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from bot.answering.index import IndexNotReady, LoadedIndex
from bot.db.audit import AuditLog
from bot.spreadsheet import CSV_RESPONSE, csv_download, excel_csv
from bot.taught import TaughtQuestions
from bot.unanswered import mark_out_of_scope, unanswered_groups
from bot.web.context import context
from bot.web.errors import ApiError
from bot.web.routes_admin import Admin, require_admin
from bot.web.schemas import ADMIN_ERRORS
from bot.web.validation import clean_text, is_clean_id
from ingest.dates import JST
from ingest.embeddings import EmbedderMismatch
from ingest.textnorm import fold_kana

router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses=ADMIN_ERRORS,
)

PICKER_KINDS = ("program", "document", "passage")
PICKER_LIMIT = 50


class TeachRequest(BaseModel):
    question: str = Field(description="the question as owners ask it (the no-match group's question)")
    record_id: str = Field(max_length=200, description="the record that answers it (GET /admin/records)")


class OutOfScopeRequest(BaseModel):
    key: str = Field(description="the group's key (GET /admin/unanswered/groups)")


def taught_of(request: Request) -> TaughtQuestions:
    taught = context(request).runtime.navigator.taught
    if taught is None:
        raise ApiError(503, "taught_unavailable", "this server answers without taught questions")
    return taught


def _index(request: Request) -> LoadedIndex:
    try:
        return context(request).runtime.navigator.retriever.index()
    except (IndexNotReady, EmbedderMismatch) as exc:
        raise ApiError(503, "index_not_ready", str(exc)) from exc


def group_list(request: Request, limit: int) -> list[dict[str, Any]]:
    runtime = context(request).runtime
    taught = taught_of(request)
    return unanswered_groups(runtime.store, taught.embeddings, taught, limit=limit)


@router.get(
    "/unanswered/groups",
    summary="No-match questions grouped by need (same text, then near-duplicates), most frequent first",
)
def groups(request: Request, limit: int = Query(default=50, ge=1, le=500)) -> JSONResponse:
    items = group_list(request, limit)
    return JSONResponse({"count": len(items), "items": items})


@router.get(
    "/unanswered.csv",
    summary="The unanswered groups as a spreadsheet (UTF-8 with BOM)",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def groups_csv(request: Request, limit: int = Query(default=500, ge=1, le=500)) -> Response:
    rows = (
        [g["question"], g["count"], _iso(g["first_seen"]), _iso(g["last_seen"]), " | ".join(g["questions"])]
        for g in group_list(request, limit)
    )
    return csv_download(
        excel_csv(["question", "count", "first_seen", "last_seen", "variants"], rows), "unanswered.csv"
    )


@router.post("/unanswered/out-of-scope", summary="Mark a group out of scope: it leaves the list")
def out_of_scope(body: OutOfScopeRequest, request: Request, admin: Admin) -> JSONResponse:
    text = clean_text(body.key, 2000, field="key")
    runtime = context(request).runtime
    key = mark_out_of_scope(runtime.store.db, text, admin)
    AuditLog(runtime.store.db).record(admin, "out_of_scope", "unanswered group", key_chars=len(key))
    return JSONResponse({"key": key, "status": "out_of_scope"})


@router.get("/taught", summary="Questions staff taught, newest first")
def taught_list(request: Request) -> JSONResponse:
    items = taught_of(request).list()
    return JSONResponse({"count": len(items), "items": items})


@router.post("/taught", status_code=201, summary="Teach a question: the record answers it from now on")
def teach(body: TeachRequest, request: Request, admin: Admin) -> JSONResponse:
    ctx = context(request)
    question = clean_text(body.question, ctx.settings.max_message_chars, field="question")
    if not is_clean_id(body.record_id):
        raise ApiError(422, "invalid_request", "record_id: not a record id")
    taught = taught_of(request)
    record = _index(request).records.get(body.record_id)
    if record is None:
        raise ApiError(404, "unknown_record", f"no record {body.record_id} in the live index")
    item = taught.add(question, [record.id], admin)
    AuditLog(ctx.runtime.store.db).record(
        admin, "teach", record.id, taught_id=item["id"], title=record.title, kind=record.kind
    )
    return JSONResponse(item, status_code=201)


@router.delete("/taught/{taught_id}", summary="Forget a taught question")
def untaught(
    taught_id: Annotated[int, Path(ge=1, le=2**63 - 1)], request: Request, admin: Admin
) -> JSONResponse:
    removed = taught_of(request).remove(taught_id)
    if removed is None:
        raise ApiError(404, "unknown_taught", f"no taught question {taught_id}")
    AuditLog(context(request).runtime.store.db).record(
        admin, "untaught", ",".join(removed["record_ids"]), taught_id=taught_id
    )
    return JSONResponse({"id": taught_id, "removed": True})


@router.get("/records", summary="Records of the live index to teach with: programs, documents, passages")
def records(
    request: Request,
    q: Annotated[str, Query(max_length=200, description="part of the title or id")] = "",
    kind: Annotated[str | None, Query(pattern="^(program|document|passage)$")] = None,
) -> JSONResponse:
    index = _index(request)
    wanted = fold_kana(q).replace(" ", "")
    kinds = (kind,) if kind else PICKER_KINDS
    found = [
        record
        for record in index.records.values()
        if record.kind in kinds
        and (
            not wanted or wanted in fold_kana(record.title).replace(" ", "") or wanted in fold_kana(record.id)
        )
    ]
    found.sort(key=lambda r: (PICKER_KINDS.index(r.kind), r.document_id, _id_order(r.id)))
    items = [
        {"id": r.id, "kind": r.kind, "title": r.title, "document": r.document} for r in found[:PICKER_LIMIT]
    ]
    return JSONResponse({"count": len(items), "items": items})


def _id_order(record_id: str) -> list[tuple[int, int, str]]:
    """I-4-2 before I-4-10."""
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in record_id.split("-")]


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, JST).isoformat(timespec="seconds")
