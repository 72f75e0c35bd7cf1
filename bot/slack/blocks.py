"""Block Kit for answers, the unanswered list and the reindex report.

The answer JSON of docs/design.md is rendered as: the main text (with its `[n]` markers) in sections,
contacts as section fields with phone and link, a 「詳しく / More」 button that posts the details
and the citations (one context block: measure · program · source location) in the thread,
suggestion buttons, and 👍/👎 buttons that carry the turn id. Every
text that goes into `mrkdwn` passes through `escape()`; button labels are `plain_text`, which Slack
does not parse, and are only cut to Slack's length limits.
"""

from __future__ import annotations

import json
import time
from typing import Any

from bot.slack.escape import escape, link, plain

# action ids: handlers.py registers exactly these
FEEDBACK_UP = "navigator_feedback_up"
FEEDBACK_DOWN = "navigator_feedback_down"
SHARE = "navigator_share"
DETAILS = "navigator_details"  # 「詳しく / More」: the reply's details, posted in the thread
SUGGEST_PREFIX = "navigator_suggest_"  # + index: action ids must be unique within a block

_SECTION_LIMIT = 2900  # Slack: 3000 characters per section text
_FIELD_LIMIT = 1900  # Slack: 2000 characters per field
_BUTTON_LIMIT = 75  # Slack: 75 characters per button label
_MAX_SUGGESTIONS = 10
_MAX_CONTACTS = 10  # Slack: 10 fields per section
_FALLBACK_LIMIT = 300

_LABELS = {
    "ja": {
        "helpful": "役に立ちましたか？",
        "up": "👍 役に立った",
        "down": "👎 役に立たなかった",
        "share": "チャンネルに投稿",
        "more": "詳しく / More",
        "asked": "質問",
        "sources": "出典",
        "phone": "☎",
        "hours": "受付",
        "web": "Web",
    },
    "en": {
        "helpful": "Was this helpful?",
        "up": "👍 Helpful",
        "down": "👎 Not helpful",
        "share": "Post to channel",
        "more": "More / 詳しく",
        "asked": "Question",
        "sources": "Sources",
        "phone": "☎",
        "hours": "Hours",
        "web": "Web",
    },
}


def _labels(reply: dict[str, Any]) -> dict[str, str]:
    return _LABELS.get(str(reply.get("language")), _LABELS["ja"])


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def sections(text: str) -> list[dict[str, Any]]:
    """Long text split at line breaks into sections Slack accepts (3000 characters each)."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > _SECTION_LIMIT:  # one very long line: cut it
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:_SECTION_LIMIT])
            line = line[_SECTION_LIMIT:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > _SECTION_LIMIT:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return [section(chunk) for chunk in chunks if chunk.strip()]


def fallback_text(reply: dict[str, Any]) -> str:
    """The message's top-level `text`: what notifications and screen readers show."""
    answer = str(reply.get("answer") or "")
    first = next((line for line in answer.split("\n") if line.strip()), "")
    if len(first) > _FALLBACK_LIMIT:
        first = first[: _FALLBACK_LIMIT - 1] + "…"
    return escape(first)


def answer_blocks(
    reply: dict[str, Any],
    *,
    question: str | None = None,
    asked_by: str | None = None,
    share: bool = False,
) -> list[dict[str, Any]]:
    """One answer as Block Kit.

    `question` (plain text, as the user typed it) is shown above the answer where the question
    itself is not visible: a slash command's private answer, a shared answer, a suggestion press.
    `share` adds the "post to channel" button of a slash command's private answer.
    """
    labels = _labels(reply)
    turn_id = reply.get("turn_id")
    blocks: list[dict[str, Any]] = []
    if question:
        who = f"<@{asked_by}> " if asked_by else ""
        blocks.append(
            {"type": "context", "elements": [mrkdwn(f"{who}{labels['asked']}: {escape(question)}")]}
        )
    blocks.extend(sections(escape(str(reply.get("answer") or ""))))
    if contacts := reply.get("contacts"):
        blocks.append(contact_block(contacts, reply, labels))
    if turn_id is not None and (reply.get("details") or reply.get("citations")):
        more = _button(labels["more"], DETAILS, str(turn_id))
        blocks.append({"type": "actions", "block_id": "navigator_details", "elements": [more]})
    if suggestions := reply.get("suggestions"):
        blocks.append(suggestion_block(suggestions, turn_id))
    if turn_id is not None:
        blocks.append({"type": "context", "elements": [mrkdwn(labels["helpful"])]})
        rated = feedback_value(turn_id, str(reply.get("session_id") or ""))
        buttons = [
            _button(labels["up"], FEEDBACK_UP, rated),
            _button(labels["down"], FEEDBACK_DOWN, rated),
        ]
        if share:
            buttons.append(_button(labels["share"], SHARE, str(turn_id), style="primary"))
        blocks.append({"type": "actions", "block_id": "navigator_feedback", "elements": buttons})
    return blocks


def details_blocks(reply: dict[str, Any]) -> list[dict[str, Any]]:
    """What 「詳しく / More」 posts: the reply's details (the records named, notes, eligibility,
    desks) and its sources."""
    labels = _labels(reply)
    text = "\n".join(str(d.get("text") or "") for d in reply.get("details") or [])
    found = sections(escape(text)) if text.strip() else []
    if citations := reply.get("citations"):
        found.append(citation_block(citations, labels))
    return found or [section(escape(str(reply.get("answer") or "")))]


def feedback_value(turn_id: int, session_id: str) -> str:
    """A 👍/👎 button's value: the turn and its conversation, since feedback must name both."""
    return f"{turn_id}:{session_id}"


def parse_feedback_value(value: str) -> tuple[int, str]:
    """(turn id, session id) of a 👍/👎 button; ValueError for anything else."""
    turn, sep, session = value.partition(":")
    if not sep or not session:
        raise ValueError(f"not a feedback value: {value!r}")
    return int(turn), session


def citation_block(citations: list[dict[str, Any]], labels: dict[str, str]) -> dict[str, Any]:
    """Citations as a context block: `[n] id · measure · program · source location`."""
    lines = []
    for c in citations:
        parts = [p for p in (c.get("measure"), c.get("title")) if p]
        where = " ".join(str(p) for p in (c.get("source"), c.get("location")) if p)
        if where:
            parts.append(where)
        lines.append(
            f"*[{c.get('n')}]* `{escape(str(c.get('id')))}` " + " · ".join(escape(str(p)) for p in parts)
        )
    # Slack: at most 10 elements per context block; further citations share the last one
    elements = lines[:9] + (["\n".join(lines[9:])] if len(lines) > 9 else [])
    elements[0] = f"{labels['sources']}  {elements[0]}"
    return {"type": "context", "block_id": "navigator_citations", "elements": [mrkdwn(e) for e in elements]}


def contact_block(
    contacts: list[dict[str, Any]], reply: dict[str, Any], labels: dict[str, str]
) -> dict[str, Any]:
    """Contacts as section fields: name, phone, link, hours, address, and which citations they serve."""
    numbers = {c.get("id"): c.get("n") for c in reply.get("citations", [])}
    english = reply.get("language") == "en"
    fields = []
    for card in contacts[:_MAX_CONTACTS]:
        name = str((card.get("name_en") if english else None) or card.get("name") or "")
        refs = "".join(f"[{numbers[i]}]" for i in card.get("for", []) if i in numbers)
        lines = [f"*{escape(name)}*" + (f" {refs}" if refs else "")]
        if card.get("phone"):
            lines.append(f"{labels['phone']} {escape(str(card['phone']))}")
        if card.get("url"):
            lines.append(link(str(card["url"]), str(card["url"])))
        if card.get("hours"):
            lines.append(f"{labels['hours']}: {escape(str(card['hours']))}")
        if card.get("address"):
            lines.append(escape(str(card["address"])))
        text = "\n".join(lines)
        fields.append(mrkdwn(text[:_FIELD_LIMIT]))
    return {"type": "section", "block_id": "navigator_contacts", "fields": fields}


def suggestion_block(suggestions: list[str], turn_id: Any) -> dict[str, Any]:
    """Follow-up buttons; the value carries the turn so the press continues that conversation."""
    elements = [
        _button(
            plain(str(s), _BUTTON_LIMIT),
            f"{SUGGEST_PREFIX}{i}",
            json.dumps({"turn": turn_id, "q": str(s)[:500]}, ensure_ascii=False),
        )
        for i, s in enumerate(suggestions[:_MAX_SUGGESTIONS])
    ]
    return {"type": "actions", "block_id": "navigator_suggestions", "elements": elements}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": plain(text, _BUTTON_LIMIT), "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


# --- staff extras ------------------------------------------------------------------------------
def unanswered_blocks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Recent no-match questions, newest first: what staff should add to the catalog."""
    if not rows:
        return [section("回答できなかった質問はありません。 / No unanswered questions.")]
    lines = [f"*回答できなかった質問（新しい順 {len(rows)} 件） / Unanswered questions*"]
    for row in rows:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(row.get("created") or 0)))
        question = " ".join(str(row.get("question") or "").split())
        if len(question) > 200:
            question = question[:199] + "…"
        lines.append(f"• {when} [{escape(str(row.get('channel') or ''))}] {escape(question)}")
    return sections("\n".join(lines))


def report_blocks(report: dict[str, Any], user: str | None) -> list[dict[str, Any]]:
    """The ingest report of `/navigator reindex`: counts, the live version and every error."""
    who = f" (<@{user}>)" if user else ""
    records = ", ".join(f"{kind} {n}" for kind, n in (report.get("records") or {}).items())
    errors = report.get("errors") or []
    lines = [
        f"*再インデックスが完了しました / Reindex finished*{who}",
        f"文書 documents {report.get('documents', 0)} · records: {escape(records)}",
        f"追加 added *{report.get('added', 0)}* · 更新 updated *{report.get('updated', 0)}* · "
        f"削除 deleted *{report.get('deleted', 0)}* · 変更なし unchanged {report.get('unchanged', 0)} · "
        f"エラー errors *{len(errors)}*",
    ]
    if report.get("version") is not None:
        lines.append(f"live version {report['version']}")
    for error in errors[:20]:
        lines.append(f"• `{escape(str(error.get('file')))}`: {escape(str(error.get('error')))}")
    if len(errors) > 20:
        lines.append(f"… {len(errors) - 20} more")
    return sections("\n".join(lines))


def report_text(report: dict[str, Any]) -> str:
    return (
        f"Reindex: added {report.get('added', 0)}, updated {report.get('updated', 0)}, "
        f"deleted {report.get('deleted', 0)}, errors {len(report.get('errors') or [])}"
    )
