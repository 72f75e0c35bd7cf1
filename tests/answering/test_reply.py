"""The typed Reply (issue 20): its text is its sections joined, a follow-up changes sections by their
part, the OpenAPI schema shows all of it, and every key of docs/design.md's answer is still there."""

from __future__ import annotations

import pytest

from bot.answering.conversation import Conversation
from bot.answering.reply import Reply, Section
from bot.store import ConversationStore
from bot.web.schemas import ChatAnswer

# docs/design.md's answer, key for key (recorded from the replies of the release before the Reply).
TOP = {
    "session_id",
    "status",
    "language",
    "answer",
    "citations",
    "contacts",
    "suggestions",
    "index_version",
    "turn_id",
    "details",  # added by issue 21: what the reply shows behind 「詳しく」
}
CITATION = {"n", "id", "kind", "measure", "title", "source", "location", "score", "text"}
DOCUMENT_CITATION = CITATION | {"document", "url", "quote"}
CONTACT = {"id", "name", "name_en", "phone", "url", "address", "hours", "for"}


def test_the_openapi_schema_shows_the_whole_reply_and_not_its_sections():
    schema = ChatAnswer.model_json_schema(mode="serialization")
    assert TOP | {"verdict", "eligibility"} <= set(schema["properties"])
    assert "sections" not in schema["properties"]
    verdict = schema["$defs"]["Verdict"]["properties"]
    assert set(verdict) == {"kind", "reason", "text"}
    assert set(verdict["kind"]["enum"]) == {"yes", "partial", "none"}
    assert set(verdict["reason"]["enum"]) == {"eligible", "not_eligible", "ended", "studying", "not_found"}
    assert set(schema["$defs"]["Detail"]["properties"]) == {"part", "text"}


@pytest.fixture
def conversation(navigator, store_db):
    return Conversation(navigator, ConversationStore(store_db))


@pytest.mark.parametrize(
    ("message", "status", "extra"),
    [
        ("設備を買うためにお金を借りたい", "answered", {"verdict"}),
        ("従業員は6人の美容室です。マル経は使えますか", "answered", {"verdict", "eligibility"}),
        ("子供の保育園の申し込みをしたい", "no_match", {"verdict"}),
        ("支援を受けたい", "clarify", set()),
        ("How can I borrow money to buy equipment?", "answered", {"verdict"}),
    ],
)
def test_every_key_of_the_contract_is_still_there(conversation, message, status, extra):
    reply = conversation.respond(message)
    assert reply["status"] == status, reply["answer"]
    assert set(reply) == TOP | extra
    for cited in reply["citations"]:
        assert set(cited) == (DOCUMENT_CITATION if cited["kind"] in ("document", "passage") else CITATION)
    for card in reply["contacts"]:
        assert CONTACT <= set(card) <= CONTACT | {"source", "sources", "seen"}
    ChatAnswer.model_validate(reply)  # and the documented model reads it


def test_follow_ups_change_the_reply_through_its_sections():
    reply = Reply.composed(
        [
            Section(part="verdict", text="はい。"),
            Section(part="record", text="[1] A"),
            Section(part="eligibility", text="条件"),
        ],
        status="answered",
        language="ja",
    )
    led = reply.adding(Section(part="lead", text="確かめました。"), after="verdict")
    assert led.answer == "はい。\n確かめました。\n[1] A\n条件"
    detailed = led.replacing([Section(part="record", text="詳細")], keep=("eligibility",))
    assert detailed.answer == "詳細\n条件"
    assert reply.adding(Section(part="lead", text="2件です。"), first=True).answer.startswith("2件です。\n")
    with pytest.raises(ValueError):
        reply.updated(answer="edited text")
    assert "sections" not in reply.as_json()


def test_the_main_text_and_the_details_are_the_sections_by_place():
    reply = Reply.composed(
        [
            Section(part="verdict", text="はい。"),
            Section(part="fact", text="「上限50万円」[1]"),
            Section(part="record", text="[1] A", main=False),
            Section(part="note", text="※ 終了", main=False),
        ],
        status="answered",
        language="ja",
    )
    assert reply.answer == "はい。\n「上限50万円」[1]"
    assert [(d.part, d.text) for d in reply.details] == [("record", "[1] A"), ("note", "※ 終了")]
    assert reply.as_json()["details"] == [
        {"part": "record", "text": "[1] A"},
        {"part": "note", "text": "※ 終了"},
    ]
    with pytest.raises(ValueError):
        reply.updated(details=[])
