"""The questions nothing answered, grouped: what owners keep asking that the catalog lacks.

One group per need rather than one line per turn: the same normalised text first, then
near-duplicate wordings by sentence embedding (greedy: each text, most frequent first, joins the
first group whose leading text is at least ``GROUP_SIMILARITY`` close, or starts its own). Groups
staff marked out of scope are left out (and new wordings of them join them, hidden), as are groups
a taught question now answers. Only the newest ``MAX_TURNS`` no-match turns are read.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from bot.db import Database
from bot.db.schema import question_marks
from bot.store import ConversationStore
from bot.taught import EmbeddingCache, TaughtQuestions, question_key

# Measured on the bundled USE model (see ingest/settings.py, taught_similarity): rewordings of one
# question score 0.89-0.98, different needs sharing most of their words up to 0.87 (酒類販売の免許 /
# 酒類の製造免許). 0.88 merges the rewordings and keeps those apart; a group is only a view for
# staff, who see its variants, so it may be a little looser than a taught match (0.90).
GROUP_SIMILARITY = 0.88
MAX_TURNS = 1000
MAX_VARIANTS = 5
MAX_MARKS = 1000
OUT_OF_SCOPE = "out_of_scope"


@dataclass
class _Group:
    leader: str  # the key whose vector the group is compared by
    hidden: bool = False  # a marked key's group: out of scope
    texts: Counter[str] = field(default_factory=Counter)
    keys: Counter[str] = field(default_factory=Counter)
    first_seen: float = float("inf")
    last_seen: float = 0.0

    def add(self, key: str, turns: list[dict[str, Any]]) -> None:
        for turn in turns:
            self.texts[turn["question"].strip()] += 1
            self.keys[key] += 1
            self.first_seen = min(self.first_seen, float(turn["created"]))
            self.last_seen = max(self.last_seen, float(turn["created"]))

    def as_dict(self) -> dict[str, Any]:
        variants = [text for text, _ in self.texts.most_common()]
        return {
            "key": question_key(variants[0]),
            "question": variants[0],
            "questions": variants[:MAX_VARIANTS],
            "count": sum(self.texts.values()),
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }


def unanswered_groups(
    store: ConversationStore,
    embeddings: EmbeddingCache,
    taught: TaughtQuestions | None = None,
    limit: int = 50,
    max_turns: int = MAX_TURNS,
    similarity: float = GROUP_SIMILARITY,
) -> list[dict[str, Any]]:
    """Groups of no-match questions, most frequent first (then the most recently asked)."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for turn in store.unanswered(max_turns):
        key = question_key(turn["question"])
        if key:
            by_key.setdefault(key, []).append(turn)
    if not by_key:
        return []
    marked = marked_keys(store.db)
    keys = sorted(by_key, key=lambda k: (-len(by_key[k]), -max(t["created"] for t in by_key[k])))
    groups = [_Group(leader=k, hidden=True) for k in sorted(marked)]
    texts = [g.leader for g in groups] + keys
    vectors = dict(zip(texts, embeddings.vectors(texts), strict=True))
    # The leaders' vectors, one row per group, grown in place as groups start.
    leaders = np.zeros((len(groups) + len(keys), len(vectors[keys[0]])), dtype=np.float32)
    for n, group in enumerate(groups):
        leaders[n] = vectors[group.leader]
    by_leader = {g.leader: g for g in groups}
    for key in keys:
        group = by_leader.get(key)  # the same text as a marked one
        if group is None and groups:
            scores = leaders[: len(groups)] @ vectors[key]
            best = int(np.argmax(scores))
            if float(scores[best]) >= similarity:
                group = groups[best]
        if group is None:
            group = by_leader[key] = _Group(leader=key)
            leaders[len(groups)] = vectors[key]
            groups.append(group)
        group.add(key, by_key[key])
    shown = []
    for group in groups:
        if group.hidden or not group.texts:
            continue
        item = group.as_dict()
        if item["key"] in marked or (taught is not None and taught.match(question_key(item["question"]))):
            continue
        shown.append(item)
    shown.sort(key=lambda g: (-g["count"], -g["last_seen"]))
    return shown[:limit]


def marked_keys(database: Database) -> set[str]:
    query = (
        select(question_marks.c.key)
        .where(question_marks.c.status == OUT_OF_SCOPE)
        .order_by(question_marks.c.at.desc())
        .limit(MAX_MARKS)
    )
    with database.read() as conn:
        return {str(k) for k in conn.scalars(query)}


def mark_out_of_scope(database: Database, key: str, by: str) -> str:
    """Mark a group's key out of scope (again: the newer mark replaces the older); returns the key."""
    key = question_key(key)
    values = {"key": key, "status": OUT_OF_SCOPE, "at": time.time(), "by": by}
    dialect = postgresql if database.is_postgres else sqlite
    statement = dialect.insert(question_marks).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[question_marks.c.key], set_={"status": OUT_OF_SCOPE, "at": values["at"], "by": by}
    )
    with database.write() as conn:
        conn.execute(statement)
    return key
