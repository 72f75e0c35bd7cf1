"""Security headers on every response, chosen by what the response is.

- HTML pages (the demo page) get a strict Content-Security-Policy: only our own scripts, styles and
  API; no framing; and Trusted Types, so any ``innerHTML = string`` in our code would throw in the
  browser instead of becoming an XSS hole.
- The widget's script and stylesheet are meant to be loaded by other sites' pages, so they are
  marked ``Cross-Origin-Resource-Policy: cross-origin``; everything else is ``same-origin``.
- API and admin answers are never cached (they hold conversations and staff data).

A pure ASGI middleware (not ``BaseHTTPMiddleware``) so the per-request cost stays a few dict writes.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'"
)
# Anything that is not a page: nothing may run or be framed in its context.
RESOURCE_CSP = "default-src 'none'; frame-ancestors 'none'"
CROSS_ORIGIN_ASSETS = ("/widget.js", "/static/widget.css")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                for name, value in _headers_for(path, content_type.startswith(b"text/html")):
                    if name not in present:
                        headers.append((name, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _headers_for(path: str, is_html: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]
    if is_html:
        headers += [(b"content-security-policy", PAGE_CSP.encode()), (b"x-frame-options", b"DENY")]
    else:
        headers.append((b"content-security-policy", RESOURCE_CSP.encode()))
    cross_origin = path in CROSS_ORIGIN_ASSETS
    headers.append((b"cross-origin-resource-policy", b"cross-origin" if cross_origin else b"same-origin"))
    if path.startswith(("/api/", "/admin/")):
        headers.append((b"cache-control", b"no-store"))
    return headers
