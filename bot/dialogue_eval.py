"""`navigator eval` on scope sets and conversation sets, through the real conversation code.

A scope set (items with ``scope: in | out``) asks each item as the first message of a new session;
an out-of-scope item must be declined (``no_match``) and should name the desk of its department,
an in-scope one must not be declined. A conversation set (cases with ``turns``) sends a case's
turns in order in one session and checks each reply against what the turn lists. Both report the
tuned part and the set-aside part (items marked ``holdout: true``) separately, and list failures of
the tuned part only: the set-aside part is never looked at while tuning.
"""

from __future__ import annotations

import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.answering.conversation import Conversation
from bot.answering.retrieve import Retriever
from bot.answering.scope_desks import desks_for
from bot.answering.select import Navigator
from bot.db import open_database
from bot.reply_shape import ReplyShape
from bot.store import ConversationStore
from ingest.embeddings import make_embedder
from ingest.pipeline import run_ingest
from ingest.settings import Settings


def set_kind(path: Path) -> str:
    """``scope``, ``conversations`` or ``questions``, from the items' keys."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    items = raw.get("questions", []) if isinstance(raw, dict) else raw
    first = items[0] if items else {}
    if "turns" in first:
        return "conversations"
    if "scope" in first:
        return "scope"
    return "questions"


@contextmanager
def scratch_conversation(settings: Settings, embedder_spec: str | None) -> Iterator[Conversation]:
    """A conversation over a fresh index of the knowledge, in a temporary folder."""
    embedder = make_embedder(embedder_spec or settings.embedder, settings.embed_threads)
    with tempfile.TemporaryDirectory(prefix="navigator-eval-") as tmp:
        scratch = settings.model_copy(update={"data_dir": Path(tmp)})
        run_ingest(scratch, embedder=embedder)
        navigator = Navigator(scratch, Retriever(scratch, embedder=embedder))
        yield Conversation(navigator, ConversationStore(open_database(scratch)))


def reply_text(reply: dict[str, Any]) -> str:
    """What the owner sees: the main text, the details behind 「詳しく」 and the contact cards'
    fields, NFKC-folded."""
    cards = " ".join(" ".join(str(v) for v in c.values() if isinstance(v, str)) for c in reply["contacts"])
    details = " ".join(str(d.get("text", "")) for d in reply.get("details") or [])
    return unicodedata.normalize("NFKC", f"{reply['answer']} {details} {cards}")


# --- scope ---------------------------------------------------------------------------------------
@dataclass
class ScopeOutcome:
    item: dict[str, Any]
    status: str
    desks: list[str]

    @property
    def out(self) -> bool:
        return self.item["scope"] == "out"

    @property
    def declined(self) -> bool:
        return self.status == "no_match"

    @property
    def desk_right(self) -> bool:
        """The reply's first contact card is the desk of the item's department."""
        return bool(self.desks) and self.desks[0] == desks_for(str(self.item.get("department")))[0]


@dataclass
class ScopeMetrics:
    outcomes: list[ScopeOutcome] = field(default_factory=list)
    seconds: float = 0.0
    shape: ReplyShape = field(default_factory=ReplyShape)

    def row(self, outcomes: list[ScopeOutcome]) -> dict[str, float]:
        out = [o for o in outcomes if o.out]
        covered = [o for o in outcomes if not o.out]
        declined = [o for o in outcomes if o.declined]
        return {
            "out-of-scope declined (recall)": _share(out, lambda o: o.declined),
            "declines that were out of scope (precision)": _share(declined, lambda o: o.out),
            "out of scope: right desk first": _share(out, lambda o: o.declined and o.desk_right),
            "in scope answered (recall)": _share(covered, lambda o: o.status == "answered"),
            "covered wrongly declined": _share(covered, lambda o: o.declined),
            "items": float(len(outcomes)),
        }

    def failures(self) -> list[dict[str, Any]]:
        return [
            {"q": o.item["q"], "scope": o.item["scope"], "department": o.item.get("department"),
             "status": o.status, "desks": o.desks[:2]}
            for o in self.outcomes
            if not o.item.get("holdout")
            and ((o.out and not (o.declined and o.desk_right)) or (not o.out and o.declined))
        ]  # fmt: skip


def run_scope_eval(settings: Settings, path: Path, embedder_spec: str | None = None) -> ScopeMetrics:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    metrics = ScopeMetrics()
    with scratch_conversation(settings, embedder_spec) as conversation:
        started = time.perf_counter()
        for item in items:
            reply = conversation.respond(str(item["q"]))
            metrics.shape.add(str(item["q"]), reply)
            metrics.outcomes.append(ScopeOutcome(item, reply["status"], [c["id"] for c in reply["contacts"]]))
        metrics.seconds = time.perf_counter() - started
    return metrics


# --- conversations -------------------------------------------------------------------------------
@dataclass
class TurnOutcome:
    case: str
    holdout: bool
    turn: dict[str, Any]
    problems: list[str]

    @property
    def as_expected(self) -> bool:
        return not self.problems


@dataclass
class ConversationMetrics:
    outcomes: list[TurnOutcome] = field(default_factory=list)
    seconds: float = 0.0
    shape: ReplyShape = field(default_factory=ReplyShape)

    def row(self, outcomes: list[TurnOutcome]) -> dict[str, float]:
        cases: dict[str, bool] = {}
        for o in outcomes:
            cases[o.case] = cases.get(o.case, True) and o.as_expected
        return {
            "turns as expected": _share(outcomes, lambda o: o.as_expected),
            "conversations wholly as expected": sum(cases.values()) / max(len(cases), 1),
            "turns": float(len(outcomes)),
        }

    def failures(self) -> list[dict[str, Any]]:
        return [
            {"case": o.case, "say": o.turn["say"], "problems": o.problems}
            for o in self.outcomes
            if not o.holdout and o.problems
        ]


def check_turn(turn: dict[str, Any], reply: dict[str, Any]) -> list[str]:
    """What in the reply differs from the turn's expectations (both set formats' keys)."""
    problems = []
    cited = [c["id"] for c in reply["citations"]]
    text = reply_text(reply)
    for rid in [*(turn.get("cites") or []), *(turn.get("expect") or [])]:
        if rid not in cited:
            problems.append(f"does not cite {rid} (cites {cited[:4]})")
    for said in turn.get("says") or []:
        if unicodedata.normalize("NFKC", str(said)) not in text:
            problems.append(f"does not say {said!r}")
    for said in turn.get("not_says") or []:
        if unicodedata.normalize("NFKC", str(said)) in text:
            problems.append(f"says {said!r}")
    if (status := turn.get("status")) and reply["status"] != status:
        problems.append(f"status {reply['status']}, not {status}")
    if (verdict := turn.get("verdict")) and reply.get("verdict", {}).get("kind") != str(verdict):
        problems.append(f"verdict {reply.get('verdict', {}).get('kind')}, not {verdict}")
    if (language := turn.get("lang")) and reply.get("language") != language:
        problems.append(f"language {reply.get('language')}, not {language}")
    checked = {e["id"] for e in reply.get("eligibility") or []}
    for rid in turn.get("expect_eligibility") or []:
        if rid not in checked:
            problems.append(f"does not re-check {rid}")
    contacts = [c["id"] for c in reply["contacts"]]
    for cid in turn.get("expect_contacts") or []:
        if cid not in contacts:
            problems.append(f"does not name contact {cid}")
    return problems


def run_conversation_eval(
    settings: Settings, path: Path, embedder_spec: str | None = None
) -> ConversationMetrics:
    cases = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    metrics = ConversationMetrics()
    with scratch_conversation(settings, embedder_spec) as conversation:
        started = time.perf_counter()
        for case in cases:
            session: str | None = None
            for turn in case["turns"]:
                reply = conversation.respond(str(turn["say"]), session)
                metrics.shape.add(str(turn["say"]), reply)
                session = reply["session_id"]
                metrics.outcomes.append(
                    TurnOutcome(str(case["name"]), bool(case.get("holdout")), turn, check_turn(turn, reply))
                )
        metrics.seconds = time.perf_counter() - started
    return metrics


# --- reporting -----------------------------------------------------------------------------------
def format_parts(metrics: ScopeMetrics | ConversationMetrics, holdout: Callable[[Any], bool]) -> str:
    """All items, the tuned part and the set-aside part, side by side."""
    parts = {
        "navigator": metrics.outcomes,
        "tuned part": [o for o in metrics.outcomes if not holdout(o)],
        "set aside": [o for o in metrics.outcomes if holdout(o)],
    }
    rows = {name: metrics.row(outcomes) for name, outcomes in parts.items() if outcomes}  # type: ignore[arg-type]
    lines = ["| metric | " + " | ".join(rows) + " |", "|---" * (len(rows) + 1) + "|"]
    for key in rows["navigator"]:
        fmt = "{:.0f}" if key in ("items", "turns") else "{:.3f}"
        lines.append(f"| {key} | " + " | ".join(fmt.format(r[key]) for r in rows.values()) + " |")
    ms = 1000 * metrics.seconds / max(len(metrics.outcomes), 1)
    lines.append(f"| ms/{'turn' if isinstance(metrics, ConversationMetrics) else 'question'} | {ms:.1f} |")
    return "\n".join(lines)


def _share(items: list[Any], good: Callable[[Any], bool]) -> float:
    return sum(1 for i in items if good(i)) / max(len(items), 1)
