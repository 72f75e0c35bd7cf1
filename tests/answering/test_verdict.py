"""The kind of help a question asks for, and the program an answer names first for it."""

from __future__ import annotations

import pytest

from bot.answering.conversation import Conversation
from bot.answering.question import Question
from bot.answering.verdict import asked_kind, gives, request_clause
from bot.store import ConversationStore


@pytest.mark.parametrize(
    "message, kind",
    [
        ("補助金はありますか", "grant"),
        ("運転資金を借りたい", "loan"),
        ("無利子で借りたい", "interest_free"),
        ("海外進出のセミナーはある？", "seminar"),
        # the background clause tells the situation; the request clause says what is asked
        ("市の融資を受けるつもりだけど、その前に事業計画を一緒に作ってくれるところはある？", None),
        ("補助金があると聞いたが、どこに頼めばいい？", None),
        ("設備を入れたいので、融資を受けたい", "loan"),
        # a request clause without a subject of its own asks about the background's
        ("補助金がほしいんですが、ありますか", "grant"),
        # money given for a cost is a grant, premises rented are not a loan
        ("求人広告の費用を市が出してくれる？", "grant"),
        ("お店を借りるのは怖いので、まずイベントで売ってみたい", None),
        ("Our workshop was damaged by a flood. Is there emergency financing?", "loan"),
        ("Is there a workshop on exporting?", "seminar"),
        ("融資か補助金か、どちらがいい？", None),  # no single form
        ("補助金の申請を手伝ってほしい", None),  # help with applying is a consultation
    ],
)
def test_the_asked_kind_is_read_from_the_request(message, kind):
    assert asked_kind(Question.parse(message)) == kind


def test_a_question_without_a_background_clause_is_all_request():
    assert request_clause("海外展開の相談をしたい") == "海外展開の相談をしたい"


@pytest.fixture
def conversation(navigator, store_db):
    return Conversation(navigator, ConversationStore(store_db))


@pytest.mark.parametrize(
    "message, kind",
    [("海外進出のセミナーはある？", "seminar"), ("地震で被害が出たときの融資を知りたい", "loan")],
)
def test_the_program_that_gives_the_asked_form_is_named_first(conversation, navigator, message, kind):
    reply = conversation.respond(message)
    records = navigator.retriever.index().records
    first = records[reply["citations"][0]["id"]]
    assert gives(first, kind), reply["citations"]
    assert reply["verdict"]["kind"] == "yes"
