"""The widget script, its stylesheet, its small config (retention) and the demo page that embeds it."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

from bot.web.context import context

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)
config_router = APIRouter(tags=["chat"])


@config_router.get("/api/config", summary="What the widget tells its users: how long conversations are kept")
def widget_config(request: Request) -> JSONResponse:
    settings = context(request).settings
    return JSONResponse(
        {"retention_days": settings.retention_days, "max_message_chars": settings.max_message_chars}
    )


@router.get("/", response_class=HTMLResponse)
def demo_page() -> HTMLResponse:
    # Read per request (it is small) so editing the demo page needs no restart.
    html = (STATIC_DIR / "demo.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Cache-Control": "no-cache"})


@router.get(
    "/widget.js",
    response_class=FileResponse,
    responses={
        200: {"content": {"text/javascript": {"schema": {"type": "string"}}}, "description": "script"}
    },
)
def widget_script() -> FileResponse:
    # Other sites load this with a plain <script src>: no CORS needed, but allow it for
    # crossorigin="anonymous" embeds and Subresource Integrity.
    return FileResponse(
        STATIC_DIR / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )


class _PublicStatic(StaticFiles):
    """The stylesheet is fetched into other sites' pages by the widget, so it is public too."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Cache-Control", "public, max-age=300")
        return response


static_files = _PublicStatic(directory=STATIC_DIR)
