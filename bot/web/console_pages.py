"""Rendering a console page: the Jinja2 templates (FastAPI's convention) with what every page
needs: the words in the chosen language, the signed-in account, the CSRF token for the page's
script, the menu, and whether the account may publish (the pages show only what its role may do;
the routes check it again)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from bot.web.console_session import csrf_token
from bot.web.console_text import LANG_COOKIE, LANGUAGES, words
from bot.web.context import context
from ingest.dates import JST

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")

MENU = (
    ("dashboard", "/admin/console/"),
    ("documents", "/admin/console/documents"),
    ("versions", "/admin/console/versions"),
    ("questions", "/admin/console/questions"),
    ("feedback", "/admin/console/feedback"),
    ("audit", "/admin/console/audit"),
    ("accounts", "/admin/console/accounts"),
)


def language_of(request: Request) -> str:
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE) or "ja"
    return chosen if chosen in LANGUAGES else "ja"


def when(seconds: float | None) -> str:
    """A time as staff in Fujisawa read it (JST), to the minute."""
    if not seconds:
        return ""
    return datetime.fromtimestamp(seconds, JST).strftime("%Y-%m-%d %H:%M")


TEMPLATES.env.filters["when"] = when


def render(request: Request, template: str, active: str, **data: Any) -> HTMLResponse:
    language = language_of(request)
    token = getattr(request.state, "console", None)
    account = getattr(request.state, "account", None)
    values = {
        "t": words(language),
        "lang": language,
        "other_lang": "en" if language == "ja" else "ja",
        "account": account,
        "csrf": csrf_token(context(request).settings, token) if token else "",
        "can_publish": account is None or account.is_admin,
        "menu": MENU,
        "active": active,
        "path": request.url.path,
        **data,
    }
    response = TEMPLATES.TemplateResponse(request, template, values, headers={"Cache-Control": "no-store"})
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, language, path="/admin", samesite="strict", httponly=True)
    return response
