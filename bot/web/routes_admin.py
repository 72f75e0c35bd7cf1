"""Staff view: the questions nothing answered and the answers users marked 👎, newest first.

Guarded by bearer tokens (``NAVIGATOR_ADMIN_TOKEN``, ``NAVIGATOR_ADMIN_TOKENS``), checked by
``bot.web.admin_auth`` before the request body is read. With no token configured every request is
refused: an install that forgot to set it must not publish users' questions.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.web.admin_auth import admin_for
from bot.web.context import context
from bot.web.errors import ApiError
from bot.web.schemas import ADMIN_ERRORS

_bearer = HTTPBearer(auto_error=False, description="NAVIGATOR_ADMIN_TOKEN")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def require_admin(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """The admin's name. ``AdminAuth`` (ASGI) has already refused a wrong token before the body was
    read; this dependency documents the bearer scheme in /openapi.json and hands routes the name."""
    admin = getattr(request.state, "admin", None)
    if admin is None:  # an app assembled without the middleware: check here
        header = f"Bearer {credentials.credentials}" if credentials else None
        admin = admin_for(context(request).settings, header)
    if admin is None:
        raise ApiError(
            401, "unauthorized", "send the admin token as 'Authorization: Bearer <token>'", _CHALLENGE
        )
    return str(admin)


Admin = Annotated[str, Depends(require_admin)]


def is_administrator(request: Request) -> bool:
    """Whether this request may publish and manage accounts: a console session of the ``admin``
    role, or a bearer token (whoever holds one can already do everything)."""
    account = getattr(request.state, "account", None)
    return account is None or account.is_admin


def ensure_administrator(request: Request) -> None:
    """403 for a ``staff`` session: making a version live, rolling back, deleting documents and
    managing accounts are the administrators' (called before a body is read)."""
    if not is_administrator(request):
        raise ApiError(
            403,
            "admins_only",
            "only administrators make a version live, roll back, delete documents and manage accounts",
        )


def require_administrator(request: Request, admin: Admin) -> str:
    ensure_administrator(request)
    return admin


AdminOnly = Annotated[str, Depends(require_administrator)]


router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses=ADMIN_ERRORS,
)


def _listing(items: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"count": len(items), "items": items})


@router.get("/unanswered", summary="No-match questions, newest first: what the catalog is missing")
def unanswered(request: Request, limit: int = Query(default=50, ge=1, le=500)) -> JSONResponse:
    return _listing(context(request).runtime.store.unanswered(limit))


@router.get("/feedback", summary="Feedback, newest first (by default the 👎 answers)")
def feedback(
    request: Request,
    limit: int = Query(default=50, ge=1, le=500),
    rating: str = Query(default="down", pattern="^(down|up|all)$", description="down (👎), up (👍) or all"),
) -> JSONResponse:
    wanted = {"down": -1, "up": 1, "all": None}[rating]
    return _listing(context(request).runtime.store.feedback(rating=wanted, limit=limit))
