"""The question is read once (issue 20): one normalisation and one Sudachi pass per split mode while
an answered question is answered, and a follow-up reads the earlier turn's stored Question back
rather than parsing it again. Table-driven on the parsed fields the stages read."""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import ingest.textnorm as textnorm
from bot.answering.asks import DATES, PAPERS
from bot.answering.conversation import Conversation
from bot.answering.question import Question
from bot.answering.retrieve import Retriever
from bot.answering.select import Navigator
from bot.db import open_database
from bot.store import ConversationStore
from ingest.pipeline import run_ingest
from ingest.settings import REPO_ROOT
from tests.conftest import KNOWLEDGE, make_settings

LEAFLET = REPO_ROOT / "eval" / "documents" / "shoene-boshu.txt"  # fictional, Shift_JIS


@contextmanager
def counted(question: str) -> Iterator[Counter]:
    """Counts calls of the normaliser on the question's text (or its normal form) and Sudachi's
    passes over it per split mode, wherever a module imported them; caches are emptied first so
    that a second reading cannot hide behind one."""
    normal = textnorm.normalize(question)
    calls: Counter = Counter()
    real_normalize, real_morphemes = textnorm.normalize, textnorm._morphemes

    def normalize(text: str) -> str:
        if text in (question, normal):
            calls["normalize"] += 1
        return real_normalize(text)

    def morphemes(text: str, mode: object):
        if text == normal:
            calls[f"sudachi {mode}"] += 1
        return real_morphemes(text, mode)

    for cached in (textnorm.tokenize, textnorm.reading_boundaries, textnorm.word_boundaries):
        cached.cache_clear()
    patched = [m for m in list(sys.modules.values()) if getattr(m, "normalize", None) is real_normalize]
    for module in patched:
        module.normalize = normalize
    textnorm._morphemes = morphemes
    try:
        yield calls
    finally:
        for module in patched:
            module.normalize = real_normalize
        textnorm._morphemes = real_morphemes


@pytest.fixture(scope="module")
def conversation(tmp_path_factory, embedder, chroma_url):
    root = tmp_path_factory.mktemp("question")
    knowledge = root / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge, ignore=shutil.ignore_patterns("programs", "facts"))
    shutil.copy(LEAFLET, knowledge / "documents" / LEAFLET.name)
    settings = make_settings(knowledge, root / "data", chroma_url)
    run_ingest(settings, embedder=embedder)
    navigator = Navigator(settings, Retriever(settings, embedder=embedder))
    return Conversation(navigator, ConversationStore(open_database(settings)))


@pytest.mark.parametrize(
    "message",
    [
        "設備を買うためにお金を借りたい",  # a plan program
        "省エネ設備の補助金の上限はいくらですか",  # an uploaded document's passage, quoted
        "How much can I borrow to buy equipment?",  # English
        "従業員は6人の美容室です。マル経は使えますか",  # stated facts, eligibility
    ],
)
def test_an_answered_question_is_normalised_once_and_read_once_per_sudachi_mode(conversation, message):
    conversation.respond("ウォームアップ")  # the index is loaded outside the count
    with counted(message) as calls:
        reply = conversation.respond(message)
    assert reply["status"] == "answered", reply["answer"]
    assert calls["normalize"] == 1, calls
    passes = {k: v for k, v in calls.items() if k.startswith("sudachi")}
    assert passes and all(v == 1 for v in passes.values()), calls


def test_a_follow_up_reads_the_earlier_turns_question_back_instead_of_parsing_it(conversation):
    first_message = "省エネ設備の補助金の上限はいくらですか"
    first = conversation.respond(first_message)
    with counted(first_message) as calls:
        conversation.respond("英語で", first["session_id"])  # re-rendered for the earlier question
        conversation.respond("従業員は5人です", first["session_id"])  # re-checked with a new fact
    assert calls["normalize"] == 0 and not any(k.startswith("sudachi") for k in calls), calls


@pytest.mark.parametrize(
    ("message", "language", "asks", "asks_terms"),
    [
        ("補助金の上限はいくら？", "ja", {"amount"}, True),
        ("申請はいつまでですか", "ja", {"dates"}, True),
        ("必要な書類は何ですか", "ja", {"papers"}, True),
        ("What papers do I need, and until when?", "en", {"papers", "dates"}, True),
        ("創業の相談をしたい", "ja", set(), False),
    ],
)
def test_the_parsed_question_carries_language_and_asked_facts(message, language, asks, asks_terms):
    question = Question.parse(message)
    named = {DATES: "dates", PAPERS: "papers"}
    found = {named.get(a, "amount" if a.terms and a.cue.search("いくら") else "other") for a in question.asks}
    assert question.language == language
    assert asks <= found
    assert question.asks_terms is asks_terms


@pytest.mark.parametrize(
    "message", ["ものづくり補助金の締め切りは？", "How much is the grant?", "まるけいゆうし"]
)
def test_a_stored_question_reads_back_equal(message):
    question = Question.parse(message)
    assert Question.from_stored(question.stored()) == question
    assert Question.from_stored(message) == question  # a turn stored before questions were kept
