"""Sessions, follow-ups, clarify, eligibility and feedback: the conversation every channel shares."""

from __future__ import annotations

import pytest
import yaml

from bot.answering.conversation import Conversation
from bot.answering.retrieve import Retriever
from bot.answering.select import Navigator
from bot.store import ConversationStore, UnknownSession, UnknownTurn
from ingest.pipeline import run_ingest
from tests.conftest import reopened, said


@pytest.fixture
def store(store_db):
    return ConversationStore(store_db)


@pytest.fixture
def conversation(navigator, store):
    return Conversation(navigator, store)


def ids(reply, key="citations"):
    return [item["id"] for item in reply[key]]


def test_contacts_follow_up_answers_about_the_previous_citations(conversation):
    first = conversation.respond("設備を買うためにお金を借りたい")
    assert ids(first)[0] == "I-4-1"
    follow = conversation.respond("その問い合わせ先は？", first["session_id"])
    assert ids(follow) == ids(first)
    assert "fujisawa-city" in ids(follow, "contacts")
    assert "0466-25-1111" in follow["answer"]


def test_detail_english_and_others_follow_ups(conversation):
    first = conversation.respond("支援を受けたい")
    assert first["status"] == "clarify"
    chosen = conversation.respond("金融支援の推進", first["session_id"])
    assert ids(chosen) == ["I-4-1", "I-4-2", "I-4-3", "I-4-4"]
    detail = conversation.respond("3番目をもっと詳しく", first["session_id"])
    assert ids(detail) == ["I-4-3"]
    assert "2,000万円" in detail["answer"]
    english = conversation.respond("英語で教えて", first["session_id"])
    assert english["language"] == "en"
    assert "Marukei" in english["answer"]


def test_others_gives_the_next_programs_not_the_same_ones(conversation):
    first = conversation.respond("海外に進出したい")
    more = conversation.respond("他には？", first["session_id"])
    assert more["status"] in ("answered", "no_match")
    assert not set(ids(more)) & set(ids(first))


def test_a_long_new_question_is_not_taken_for_a_follow_up(conversation):
    first = conversation.respond("マル経融資の条件は？")
    second = conversation.respond(
        "外国人を採用したいのですが、相談できる窓口はありますか", first["session_id"]
    )
    assert ids(second)[0] == "I-1-5"


def test_four_employees_in_a_salon_fit_marukei_with_its_other_conditions(conversation):
    reply = conversation.respond("従業員4人の美容室ですがマル経は使えますか")
    assert ids(reply)[0] == "I-4-3"
    assert reply["eligibility"][0] == {
        "id": "I-4-3",
        "fits": True,
        "alternative": None,
        "confirm_with": "fujisawa-cci",
    }
    assert reply["verdict"]["kind"] == "yes" and "5人以下" in reply["verdict"]["text"]
    assert "従業員4人は、商業・サービス業の上限5人以内" in said(reply)  # the note behind 詳しく
    assert "6ヵ月以上" in said(reply) and "推薦" in said(reply)
    assert "藤沢商工会議所（0466-27-8888）でご確認ください" in said(reply)


def test_thirty_employees_in_a_factory_are_over_the_limit_and_pointed_to_the_city_loans(conversation):
    reply = conversation.respond("従業員30人の工場ですがマル経は使えますか")
    assert ids(reply)[0] == "I-4-3" and "I-4-1" in ids(reply)
    assert reply["eligibility"][0]["fits"] is False
    assert "上限20人を超える" in said(reply)
    assert (reply["verdict"]["kind"], reply["verdict"]["reason"]) == ("partial", "not_eligible")
    assert f"[{ids(reply).index('I-4-1') + 1}]" in reply["answer"]  # the one alternative


def test_facts_stay_in_the_session(conversation):
    first = conversation.respond("うちは従業員3人の飲食店です。お金を借りたい")
    reply = conversation.respond("マル経は使えますか", first["session_id"])
    assert reply["eligibility"][0]["fits"] is True


def test_changing_the_limit_in_the_catalog_changes_the_answer(settings, embedder, store):
    data = yaml.safe_load(settings.catalog_file.read_text(encoding="utf-8"))
    data["records"]["I-4-3"]["eligibility"]["employees_max"]["commerce_and_services"] = 3
    settings.catalog_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    run_ingest(settings, embedder=embedder)
    conversation = Conversation(Navigator(settings, Retriever(settings, embedder=embedder)), store)

    reply = conversation.respond("従業員4人の美容室ですがマル経は使えますか")

    assert reply["eligibility"][0]["fits"] is False
    assert "上限3人を超える" in said(reply) and "3人以下" in reply["verdict"]["text"]


def test_sessions_and_feedback_survive_a_restart(navigator, store_db):
    first = Conversation(navigator, ConversationStore(store_db)).respond("設備資金を借りたい")
    restarted = Conversation(navigator, ConversationStore(reopened(store_db)))
    follow = restarted.respond("その問い合わせ先は？", first["session_id"])
    assert ids(follow) == ids(first)
    restarted.feedback(follow["turn_id"], -1, "電話番号が知りたかった", session_id=follow["session_id"])
    stored = ConversationStore(reopened(store_db)).feedback()
    assert stored[0]["question"] == "その問い合わせ先は？"
    assert stored[0]["comment"] == "電話番号が知りたかった"
    assert stored[0]["cited_ids"] == ids(follow)


def test_unknown_session_and_unknown_turn_are_errors(conversation):
    with pytest.raises(UnknownSession):
        conversation.respond("マル経", "s-doesnotexist")
    with pytest.raises(UnknownTurn):
        conversation.feedback(999999, 1, session_id="s-doesnotexist")
    reply = conversation.respond("マル経")
    with pytest.raises(UnknownTurn):  # a real turn, but of another conversation
        conversation.feedback(reply["turn_id"], 1, session_id="s-someoneelse")


def test_no_match_questions_are_listed_for_staff_newest_first(conversation, store):
    conversation.respond("ゴミの収集日を教えて")
    conversation.respond("住民票を取りたい")
    unanswered = store.unanswered()
    assert [u["question"] for u in unanswered[:2]] == ["住民票を取りたい", "ゴミの収集日を教えて"]
