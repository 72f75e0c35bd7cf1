"""Conversations over the web API (`POST /api/chat`, one session id per conversation): follow-ups
that point back, corrections, facts told later, a vague opener, a change of language, and
out-of-scope questions routed to their department's desk (bot/answering/intents.py, bot/answering/scope.py)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.web.app import create_app
from tests.conftest import store_settings
from tests.web_support import runtime_for, web_settings


@pytest.fixture
def api(navigator, tmp_path):
    settings = web_settings(navigator.settings)
    runtime = runtime_for(navigator, settings, store_settings(navigator.settings, tmp_path / "data"))
    return TestClient(create_app(settings, runtime)), runtime


def talk(client: TestClient, *messages: str) -> list[dict]:
    """The replies to messages sent in order in one session."""
    replies, session = [], None
    for message in messages:
        body = {"message": message} if session is None else {"message": message, "session_id": session}
        response = client.post("/api/chat", json=body)
        assert response.status_code == 200, response.text
        replies.append(response.json())
        session = replies[-1]["session_id"]
    return replies


def ids(reply: dict, key: str = "citations") -> list[str]:
    return [item["id"] for item in reply[key]]


@pytest.mark.parametrize(
    "ask",
    [
        "それ、いつ申請するの？",  # when
        "それは誰がやってるの？",  # who
        "いくらまで借りられる？",  # how much
        "それについてのセミナーはある？",  # seminars
        "必要書類は？",  # papers
        "その電話番号は？",  # phone
        "場所は？",  # where
    ],
)
def test_a_follow_up_that_points_back_is_answered_about_the_program(api, ask):
    client, _ = api
    first, follow = talk(client, "市の融資制度で設備資金を借りたい", ask)
    assert ids(first)[0] == "I-4-1"
    assert follow["status"] == "answered"
    assert "I-4-1" in ids(follow)


def test_an_english_follow_up_points_back_too(api):
    client, _ = api
    first, follow = talk(client, "We want to exhibit at a trade fair.", "Who runs it?")
    assert follow["status"] == "answered"
    assert ids(first)[0] in ids(follow)


def test_a_correction_replaces_the_need_and_keeps_the_facts(api):
    client, runtime = api
    first, corrected = talk(
        client, "従業員5人の工務店です。事業承継の相談をしたい", "いや、承継じゃなくてBCPのほう"
    )
    assert "I-6-3" in ids(first)
    assert corrected["status"] == "answered"
    assert ids(corrected)[0] == "I-6-4" and "I-6-3" not in ids(corrected)
    facts = runtime.store.last_turn(corrected["session_id"])["context"]["facts"]
    assert facts["employees"] == 5


@pytest.mark.parametrize(
    ("fact", "said"),
    [
        ("ちなみに従業員は8人います", "5人"),  # staff count, against 商業・サービス業は5人以下
        ("うちは美容室です", "美容"),  # industry
        ("開業してまだ3か月です", "3か月"),  # years in business
        ("運転資金として使いたいです", "運転資金"),  # what the money is for
    ],
)
def test_a_fact_told_later_rechecks_the_program_on_file(api, fact, said):
    client, _ = api
    first, recheck = talk(client, "マル経融資を使いたい", fact)
    assert ids(first)[0] == "I-4-3"
    assert recheck["status"] == "answered" and "I-4-3" in ids(recheck)
    assert "前の回答の制度の条件を確かめました" in recheck["answer"]
    assert said in recheck["answer"]


def test_a_vague_opener_asks_back_and_its_answer_continues(api):
    client, _ = api
    opener, answered = talk(client, "なんか使える支援ないですか", "人手が足りなくて採用したい")
    assert opener["status"] == "clarify" and opener["suggestions"]
    assert answered["status"] == "answered"
    assert any(i.startswith("I-1") for i in ids(answered))


def test_a_change_of_language_keeps_what_the_conversation_is_about(api):
    client, _ = api
    first, english = talk(client, "マル経融資の条件を教えて", "Who should I call about it?")
    assert ids(first)[0] == "I-4-3"
    assert english["language"] == "en"
    assert "I-4-3" in ids(english)


def test_start_over_forgets_the_referent(api):
    client, _ = api
    _, restart, follow = talk(client, "マル経融資の条件を教えて", "最初から", "必要書類は？")
    assert restart["status"] == "clarify"
    assert "I-4-3" not in ids(follow)


@pytest.mark.parametrize(
    ("question", "desk"),
    [
        ("子どもを保育所に入れる手続きを知りたい", "fujisawa-callcenter"),  # 子育て
        ("会社を辞めたので失業給付をもらいたい", "hellowork-fujisawa"),  # 雇用保険
        ("国民年金の保険料が払えない", "fujisawa-callcenter"),  # 年金
        ("粗大ごみの申し込み方法", "fujisawa-callcenter"),  # ごみ
        ("在留カードの更新はどこでできる？", "fujisawa-callcenter"),  # 在留
        ("I'm looking for a part-time job. Can you find me one?", "hellowork-fujisawa"),  # 求職
    ],
)
def test_out_of_scope_questions_are_declined_with_their_departments_desk(api, question, desk):
    client, _ = api
    [reply] = talk(client, question)
    assert reply["status"] == "no_match"
    assert ids(reply, "contacts")[0] == desk
    assert reply["contacts"][0]["name"] in reply["answer"]
