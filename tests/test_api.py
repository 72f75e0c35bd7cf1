"""The web API (issue 3): answers, validation with exact status codes, limits, CORS, admin, catalog.

Fast tests through FastAPI's TestClient over the session's shared index; each test gets its own
conversation store. Real-server behaviour (first start, restart, a 1 MB body on a socket) is in
test_web_serve.py; the browser in test_widget_browser.py.
"""

from __future__ import annotations

import json

import pytest
import yaml
from fastapi.testclient import TestClient

from bot.answering.retrieve import Retriever
from bot.runtime import build_runtime
from bot.web.app import create_app
from ingest.pipeline import run_ingest
from tests.conftest import said, store_settings
from tests.web_support import ADMIN_TOKEN, runtime_for, web_settings

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def make_client(navigator, tmp_path):
    """A client over the shared index and the test's store (every client of a test shares it, as
    a restarted app would); keyword arguments override settings."""
    store = store_settings(navigator.settings, tmp_path / "data")

    def make(*, raise_errors: bool = True, **overrides) -> TestClient:
        settings = web_settings(navigator.settings, **overrides)
        runtime = runtime_for(navigator, settings, store)
        return TestClient(create_app(settings, runtime), raise_server_exceptions=raise_errors)

    return make


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


def chat(client: TestClient, message: str, session_id: str | None = None, **kwargs):
    body = {"message": message} if session_id is None else {"message": message, "session_id": session_id}
    return client.post("/api/chat", json=body, **kwargs)


def ids(reply: dict, key: str = "citations") -> list[str]:
    return [item["id"] for item in reply[key]]


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert "Traceback" not in response.text
    return body


# --- answers and follow-ups -------------------------------------------------------------------
def test_chat_answers_with_design_json_and_a_turn_id(client):
    response = chat(client, "設備を買うためにお金を借りたい")
    assert response.status_code == 200
    reply = response.json()
    assert reply["session_id"].startswith("s-")
    assert isinstance(reply["turn_id"], int)
    assert reply["status"] == "answered" and reply["language"] == "ja"
    assert ids(reply)[0] == "I-4-1"
    first = reply["citations"][0]
    assert {"n", "id", "kind", "measure", "title", "source", "location", "score", "text"} <= set(first)
    assert "[1]" in reply["answer"]
    assert "fujisawa-city" in ids(reply, "contacts")
    assert reply["suggestions"]


def test_follow_up_in_the_session_gives_the_contacts_of_the_cited_programs(client):
    first = chat(client, "設備を買うためにお金を借りたい").json()
    follow = chat(client, "その問い合わせ先は？", first["session_id"]).json()
    assert follow["session_id"] == first["session_id"]
    assert ids(follow) == ids(first)
    assert "0466-25-1111" in follow["answer"]
    assert follow["turn_id"] > first["turn_id"]


def test_english_question_gets_an_english_answer(client):
    reply = chat(client, "How can I hire foreign workers?").json()
    assert reply["language"] == "en"
    assert reply["status"] == "answered"


def test_a_session_survives_a_restart_of_the_app(make_client):
    first = chat(make_client(), "設備資金を借りたい").json()
    restarted = make_client()  # a new app and runtime over the same conversation store
    follow = chat(restarted, "その問い合わせ先は？", first["session_id"])
    assert follow.status_code == 200
    assert ids(follow.json()) == ids(first)


# --- eligibility (done-when 5) ----------------------------------------------------------------
def test_four_employees_in_a_salon_fit_marukei_and_hear_the_other_conditions(client):
    reply = chat(client, "従業員4人の美容室ですがマル経は使えますか").json()
    assert ids(reply)[0] == "I-4-3"
    assert reply["eligibility"][0]["fits"] is True
    assert "従業員4人は、商業・サービス業の上限5人以内" in said(reply)
    assert "6ヵ月以上" in said(reply)  # the other conditions, in the eligibility note
    assert "推薦" in reply["answer"]


def test_thirty_employees_in_a_factory_are_over_the_limit_and_pointed_to_the_city_loans(client):
    reply = chat(client, "従業員30人の工場ですがマル経は使えますか").json()
    assert reply["eligibility"][0] == {
        "id": "I-4-3",
        "fits": False,
        "alternative": "I-4-1",
        "confirm_with": "fujisawa-cci",
    }
    assert "上限20人を超える" in said(reply)
    assert "I-4-1" in ids(reply)


def test_changing_the_limit_in_the_catalog_and_reingesting_changes_the_api_answer(
    settings, embedder, tmp_path
):
    run_ingest(settings, embedder=embedder)
    web = web_settings(settings)
    runtime = build_runtime(web, Retriever(web, embedder=embedder, refresh_seconds=0))
    client = TestClient(create_app(web, runtime))
    question = "従業員4人の美容室ですがマル経は使えますか"

    before = chat(client, question).json()
    assert before["eligibility"][0]["fits"] is True

    data = yaml.safe_load(settings.catalog_file.read_text(encoding="utf-8"))
    data["records"]["I-4-3"]["eligibility"]["employees_max"]["commerce_and_services"] = 3
    settings.catalog_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run_ingest(settings, embedder=embedder)

    after = chat(client, question).json()  # the same running app: it follows the live index
    assert after["eligibility"][0]["fits"] is False
    assert "上限3人を超える" in said(after)


# --- validation: every error with its exact status --------------------------------------------
@pytest.mark.parametrize("message", ["", "   ", "\u3000\n\t"])
def test_empty_or_whitespace_message_is_422_empty_message(client, message):
    assert_error(chat(client, message), 422, "empty_message")


def test_message_over_the_limit_is_422_message_too_long(client):
    assert_error(chat(client, "あ" * 1001), 422, "message_too_long")
    assert chat(client, "設備資金" + "あ" * 996).status_code == 200  # exactly 1,000 is accepted


def test_the_message_limit_is_configurable(make_client):
    client = make_client(max_message_chars=20)
    assert_error(
        chat(client, "設備を買うためにお金を借りたいのですがどうすればよいですか"), 422, "message_too_long"
    )


@pytest.mark.parametrize("message", ["マル経\x00", "\x1b[31mマル経", "マル経\u202eは", "a\x7fb", "a\x85b"])
def test_control_characters_are_422(client, message):
    assert_error(chat(client, message), 422, "control_characters")


def test_newlines_and_tabs_are_fine(client):
    assert chat(client, "設備を買いたい。\n\tお金を借りたい").status_code == 200


@pytest.mark.parametrize(
    "body", ['{"message": "マル経'.encode(), b"{'message': 'x'}", b"message=x", b"\xff\xfe{}", b""]
)
def test_malformed_json_is_400_invalid_json(client, body):
    response = client.post("/api/chat", content=body, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "invalid_json")


@pytest.mark.parametrize(
    "body",
    [[], "マル経", {"session_id": "s-1"}, {"message": 123}, {"message": ["マル経"]}, {"message": None}],
)
def test_well_formed_json_of_the_wrong_shape_is_422_invalid_request(client, body):
    assert_error(client.post("/api/chat", json=body), 422, "invalid_request")


def test_unknown_session_is_404(client):
    assert_error(chat(client, "マル経", "s-00000000000000000000"), 404, "unknown_session")


def test_a_1_mb_body_is_413_by_its_declared_length(client):
    body = json.dumps({"message": "あ" * 350_000}).encode()
    assert len(body) > 1_000_000
    assert_error(
        client.post("/api/chat", content=body, headers={"Content-Type": "application/json"}),
        413,
        "payload_too_large",
    )


def test_a_1_mb_chunked_body_is_cut_off_at_the_limit(client):
    def chunks():
        for _ in range(64):
            yield b"x" * 16384

    response = client.post("/api/chat", content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(response, 413, "payload_too_large")


def test_unknown_path_and_wrong_method_keep_the_error_shape(client):
    assert_error(client.get("/api/nope"), 404, "not_found")
    assert_error(client.get("/api/chat"), 405, "method_not_allowed")


def test_an_unexpected_failure_is_500_without_a_stack_trace(make_client):
    client = make_client(raise_errors=False)
    runtime = client.app.state.web.runtime

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail /etc/passwd")

    runtime.conversation.respond = explode
    response = chat(client, "マル経")
    assert_error(response, 500, "internal_error")
    assert "secret internal detail" not in response.text


def test_no_index_yet_is_503_and_healthz_still_answers(tmp_path, embedder):
    from ingest.settings import Settings

    settings = web_settings(Settings(data_dir=tmp_path / "empty"))
    runtime = build_runtime(settings, Retriever(settings, embedder=embedder))
    client = TestClient(create_app(settings, runtime))
    assert client.get("/healthz").json() == {"status": "ok"}
    assert_error(client.get("/readyz"), 503, "index_not_ready")
    assert_error(chat(client, "マル経"), 503, "index_not_ready")


# --- feedback ---------------------------------------------------------------------------------
def test_feedback_up_and_down_with_comment(client):
    reply = chat(client, "設備を買うためにお金を借りたい").json()
    up = client.post(
        "/api/feedback", json={"turn_id": reply["turn_id"], "rating": "up", "session_id": reply["session_id"]}
    )
    assert up.status_code == 201
    assert up.json()["rating"] == 1
    down = client.post(
        "/api/feedback",
        json={
            "turn_id": reply["turn_id"],
            "rating": -1,
            "comment": "金利が知りたい",
            "session_id": reply["session_id"],
        },
    )
    assert down.status_code == 201
    listed = client.get("/admin/feedback", headers=AUTH).json()["items"]
    assert listed[0]["comment"] == "金利が知りたい"
    assert listed[0]["question"] == "設備を買うためにお金を借りたい"
    assert listed[0]["cited_ids"] == ids(reply)
    everything = client.get("/admin/feedback?rating=all", headers=AUTH).json()["items"]
    assert [f["rating"] for f in everything] == [-1]  # one rating per turn: the 👎 replaced the 👍
    assert down.json()["feedback_id"] == up.json()["feedback_id"]


def test_feedback_errors(client):
    reply = chat(client, "マル経融資の条件は？").json()
    turn, session = reply["turn_id"], reply["session_id"]
    assert_error(
        client.post("/api/feedback", json={"turn_id": 999999, "rating": "up", "session_id": session}),
        404,
        "unknown_turn",
    )
    # the session is required: a turn id alone (guessable) rates nothing
    assert_error(client.post("/api/feedback", json={"turn_id": turn, "rating": "up"}), 422, "invalid_request")
    assert_error(
        client.post("/api/feedback", json={"turn_id": turn, "rating": "up", "session_id": "s-someoneelse"}),
        404,
        "unknown_turn",
    )
    assert_error(
        client.post("/api/feedback", json={"turn_id": turn, "rating": "meh", "session_id": session}),
        422,
        "invalid_request",
    )
    assert_error(
        client.post("/api/feedback", json={"turn_id": "x", "rating": "up", "session_id": session}),
        422,
        "invalid_request",
    )
    assert_error(
        client.post(
            "/api/feedback",
            json={"turn_id": turn, "rating": "down", "comment": "あ" * 1001, "session_id": session},
        ),
        422,
        "comment_too_long",
    )
    assert_error(
        client.post(
            "/api/feedback",
            json={"turn_id": turn, "rating": "down", "comment": "x\x00", "session_id": session},
        ),
        422,
        "control_characters",
    )
    assert_error(
        client.post("/api/feedback", content=b"{turn_id: 1}", headers={"Content-Type": "application/json"}),
        400,
        "invalid_json",
    )


# --- rate limiting, CORS, security headers ----------------------------------------------------
def test_rate_limit_is_429_with_retry_after_and_per_client(make_client):
    client = make_client(rate_limit_per_minute=2)
    assert chat(client, "マル経").status_code == 200
    assert chat(client, "マル経").status_code == 200
    limited = chat(client, "マル経")
    assert_error(limited, 429, "rate_limited")
    assert int(limited.headers["Retry-After"]) >= 1
    other = TestClient(client.app, client=("192.0.2.7", 50000))
    assert chat(other, "マル経").status_code == 200


def test_rate_limit_zero_is_off(make_client):
    client = make_client(rate_limit_per_minute=0)
    assert all(chat(client, "マル経").status_code == 200 for _ in range(5))


def test_cors_allows_the_configured_origin_only(make_client):
    client = make_client(cors_origins=["https://shop.example.jp"])
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}

    allowed = client.options("/api/chat", headers={"Origin": "https://shop.example.jp", **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example.jp"
    posted = chat(client, "マル経", headers={"Origin": "https://shop.example.jp"})
    assert posted.headers["access-control-allow-origin"] == "https://shop.example.jp"

    refused = client.options("/api/chat", headers={"Origin": "https://evil.example", **preflight})
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    posted = chat(client, "マル経", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in posted.headers  # the browser will not hand it over


def test_cors_origins_from_the_environment_accept_a_comma_list(monkeypatch):
    from ingest.settings import Settings

    monkeypatch.setenv("NAVIGATOR_CORS_ORIGINS", "https://a.example, http://127.0.0.1:9000")
    assert Settings().cors_origins == ["https://a.example", "http://127.0.0.1:9000"]


def test_security_headers_on_the_page_and_a_cross_origin_loadable_widget(client):
    page = client.get("/")
    assert page.status_code == 200
    assert '<script src="/widget.js"' in page.text
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "require-trusted-types-for 'script'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"

    widget = client.get("/widget.js", headers={"Origin": "https://any.example"})
    assert widget.status_code == 200
    assert widget.headers["content-type"].startswith("text/javascript")
    assert widget.headers["cross-origin-resource-policy"] == "cross-origin"
    assert widget.headers["access-control-allow-origin"] == "*"
    css = client.get("/static/widget.css")
    assert css.status_code == 200 and css.headers["cross-origin-resource-policy"] == "cross-origin"

    api = chat(client, "マル経")
    assert api.headers["cache-control"] == "no-store"
    assert api.headers["cross-origin-resource-policy"] == "same-origin"


# --- staff view -------------------------------------------------------------------------------
def test_admin_endpoints_need_the_bearer_token(client):
    for path in ("/admin/unanswered", "/admin/feedback"):
        assert_error(client.get(path), 401, "unauthorized")
        assert_error(client.get(path, headers={"Authorization": "Bearer wrong"}), 401, "unauthorized")
        assert client.get(path).headers["www-authenticate"] == "Bearer"
        assert client.get(path, headers=AUTH).status_code == 200


def test_admin_endpoints_refuse_everyone_when_no_token_is_set(make_client):
    client = make_client(admin_token=None)
    for path in ("/admin/unanswered", "/admin/feedback"):
        assert_error(client.get(path, headers=AUTH), 401, "admin_disabled")


def test_unanswered_questions_are_listed_newest_first(client):
    chat(client, "ゴミの収集日を教えて")
    chat(client, "住民票を取りたい")
    items = client.get("/admin/unanswered", headers=AUTH).json()["items"]
    assert [i["question"] for i in items[:2]] == ["住民票を取りたい", "ゴミの収集日を教えて"]
    assert items[0]["channel"] == "web"
    assert client.get("/admin/unanswered?limit=1", headers=AUTH).json()["count"] == 1


# --- catalog browsing, health, OpenAPI --------------------------------------------------------
def test_programs_list_and_filters(client):
    everything = client.get("/api/programs").json()
    assert everything["count"] == 35
    assert all(p["kind"] == "program" for p in everything["programs"])
    by_measure = [p["id"] for p in client.get("/api/programs", params={"measure": "I-4"}).json()["programs"]]
    assert by_measure == ["I-4-1", "I-4-2", "I-4-3", "I-4-4"]
    assert [
        p["id"] for p in client.get("/api/programs", params={"measure": "4"}).json()["programs"]
    ] == by_measure
    cci = [
        p["id"]
        for p in client.get("/api/programs", params={"organisation": "fujisawa-cci"}).json()["programs"]
    ]
    assert "I-4-3" in cci and "I-4-1" not in cci
    named = client.get("/api/programs", params={"organisation": "商工会議所"}).json()["programs"]
    assert "I-4-3" in [p["id"] for p in named]
    assert [p["id"] for p in client.get("/api/programs", params={"q": "マル経"}).json()["programs"]][
        0
    ] == "I-4-2"
    assert "I-4-3" in [
        p["id"] for p in client.get("/api/programs", params={"q": "まるけい"}).json()["programs"]
    ]
    assert client.get("/api/programs", params={"q": "宇宙旅行"}).json()["count"] == 0
    assert client.get("/api/programs", params={"kind": "indicator"}).json()["count"] == 5
    assert_error(client.get("/api/programs", params={"kind": "nonsense"}), 422, "invalid_request")


def test_one_program_in_full_and_unknown_ids(client):
    detail = client.get("/api/programs/I-4-3").json()
    assert detail["title"].startswith("マル経融資")
    assert "6ヵ月以上" in detail["text"]
    assert detail["catalog"]["title_en"].startswith("Marukei")
    assert [c["id"] for c in detail["contacts"]][0] == "fujisawa-cci"
    assert detail["contacts"][0]["phone"] == "0466-27-8888"
    assert client.get("/api/programs/I-KPI-2").json()["figures"]["unit"]
    assert_error(client.get("/api/programs/I-9-9"), 404, "unknown_program")


def test_the_widget_config_says_how_long_conversations_are_kept(make_client):
    assert make_client(retention_days=30).get("/api/config").json() == {
        "retention_days": 30,
        "max_message_chars": 1000,
    }


def test_health_ready_and_openapi(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and isinstance(ready["index_version"], int)
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/chat",
        "/api/feedback",
        "/api/programs",
        "/api/programs/{record_id}",
        "/admin/feedback",
    ):
        assert path in spec["paths"], path
    assert "ChatRequest" in spec["components"]["schemas"]
    assert "422" in spec["paths"]["/api/chat"]["post"]["responses"]
