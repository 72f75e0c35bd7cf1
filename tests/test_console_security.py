"""The console's doors: no page or action without a session, CSRF on every state change, the
cookie's flags, its expiry, the sign-in limit counted in the store, and the audit log (issue 12;
issue 23's sessions, throttling and roles are tests/test_console_sessions.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from bot.db.audit import AuditLog
from tests.conftest import store_settings
from tests.console_support import (
    CHIEF,
    CHIEF_PASSWORD,
    SECRET,
    console_settings,
    form_token,
    sign_in,
    signed_in,
)
from tests.web_support import ADMIN_TOKEN, live_server, runtime_for, web_settings

STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(scope="module")
def console(navigator, tmp_path_factory) -> Iterator[tuple[str, object]]:
    settings = web_settings(navigator.settings, **console_settings(navigator.settings))
    runtime = runtime_for(navigator, settings, tmp_path_factory.mktemp("console"))
    with live_server(settings, runtime) as base:
        yield base, runtime


def admin_routes(base: str) -> list[tuple[str, str]]:
    """Every /admin route the app has (from the running app's OpenAPI plus the console pages)."""
    spec = httpx.get(f"{base}/openapi.json").json()
    routes = [
        (method.upper(), path)
        for path, methods in spec["paths"].items()
        if path.startswith("/admin")
        for method in methods
    ]
    pages = [
        "/admin",
        "/admin/console/",
        "/admin/console/documents",
        "/admin/console/versions",
        "/admin/console/questions",
        "/admin/console/feedback",
        "/admin/console/audit",
        "/admin/console/accounts",
    ]
    return routes + [("GET", p) for p in pages]


def concrete(path: str) -> str:
    return (
        path.replace("{name}", "x.md")
        .replace("{job_id}", "job-1")
        .replace("{number}", "1")
        .replace("{feedback_id}", "1")
        .replace("{taught_id}", "1")
        .replace("{id}", "1")
    )


def test_no_page_or_action_without_a_session(console):
    base, _ = console
    routes = admin_routes(base)
    assert len(routes) > 20
    with httpx.Client(timeout=30) as client:
        for method, path in routes:
            response = client.request(method, base + concrete(path), headers={"Accept": "text/html"})
            where = f"{method} {path}"
            if method == "GET":
                assert response.status_code in (303, 401), where
                if response.status_code == 303:
                    assert response.headers["location"].startswith("/admin/login?next="), where
            else:
                assert response.status_code == 401, where
                assert response.json()["error"]["code"] == "unauthorized", where


def test_the_cookie_is_httponly_strict_signed_and_secure_behind_https(navigator, tmp_path):
    settings = web_settings(
        navigator.settings, trusted_proxies=["127.0.0.1"], **console_settings(navigator.settings)
    )
    runtime = runtime_for(navigator, settings, tmp_path)
    with live_server(settings, runtime) as base, httpx.Client(timeout=30) as client:
        response = sign_in(client, base)
        assert response.status_code == 303
        cookie = response.headers["set-cookie"]
        assert "navigator_console=" in cookie
        for flag in ("HttpOnly", "SameSite=strict", "Path=/admin", "Max-Age=28800"):
            assert flag.lower() in cookie.lower(), cookie
        assert "secure" not in cookie.lower()  # plain HTTP on 127.0.0.1
        client.cookies.clear()
        token = form_token(client, base)
        behind = client.post(
            f"{base}/admin/login",
            data={"name": CHIEF, "password": CHIEF_PASSWORD, "form_token": token},
            headers={"Origin": base, "X-Forwarded-Proto": "https"},
        )
        assert behind.status_code == 303
        assert "secure" in behind.headers["set-cookie"].lower()


def test_cross_site_posts_are_refused(console):
    base, _ = console
    client, csrf = signed_in(base)
    url = f"{base}/admin/feedback/999999/handled"
    missing = client.post(url)
    assert missing.status_code == 403 and missing.json()["error"]["code"] == "csrf_failed"
    wrong = client.post(url, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    elsewhere = client.post(url, headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"})
    assert elsewhere.status_code == 403
    fetched_cross_site = client.post(url, headers={"X-CSRF-Token": csrf, "Sec-Fetch-Site": "cross-site"})
    assert fetched_cross_site.status_code == 403
    same = client.post(url, headers={"X-CSRF-Token": csrf, "Origin": base})
    assert same.status_code == 404  # past the CSRF check: there is no such feedback
    # the sign-in form itself: without its token cookie, or posted from another site
    stranger = httpx.post(
        f"{base}/admin/login", data={"name": CHIEF, "password": CHIEF_PASSWORD, "form_token": "x"}
    )
    assert stranger.status_code == 403 and "navigator_console" not in stranger.headers.get("set-cookie", "")
    client.close()


def test_the_bearer_api_still_works_for_scripts(console):
    base, _ = console
    response = httpx.get(f"{base}/admin/audit", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert response.status_code == 200
    # and needs no CSRF token: a script is not a browser a site can drive
    added = httpx.post(
        f"{base}/admin/accounts",
        json={"name": "scripted", "password": "a long enough password"},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert added.status_code == 201, added.text


def test_sessions_expire_and_forged_cookies_are_refused(console):
    base, _ = console

    class LongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 9 * 3600  # the session lasts 8 hours

    client, _ = signed_in(base)
    issued = client.cookies["navigator_console"]
    token = URLSafeTimedSerializer(SECRET, salt="navigator-console-session").loads(issued)["t"]
    expired = URLSafeTimedSerializer(SECRET, salt="navigator-console-session", signer=LongAgo).dumps(
        {"t": token}
    )
    forged = URLSafeTimedSerializer("another key", salt="navigator-console-session").dumps({"t": token})
    # signed with the right key, but no sign-in made it: the store knows no such session
    never_issued = URLSafeTimedSerializer(SECRET, salt="navigator-console-session").dumps({"t": "guessed"})
    old_format = URLSafeTimedSerializer(SECRET, salt="navigator-console-session").dumps(
        {"u": CHIEF, "n": "x"}
    )
    for cookie, expected in (
        (expired, 303),
        (forged, 303),
        (never_issued, 303),
        (old_format, 303),
        (issued, 200),
    ):
        response = httpx.get(f"{base}/admin/console/", cookies={"navigator_console": cookie})
        assert response.status_code == expected
    client.close()


def test_signing_out_and_removed_accounts(console):
    base, _ = console
    chief, chief_csrf = signed_in(base)
    added = chief.post(
        f"{base}/admin/accounts",
        json={"name": "clerk", "password": "clerk password 1", "role": "staff"},
        headers={"X-CSRF-Token": chief_csrf},
    )
    assert added.status_code == 201, added.text
    clerk, clerk_csrf = signed_in(base, "clerk", "clerk password 1")
    assert clerk.get(f"{base}/admin/console/feedback").status_code == 200
    refused = clerk.post(
        f"{base}/admin/accounts",
        json={"name": "mallory", "password": "mallory password"},
        headers={"X-CSRF-Token": clerk_csrf},
    )
    assert refused.status_code == 403  # staff do not manage accounts
    removed = chief.delete(f"{base}/admin/accounts/clerk", headers={"X-CSRF-Token": chief_csrf})
    assert removed.status_code == 200
    assert clerk.get(f"{base}/admin/console/").status_code == 303  # the account is gone: so is its session
    out = chief.post(f"{base}/admin/logout", headers={"X-CSRF-Token": chief_csrf})
    assert out.status_code == 200
    assert chief.get(f"{base}/admin/console/").status_code == 303


def test_sign_in_is_limited_in_the_store(navigator, tmp_path):
    settings = web_settings(navigator.settings, **console_settings(navigator.settings, login_max_failures=3))
    store = store_settings(settings, tmp_path)
    runtime = runtime_for(navigator, settings, store)
    with live_server(settings, runtime) as base, httpx.Client(timeout=30) as client:
        for _ in range(3):
            assert sign_in(client, base, CHIEF, "wrong password").status_code == 401
        paused = sign_in(client, base, CHIEF, CHIEF_PASSWORD)  # this account, from this address, waits
        assert paused.status_code == 429 and int(paused.headers["retry-after"]) > 0
        assert "navigator_console" not in paused.headers.get("set-cookie", "")
        other_name = sign_in(client, base, "someone", "whatever")  # other names are not paused
        assert other_name.status_code == 401
    # a second app on the same store (another replica) sees the same count
    replica_runtime = runtime_for(navigator, settings, store)
    with live_server(settings, replica_runtime) as other, httpx.Client(timeout=30) as client:
        assert sign_in(client, other, CHIEF, CHIEF_PASSWORD).status_code == 429
    entries = AuditLog(runtime.store.db).entries()
    assert [e["action"] for e in entries].count("sign_in_failed") == 4


def test_the_audit_log_records_each_admin_action_without_owners_words(console):
    base, runtime = console
    client, csrf = signed_in(base)
    send = {"X-CSRF-Token": csrf}
    question = "駐車場の看板を光らせる許可はどこで取りますか"
    asked = httpx.post(f"{base}/api/chat", json={"message": question}).json()
    assert asked["status"] == "no_match"
    leaflet = "# かもめ市場 出店案内\n出店の申込は組合事務局で受け付けます。".encode()
    assert (
        client.post(
            f"{base}/admin/documents", files={"file": ("ichiba.md", leaflet)}, headers=send
        ).status_code
        == 201
    )
    again = "# かもめ市場 出店案内\n出店の申込は組合事務局で受け付けます。毎週土曜日。".encode()
    assert (
        client.post(f"{base}/admin/documents", files={"file": ("ichiba.md", again)}, headers=send).status_code
        == 201
    )
    kept = client.get(f"{base}/admin/documents/ichiba.md/versions").json()["versions"]
    restored = client.post(
        f"{base}/admin/documents/ichiba.md/restore", json={"version": kept[0]["version"]}, headers=send
    )
    assert restored.status_code == 200, restored.text
    assert client.delete(f"{base}/admin/documents/ichiba.md", headers=send).status_code == 200
    group = next(
        g for g in client.get(f"{base}/admin/unanswered/groups").json()["items"] if g["question"] == question
    )
    marked = client.post(f"{base}/admin/unanswered/out-of-scope", json={"key": group["key"]}, headers=send)
    assert marked.status_code == 200
    taught = client.post(
        f"{base}/admin/taught", json={"question": question, "record_id": "I-6-1"}, headers=send
    )
    assert taught.status_code == 201
    assert client.delete(f"{base}/admin/taught/{taught.json()['id']}", headers=send).status_code == 200

    entries = AuditLog(runtime.store.db).entries(1000)
    mine = {(e["action"], e["target"]) for e in entries if e["actor"] == CHIEF}
    for expected in (
        ("sign_in", ""),
        ("upload", "ichiba.md"),
        ("restore", "ichiba.md"),
        ("delete", "ichiba.md"),
        ("teach", "I-6-1"),
    ):
        assert expected in mine, expected
    assert {"out_of_scope", "untaught"} <= {action for action, _ in mine}
    assert question not in str(entries)  # owners' words follow retention, not the kept log
    page = client.get(f"{base}/admin/console/audit")
    assert page.status_code == 200 and "ichiba.md" in page.text
    client.close()


def test_dashboard_csv_is_excel_ready(console):
    base, _ = console
    client, _ = signed_in(base)
    answered = httpx.post(f"{base}/api/chat", json={"message": "設備を買うためにお金を借りたい"}).json()
    assert answered["status"] == "answered"
    dashboard = client.get(f"{base}/admin/dashboard").json()
    assert dashboard["today"]["answers"] >= 1 and dashboard["live_version"] is not None
    cited = answered["citations"][0]["id"]
    assert any(row["id"] == cited for row in dashboard["by_program"]["rows"])
    csv = client.get(f"{base}/admin/dashboard/answers.csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    assert csv.content.startswith("\ufeff".encode())
    assert csv.text.lstrip("\ufeff").splitlines()[0].startswith("program_id,program,")
    client.close()


def test_formula_cells_are_escaped():
    from bot.spreadsheet import safe_cell

    assert [safe_cell(v) for v in ("=HYPERLINK(1)", "+1", "-1", "@x", "\tx", "ok")] == [
        "'=HYPERLINK(1)",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "ok",
    ]
