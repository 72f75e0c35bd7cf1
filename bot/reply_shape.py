"""How readable the replies are (issue 21), measured over any set's replies: the main text's length,
the contact cards, broken template joins, policy voice, a verdict that contradicts the eligibility note or the
period, and a false "not stated". `navigator eval` prints it beside each set's figures; the patterns
of a broken join are kept here, and the tests read them too.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot.answering.question import Question
from bot.answering.quotes import states_asked_terms

# A broken join, by the way a template fails: a particle right after a full stop (a name slot filled
# with a sentence: 「…です。にご相談ください」), a name slot left empty (「まずにご相談」, 「」), two
# 「まず」 (two first steps), and one sentence said twice.
BROKEN_JOINS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("particle after 。", re.compile(r"。(?:に|を|は|が|へ|で|と|の|も)(?!\d)")),
    ("empty slot", re.compile(r"まず[にへ]|「」|『』|（）|\(\)|\bwith \.|\bconsulting \.")),
    ("two まず", re.compile(r"まず.*まず", re.DOTALL)),
    ("two firsts", re.compile(r"\b(?:start|first)\b.*\b(?:start with|first)\b", re.DOTALL | re.IGNORECASE)),
)
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]")
_MARKER = re.compile(r"\s?\[\d+\]")
# Policy voice: the plan speaking of what it does (…を支援します, …の推進) instead of telling the owner
# what they can get. Allowed inside a title in 「」 (「見本市出展支援」) and in a quoted source line.
POLICY_VOICE = re.compile(
    r"を(?:支援|応援|推進|促進)(?:し|す)|の(?:推進|実施|促進)(?:を|に|。|$)|を図(?:り|る)"
)
_QUOTED = re.compile(r"「[^「」]*」|【[^【】]*】")
_NOT_STATED = re.compile(r"書かれていません|not stated")
_ENDED = re.compile(r"終了しています|受付を終了|\bhave closed\b|\bhas ended\b")


def main_text(reply: dict[str, Any]) -> str:
    """The answer as an owner reads it: without the [n] markers."""
    return _MARKER.sub("", str(reply.get("answer") or ""))


def length(reply: dict[str, Any]) -> int:
    """Characters in Japanese, words in English."""
    text = main_text(reply)
    return len(text.split()) if reply.get("language") == "en" else len(re.sub(r"\s", "", text))


def broken_joins(text: str) -> list[str]:
    """The kinds of broken join in ``text`` (one sentence said twice included)."""
    found = [name for name, pattern in BROKEN_JOINS if pattern.search(text)]
    sentences = [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) > 8]
    if len(sentences) != len(set(sentences)):
        found.append("sentence said twice")
    return found


def policy_voice(text: str) -> bool:
    """The main text speaks in the plan's voice outside a quoted title or clause."""
    return bool(POLICY_VOICE.search(_QUOTED.sub("", text)))


def contradiction(reply: dict[str, Any]) -> str:
    """Why the verdict contradicts the rest of the reply ("" when it does not)."""
    verdict = reply.get("verdict") or {}
    if verdict.get("kind") != "yes" or not reply.get("citations"):
        return ""
    first = reply["citations"][0]["id"]
    for assessed in reply.get("eligibility") or []:
        if assessed.get("id") == first and assessed.get("fits") is False:
            return "yes, but the owner's facts exclude them"
    if _ENDED.search(main_text(reply)):
        return "yes, but the call has ended"
    return ""


def false_not_stated(reply: dict[str, Any], question: str) -> bool:
    """Says the asked point is not in the quoted lines while a quoted line states it."""
    if not _NOT_STATED.search(main_text(reply)):
        return False
    quotes = [str(c.get("quote") or "") for c in reply.get("citations") or []]
    return states_asked_terms(Question.parse(question), quotes)


@dataclass
class ReplyShape:
    """Over the answered replies of one set."""

    replies: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (question, reply)

    def add(self, question: str, reply: dict[str, Any]) -> None:
        self.replies.append((question, reply))

    def _answered(self, language: str | None = None) -> list[tuple[str, dict[str, Any]]]:
        return [
            (q, r)
            for q, r in self.replies
            if r.get("status") == "answered" and (language is None or r.get("language") == language)
        ]

    def row(self) -> dict[str, float]:
        answered = self._answered()
        row: dict[str, float] = {"answered replies": len(answered)}
        for language, unit in (("ja", "characters"), ("en", "words")):
            lengths = [length(r) for _, r in self._answered(language)]
            if lengths:
                row[f"main text median ({language}, {unit})"] = statistics.median(lengths)
                row[f"main text 90th percentile ({language})"] = _percentile(lengths, 0.9)
        every = self.replies
        row["contact cards, most in one reply"] = max(
            (len(r.get("contacts") or []) for _, r in every), default=0
        )
        row["replies with more than 2 cards"] = sum(1 for _, r in every if len(r.get("contacts") or []) > 2)
        row["broken joins"] = sum(1 for _, r in every if broken_joins(main_text(r)))
        row["policy voice"] = sum(1 for _, r in answered if policy_voice(main_text(r)))
        row["contradictions"] = sum(1 for _, r in answered if contradiction(r))
        row["false not stated"] = sum(1 for q, r in answered if false_not_stated(r, q))
        return row

    def failures(self) -> list[dict[str, Any]]:
        found = []
        for question, reply in self.replies:
            why = broken_joins(main_text(reply)) + [contradiction(reply)] * bool(contradiction(reply))
            if reply.get("status") == "answered" and false_not_stated(reply, question):
                why.append("false not stated")
            if len(reply.get("contacts") or []) > 2:
                why.append("more than 2 cards")
            if reply.get("status") == "answered" and policy_voice(main_text(reply)):
                why.append("policy voice")
            if why:
                found.append({"q": question, "shape": why, "answer": reply.get("answer", "")[:200]})
        return found


def _percentile(values: Iterable[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def format_shape(shape: ReplyShape) -> str:
    lines = ["| reply shape | value |", "| --- | --- |"]
    for key, value in shape.row().items():
        lines.append(f"| {key} | {value:g} |")
    return "\n".join(lines)
