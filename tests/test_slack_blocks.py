"""Rendering and Slack's text rules, without a server: escaping, Block Kit limits, event claims."""

from __future__ import annotations

import json
import threading

from bot.slack import blocks
from bot.slack.dedupe import SeenEvents
from bot.slack.escape import escape, link, question_text, unescape
from tests.conftest import reopened
from tests.slack_standin import block_text

HOSTILE = "<!channel> <@U123> <#C1|x> A&B"


def hostile_reply(**extra):
    return {
        "status": "answered",
        "language": "ja",
        "answer": f"答え {HOSTILE} [1]",
        "citations": [
            {
                "n": 1,
                "id": "X-1-1",
                "kind": "program",
                "measure": f"施策1 {HOSTILE}",
                "title": f"事業 {HOSTILE}",
                "source": "plan<!here>.txt",
                "location": "I-施策1 (1)",
                "score": 1.0,
                "text": "",
            }
        ],
        "contacts": [
            {
                "id": "c",
                "name": f"窓口 {HOSTILE}",
                "name_en": "Desk",
                "phone": "0466-00-0000",
                "url": "https://example.org/a?b=1&c=<2>|3",
                "address": f"住所 {HOSTILE}",
                "hours": "9:00-17:00 <!everyone>",
                "for": ["X-1-1"],
            }
        ],
        "suggestions": [f"提案 {HOSTILE}"],
        "details": [{"part": "record", "text": f"[1] 事業 {HOSTILE}"}],
        "turn_id": 7,
        "session_id": "s-abc",
        **extra,
    }


def mrkdwn_texts(rendered):
    """Every mrkdwn string in the blocks (plain_text is not parsed by Slack)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(rendered)
    return found


def test_escape_and_unescape_are_slacks_three_characters():
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert unescape("&lt;!channel&gt; &amp;lt;") == "<!channel> &lt;"
    assert unescape(escape(HOSTILE)) == HOSTILE


def test_question_text_drops_our_mention_and_decodes_what_slack_escaped():
    assert question_text("<@UBOT> マル経融資の条件は？", "UBOT") == "マル経融資の条件は？"
    assert question_text("<@UBOT|navigator>  R&amp;D &lt;b&gt;", "UBOT") == "R&D <b>"
    assert question_text("<@UOTHER> さんに聞いた", "UBOT") == "<@UOTHER> さんに聞いた"  # escaped when shown


def test_links_are_only_http_and_cannot_break_out_of_the_link_syntax():
    assert link("javascript:alert(1)", "x<y") == "x&lt;y"
    made = link("https://example.org/a?b=1&c=<2>|3", "label|x")
    assert made.startswith("<https://example.org/a?b=1&amp;c=%3C2%3E%7C3|")
    assert made.count("<") == 1 and made.count(">") == 1 and made.count("|") == 1


def test_every_mrkdwn_text_is_escaped_knowledge_and_user_words_alike():
    rendered = blocks.answer_blocks(hostile_reply(), question=HOSTILE, asked_by="U0001", share=True)
    rendered += blocks.details_blocks(hostile_reply())
    for text in mrkdwn_texts(rendered):
        stripped = text.replace("<@U0001>", "")  # the asker, mentioned on purpose
        for token in ("<!", "<@", "<#"):
            assert token not in stripped, text
        assert "A&B" not in stripped
    joined = block_text(rendered)
    assert "&lt;!channel&gt; &lt;@U123&gt; &lt;#C1|x&gt; A&amp;B" in joined
    assert "&lt;!everyone&gt;" in joined and "plan&lt;!here&gt;.txt" in joined
    assert "<@U0001> 質問:" in joined
    assert blocks.fallback_text(hostile_reply()).startswith("答え &lt;!channel&gt;")


def test_an_answer_renders_as_text_contacts_more_suggestions_and_feedback():
    rendered = blocks.answer_blocks(hostile_reply(), share=True)
    kinds = [(b["type"], b.get("block_id")) for b in rendered]
    assert kinds == [
        ("section", None),
        ("section", "navigator_contacts"),
        ("actions", "navigator_details"),
        ("actions", "navigator_suggestions"),
        ("context", None),
        ("actions", "navigator_feedback"),
    ]
    contact = rendered[1]["fields"][0]["text"]
    assert "☎ 0466-00-0000" in contact and "[1]" in contact and "受付: 9:00-17:00" in contact
    more = rendered[2]["elements"][0]
    assert (more["action_id"], more["value"], more["text"]["text"]) == (blocks.DETAILS, "7", "詳しく / More")
    suggestion = rendered[3]["elements"][0]
    assert suggestion["text"] == {"type": "plain_text", "text": f"提案 {HOSTILE}", "emoji": True}
    assert json.loads(suggestion["value"]) == {"turn": 7, "q": f"提案 {HOSTILE}"}
    feedback = rendered[5]["elements"]
    assert [b["action_id"] for b in feedback] == [blocks.FEEDBACK_UP, blocks.FEEDBACK_DOWN, blocks.SHARE]
    assert [b["value"] for b in feedback] == ["7:s-abc", "7:s-abc", "7"]  # feedback names the conversation
    assert blocks.parse_feedback_value(feedback[0]["value"]) == (7, "s-abc")


def test_more_posts_the_details_and_the_sources():
    rendered = blocks.details_blocks(hostile_reply())
    assert [(b["type"], b.get("block_id")) for b in rendered] == [
        ("section", None),
        ("context", "navigator_citations"),
    ]
    assert rendered[0]["text"]["text"].startswith("[1] 事業 &lt;!channel&gt;")
    citation = rendered[1]["elements"][0]["text"]
    assert citation.startswith("出典  *[1]* `X-1-1` 施策1 ")
    assert " · 事業 " in citation and citation.endswith(" · plan&lt;!here&gt;.txt I-施策1 (1)")


def test_english_answers_get_english_labels_and_names():
    reply = hostile_reply(language="en")
    text = block_text(blocks.answer_blocks(reply) + blocks.details_blocks(reply))
    assert "Sources" in text and "*Desk*" in text and "Was this helpful?" in text


def test_slacks_size_limits_are_kept():
    many = [
        {"n": n, "id": f"X-{n}", "measure": "m", "title": "t", "source": "s", "location": "l"}
        for n in range(1, 15)
    ]
    contacts = [{"id": str(n), "name": f"n{n}", "phone": "1", "url": "", "for": []} for n in range(14)]
    reply = hostile_reply(
        answer="あ" * 7000, citations=many, contacts=contacts, suggestions=["長" * 200] * 14
    )
    rendered = blocks.answer_blocks(reply)
    texts = [b["text"]["text"] for b in rendered if b["type"] == "section" and "text" in b]
    assert len(texts) == 3 and all(len(t) <= 3000 for t in texts) and "".join(texts) == "あ" * 7000
    citations = next(b for b in blocks.details_blocks(reply) if b.get("block_id") == "navigator_citations")
    assert len(citations["elements"]) <= 10 and "X-14" in block_text([citations])
    assert len(next(b for b in rendered if b.get("block_id") == "navigator_contacts")["fields"]) <= 10
    buttons = next(b for b in rendered if b.get("block_id") == "navigator_suggestions")["elements"]
    assert len(buttons) <= 25 and all(len(b["text"]["text"]) <= 75 for b in buttons)
    assert len(rendered) <= 50


def test_without_a_turn_there_are_no_feedback_buttons():
    rendered = blocks.answer_blocks(hostile_reply(turn_id=None, suggestions=[]))
    assert not [b for b in rendered if b["type"] == "actions"]


def test_staff_lists_are_escaped():
    listed = block_text(blocks.unanswered_blocks([{"created": 0, "question": HOSTILE, "channel": "slack"}]))
    assert "&lt;!channel&gt;" in listed and "<!channel>" not in listed
    report = {
        "documents": 1,
        "records": {"program": 1},
        "added": 1,
        "errors": [{"file": "<!here>.pdf", "error": "x&y"}],
    }
    shown = block_text(blocks.report_blocks(report, "UADMIN"))
    assert "`&lt;!here&gt;.pdf`: x&amp;y" in shown and "<@UADMIN>" in shown and "エラー errors *1*" in shown


def test_an_event_is_claimed_once_across_threads_and_restarts(store_db):
    seen = SeenEvents(store_db)
    wins: list[bool] = []
    threads = [threading.Thread(target=lambda: wins.append(seen.claim("event:E1"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 7 + [True]
    assert SeenEvents(reopened(store_db)).claim("event:E1") is False  # a restarted process remembers
    assert seen.claim("message:a", "client_msg:b") is True
    assert seen.claim("message:other", "client_msg:b") is False  # any key seen before is enough


def test_claims_expire_after_their_ttl(store_db, monkeypatch):
    seen = SeenEvents(store_db, ttl_seconds=60)
    now = [1_000_000.0]
    monkeypatch.setattr("bot.slack.dedupe.time.time", lambda: now[0])
    assert seen.claim("event:E2")
    now[0] += 30
    assert not seen.claim("event:E2")
    now[0] += 61
    assert seen.claim("event:E2")  # Slack stopped retrying long ago: a new delivery is new
