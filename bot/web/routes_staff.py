"""The console's own JSON: dashboard figures, feedback handling, the audit log and staff accounts.

Every route is behind ``AdminAuth`` (a bearer token or a console session with its CSRF token);
managing accounts needs the administrator role (a bearer token counts as one: whoever holds it
can already do everything). A signed-in account changes its own password (giving the current one),
lists its sessions and ends them.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from bot.db.accounts import Account, AccountError, Accounts, WrongPassword
from bot.db.audit import AuditLog
from bot.db.console_sessions import ConsoleSessions
from bot.db.logins import LoginAttempts
from bot.spreadsheet import CSV_RESPONSE, csv_download
from bot.staff_reports import (
    answers_by_program,
    answers_csv,
    feedback_items,
    mark_feedback_handled,
    today_counts,
)
from bot.web.clientaddr import client_address
from bot.web.context import context
from bot.web.errors import ApiError
from bot.web.routes_admin import Admin, AdminOnly
from bot.web.schemas import ADMIN_ERRORS
from bot.web.signin_throttle import SigninThrottle
from ingest.library import DocumentLibrary

router = APIRouter(prefix="/admin", tags=["admin"], responses=ADMIN_ERRORS)


def dashboard_data(request: Request) -> dict[str, Any]:
    ctx = context(request)
    retriever = ctx.runtime.navigator.retriever
    try:
        index = retriever.index()
    except Exception:  # noqa: BLE001 - no index yet: the dashboard still shows the store's figures
        index = None
    titles = {rid: r.title for rid, r in (index.records.items() if index else []) if r.kind == "program"}
    db = ctx.runtime.store.db
    return {
        "live_version": retriever.store.live_number(),
        "switched_at": retriever.store.switched_at(),
        "documents": len(DocumentLibrary(ctx.settings).files()),
        "records": dict(Counter(r.kind for r in index.records.values())) if index else {},
        "today": today_counts(db),
        "by_program": answers_by_program(db, titles),
    }


@router.get(
    "/dashboard", summary="The live version, today's answers, no-match rate and 👎, answers by program"
)
def dashboard(request: Request, admin: Admin) -> JSONResponse:
    return JSONResponse(dashboard_data(request))


@router.get(
    "/dashboard/answers.csv",
    summary="Answers by program per month as CSV (UTF-8 with BOM)",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def dashboard_csv(request: Request, admin: Admin) -> Response:
    return csv_download(answers_csv(dashboard_data(request)["by_program"]), "answers-by-program.csv")


@router.get("/feedback/turns", summary="Feedback with its whole turn (question, answer, citations, channel)")
def feedback_turns(
    request: Request,
    admin: Admin,
    rating: str = Query(default="down", pattern="^(down|up|all)$"),
    limit: int = Query(default=100, ge=1, le=500),
) -> JSONResponse:
    wanted = {"down": -1, "up": 1, "all": None}[rating]
    items = feedback_items(context(request).runtime.store.db, wanted, limit)
    return JSONResponse({"count": len(items), "items": items})


@router.post("/feedback/{feedback_id}/handled", summary="Mark a piece of feedback handled")
def feedback_handled(
    feedback_id: Annotated[int, Path(ge=1, le=2**63 - 1)], request: Request, admin: Admin
) -> JSONResponse:
    db = context(request).runtime.store.db
    if not mark_feedback_handled(db, feedback_id, admin):
        raise ApiError(404, "unknown_feedback", f"no feedback {feedback_id}")
    AuditLog(db).record(admin, "feedback_handled", f"feedback {feedback_id}")
    return JSONResponse({"id": feedback_id, "handled_by": admin})


@router.get("/audit", summary="The audit log, newest first")
def audit(
    request: Request,
    admin: Admin,
    limit: int = Query(default=200, ge=1, le=1000),
    action: str | None = Query(default=None, max_length=64),
) -> JSONResponse:
    items = AuditLog(context(request).runtime.store.db).entries(limit, action)
    return JSONResponse({"count": len(items), "items": items})


class NewAccount(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)
    role: str = Field(default="staff", pattern="^(admin|staff)$")


class NewRole(BaseModel):
    role: str = Field(pattern="^(admin|staff)$")


class EndSessions(BaseModel):
    password: str = Field(min_length=1, max_length=1000, description="the account's password, again")
    session: str = Field(
        pattern=r"^(others|[1-9][0-9]{0,17})$",
        description="a session's id (GET /admin/account/sessions), or 'others': every one but this",
    )


class NewPassword(BaseModel):
    current_password: str = Field(min_length=1, max_length=1000)
    password: str = Field(min_length=1, max_length=1000)


@router.get("/accounts", summary="Console accounts")
def list_accounts(request: Request, admin: Admin) -> JSONResponse:
    items = [
        {"name": a.name, "role": a.role, "created": a.created}
        for a in Accounts(context(request).runtime.store.db).all()
    ]
    return JSONResponse({"count": len(items), "items": items})


@router.post("/accounts", status_code=201, summary="Add a console account (administrators)")
def add_account(body: NewAccount, request: Request, admin: AdminOnly) -> JSONResponse:
    db = context(request).runtime.store.db
    try:
        account = Accounts(db).add(body.name, body.password, body.role)
    except AccountError as exc:
        raise ApiError(409, "account_refused", str(exc)) from exc
    AuditLog(db).record(admin, "account_added", account.name, role=account.role)
    return JSONResponse({"name": account.name, "role": account.role}, status_code=201)


@router.delete("/accounts/{name}", summary="Remove a console account and end its sessions (administrators)")
def remove_account(name: str, request: Request, admin: AdminOnly) -> JSONResponse:
    db = context(request).runtime.store.db
    try:
        ended = Accounts(db).remove(name)
    except AccountError as exc:
        raise ApiError(409, "account_refused", str(exc)) from exc
    AuditLog(db).record(admin, "account_removed", name, sessions_ended=ended)
    return JSONResponse({"removed": name, "sessions_ended": ended})


@router.post(
    "/accounts/{name}/role", summary="Change an account's role and end its sessions (administrators)"
)
def change_role(name: str, body: NewRole, request: Request, admin: AdminOnly) -> JSONResponse:
    db = context(request).runtime.store.db
    try:
        ended = Accounts(db).set_role(name, body.role)
    except AccountError as exc:
        raise ApiError(409, "account_refused", str(exc)) from exc
    AuditLog(db).record(admin, "role_changed", name, role=body.role, sessions_ended=ended)
    return JSONResponse({"name": name, "role": body.role, "sessions_ended": ended})


def _signed_in(request: Request) -> tuple[Account, str]:
    """The console account and session token of this request; 409 for a bearer token."""
    account, token = getattr(request.state, "account", None), getattr(request.state, "console", None)
    if account is None or token is None:
        raise ApiError(
            409, "no_account", "a bearer token has no password or sessions; sign in to the console"
        )
    return account, token


@router.post(
    "/account/password",
    summary="Change the signed-in account's password (the current one first); ends its other sessions",
)
def change_password(body: NewPassword, request: Request, admin: Admin) -> JSONResponse:
    account, token = _signed_in(request)
    db = context(request).runtime.store.db
    throttle, address = _password_throttle(request, account)
    try:
        ended = Accounts(db).change_password(
            account.name, body.current_password, body.password, keep_token=token
        )
    except WrongPassword as exc:
        throttle.record(account.name, address, ok=False)
        raise ApiError(409, "account_refused", str(exc)) from exc
    except AccountError as exc:
        raise ApiError(409, "account_refused", str(exc)) from exc
    AuditLog(db).record(admin, "password_changed", admin, sessions_ended=ended)
    return JSONResponse({"name": admin, "sessions_ended": ended})


@router.get("/account/sessions", summary="The signed-in account's console sessions, newest first")
def my_sessions(request: Request, admin: Admin) -> JSONResponse:
    account, _ = _signed_in(request)
    items = session_items(request, account)
    return JSONResponse({"count": len(items), "items": items})


@router.post(
    "/account/sessions/end",
    summary="End one of the signed-in account's other sessions, or all of them (the password again first)",
)
def end_sessions(body: EndSessions, request: Request, admin: Admin) -> JSONResponse:
    account, token = _signed_in(request)
    db = context(request).runtime.store.db
    throttle, address = _password_throttle(request, account)
    if Accounts(db).verify(account.name, body.password) is None:
        throttle.record(account.name, address, ok=False)
        raise ApiError(409, "account_refused", "the password is wrong")
    sessions = ConsoleSessions(db)
    if body.session == "others":
        ended = sessions.end_others(account.id, token)
    elif sessions.end_one(account.id, int(body.session)):
        ended = 1
    else:
        raise ApiError(404, "unknown_session", f"no session {body.session} of {account.name}")
    AuditLog(db).record(admin, "session_ended", f"sessions {body.session}", sessions_ended=ended)
    return JSONResponse({"ended": ended})


def _password_throttle(request: Request, account: Account) -> tuple[SigninThrottle, str]:
    """The throttle that a password given again (to change it, to end sessions) passes first: it is
    a sign-in's secret, so guessing it with a stolen cookie counts on the sign-in form's counters."""
    settings = context(request).settings
    throttle = SigninThrottle(LoginAttempts(context(request).runtime.store.db), settings)
    address = client_address(request, settings.trusted_proxies)
    verdict = throttle.check(account.name, address)
    if verdict.blocked:
        AuditLog(throttle.attempts.db).record(
            account.name,
            "sign_in_throttled",
            scope=verdict.blocked,
            failures=verdict.failures,
            address=address,
        )
        raise ApiError(429, "rate_limited", "too many wrong passwords: try again later")
    return throttle, address


def session_items(request: Request, account: Account) -> list[dict[str, Any]]:
    """The account's sessions as its page and the API show them (this one marked ``current``)."""
    current = getattr(request.state, "console_session", None)
    return [
        {
            "id": row.id,
            "created": row.created,
            "last_seen": row.last_seen,
            "user_agent": row.user_agent,
            "current": current is not None and row.id == current.id,
        }
        for row in ConsoleSessions(context(request).runtime.store.db).of_account(account.id)
    ]
