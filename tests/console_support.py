"""Signing in to the staff console over real HTTP, as a browser does: the form, its token cookie,
the session cookie, and the CSRF token the pages carry."""

from __future__ import annotations

import re

import httpx

from ingest.settings import Settings

CHIEF = "chief"
CHIEF_PASSWORD = "correct horse battery staple"
SECRET = "console-test-secret-0123456789abcdef"


def console_settings(base: Settings, **overrides: object) -> dict[str, object]:
    """The console knobs for web_settings: a first administrator and a shared signing key."""
    return {
        "console_admin": CHIEF,
        "console_admin_password": CHIEF_PASSWORD,
        "console_secret": SECRET,
        **overrides,
    }


def form_token(client: httpx.Client, base: str) -> str:
    page = client.get(f"{base}/admin/login")
    assert page.status_code == 200, page.text
    return re.search(r'name="form_token" value="([^"]+)"', page.text).group(1)


def sign_in(
    client: httpx.Client, base: str, name: str = CHIEF, password: str = CHIEF_PASSWORD
) -> httpx.Response:
    token = form_token(client, base)
    return client.post(
        f"{base}/admin/login",
        data={"name": name, "password": password, "form_token": token, "next": "/admin/console/"},
        headers={"Origin": base},
    )


def replay(client: httpx.Client) -> httpx.Client:
    """Another client holding a copy of ``client``'s session cookie: what a thief has."""
    return httpx.Client(timeout=60, cookies={"navigator_console": client.cookies["navigator_console"]})


def csrf_of(client: httpx.Client, base: str) -> str:
    page = client.get(f"{base}/admin/console/")
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)


def from_address(address: str | None) -> dict[str, str]:
    """Headers that make a request come from ``address`` to an app trusting 127.0.0.1 as its proxy."""
    return {"X-Forwarded-For": address} if address else {}


def signed_in(
    base: str, name: str = CHIEF, password: str = CHIEF_PASSWORD, address: str | None = None
) -> tuple[httpx.Client, str]:
    """A client with a console session, and the CSRF token its state changes must send."""
    client = httpx.Client(timeout=60, headers=from_address(address))
    response = sign_in(client, base, name, password)
    assert response.status_code == 303, response.text
    return client, csrf_of(client, base)
