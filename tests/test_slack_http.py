"""The Slack app over HTTP, end to end: signed requests to `POST /slack/events` of the real web app
(uvicorn on 127.0.0.1), answers and response_url posts recorded by a stand-in for Slack's Web API."""

from __future__ import annotations

import json
import time

import pytest

from bot.slack import blocks
from tests.slack_standin import (
    ADMIN,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER,
    SECRET,
    block_text,
    button,
    direct_message,
    event_body,
    mention,
    posted_to,
    responded,
    running_bot,
    signed_headers,
)


@pytest.fixture
def bot(built_index, navigator, knowledge_dir, tmp_path):
    with running_bot(
        built_index, navigator.retriever, tmp_path / "data", knowledge_dir=knowledge_dir
    ) as harness:
        yield harness


def citation_ids(call) -> str:
    context = next(b for b in call.body["blocks"] if b.get("block_id") == "navigator_citations")
    return block_text([context])


def first_cited(bot, call) -> str:
    """The first citation of an answer, from the turn its 👎 button names."""
    turn_id, _session = blocks.parse_feedback_value(
        button(call.body["blocks"], blocks.FEEDBACK_DOWN)["value"]
    )
    return bot.runtime.store.turn(turn_id)["cited_ids"][0]


def more(bot, answer, thread_ts: str):
    """Press an answer's 「詳しく / More」 and return what it posts in the thread."""
    press = button(answer.body["blocks"], blocks.DETAILS)
    message = {"type": "message", "ts": answer.body.get("ts") or "9.9", "thread_ts": thread_ts}
    before = len(bot.standin.wait_for(posted_to("C0001", thread_ts=thread_ts)))
    assert (
        bot.action(blocks.DETAILS, press["value"], bot.standin.response_url(), message=message).status_code
        == 200
    )
    return bot.standin.wait_for(posted_to("C0001", thread_ts=thread_ts), count=before + 1)[-1]


def contacts_of(call) -> str:
    return block_text([b for b in call.body["blocks"] if b.get("block_id") == "navigator_contacts"])


def test_a_mention_gets_a_threaded_block_kit_answer_citing_marukei(bot):
    event = mention("マル経融資の条件は？")
    response = bot.event(event)
    assert response.status_code == 200

    [answer] = bot.standin.wait_for(posted_to("C0001", thread_ts=event["ts"]))
    assert answer.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    body = answer.body
    assert body["thread_ts"] == event["ts"]  # in the thread of the mention
    assert "[1]" in body["blocks"][0]["text"]["text"]  # the answer keeps its [n] markers
    # 「詳しく / More」 posts the details and the sources in the thread
    details = more(bot, answer, event["ts"])
    assert "`I-4-3`" in citation_ids(details)
    assert "施策4 金融支援の推進 · マル経融資" in citation_ids(details)  # measure · program · source location
    assert "fujisawa-sme-plan.txt I-施策4 (3)" in citation_ids(details)
    assert "[1]" in block_text(details.body["blocks"])
    assert "藤沢商工会議所" in contacts_of(answer) and "0466-27-8888" in contacts_of(answer)
    assert "<http://www.fujisawa-cci.or.jp/|" in contacts_of(answer)
    turn_id, _session = blocks.parse_feedback_value(button(body["blocks"], blocks.FEEDBACK_DOWN)["value"])
    assert bot.runtime.store.turn(turn_id)["cited_ids"][0] == "I-4-3"
    assert button(body["blocks"], blocks.SUGGEST_PREFIX)["text"]["type"] == "plain_text"
    assert body["text"]  # fallback text for notifications


def test_a_follow_up_in_the_thread_answers_with_the_contacts_the_thread_cited(bot):
    first = mention("マル経融資の条件は？")
    bot.event(first)
    bot.standin.wait_for(posted_to("C0001", thread_ts=first["ts"]))

    bot.event(mention("問い合わせ先は？", thread_ts=first["ts"]))
    answers = bot.standin.wait_for(posted_to("C0001", thread_ts=first["ts"]), count=2)
    follow = answers[-1]
    assert "お問い合わせ先です" in follow.body["blocks"][0]["text"]["text"]
    turn_id, _session = blocks.parse_feedback_value(
        button(follow.body["blocks"], blocks.FEEDBACK_DOWN)["value"]
    )
    assert bot.runtime.store.turn(turn_id)["cited_ids"][0] == "I-4-3"
    assert "0466-27-8888" in block_text(follow.body["blocks"])  # 藤沢商工会議所, the program's desk
    assert "0120-154-505" in block_text(follow.body["blocks"])  # 日本政策金融公庫 (its nationwide line)

    # another thread is another conversation: the same words there start afresh
    other = mention("問い合わせ先は？")
    bot.event(other)
    [fresh] = bot.standin.wait_for(posted_to("C0001", thread_ts=other["ts"]))
    assert "お問い合わせ先です" not in fresh.dump()


def test_a_direct_message_is_answered_in_the_dm_and_continues_there(bot):
    bot.event(direct_message("マル経融資の条件は？"))
    [answer] = bot.standin.wait_for(posted_to("D0001"))
    assert "thread_ts" not in answer.body or answer.body["thread_ts"] is None  # top level, like a chat
    assert first_cited(bot, answer) == "I-4-3"

    bot.event(direct_message("問い合わせ先は？"))
    follow = bot.standin.wait_for(posted_to("D0001"), count=2)[-1]
    assert "お問い合わせ先です" in follow.dump() and "0466-27-8888" in follow.dump()


def test_bots_and_the_bot_itself_are_never_answered(bot):
    bot.event(direct_message("マル経融資の条件は？", user="UOTHER", bot_id="BOTHER"))
    bot.event(direct_message("マル経融資の条件は？", subtype="bot_message", bot_id="BOTHER"))
    bot.event(direct_message("マル経融資の条件は？", user=BOT_USER, bot_id=BOT_ID))
    bot.event(direct_message("edited", subtype="message_changed"))
    bot.event(direct_message("創業したい", channel="D0002"))  # a person, sent last
    bot.standin.wait_for(posted_to("D0002"))
    assert [c.body["channel"] for c in bot.standin.api_calls("chat.postMessage")] == ["D0002"]


def test_the_slash_command_answers_only_the_caller_and_can_post_it_to_the_channel(bot):
    url = bot.standin.response_url("command")
    ack = bot.command("マル経融資の条件は？", url)
    assert ack.status_code == 200
    assert ack.json()["response_type"] == "ephemeral"
    assert "マル経融資の条件は？" in ack.json()["text"]

    [private] = bot.standin.wait_for(responded(url, blocks.FEEDBACK_DOWN))
    assert private.body["response_type"] == "ephemeral"
    assert first_cited(bot, private) == "I-4-3"
    assert not bot.standin.api_calls("chat.postMessage")  # nothing public
    share = button(private.body["blocks"], blocks.SHARE)

    share_url = bot.standin.response_url("share")
    bot.action(blocks.SHARE, share["value"], share_url, ephemeral=True)
    # two requests to the response URL; the stand-in records them as its threads finish, in any order
    calls = bot.standin.wait_for(responded(share_url), count=2)
    [posted] = [c for c in calls if "response_type" in c.body]
    [deleted] = [c for c in calls if "delete_original" in c.body]
    assert posted.body["response_type"] == "in_channel"
    assert "<@U0001> 質問: マル経融資の条件は？" in block_text(posted.body["blocks"])
    assert button(posted.body["blocks"], blocks.DETAILS)["value"] == share["value"]  # More, for everyone
    assert deleted.body["delete_original"] is True


def test_a_thumbs_down_press_is_stored_like_the_widgets_feedback(bot):
    event = mention("マル経融資の条件は？")
    bot.event(event)
    [answer] = bot.standin.wait_for(posted_to("C0001", thread_ts=event["ts"]))
    value = button(answer.body["blocks"], blocks.FEEDBACK_DOWN)["value"]
    turn_id, _session = blocks.parse_feedback_value(value)

    url = bot.standin.response_url("feedback")
    message = {"type": "message", "ts": "1.2", "thread_ts": event["ts"]}
    assert bot.action(blocks.FEEDBACK_DOWN, value, url, user="U0042", message=message).status_code == 200
    [thanks] = bot.standin.wait_for(responded(url))
    assert thanks.body["response_type"] == "ephemeral" and thanks.body["replace_original"] is False

    [stored] = bot.runtime.store.feedback(rating=-1)
    assert stored["turn_id"] == int(turn_id)
    assert (stored["user"], stored["channel"], stored["rating"]) == ("U0042", "slack", -1)
    assert stored["question"] == "マル経融資の条件は？"
    assert stored["cited_ids"][0] == "I-4-3"


def test_a_suggestion_button_continues_the_conversation_in_its_thread(bot):
    event = mention("マル経融資の条件は？")
    bot.event(event)
    [answer] = bot.standin.wait_for(posted_to("C0001", thread_ts=event["ts"]))
    contacts = next(
        b
        for b in answer.body["blocks"]
        for b in b.get("elements", [])
        if b.get("action_id", "").startswith(blocks.SUGGEST_PREFIX) and "問い合わせ先" in b["text"]["text"]
    )
    message = {"type": "message", "ts": "2.0", "thread_ts": event["ts"]}
    bot.action(contacts["action_id"], contacts["value"], bot.standin.response_url(), message=message)
    follow = bot.standin.wait_for(posted_to("C0001", thread_ts=event["ts"]), count=2)[-1]
    assert "お問い合わせ先です" in follow.dump() and "0466-27-8888" in follow.dump()
    assert "<@U0001> 質問: その問い合わせ先は？" in block_text(follow.body["blocks"])


def test_reindex_by_a_listed_admin_posts_the_report(bot):
    url = bot.standin.response_url("reindex")
    ack = bot.command("reindex", url, user=ADMIN)
    assert "再インデックスを開始しました" in ack.json()["text"]
    [report] = bot.standin.wait_for(responded(url), timeout=120)
    assert report.body["response_type"] == "in_channel"
    text = block_text(report.body["blocks"])
    assert f"<@{ADMIN}>" in text
    assert "追加 added *52*" in text and "更新 updated *0*" in text and "削除 deleted *0*" in text
    assert "エラー errors *0*" in text
    assert bot.settings.chroma_dir.exists()  # the index was built, in this test's data directory


def test_reindex_by_anyone_else_is_refused_and_nothing_runs(bot, monkeypatch):
    ran = []
    monkeypatch.setattr("bot.slack.handlers.run_ingest", lambda *a, **k: ran.append(a))
    url = bot.standin.response_url("reindex")
    ack = bot.command("reindex", url, user="U0001")
    assert ack.status_code == 200
    assert "管理者" in ack.json()["text"] and ack.json()["response_type"] == "ephemeral"
    # a later request is answered, so the refused one has had every chance to do something
    bot.event(direct_message("創業したい", channel="D0009"))
    bot.standin.wait_for(posted_to("D0009"))
    assert ran == []
    assert not [c for c in bot.standin.calls if c.method == "response"]
    assert not bot.settings.chroma_dir.exists() and not (bot.settings.data_dir / "ingest.lock").exists()


def test_unanswered_lists_recent_no_match_questions_escaped(bot):
    event = mention("<!channel> 今日の天気は？ <@U0777>")
    bot.event(event)
    [answer] = bot.standin.wait_for(posted_to("C0001", thread_ts=event["ts"]))
    assert "市" in answer.dump()  # no match names a human desk
    ack = bot.command("unanswered", bot.standin.response_url())
    listed = block_text(ack.json()["blocks"])
    assert "&lt;!channel&gt; 今日の天気は？ &lt;@U0777&gt;" in listed
    assert "<!channel>" not in ack.text and "<@U0777>" not in ack.text


def test_special_tokens_in_a_question_never_ping_anyone(bot):
    url = bot.standin.response_url("command")
    ack = bot.command("<!channel> <@U0123> マル経融資の条件は？", url)
    assert "&lt;!channel&gt; &lt;@U0123&gt; マル経融資の条件は？" in ack.json()["text"]
    [private] = bot.standin.wait_for(responded(url))
    share_url = bot.standin.response_url("share")
    bot.action(blocks.SHARE, button(private.body["blocks"], blocks.SHARE)["value"], share_url, ephemeral=True)
    posted, _ = bot.standin.wait_for(responded(share_url), count=2)
    assert "&lt;!channel&gt; &lt;@U0123&gt; マル経融資の条件は？" in block_text(posted.body["blocks"])
    everything = ack.text + "".join(c.dump() for c in bot.standin.calls)
    assert "<!channel>" not in everything and "<@U0123>" not in everything


@pytest.mark.parametrize(
    "sign",
    [
        pytest.param(lambda body: {}, id="unsigned"),
        pytest.param(lambda body: signed_headers(body, secret="not-the-secret"), id="wrong-secret"),
        pytest.param(lambda body: signed_headers(body + " "), id="other-body"),
        pytest.param(lambda body: {**signed_headers(body), "X-Slack-Signature": "v0=00"}, id="garbage"),
    ],
)
def test_unsigned_and_wrongly_signed_requests_get_401_and_do_nothing(bot, sign):
    body = event_body(mention("マル経融資の条件は？"))
    response = bot.post(body, content_type="application/json", headers=sign(body))
    assert response.status_code == 401
    assert bot.standin.calls == []  # not even auth.test
    assert bot.runtime.store.unanswered() == [] and not bot.runtime.store.feedback(rating=None)


def test_a_stale_request_gets_401(bot):
    body = event_body(mention("マル経融資の条件は？"))
    stale = signed_headers(body, timestamp=int(time.time()) - 6 * 60)  # correctly signed, 6 minutes old
    assert bot.post(body, content_type="application/json", headers=stale).status_code == 401
    command = "command=%2Fnavigator&text=reindex&user_id=UADMIN&team_id=T0001"
    stale = signed_headers(command, timestamp=int(time.time()) - 6 * 60)
    assert (
        bot.post(command, content_type="application/x-www-form-urlencoded", headers=stale).status_code == 401
    )
    assert bot.standin.calls == []


def test_a_retried_event_produces_exactly_one_answer(bot):
    event = mention("マル経融資の条件は？")
    event_id = "EvRETRY0001"
    assert bot.event(event, event_id=event_id).status_code == 200
    for n in (1, 2, 3):
        retry = bot.event(
            event, event_id=event_id, **{"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "timeout"}
        )
        assert retry.status_code == 200  # acknowledged, so Slack stops retrying
    # the same DM delivered as two events (app_mention and message.im) is also answered once
    dm = direct_message("創業したい", channel="D0003")
    bot.event({**dm, "type": "app_mention"})
    bot.event(dm)
    bot.event(direct_message("設備を買いたい", channel="D0004"))  # a marker, sent last
    bot.standin.wait_for(posted_to("D0004"))
    bot.standin.wait_for(posted_to("C0001", thread_ts=event["ts"]))
    assert len(bot.standin.wait_for(posted_to("D0003"))) == 1
    time.sleep(1)  # time for a duplicate answer, were one on its way
    assert len(bot.standin.api_calls("chat.postMessage")) == 3  # one per message, not per delivery


def test_slacks_url_verification_handshake(bot):
    body = json.dumps(
        {
            "token": "x",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    response = bot.post(body, content_type="application/json")
    assert response.status_code == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in response.text


def test_without_slack_settings_the_web_app_has_no_slack_route(built_index, navigator, tmp_path):
    from fastapi import FastAPI

    from bot.runtime import build_runtime
    from bot.slack.http import attach_http

    settings = built_index.model_copy(update={"data_dir": tmp_path / "data", "slack_signing_secret": SECRET})
    runtime = build_runtime(settings, retriever=navigator.retriever)
    app = FastAPI()
    assert attach_http(app, runtime) is False  # a signing secret without a bot token
    assert "/slack/events" not in {route.path for route in app.routes}
