"""Taught questions: staff teach the navigator a question it missed, and which records answer it.

Like an annotation reply: when an owner's question is the taught one (the same normalised text, or
a sentence embedding at least ``NAVIGATOR_TAUGHT_SIMILARITY`` close to it), those records answer
it first (`Navigator.search`). The whole question is compared, never a word in it: teaching
"店の前に置く看板の許可はどこで取りますか" does not make every question with 看板 in it about that.

They live in the store, so every replica answers with them: each process holds them in memory and
reloads them at most once a second (as the retriever follows the live index), and a question
taught on one host applies on the others within that second. The index version does not hold
them, so a rollback keeps them; records the live version lacks are skipped by the navigator.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from sqlalchemy import insert, select, true, update

from bot.db import Database
from bot.db.schema import taught_questions
from ingest.textnorm import normalize

# On the bundled USE model (see ingest/settings.py, taught_similarity, for the measurements).
DEFAULT_SIMILARITY = 0.90
KEY_CHARS = 500  # question_marks.key holds at most this


def question_key(text: str) -> str:
    """The normalised text a question is compared and grouped by."""
    return normalize(text)[:KEY_CHARS]


class EmbeddingCache:
    """Unit sentence vectors of normalised texts, kept by text (bounded, least recently used
    dropped): taught questions and the unanswered ones staff look at again and again are embedded
    once. Batches are small so that a chat waiting on the model's lock waits for one batch only."""

    def __init__(self, embedder: Embeddings, size: int = 4096, batch: int = 32) -> None:
        self.embedder = embedder
        self.size = size
        self.batch = batch
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, texts: list[str]) -> np.ndarray:
        """One unit row per text (texts are normalised by the caller)."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(missing), self.batch):
            chunk = missing[start : start + self.batch]
            rows = np.asarray(self.embedder.embed_documents(chunk), dtype=np.float32).reshape(len(chunk), -1)
            rows /= np.linalg.norm(rows, axis=1, keepdims=True).clip(min=1e-12)
            found.update(zip(chunk, rows, strict=True))
        with self._lock:
            for text, row in found.items():
                self._vectors[text] = row
            out = []
            for text in texts:
                row = self._vectors.get(text)
                if row is None:  # dropped by a concurrent insert: it is in `found`
                    row = found[text]
                else:
                    self._vectors.move_to_end(text)
                out.append(row)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)
        return np.stack(out) if out else np.zeros((0, 0), dtype=np.float32)

    def vector(self, text: str) -> np.ndarray:
        return self.vectors([text])[0]


@dataclass(frozen=True)
class _Taught:
    id: int
    question: str
    key: str
    record_ids: tuple[str, ...]
    created: float
    created_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "record_ids": list(self.record_ids),
            "created": self.created,
            "created_by": self.created_by,
        }


class TaughtQuestions:
    def __init__(
        self,
        database: Database,
        embedder: Embeddings,
        similarity: float = DEFAULT_SIMILARITY,
        refresh_seconds: float = 1.0,
    ) -> None:
        self.db = database
        self.embeddings = EmbeddingCache(embedder)
        self.similarity = similarity
        self.refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._loaded: tuple[list[_Taught], np.ndarray] | None = None
        self._checked = 0.0

    # --- staff ---------------------------------------------------------------------------------
    def add(self, question: str, record_ids: list[str], by: str) -> dict[str, Any]:
        question = question.strip()
        if not question or not record_ids:
            raise ValueError("a taught question needs its text and at least one record")
        now = time.time()
        with self.db.write() as conn:
            result = conn.execute(
                insert(taught_questions).values(
                    question=question,
                    record_ids=json.dumps(list(record_ids)),
                    created=now,
                    created_by=by,
                    active=True,
                )
            )
            new_id = int(result.inserted_primary_key[0])
        self._invalidate()
        return _Taught(new_id, question, question_key(question), tuple(record_ids), now, by).as_dict()

    def remove(self, taught_id: int) -> dict[str, Any] | None:
        """Forget a taught question (the row is kept inactive); None when there is no such one."""
        with self.db.write() as conn:
            row = conn.execute(
                select(taught_questions).where(
                    taught_questions.c.id == taught_id, taught_questions.c.active == true()
                )
            ).first()
            if row is None:
                return None
            conn.execute(
                update(taught_questions).where(taught_questions.c.id == taught_id).values(active=False)
            )
        self._invalidate()
        return _row(row).as_dict()

    def list(self) -> list[dict[str, Any]]:
        """Active taught questions, newest first (read from the store, not the cache)."""
        return [t.as_dict() for t in reversed(self._read())]

    # --- answering -----------------------------------------------------------------------------
    def match(self, normal: str) -> list[str]:
        """The records of the taught question this (normalised) question is: equal text first, else
        the most similar one at or above the threshold; [] when none is."""
        entries, matrix = self._current()
        if not entries:
            return []
        key = normal[:KEY_CHARS]
        for entry in reversed(entries):  # the newest teaching wins
            if entry.key == key:
                return list(entry.record_ids)
        if not key:
            return []
        similarities = matrix @ self.embeddings.vector(key)
        best = int(np.argmax(similarities))
        if float(similarities[best]) >= self.similarity:
            return list(entries[best].record_ids)
        return []

    # --- cache ---------------------------------------------------------------------------------
    def _invalidate(self) -> None:
        with self._lock:
            self._checked = 0.0
            self._loaded = None

    def _current(self) -> tuple[list[_Taught], np.ndarray]:
        now = time.monotonic()
        with self._lock:
            if self._loaded is not None and now - self._checked < self.refresh_seconds:
                return self._loaded
        entries = self._read()
        matrix = (
            self.embeddings.vectors([e.key for e in entries])
            if entries
            else np.zeros((0, 0), dtype=np.float32)
        )
        with self._lock:
            self._loaded = (entries, matrix)
            self._checked = now
        return entries, matrix

    def _read(self) -> list[_Taught]:
        query = (
            select(taught_questions)
            .where(taught_questions.c.active == true())
            .order_by(taught_questions.c.id)
        )
        with self.db.read() as conn:
            return [_row(row) for row in conn.execute(query)]


def _row(row: Any) -> _Taught:
    return _Taught(
        id=int(row.id),
        question=row.question,
        key=question_key(row.question),
        record_ids=tuple(str(r) for r in json.loads(row.record_ids)),
        created=float(row.created),
        created_by=row.created_by,
    )
