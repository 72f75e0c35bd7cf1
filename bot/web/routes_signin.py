"""Signing in to the console and out of it.

The form's POST is the one console request made without a session, so it checks its own CSRF
token (double submit: a random value in a ``SameSite=Strict`` cookie and in the form) and the
request's origin. Failed attempts are throttled as ``bot.web.signin_throttle`` describes (in the
store, so on every replica; never so that a stranger's failures refuse the owner's password), and
every pause, block and delay is in the audit log. A success is a new session row
(``bot.db.console_sessions``); signing out deletes it.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from bot.db.accounts import Accounts
from bot.db.audit import AuditLog
from bot.db.console_sessions import ConsoleSessions
from bot.db.logins import LoginAttempts
from bot.web.clientaddr import client_address
from bot.web.console_pages import language_of, render
from bot.web.console_session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    clear_session_cookie,
    is_https,
    read_token,
    same_origin,
    set_session_cookie,
)
from bot.web.console_text import words
from bot.web.context import context
from bot.web.routes_admin import Admin
from bot.web.signin_throttle import SigninThrottle

log = logging.getLogger("navigator.admin")

router = APIRouter(prefix="/admin", include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a console path: never another site (an open redirect)."""
    if target and target.startswith("/admin") and not target.startswith("//") and "\\" not in target:
        return target
    return "/admin/console/"


def _form(request: Request, next_path: str, error: str = "", status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "console/login.html", "login", next=next_path, form_token=token, error=error)
    response.status_code = status
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/admin/login",
        httponly=True,
        samesite="strict",
        secure=is_https(request, context(request).settings),
    )
    return response


@router.get("", response_class=RedirectResponse)
def admin_home() -> RedirectResponse:
    return RedirectResponse("/admin/console/", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:  # noqa: A002 - the query's name
    return _form(request, _safe_next(next))


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    name: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=1000)],
    form_token: Annotated[str, Form(max_length=100)],
    next: Annotated[str, Form(max_length=2000)] = "/admin/console/",  # noqa: A002
) -> Response:
    ctx = context(request)
    settings = ctx.settings
    t = words(language_of(request))
    next_path = _safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, form_token) or not same_origin(request):
        return _form(request, next_path, t["expired_form"], 403)
    db = ctx.runtime.store.db
    audit = AuditLog(db)
    who = name.strip()[:100] or "?"
    address = client_address(request, settings.trusted_proxies)
    throttle = SigninThrottle(LoginAttempts(db), settings)
    verdict = await anyio.to_thread.run_sync(throttle.check, who, address)
    if verdict.blocked:
        log.warning(
            "console sign-in for %s refused (%s, %d failures)", who, verdict.blocked, verdict.failures
        )
        await anyio.to_thread.run_sync(
            lambda: audit.record(
                who, "sign_in_throttled", scope=verdict.blocked, failures=verdict.failures, address=address
            )
        )
        response = _form(request, next_path, t["too_many"].format(minutes=settings.login_window_minutes), 429)
        response.headers["Retry-After"] = str(throttle.window)
        return response
    if verdict.delay:
        await anyio.to_thread.run_sync(
            lambda: audit.record(
                who,
                "sign_in_throttled",
                scope="delay",
                seconds=verdict.delay,
                failures=verdict.failures,
                address=address,
            )
        )
        await anyio.sleep(verdict.delay)  # holds no thread: the event loop serves others meanwhile
    account = await anyio.to_thread.run_sync(Accounts(db).verify, who, password)
    await anyio.to_thread.run_sync(throttle.record, who, address, account is not None)
    if account is None:
        await anyio.to_thread.run_sync(lambda: audit.record(who, "sign_in_failed", address=address))
        return _form(request, next_path, t["bad_login"], 401)
    sessions = ConsoleSessions(db)
    previous = read_token(settings, request.cookies.get(SESSION_COOKIE))
    if previous:  # signing in again replaces the browser's session rather than leaving it alive
        await anyio.to_thread.run_sync(sessions.end, previous)
    token = await anyio.to_thread.run_sync(
        sessions.create,
        account.id,
        request.headers.get("user-agent", ""),
        settings.console_session_minutes * 60,
    )
    await anyio.to_thread.run_sync(lambda: audit.record(account.name, "sign_in", address=address))
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, settings, token, is_https(request, settings))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/admin/login")
    return response


@router.post("/logout")
def logout(request: Request, admin: Admin) -> JSONResponse:
    db = context(request).runtime.store.db
    token = getattr(request.state, "console", None)
    if token:  # a bearer token has no session to end
        ConsoleSessions(db).end(token)
    AuditLog(db).record(admin, "sign_out")
    response = JSONResponse({"signed_out": admin, "href": "/admin/login"})
    clear_session_cookie(response, is_https(request, context(request).settings))
    return response
