"""The shape of an answered reply (issue 21): the verdict for this owner agrees with the eligibility
note, the main text is short, names at most one alternative and one next step, the contact cards are
the desks it names (at most 2), and every wording part joins cleanly with every value it can take."""

from __future__ import annotations

import pytest

from bot.answering.conversation import Conversation
from bot.answering.verdict import _PURPOSE_EN, _PURPOSE_JA, _line
from bot.reply_shape import broken_joins, contradiction, length, main_text, policy_voice
from bot.store import ConversationStore


@pytest.fixture
def conversation(navigator, store_db):
    return Conversation(navigator, ConversationStore(store_db))


@pytest.mark.parametrize(
    "text, kinds",
    [
        ("次の一歩: まず藤沢商工会議所の窓口は、経営支援部です。にご相談ください", ["particle after 。"]),
        ("まずにご相談ください。", ["empty slot"]),
        ("まず銀行に相談します。まず財団へどうぞ。", ["two まず"]),
        ("計画の「見本市出展支援」の案内です。計画の「見本市出展支援」の案内です。", ["sentence said twice"]),
        (
            "はい、「見本市出展支援」があります。次の一歩: まず藤沢市にご相談ください（電話 0466-25-1111）。",
            [],
        ),
    ],
)
def test_the_broken_join_patterns_find_what_they_name(text, kinds):
    assert broken_joins(text) == kinds


@pytest.mark.parametrize(
    "text, found",
    [
        ("見本市（展示会）への出展を支援します。", True),
        ("中小企業のDXの推進。", True),
        ("事業者に災害への備えを広め、その実施を支援します。", True),
        ("はい、「見本市出展支援」があります。出展の支援を受けられます。", False),
        ("【補助対象】「販路開拓の取組を支援する」とあります。", False),
    ],
)
def test_policy_voice_is_found_outside_quotes_only(text, found):
    assert policy_voice(text) is found


def test_no_catalog_sentence_an_answer_shows_speaks_in_the_plans_voice():
    """The catalog's plain sentence is the main text's description of a program: it says what the
    owner can get, not what the plan does (issue 21: no policy voice outside a title in 「」)."""
    import yaml

    from ingest.settings import REPO_ROOT

    catalog = yaml.safe_load((REPO_ROOT / "knowledge" / "catalog.yaml").read_text(encoding="utf-8"))
    voiced = [rid for rid, entry in catalog["records"].items() if policy_voice(entry.get("plain") or "")]
    assert voiced == []


@pytest.mark.parametrize("purpose", sorted(_PURPOSE_JA))
@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("phone", ["0466-27-8888", ""])
@pytest.mark.parametrize("then", [False, True])
def test_every_next_step_wording_joins_cleanly(purpose, language, phone, then):
    assert set(_PURPOSE_JA) == set(_PURPOSE_EN)
    name = "藤沢商工会議所" if language == "ja" else "Fujisawa Chamber of Commerce and Industry"
    line = _line(name, phone, purpose, language, then=then)
    assert name in line and broken_joins(line) == [], line
    if then:  # it follows steps given in order: no second "first"
        assert "まず" not in line and "start with" not in line.lower()


@pytest.mark.parametrize(
    "message",
    [
        "従業員6人の美容室ですがマル経は使えますか",
        "We are a hair salon with 6 employees. Can we use the Marukei loan?",
        "社員30人の製造業です。マル経融資を使いたい",
    ],
)
def test_a_verdict_never_says_yes_when_the_owners_facts_exclude_them(conversation, message):
    reply = conversation.respond(message)
    assert reply["verdict"]["kind"] != "yes" and reply["verdict"]["reason"] == "not_eligible", reply["answer"]
    assert reply["eligibility"][0]["fits"] is False
    assert not contradiction(reply)
    first = main_text(reply).split("\n")[0]
    assert "5人以下" in first or "5 employees" in first or "20人以下" in first, first
    # the next step is the alternative's desk, not the excluded program's preconditions
    assert "推薦が前提" not in reply["answer"]


def test_a_fitting_owner_hears_it_in_the_verdict(conversation):
    reply = conversation.respond("従業員4人の美容室ですがマル経は使えますか")
    assert reply["verdict"] == {
        "kind": "yes",
        "reason": "eligible",
        "text": reply["answer"].split("\n")[0],
    }
    assert "4人" in reply["verdict"]["text"] and "5人以下" in reply["verdict"]["text"]


def test_a_program_the_plan_only_studies_is_never_a_yes(conversation):
    reply = conversation.respond("脱炭素の取組を始めたい中小企業です")
    assert reply["citations"][0]["id"] == "I-3-5"
    assert (reply["verdict"]["kind"], reply["verdict"]["reason"]) == ("partial", "studying")


@pytest.mark.parametrize(
    "message",
    [
        "展示会への出展を支援してほしい",
        "設備を買うためにお金を借りたい",
        "従業員6人の美容室ですがマル経は使えますか",
        "事業承継の相談をしたい",
        "How can I borrow money to buy equipment?",
        "Is there help for exhibiting at a trade show?",
    ],
)
def test_the_main_text_is_short_and_names_at_most_two_desks(conversation, message):
    reply = conversation.respond(message)
    assert reply["status"] == "answered"
    limit = 100 if reply["language"] == "en" else 400  # words / characters, the 90th percentile's bound
    assert length(reply) <= limit, reply["answer"]
    assert len(reply["contacts"]) <= 2
    assert broken_joins(main_text(reply)) == []
    assert main_text(reply).count("次の一歩") + main_text(reply).count("Next step") <= 1
    assert reply["details"], "the rest is behind 詳しく"


def test_a_plan_program_is_not_hidden_by_another_bodys_document_for_the_same_need(conversation):
    # the KIP exhibition grant's document details the plan's 見本市出展支援 (I-5-5): the plan's
    # program is named first, the document beside it
    reply = conversation.respond("展示会への出展を支援してほしい")
    cited = [c["id"] for c in reply["citations"]]
    assert "I-5-5" in cited[:2], cited
    assert any(c["kind"] == "passage" for c in reply["citations"][:2])


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_verdict_wording_joins_cleanly(navigator, language):
    from bot.answering.eligibility import Assessment
    from bot.answering.question import Question
    from bot.answering.verdict import decide

    index = navigator.retriever.index()
    knowledge, records = index.knowledge, index.records
    marukei, loans, studied = records["I-4-3"], records["I-4-1"], records["I-3-5"]
    ended = next(r for r in records.values() if r.kind == "passage" and r.document_id == "covid-loan-2020")
    over = Assessment(
        "I-4-3", False, "", "I-4-1", "fujisawa-cci", who="従業員6人の美容室", condition="5人以下"
    )
    within = Assessment("I-4-3", True, "", None, "fujisawa-cci", who="従業員4人の美容室", condition="5人以下")
    grant = Question.parse("補助金はありますか" if language == "ja" else "Is there a grant?")
    cases = [
        ((None, [], {}), ("none", "not_found")),
        ((None, [marukei], {"assessment": over, "alternative": loans}), ("partial", "not_eligible")),
        ((None, [marukei], {"assessment": over}), ("none", "not_eligible")),
        ((None, [marukei], {"assessment": within}), ("yes", "eligible")),
        ((None, [ended, loans], {"ended": "2020-06-01", "alternative": loans}), ("partial", "ended")),
        ((None, [ended], {"ended": ""}), ("none", "ended")),
        ((grant, [loans], {}), ("partial", "not_found")),
        ((None, [studied], {}), ("partial", "studying")),
        ((None, [loans], {}), ("yes", "eligible")),
        ((None, [ended], {}), ("yes", "eligible")),
    ]
    for (question, named, options), expected in cases:
        said = decide(question, named, knowledge, language, **options)
        assert (said["kind"], said["reason"]) == expected, (named, options)
        assert said["text"] and broken_joins(said["text"]) == [], said["text"]
