"""The console's pages: server-rendered HTML over the same functions the JSON API answers with.

Every page is behind ``AdminAuth`` (no session: a redirect to the sign-in form). Actions are made
by the page's script (``/static/console.js``) calling the JSON API with the session's CSRF token.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from bot.db.accounts import Accounts
from bot.db.audit import AuditLog
from bot.staff_reports import feedback_items
from bot.web.console_pages import render
from bot.web.context import context
from bot.web.routes_admin import Admin
from bot.web.routes_documents import document_items
from bot.web.routes_questions import group_list, taught_of
from bot.web.routes_staff import dashboard_data, session_items
from bot.web.routes_versions import versions_data
from ingest.library import DocumentLibrary

router = APIRouter(prefix="/admin/console", include_in_schema=False)

PICKER_KINDS = ("program", "document", "passage")
PICKER_LIMIT = 800


@router.get("/", response_class=HTMLResponse)
def dashboard_page(request: Request, admin: Admin) -> HTMLResponse:
    return render(request, "console/dashboard.html", "dashboard", data=dashboard_data(request))


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, admin: Admin) -> HTMLResponse:
    library = DocumentLibrary(context(request).settings)
    documents = document_items(request)
    current = {d["name"] for d in documents}
    all_kept = library.kept_versions()
    kept = {d["name"]: all_kept.get(d["name"], []) for d in documents if d["origin"] == "uploaded"}
    deleted = {name: versions for name, versions in all_kept.items() if name not in current}
    return render(
        request, "console/documents.html", "documents", documents=documents, kept=kept, deleted=deleted
    )


@router.get("/versions", response_class=HTMLResponse)
def versions_page(request: Request, admin: Admin) -> HTMLResponse:
    data = versions_data(request)
    return render(request, "console/versions.html", "versions", versions=data["items"], live=data["live"])


@router.get("/questions", response_class=HTMLResponse)
def questions_page(request: Request, admin: Admin) -> HTMLResponse:
    return render(
        request,
        "console/questions.html",
        "questions",
        groups=group_list(request, 100),
        taught=taught_of(request).list(),
        records=picker_records(request),
    )


@router.get("/feedback", response_class=HTMLResponse)
def feedback_page(
    request: Request, admin: Admin, rating: str = Query(default="down", pattern="^(down|up|all)$")
) -> HTMLResponse:
    wanted = {"down": -1, "up": 1, "all": None}[rating]
    items = feedback_items(context(request).runtime.store.db, wanted, 200)
    return render(request, "console/feedback.html", "feedback", items=items, rating=rating)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, admin: Admin) -> HTMLResponse:
    entries = AuditLog(context(request).runtime.store.db).entries(500)
    return render(request, "console/audit.html", "audit", entries=entries)


@router.get("/accounts", response_class=HTMLResponse)
def accounts_page(request: Request, admin: Admin) -> HTMLResponse:
    account = getattr(request.state, "account", None)
    return render(
        request,
        "console/accounts.html",
        "accounts",
        accounts=Accounts(context(request).runtime.store.db).all(),
        is_admin=account is None or account.is_admin,
        sessions=session_items(request, account) if account else [],
    )


def picker_records(request: Request) -> list[dict[str, Any]]:
    """What staff may assign a question to: programs, then documents and their passages."""
    try:
        index = context(request).runtime.navigator.retriever.index()
    except Exception:  # noqa: BLE001 - no index yet: nothing to pick
        return []
    order = {kind: n for n, kind in enumerate(PICKER_KINDS)}
    records = sorted(
        (r for r in index.records.values() if r.kind in order), key=lambda r: (order[r.kind], r.id)
    )
    return [
        {"id": r.id, "title": r.title, "document": r.document if r.kind != "program" else ""}
        for r in records[:PICKER_LIMIT]
    ]
