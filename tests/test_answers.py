"""Answers an owner can act on (issue 10): the verdict first, the owners' words, 検討中 marks, the one
next step, English cards, and facts given in a later turn re-checking the cited programs, through the
conversation, the web API and Slack."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.answering.conversation import Conversation
from bot.runtime import build_runtime
from bot.store import ConversationStore
from bot.web.app import create_app
from tests.conftest import said
from tests.slack_standin import mention, posted_to, running_bot
from tests.web_support import web_settings


@pytest.fixture
def conversation(navigator, store_db):
    return Conversation(navigator, ConversationStore(store_db))


def test_an_answer_starts_with_its_verdict(conversation):
    reply = conversation.respond("設備を入れたいので低金利で借りたい")
    assert reply["verdict"]["kind"] == "yes"
    assert reply["answer"].splitlines()[0] == reply["verdict"]["text"]
    assert reply["verdict"]["text"].startswith("はい、")


def test_a_form_the_plan_lacks_is_a_partial_verdict_naming_what_serves_the_aim(conversation):
    reply = conversation.respond("店の改装費を補助金でまかないたい。返さなくていいお金はある？")
    assert reply["status"] == "answered"
    assert reply["verdict"]["kind"] == "partial"
    assert reply["verdict"]["text"].startswith("この計画には、お尋ねの補助金・助成金はありませんが")


def test_a_decline_has_the_none_verdict(conversation):
    reply = conversation.respond("明日の天気は？")
    assert reply["status"] == "no_match" and reply["verdict"]["kind"] == "none"


def test_programs_are_named_in_the_owners_words_and_studied_ones_are_marked(conversation, navigator):
    knowledge = navigator.retriever.index().knowledge
    reply = conversation.respond("CO2を減らす取り組みを始めたい")
    assert reply["citations"][0]["id"] == "I-3-5"
    assert f"【検討中】{reply['citations'][0]['title']}: {knowledge.overlay('I-3-5')['plain']}" in said(reply)
    assert knowledge.overlay("I-3-5")["plain"] in reply["answer"]  # the deciding fact: its line
    assert "検討中" in reply["verdict"]["text"] and reply["verdict"]["kind"] == "partial"
    # the plan's own 事業内容 stays in the citation
    assert reply["citations"][0]["text"] == "中小企業の脱炭素に向けた取組の支援・検討"


def test_the_one_next_step_names_the_first_contact_with_its_phone(conversation):
    reply = conversation.respond("マル経融資を使いたい")
    assert "次の一歩: まず藤沢商工会議所にご相談ください（電話 0466-27-8888）" in reply["answer"]
    assert reply["contacts"][0]["id"] == "fujisawa-cci"
    assert all(card["hours"] == "" for card in reply["contacts"][1:])  # hours only where they fit


def test_english_cards_have_english_hours_or_say_they_are_japanese(conversation):
    reply = conversation.respond("Who can help me with a Marukei loan?")
    cci = next(c for c in reply["contacts"] if c["id"] == "fujisawa-cci")
    assert cci["hours"].startswith("Business consultation desk")
    assert cci["sources"]["phone"].startswith("https://www.fujisawa-cci.or.jp/")


def test_facts_in_a_later_turn_re_check_the_cited_programs_in_japanese(conversation):
    first = conversation.respond("マル経は使えますか")
    assert first["citations"][0]["id"] == "I-4-3"
    reply = conversation.respond("従業員は30人の工場です", first["session_id"])
    assert reply["status"] == "answered"
    assert "伺った内容（従業員30人" in reply["answer"]
    assert reply["eligibility"][0] == {
        "id": "I-4-3",
        "fits": False,
        "alternative": "I-4-1",
        "confirm_with": "fujisawa-cci",
    }


def test_facts_in_a_later_turn_re_check_in_english_and_say_what_is_not_known(conversation):
    first = conversation.respond("Is there support for hiring foreign workers?")
    reply = conversation.respond("We have 12 employees.", first["session_id"])
    assert reply["language"] == "en"
    assert "With what you told me (12 employees)" in reply["answer"]
    assert "are not in my information" in reply["answer"]  # I-1-5 has no conditions on file


def test_others_after_a_decline_offers_nothing_made_up(conversation):
    first = conversation.respond("明日の天気は？")
    reply = conversation.respond("他には？", first["session_id"])
    assert reply["status"] == "no_match" and reply["citations"] == []
    assert "ほかにご案内できる支援も見つかりませんでした" in reply["answer"]


def test_a_term_the_quoted_guide_does_not_state_is_said_to_be_unstated(conversation):
    reply = conversation.respond("マル経の金利は？")  # the sheet states the limit, not the rate
    assert "お尋ねの点は、引いた案内の文には書かれていません" in reply["answer"]
    limit = conversation.respond("マル経はいくらまで借りられる？")
    assert "2,000万円" in limit["answer"] and "書かれていません" not in limit["answer"]


def test_farming_is_routed_to_the_citys_desks_not_answered_with_a_business_program(conversation):
    reply = conversation.respond("田んぼを広げたいのでコンバインを買う補助金はある？")
    assert reply["status"] == "no_match" and reply["citations"] == []
    assert "農業・漁業・林業は" in reply["answer"]
    assert reply["contacts"][0]["id"] == "fujisawa-callcenter"  # no farming desk in contacts.yaml yet


def test_a_later_fact_re_checks_over_the_web_api(built_index, navigator, tmp_path):
    web = web_settings(built_index.model_copy(update={"data_dir": tmp_path / "data"}))
    client = TestClient(create_app(web, build_runtime(web, navigator.retriever)))
    first = client.post("/api/chat", json={"message": "マル経は使えますか"}).json()
    reply = client.post(
        "/api/chat", json={"message": "従業員は4人の美容室です", "session_id": first["session_id"]}
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["verdict"]["kind"] == "yes"
    assert body["eligibility"][0]["fits"] is True
    assert "従業員4人は、商業・サービス業の上限5人以内" in said(body)
    assert "対象となる見込み" in body["verdict"]["text"] and "5人以下" in body["verdict"]["text"]


def test_a_later_fact_re_checks_in_a_slack_thread(built_index, navigator, knowledge_dir, tmp_path):
    with running_bot(built_index, navigator.retriever, tmp_path / "data", knowledge_dir=knowledge_dir) as bot:
        first = mention("マル経は使えますか")
        bot.event(first)
        bot.standin.wait_for(posted_to("C0001", thread_ts=first["ts"]))
        bot.event(mention("うちは従業員30人の工場です", thread_ts=first["ts"]))
        answers = bot.standin.wait_for(posted_to("C0001", thread_ts=first["ts"]), count=2)
        text = answers[-1].body["blocks"][0]["text"]["text"]
        assert "対象外の見込み" in text and "20人以下" in text  # the verdict for this owner
