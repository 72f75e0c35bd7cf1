"""Admin authentication at the ASGI level, before a single byte of the request body is read.

FastAPI parses an ``UploadFile`` body before any dependency runs, so a token check written as a
dependency would let anyone stream 20 MB into a temporary file first. This middleware answers
``/admin/*`` requests without a valid bearer token or a live console session at once (401,
``Connection: close``, the body left unread) and tells the routes who the admin is
(``request.state.admin``; for a session also its ``account``, with the role the routes check), so
every admin action is logged and stored with a name (``NAVIGATOR_ADMIN_TOKENS``).
"""

from __future__ import annotations

import hmac
import logging
from urllib.parse import quote

import anyio.to_thread
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.db.accounts import Account, Accounts
from bot.db.console_sessions import ConsoleSessions, SessionRow
from bot.web.console_session import CSRF_HEADER, SESSION_COOKIE, csrf_ok, read_token, same_origin
from bot.web.errors import error_response
from ingest.settings import Settings

log = logging.getLogger("navigator.admin")

ADMIN_PREFIX = "/admin"
CONSOLE_PREFIX = "/admin/console"
LOGIN_PATH = "/admin/login"
PUBLIC_PATHS = frozenset({LOGIN_PATH})  # the sign-in form and its POST check their own CSRF token
SAFE_METHODS = ("GET", "HEAD")
_CHALLENGE = {"WWW-Authenticate": "Bearer", "Connection": "close"}


def admin_for(settings: Settings, authorization: str | None) -> str | None:
    """The admin's name for an ``Authorization`` header value, or None. Every token is compared in
    constant time, so the answer's timing does not tell which token came close."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    given = token.strip().encode("utf-8", "surrogateescape")
    found = None
    for expected, name in settings.admins_by_token().items():
        if hmac.compare_digest(given, expected.encode("utf-8", "surrogateescape")):
            found = name
    return found


class AdminAuth:
    """Bearer tokens (scripts) or a console session cookie (staff in the browser) for ``/admin/*``;
    the cookie counts only while its row in the store is live (``bot.db.console_sessions``).

    A cookie-authenticated request that changes state must also pass the CSRF check (same origin,
    and the session's token in ``X-CSRF-Token``); a page request without a session is sent to the
    sign-in form; everything else without credentials gets 401 before its body is read."""

    def __init__(self, app: ASGIApp, settings: Settings, accounts: Accounts | None = None) -> None:
        self.app = app
        self.settings = settings
        self.accounts = accounts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "") if scope["type"] == "http" else ""
        if (
            not (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"))
            or scope.get("method") == "OPTIONS"
            or path in PUBLIC_PATHS
        ):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        header = connection.headers.get("authorization")
        if header is not None:
            await self._bearer(scope, receive, send, header, path)
            return
        token = read_token(self.settings, connection.cookies.get(SESSION_COOKIE))
        session = await self._session(token) if token else None
        if token is None or session is None:
            if scope.get("method") in ("GET", "HEAD") and _wants_page(path, connection):
                target = quote(
                    path
                    + ("?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else "")
                )
                await RedirectResponse(f"{LOGIN_PATH}?next={target}", status_code=303)(scope, receive, send)
                return
            if not self.settings.admins_by_token() and not (
                self.accounts and await _any_account(self.accounts)
            ):
                await _disabled()(scope, receive, send)
                return
            await error_response(
                401,
                "unauthorized",
                "sign in to the console, or send 'Authorization: Bearer <token>'",
                _CHALLENGE,
            )(scope, receive, send)
            return
        if scope.get("method") not in SAFE_METHODS and not (
            same_origin(connection) and csrf_ok(self.settings, token, connection.headers.get(CSRF_HEADER))
        ):
            log.warning(
                "admin %s: refused %s %s without a valid CSRF token",
                session.account_name,
                scope.get("method"),
                path,
            )
            await error_response(
                403,
                "csrf_failed",
                "this request did not come from a console page (missing or wrong CSRF token)",
            )(scope, receive, send)
            return
        account = Account(session.account_id, session.account_name, session.role, session.account_created)
        state = scope.setdefault("state", {})
        state["admin"], state["account"], state["console"] = account.name, account, token
        state["console_session"] = session
        if scope.get("method") not in SAFE_METHODS:
            log.info("admin %s (console): %s %s", account.name, scope.get("method"), path)
        await self.app(scope, receive, send)

    async def _session(self, token: str) -> SessionRow | None:
        if self.accounts is None:
            return None
        idle = self.settings.console_idle_minutes * 60
        sessions = ConsoleSessions(self.accounts.db)
        return await anyio.to_thread.run_sync(sessions.find, token, idle)

    async def _bearer(self, scope: Scope, receive: Receive, send: Send, header: str, path: str) -> None:
        if not self.settings.admins_by_token():
            await _disabled()(scope, receive, send)
            return
        admin = admin_for(self.settings, header)
        if admin is None:
            await error_response(401, "unauthorized", "wrong admin token", _CHALLENGE)(scope, receive, send)
            return
        scope.setdefault("state", {})["admin"] = admin
        if scope.get("method") not in SAFE_METHODS:
            log.info("admin %s: %s %s", admin, scope.get("method"), path)
        await self.app(scope, receive, send)


def _disabled() -> JSONResponse:
    return error_response(
        401,
        "admin_disabled",
        "admin endpoints are off: set NAVIGATOR_ADMIN_TOKEN(S) or a console administrator "
        "(NAVIGATOR_CONSOLE_ADMIN and NAVIGATOR_CONSOLE_ADMIN_PASSWORD)",
        _CHALLENGE,
    )


def _wants_page(path: str, connection: HTTPConnection) -> bool:
    return (
        path == ADMIN_PREFIX
        or path.startswith(CONSOLE_PREFIX)
        or "text/html" in connection.headers.get("accept", "")
    )


async def _any_account(accounts: Accounts) -> bool:
    return await anyio.to_thread.run_sync(accounts.exist)
