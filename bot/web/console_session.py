"""The console's sign-in cookie and the CSRF token bound to it.

The cookie carries a random session token, signed with ``NAVIGATOR_CONSOLE_SECRET`` (itsdangerous,
its timestamp checked against ``NAVIGATOR_CONSOLE_SESSION_MINUTES``). The signature only keeps
garbage away from the store: what makes a session is its row (``bot.db.console_sessions``), so
signing out, a password or role change and removing the account end it on every replica at once.
The cookie is ``HttpOnly`` and ``SameSite=Strict``, and ``Secure`` when the request came over HTTPS
(directly, or per ``X-Forwarded-Proto`` from a trusted proxy).

State-changing requests made with the cookie must carry the CSRF token in ``X-CSRF-Token``: an
HMAC of the session's token, which a page of another site can neither read nor compute.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import HTTPConnection
from starlette.responses import Response

from bot.web.clientaddr import is_trusted, trusted_networks
from ingest.settings import Settings

SESSION_COOKIE = "navigator_console"
LOGIN_CSRF_COOKIE = "navigator_login_csrf"
CSRF_HEADER = "x-csrf-token"


@lru_cache(maxsize=1)
def _process_secret() -> str:
    """Used when no secret is set: sign-ins then last as long as this process."""
    return secrets.token_urlsafe(32)


def secret_of(settings: Settings) -> str:
    return settings.console_secret or _process_secret()


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_of(settings), salt="navigator-console-session")


def read_token(settings: Settings, cookie: str | None) -> str | None:
    """The session token of a cookie we signed within the session's lifetime, or None."""
    if not cookie:
        return None
    try:
        data = _serializer(settings).loads(cookie, max_age=settings.console_session_minutes * 60)
    except BadSignature:  # also SignatureExpired
        return None
    token = data.get("t") if isinstance(data, dict) else None
    return token if isinstance(token, str) and token else None


def csrf_token(settings: Settings, token: str) -> str:
    key = secret_of(settings).encode()
    return hmac.new(key, f"csrf:{token}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(settings: Settings, token: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(settings, token), given or "")


def is_https(connection: HTTPConnection, settings: Settings) -> bool:
    if connection.url.scheme == "https":
        return True
    peer = connection.client.host if connection.client else ""
    networks = trusted_networks(tuple(settings.trusted_proxies))
    if not networks:
        return False
    return is_trusted(peer, networks) and connection.headers.get("x-forwarded-proto", "") == "https"


def set_session_cookie(response: Response, settings: Settings, token: str, secure: bool) -> None:
    value = _serializer(settings).dumps({"t": token})
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=settings.console_session_minutes * 60,
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def clear_session_cookie(response: Response, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/admin", httponly=True, samesite="strict", secure=secure)


def same_origin(connection: HTTPConnection) -> bool:
    """Whether a browser sent this from one of our own pages. Browsers say where a request comes
    from (``Sec-Fetch-Site``, and ``Origin``, which is "null" under our no-referrer policy);
    scripts send neither, and they hold no victim's cookie."""
    site = connection.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = connection.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None or site is not None
    return origin.split("://", 1)[-1] == connection.headers.get("host", "")
