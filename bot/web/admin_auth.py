"""Admin authentication at the ASGI level, before a single byte of the request body is read.

FastAPI parses an ``UploadFile`` body before any dependency runs, so a token check written as a
dependency would let anyone stream 20 MB into a temporary file first. This middleware answers
``/admin/*`` requests without a valid bearer token at once (401, ``Connection: close``, the body
left unread) and tells the routes who the admin is (``request.state.admin``), so every admin action
is logged and stored with a name (``NAVIGATOR_ADMIN_TOKENS``).
"""

from __future__ import annotations

import hmac
import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from bot.web.errors import error_response
from ingest.settings import Settings

log = logging.getLogger("navigator.admin")

ADMIN_PREFIX = "/admin"
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
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "") if scope["type"] == "http" else ""
        if (
            not (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"))
            or scope.get("method") == "OPTIONS"
        ):
            await self.app(scope, receive, send)
            return
        if not self.settings.admins_by_token():
            response = error_response(
                401,
                "admin_disabled",
                "admin endpoints are off: NAVIGATOR_ADMIN_TOKEN or NAVIGATOR_ADMIN_TOKENS is not set",
                _CHALLENGE,
            )
            await response(scope, receive, send)
            return
        header = next(
            (value.decode("latin-1") for name, value in scope.get("headers", []) if name == b"authorization"),
            None,
        )
        admin = admin_for(self.settings, header)
        if admin is None:
            message = (
                "send the admin token as 'Authorization: Bearer <token>'"
                if not header
                else "wrong admin token"
            )
            await error_response(401, "unauthorized", message, _CHALLENGE)(scope, receive, send)
            return
        scope.setdefault("state", {})["admin"] = admin
        if scope.get("method") not in ("GET", "HEAD"):
            log.info("admin %s: %s %s", admin, scope.get("method"), path)
        await self.app(scope, receive, send)
