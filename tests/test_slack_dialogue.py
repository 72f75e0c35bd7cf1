"""Conversations in Slack threads follow the same rules as the widget's sessions (one
implementation, bot/answering/conversation.py): signed events to the real web app, answers recorded by the
Slack stand-in. Each thread is one conversation."""

from __future__ import annotations

import pytest

from bot.slack import blocks
from tests.slack_standin import block_text, mention, posted_to, running_bot


@pytest.fixture
def bot(built_index, navigator, knowledge_dir, tmp_path):
    with running_bot(
        built_index, navigator.retriever, tmp_path / "data", knowledge_dir=knowledge_dir
    ) as harness:
        yield harness


def thread(bot, *messages: str) -> list[str]:
    """Each message's answer, as the text of its blocks and the ids it cites (shown behind
    「詳しく / More」, read from its turn), all in the thread of the first."""
    first = mention(messages[0])
    bot.event(first)
    answers = [_seen(bot, bot.standin.wait_for(posted_to("C0001", thread_ts=first["ts"]))[-1])]
    for n, message in enumerate(messages[1:], 2):
        bot.event(mention(message, thread_ts=first["ts"]))
        posted = bot.standin.wait_for(posted_to("C0001", thread_ts=first["ts"]), count=n)
        answers.append(_seen(bot, posted[-1]))
    return answers


def _seen(bot, call) -> str:
    text = block_text(call.body["blocks"])
    rated = [
        e
        for b in call.body["blocks"]
        for e in b.get("elements", [])
        if e.get("action_id") == blocks.FEEDBACK_DOWN
    ]
    if not rated:
        return text
    turn_id, _session = blocks.parse_feedback_value(rated[0]["value"])
    cited = bot.runtime.store.turn(turn_id)["cited_ids"]
    return text + "\n" + " ".join(f"`{i}`" for i in cited)


def test_a_follow_up_that_points_back_is_answered_about_the_threads_program(bot):
    first, when, who = thread(
        bot, "市の融資制度で設備資金を借りたい", "それ、いつ申請するの？", "誰がやってるの？"
    )
    assert "`I-4-1`" in first and "`I-4-1`" in when and "`I-4-1`" in who


def test_a_correction_and_a_later_fact_in_a_thread(bot):
    _, corrected = thread(bot, "事業承継の相談をしたい", "いや、承継じゃなくてBCPのほう")
    assert "`I-6-4`" in corrected and "`I-6-3`" not in corrected
    _, recheck = thread(bot, "マル経融資を使いたい", "ちなみに従業員は8人います")
    assert "`I-4-3`" in recheck and "5人" in recheck


def test_a_vague_opener_then_its_answer_and_a_language_switch(bot):
    opener, answered = thread(bot, "なんか使える支援ないですか", "人手が足りなくて採用したい")
    assert "どのようなことでお困りですか" in opener
    assert "`I-1-" in answered
    _, english = thread(bot, "マル経融資の条件を教えて", "Who should I call about it?")
    assert "`I-4-3`" in english and ("Whom to contact" in english or "Chamber" in english)


def test_out_of_scope_questions_in_slack_name_their_departments_desk(bot):
    [nursery] = thread(bot, "子どもを保育所に入れる手続きを知りたい")
    assert "藤沢市コールセンター" in nursery and "0466-28-1000" in nursery
    [benefit] = thread(bot, "会社を辞めたので失業給付をもらいたい")
    assert "ハローワーク藤沢" in benefit
