"""GET /api/programs and /api/programs/{id}: browse the catalog without asking a question.

For people and sites that want a list (a "programs" page, a staff check of what is live), not a
search engine: the filters are plain matches on ids and words. Asking in words is what /api/chat
is for. Everything comes from the live index version, so the list changes with a re-ingest.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from bot.answering.contacts import contacts_for
from bot.answering.index import IndexNotReady, LoadedIndex
from bot.web.context import context
from bot.web.errors import ApiError
from bot.web.schemas import ERRORS
from ingest.embeddings import EmbedderMismatch
from ingest.records import Record
from ingest.textnorm import fold_kana

router = APIRouter(tags=["programs"])

_PUBLIC_OVERLAY = ("title_en", "summary_en", "eligibility_notes", "how_to_apply", "terms", "source", "seen")


def _index(request: Request) -> LoadedIndex:
    try:
        return context(request).runtime.navigator.retriever.index()
    except (IndexNotReady, EmbedderMismatch) as exc:
        raise ApiError(503, "index_not_ready", str(exc)) from exc


def _summary(record: Record, index: LoadedIndex) -> dict[str, Any]:
    overlay = index.knowledge.overlay(record.id)
    return {
        "id": record.id,
        "kind": record.kind,
        "title": record.title,
        "title_en": overlay.get("title_en") or "",
        "summary_en": overlay.get("summary_en") or "",
        "measure_id": record.measure_id,
        "measure": record.measure,
        "bodies": list(record.bodies),
        "contacts": [c["id"] for c in contacts_for([record], index.knowledge)],
        "source": record.source,
        "location": record.location,
    }


def _sort_key(record: Record) -> list[Any]:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in record.id.split("-")]


def _matches_measure(record: Record, wanted: str) -> bool:
    wanted = wanted.strip()
    if wanted.isdigit():  # "4" means 施策4 of any policy
        return record.measure_id.rsplit("-", 1)[-1] == wanted
    return record.measure_id.lower() == wanted.lower() or fold_kana(wanted) in fold_kana(record.measure)


def _matches_organisation(record: Record, wanted: str, contact_ids: list[str], index: LoadedIndex) -> bool:
    key = fold_kana(wanted)
    if wanted in contact_ids:
        return True
    names = [*record.bodies]
    for contact_id in contact_ids:
        entry = index.knowledge.contact_by_id(contact_id) or {}
        names += [entry.get("name", ""), entry.get("name_en", ""), *(entry.get("aliases") or [])]
    return any(key in fold_kana(name) for name in names if name)


def _matches_text(record: Record, wanted: str, index: LoadedIndex) -> bool:
    overlay = index.knowledge.overlay(record.id)
    haystack = [
        record.id,
        record.title,
        record.text,
        str(overlay.get("title_en") or ""),
        str(overlay.get("summary_en") or ""),
        *map(str, overlay.get("aliases") or []),
        *map(str, overlay.get("aliases_en") or []),
    ]
    words = fold_kana(wanted).split()
    folded = [fold_kana(h) for h in haystack]
    return all(any(word in h for h in folded) for word in words)


@router.get(
    "/api/programs", responses=ERRORS, summary="List programs, filtered by measure, organisation or words"
)
def list_programs(
    request: Request,
    measure: str | None = Query(
        default=None, description="measure id (I-4), number (4) or words of its title"
    ),
    organisation: str | None = Query(
        default=None, description="contact id (fujisawa-cci) or words of an implementing body's name"
    ),
    q: str | None = Query(
        default=None, max_length=200, description="words that must all occur (title, text, aliases)"
    ),
    kind: Literal["program", "measure", "indicator", "section", "document", "passage", "all"] = Query(
        default="program"
    ),
) -> JSONResponse:
    index = _index(request)
    items = []
    for record in sorted(index.records.values(), key=_sort_key):
        if kind != "all" and record.kind != kind:
            continue
        if measure and not _matches_measure(record, measure):
            continue
        summary = _summary(record, index)
        if organisation and not _matches_organisation(record, organisation, summary["contacts"], index):
            continue
        if q and q.strip() and not _matches_text(record, q, index):
            continue
        items.append(summary)
    return JSONResponse({"index_version": index.number, "count": len(items), "programs": items})


@router.get("/api/programs/{record_id}", responses=ERRORS, summary="One program (or any record) in full")
def get_program(record_id: str, request: Request) -> JSONResponse:
    index = _index(request)
    record = index.records.get(record_id)
    if record is None:
        raise ApiError(404, "unknown_program", f"no program or record with id '{record_id[:40]}'")
    overlay = index.knowledge.overlay(record.id)
    detail = {
        **_summary(record, index),
        "text": record.text,
        "aims": list(record.aims),
        "contacts": contacts_for([record], index.knowledge),
        "catalog": {key: overlay[key] for key in _PUBLIC_OVERLAY if overlay.get(key)},
        "index_version": index.number,
    }
    if record.kind == "indicator":
        detail["figures"] = {
            "unit": record.unit,
            "baseline": record.baseline,
            "baseline_label": record.baseline_label,
            "target": record.target,
            "target_label": record.target_label,
        }
    return JSONResponse(detail)
