"""Issue 23, as the security tester probed it, on SQLite and on PostgreSQL: sign-ins end when they
should (sign-out, a password change, a role change, removing the account, expiry, idleness), a
stranger's failures do not lock the owner out, staff cannot publish, a turn is rated once, and
/metrics answers only allowed addresses."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, update

from bot.db.accounts import Accounts
from bot.db.audit import AuditLog
from bot.db.console_sessions import token_hash
from bot.db.schema import console_sessions
from bot.runtime import Runtime
from ingest.settings import REPO_ROOT
from tests.console_support import (
    CHIEF,
    CHIEF_PASSWORD,
    SECRET,
    console_settings,
    csrf_of,
    from_address,
    replay,
    sign_in,
    signed_in,
)
from tests.web_support import ADMIN_TOKEN, live_server, runtime_for, web_settings

STRANGER = "203.0.113.9"
CHIEFS_DESK = "198.51.100.7"
METRICS_TOKEN = "metrics-test-token"
BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass
class Console:
    base: str
    runtime: Runtime

    @property
    def db(self):
        return self.runtime.store.db


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def console(request, navigator, tmp_path_factory) -> Iterator[Console]:
    """One server per backend. It trusts 127.0.0.1 as its proxy, so a test says which address a
    request comes from with X-Forwarded-For (strangers and owners on one loopback)."""
    settings = web_settings(
        navigator.settings,
        trusted_proxies=["127.0.0.1"],
        login_address_max_failures=8,
        metrics_token=METRICS_TOKEN,
        **console_settings(navigator.settings),
    )
    folder = tmp_path_factory.mktemp(f"console-{request.param}")
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres").new_database()
        store = settings.model_copy(update={"database_url": url, "data_dir": folder})
    else:
        store = settings.model_copy(update={"database_url": None, "data_dir": folder})
    runtime = runtime_for(navigator, settings, store)
    with live_server(settings, runtime) as base:
        yield Console(base, runtime)


def add_account(console: Console, name: str, password: str, role: str = "staff") -> None:
    added = httpx.post(
        f"{console.base}/admin/accounts",
        json={"name": name, "password": password, "role": role},
        headers=BEARER,
    )
    assert added.status_code == 201, added.text


def remove_account(console: Console, name: str) -> None:
    assert httpx.delete(f"{console.base}/admin/accounts/{name}", headers=BEARER).status_code == 200


def works(client: httpx.Client, base: str) -> int:
    """The status of an API call with the client's cookie (200 while its session lives)."""
    return client.get(f"{base}/admin/dashboard", headers={"Accept": "application/json"}).status_code


# --- 1. signing out ends the session --------------------------------------------------------------
def test_an_old_cookie_after_sign_out_gets_401(console):
    base = console.base
    client, csrf = signed_in(base, address=CHIEFS_DESK)
    stolen = replay(client)
    assert works(stolen, base) == 200
    assert client.post(f"{base}/admin/logout", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert works(stolen, base) == 401
    # the CSRF token that went with it is no use either, and a page sends the copy to sign in
    posted = stolen.post(f"{base}/admin/feedback/1/handled", headers={"X-CSRF-Token": csrf, "Origin": base})
    assert posted.status_code == 401
    page = stolen.get(f"{base}/admin/console/", headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"].startswith("/admin/login")
    for each in (client, stolen):
        each.close()


# --- 2. a password change asks for the current one and ends every other session ---------------------
def test_a_password_change_needs_the_current_password_and_ends_the_other_sessions(console):
    base = console.base
    add_account(console, "kato", "kato's first passphrase")
    mine, csrf = signed_in(base, "kato", "kato's first passphrase")
    elsewhere, _ = signed_in(base, "kato", "kato's first passphrase")
    stolen = replay(elsewhere)
    url = f"{base}/admin/account/password"
    send = {"X-CSRF-Token": csrf}
    wrong = mine.post(
        url, json={"current_password": "a guess of a thief", "password": "x" * 20}, headers=send
    )
    assert wrong.status_code == 409 and "current password" in wrong.json()["error"]["message"]
    assert works(stolen, base) == 200  # a refused change ends nothing
    for weak in ("short pass", "password1234", "QWERTYUIOP123"):
        refused = mine.post(
            url, json={"current_password": "kato's first passphrase", "password": weak}, headers=send
        )
        assert refused.status_code == 409, weak
    changed = mine.post(
        url,
        json={"current_password": "kato's first passphrase", "password": "kato's second passphrase"},
        headers=send,
    )
    assert changed.status_code == 200 and changed.json()["sessions_ended"] == 1
    assert works(stolen, base) == 401 and works(elsewhere, base) == 401
    assert works(mine, base) == 200  # the session that changed it goes on
    with httpx.Client(timeout=30) as fresh:
        assert sign_in(fresh, base, "kato", "kato's first passphrase").status_code == 401
        assert sign_in(fresh, base, "kato", "kato's second passphrase").status_code == 303
    bearer = httpx.post(url, json={"current_password": "x", "password": "y" * 20}, headers=BEARER)
    assert bearer.status_code == 409  # a script's token has no password to change
    for each in (mine, elsewhere, stolen):
        each.close()


# --- 3. a removed account stays removed --------------------------------------------------------------
def test_removing_an_account_ends_its_sessions_and_a_re_created_one_is_new(console):
    base = console.base
    add_account(console, "sato", "sato's first passphrase")
    before = Accounts(console.db).get("sato")
    client, _ = signed_in(base, "sato", "sato's first passphrase")
    stolen = replay(client)
    remove_account(console, "sato")
    assert works(client, base) == 401 and works(stolen, base) == 401
    with console.db.read() as conn:
        left = conn.execute(select(console_sessions).where(console_sessions.c.account_id == before.id)).all()
    assert left == []
    add_account(console, "sato", "sato's first passphrase")  # same name, same password
    after = Accounts(console.db).get("sato")
    assert after.id != before.id
    assert works(client, base) == 401 and works(stolen, base) == 401
    remove_account(console, "sato")
    for each in (client, stolen):
        each.close()


def test_a_role_change_ends_the_accounts_sessions(console):
    base = console.base
    add_account(console, "ito", "ito's long passphrase", "admin")
    client, _ = signed_in(base, "ito", "ito's long passphrase")
    changed = httpx.post(f"{base}/admin/accounts/ito/role", json={"role": "staff"}, headers=BEARER)
    assert changed.status_code == 200 and changed.json()["sessions_ended"] == 1
    assert works(client, base) == 401
    again, csrf = signed_in(base, "ito", "ito's long passphrase")
    refused = again.post(f"{base}/admin/rollback", json={}, headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403  # signed in again: with the new role
    remove_account(console, "ito")
    for each in (client, again):
        each.close()


def test_sessions_expire_go_idle_and_are_purged_by_the_retention_job(console):
    base = console.base
    lapsed, _ = signed_in(base)
    idle, _ = signed_in(base)
    live, _ = signed_in(base)
    rows = {c: _row_of(console, c) for c in (lapsed, idle, live)}
    with console.db.write() as conn:
        conn.execute(
            update(console_sessions)
            .where(console_sessions.c.id == rows[lapsed])
            .values(expires=time.time() - 1)
        )
        idle_since = time.time() - 61 * 60  # NAVIGATOR_CONSOLE_IDLE_MINUTES: 60
        conn.execute(
            update(console_sessions).where(console_sessions.c.id == rows[idle]).values(last_seen=idle_since)
        )
    assert works(lapsed, base) == 401 and works(idle, base) == 401 and works(live, base) == 200
    assert console.runtime.store.purge_expired()["console_sessions"] >= 1
    with console.db.read() as conn:
        kept = set(conn.scalars(select(console_sessions.c.id)))
    assert rows[lapsed] not in kept and rows[live] in kept
    for each in (lapsed, idle, live):
        each.close()


def test_tokens_are_random_stored_hashed_and_new_at_every_sign_in(console):
    base = console.base
    first, _ = signed_in(base)
    second, _ = signed_in(base)
    cookies = {c.cookies["navigator_console"] for c in (first, second)}
    assert len(cookies) == 2
    with console.db.read() as conn:
        stored = " ".join(conn.scalars(select(console_sessions.c.token_hash)))
    with httpx.Client(timeout=30) as again:
        sign_in(again, base)
        before = again.cookies["navigator_console"]
        assert sign_in(again, base).status_code == 303  # the browser sends its old cookie along
        assert works(replay(again), base) == 200  # the new session works ...
        assert (
            works(httpx.Client(cookies={"navigator_console": before}), base) == 401
        )  # ... the old one ended
    for cookie in cookies:
        token = URLSafeTimedSerializer(SECRET, salt="navigator-console-session").loads(cookie)["t"]
        assert len(token) >= 43  # 32 random bytes
        assert token not in stored and token_hash(token) in stored
    for each in (first, second):
        each.close()


def test_the_token_is_never_in_a_url(console):
    with httpx.Client(timeout=30) as client:
        response = sign_in(client, console.base)
        cookie = client.cookies["navigator_console"]
        token = URLSafeTimedSerializer(SECRET, salt="navigator-console-session").loads(cookie)["t"]
        assert response.status_code == 303 and response.headers["location"] == "/admin/console/"
        page = client.get(f"{console.base}/admin/console/accounts")
        assert token not in page.text and cookie not in page.text  # nor in a page a link could carry


def test_an_account_lists_its_sessions_and_ends_one(console):
    base = console.base
    add_account(console, "mori", "mori's long passphrase")
    here, csrf = signed_in(base, "mori", "mori's long passphrase")
    there, _ = signed_in(base, "mori", "mori's long passphrase")
    listed = here.get(f"{base}/admin/account/sessions").json()["items"]
    assert len(listed) == 2 and [s["current"] for s in listed].count(True) == 1
    other = next(s for s in listed if not s["current"])
    page = here.get(f"{base}/admin/console/accounts")
    assert f'<option value="{other["id"]}">' in page.text
    url, send = f"{base}/admin/account/sessions/end", {"X-CSRF-Token": csrf}
    # a stolen cookie cannot throw the owner out: ending a session asks for the password again
    guessed = here.post(url, json={"session": str(other["id"]), "password": "a thief's guess"}, headers=send)
    assert guessed.status_code == 409 and works(there, base) == 200
    ended = here.post(
        url, json={"session": str(other["id"]), "password": "mori's long passphrase"}, headers=send
    )
    assert ended.status_code == 200 and ended.json()["ended"] == 1
    assert works(there, base) == 401 and works(here, base) == 200
    third, _ = signed_in(base, "mori", "mori's long passphrase")
    fourth, _ = signed_in(base, "mori", "mori's long passphrase")
    everyone = here.post(url, json={"session": "others", "password": "mori's long passphrase"}, headers=send)
    assert everyone.json()["ended"] == 2 and works(third, base) == works(fourth, base) == 401
    assert works(here, base) == 200
    chiefs, chief_csrf = signed_in(base)
    theirs = chiefs.post(
        url,
        json={"session": str(listed[0]["id"]), "password": CHIEF_PASSWORD},
        headers={"X-CSRF-Token": chief_csrf},
    )
    assert theirs.status_code == 404  # only one's own sessions
    remove_account(console, "mori")
    for each in (here, there, third, fourth, chiefs):
        each.close()


# --- 4. strangers cannot lock the administrator out --------------------------------------------------
def test_the_right_password_after_a_strangers_five_failures_signs_in(console):
    base = console.base
    with httpx.Client(timeout=60, headers=from_address(STRANGER)) as stranger:
        for _ in range(5):
            assert sign_in(stranger, base, CHIEF, "wrong password").status_code == 401
        paused = sign_in(stranger, base, CHIEF, CHIEF_PASSWORD)  # the stranger's own address is paused
        assert paused.status_code == 429 and int(paused.headers["retry-after"]) > 0
        assert "navigator_console" not in paused.headers.get("set-cookie", "")
    with httpx.Client(timeout=60, headers=from_address(CHIEFS_DESK)) as chief:
        started = time.monotonic()
        response = sign_in(chief, base, CHIEF, CHIEF_PASSWORD)
        assert response.status_code == 303, response.text
        assert "navigator_console=" in response.headers["set-cookie"]
        assert time.monotonic() - started < 8 + 5  # waited at most the capped delay
    throttled = AuditLog(console.db).entries(50, "sign_in_throttled")
    assert {e["detail"]["scope"] for e in throttled} >= {"account_at_address", "delay"}
    assert any(e["detail"]["address"] == STRANGER for e in throttled)


def test_a_success_resets_only_its_accounts_counters_never_the_addresses(console):
    base = console.base
    add_account(console, "abe", "abe's long passphrase")
    office = "192.0.2.44"
    with httpx.Client(timeout=60, headers=from_address(office)) as client:
        for n in range(4):
            assert sign_in(client, base, f"nobody-{n}", "spray password").status_code == 401
        assert sign_in(client, base, "abe", "abe's long passphrase").status_code == 303
        client.cookies.clear()
        for n in range(4, 8):  # the success did not wash the address: 8 failures block it
            assert sign_in(client, base, f"nobody-{n}", "spray password").status_code == 401
        blocked = sign_in(client, base, "abe", "abe's long passphrase")
        assert blocked.status_code == 429
    with httpx.Client(timeout=60, headers=from_address("192.0.2.45")) as elsewhere:
        assert sign_in(elsewhere, base, "abe", "abe's long passphrase").status_code == 303
    scopes = [e["detail"]["scope"] for e in AuditLog(console.db).entries(50, "sign_in_throttled")]
    assert "address" in scopes
    remove_account(console, "abe")


# --- 5. roles that match the work -------------------------------------------------------------------
ADMIN_ONLY = {
    ("POST", "/admin/versions/{number}/switch"),
    ("POST", "/admin/rollback"),
    ("DELETE", "/admin/documents/{name}"),
    ("POST", "/admin/reingest"),
    ("POST", "/admin/accounts"),
    ("DELETE", "/admin/accounts/{name}"),
    ("POST", "/admin/accounts/{name}/role"),
}


def harmless(method: str, path: str) -> str:
    """A concrete URL for the route that changes nothing when it gets past the role check (an id
    out of range, an unknown name, an invalid query), so both roles can be probed on one store."""
    url = (
        path.replace("{number}", "0")
        .replace("{name}", "nobody.md")
        .replace("{job_id}", "job-x")
        .replace("{feedback_id}", "0")
        .replace("{taught_id}", "0")
    )
    return url + "?candidate=maybe" if (method, path) == ("POST", "/admin/reingest") else url


def test_staff_get_403_on_switch_rollback_delete_and_going_live_and_every_route_is_checked(console):
    base = console.base
    add_account(console, "clerk", "clerk's long passphrase")
    staff, staff_csrf = signed_in(base, "clerk", "clerk's long passphrase")
    chief, chief_csrf = signed_in(base)
    # the tester's three, exactly
    send = {"X-CSRF-Token": staff_csrf}
    assert staff.post(f"{base}/admin/versions/1/switch", headers=send).status_code == 403
    assert staff.post(f"{base}/admin/rollback", json={}, headers=send).status_code == 403
    assert staff.delete(f"{base}/admin/documents/ichiba.md", headers=send).status_code == 403
    # and the re-ingests that go live, refused before the upload is read
    assert staff.post(f"{base}/admin/reingest", headers=send).status_code == 403
    upload = staff.post(
        f"{base}/admin/documents?reingest=true", files={"file": ("a.md", b"# a\nb")}, headers=send
    )
    assert upload.status_code == 403
    spec = httpx.get(f"{base}/openapi.json").json()
    routes = [
        (m.upper(), p) for p, methods in spec["paths"].items() if p.startswith("/admin") for m in methods
    ]
    assert set(routes) >= ADMIN_ONLY
    for method, path in routes:
        if path == "/admin/logout":
            continue  # ends the session: tested above
        url = base + harmless(method, path)
        by_staff = staff.request(method, url, headers={"X-CSRF-Token": staff_csrf})
        by_chief = chief.request(method, url, headers={"X-CSRF-Token": chief_csrf})
        by_token = httpx.request(method, url, headers=BEARER)
        where = f"{method} {path}"
        if (method, path) in ADMIN_ONLY and (method, path) != ("POST", "/admin/reingest"):
            assert by_staff.status_code == 403, where
        elif (method, path) != ("POST", "/admin/reingest"):
            assert by_staff.status_code != 403, where
        assert by_chief.status_code not in (401, 403), where
        assert by_token.status_code not in (401, 403), where
    # the pages show staff only what they may do
    documents = staff.get(f"{base}/admin/console/documents").text
    assert 'data-method="DELETE" data-url="/admin/documents/' not in documents
    assert 'id="switch-button"' not in documents
    versions = staff.get(f"{base}/admin/console/versions").text
    assert "/switch" not in versions and "/admin/rollback" not in versions
    accounts = staff.get(f"{base}/admin/console/accounts").text
    assert 'data-url="/admin/accounts"' not in accounts
    assert 'id="switch-button"' in chief.get(f"{base}/admin/console/documents").text
    remove_account(console, "clerk")
    for each in (staff, chief):
        each.close()


# --- 6. feedback once per turn -----------------------------------------------------------------------
def test_a_second_thumbs_down_replaces_the_first(console):
    base = console.base
    asked = httpx.post(f"{base}/api/chat", json={"message": "設備を買うためにお金を借りたい"}).json()
    rate = {"turn_id": asked["turn_id"], "session_id": asked["session_id"], "rating": "down"}
    before = httpx.get(f"{base}/admin/dashboard", headers=BEARER).json()["today"]["thumbs_down"]
    first = httpx.post(f"{base}/api/feedback", json=rate)
    second = httpx.post(f"{base}/api/feedback", json={**rate, "comment": "金利が知りたい"})
    assert first.status_code == second.status_code == 201
    assert first.json()["feedback_id"] == second.json()["feedback_id"]
    after = httpx.get(f"{base}/admin/dashboard", headers=BEARER).json()["today"]["thumbs_down"]
    assert after == before + 1
    rows = [
        f for f in console.runtime.store.feedback(rating=None, limit=500) if f["turn_id"] == asked["turn_id"]
    ]
    assert len(rows) == 1 and rows[0]["comment"] == "金利が知りたい"
    assert httpx.post(f"{base}/api/feedback", json={**rate, "rating": "up"}).status_code == 201
    assert httpx.get(f"{base}/admin/dashboard", headers=BEARER).json()["today"]["thumbs_down"] == before


# --- 7. /metrics only for allowed addresses ----------------------------------------------------------
def test_metrics_from_a_non_allowed_address_get_403(console):
    base = console.base
    assert httpx.get(f"{base}/metrics").status_code == 200  # loopback: the default allow list
    outside = httpx.get(f"{base}/metrics", headers=from_address(STRANGER))
    assert outside.status_code == 403 and "navigator_" not in outside.text
    wrong = httpx.get(f"{base}/metrics", headers={**from_address(STRANGER), "Authorization": "Bearer nope"})
    assert wrong.status_code == 403
    scraped = httpx.get(
        f"{base}/metrics", headers={**from_address(STRANGER), "Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert scraped.status_code == 200 and "navigator_http_requests_total" in scraped.text


# --- what did hold, on this backend too ----------------------------------------------------------------
def test_bearer_tokens_work_for_scripts_without_csrf(console):
    response = httpx.post(f"{console.base}/admin/unanswered/out-of-scope", json={"key": "x"}, headers=BEARER)
    assert response.status_code == 200


def test_without_a_session_pages_redirect_and_api_calls_get_401_before_the_body(console):
    base = console.base
    page = httpx.get(f"{base}/admin/console/documents", headers={"Accept": "text/html"})
    assert page.status_code == 303 and page.headers["location"].startswith("/admin/login?next=")
    with httpx.Client(timeout=30) as client:
        # a 20 MB upload without credentials is answered before it is sent
        refused = client.post(
            f"{base}/admin/documents",
            content=b"x" * 1024,
            headers={"Content-Type": "multipart/form-data; boundary=x"},
        )
    assert refused.status_code == 401 and refused.headers.get("connection") == "close"


def _row_of(console: Console, client: httpx.Client) -> int:
    """The session row of a signed-in client, found through its account page's listing."""
    items = client.get(f"{console.base}/admin/account/sessions").json()["items"]
    return next(s["id"] for s in items if s["current"])


def test_csrf_token_is_bound_to_the_session(console):
    base = console.base
    one, csrf_one = signed_in(base)
    two, _ = signed_in(base)
    crossed = two.post(f"{base}/admin/feedback/0/handled", headers={"X-CSRF-Token": csrf_one})
    assert crossed.status_code == 403 and crossed.json()["error"]["code"] == "csrf_failed"
    assert re.fullmatch(r"[0-9a-f]{64}", csrf_of(one, base))
    for each in (one, two):
        each.close()


def test_the_asvs_table_names_tests_that_exist():
    """docs/asvs-v3.md: every V3 row says met, not met or n.a., and a "met" row names tests that exist."""
    table = (REPO_ROOT / "docs" / "asvs-v3.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1:-1] for line in table.splitlines() if re.match(r"\| 3\.\d\.\d ", line)]
    assert len(rows) == 20  # V3.1 to V3.7 of ASVS 4.0.3
    for cells in rows:
        point, status, tests = cells[0].strip(), cells[3].strip(), cells[5]
        assert status in ("met", "not met", "n.a."), point
        named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", tests)
        assert bool(named) == (status == "met"), point
        for path, name in named:
            assert re.search(rf"^def {name}\(", (REPO_ROOT / path).read_text(encoding="utf-8"), re.M), (
                point,
                name,
            )
