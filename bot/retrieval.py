"""Hybrid retrieval over the live index version: dense + keyword + catalog aliases, fused by RRF.

The three signals fail differently: the dense side understands paraphrase and English, the keyword
side catches exact Japanese terms (マル経, BCP) the small embedder blurs, and the aliases carry the
words owners actually use, written by staff. Reciprocal rank fusion needs no score calibration
between them. The no-match decision, by contrast, reads the raw signals: a question is covered
when an alias matches, or the best dense similarity and keyword evidence clear their thresholds.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.keyword import BM25
from ingest.embeddings import EmbedderMismatch, embedder_name, make_embedder
from ingest.index_store import IndexStore
from ingest.knowledge import Knowledge
from ingest.records import Record
from ingest.settings import Settings
from ingest.textnorm import fold_kana, normalize, reading, tokenize, word_boundaries

log = logging.getLogger(__name__)

RRF_K = 60
WEIGHTS = {"dense": 1.0, "keyword": 1.0, "alias": 1.5}
_MEASURE_WORDS = re.compile(r"施策|measure|基本方針")
# Staff asking about figures: indicators then outrank the programs they measure.
_INDICATOR_CUES = re.compile(
    r"指標|目標|実績|件数|何件|何人|何社|何法人|会員数|貸付件数|認定数|kpi|target|how many|figure|indicator|number of",
    re.IGNORECASE,
)
INDICATOR_BOOST = 1.6


class IndexNotReady(RuntimeError):
    """No index version is live yet: run `navigator ingest` first."""


@dataclass
class Hit:
    record: Record
    score: float
    dense: float = 0.0
    keyword: float = 0.0
    alias: float = 0.0


@dataclass
class SearchResult:
    hits: list[Hit]
    covered: bool
    version: int
    signals: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Alias:
    record_id: str
    text: str
    english: bool
    reading: str = ""


class LoadedIndex:
    """One index version held in memory: records, knowledge snapshot, BM25, alias table."""

    def __init__(self, store: IndexStore, number: int) -> None:
        info = store.version(number)
        if info is None:
            raise IndexNotReady(f"index version {number} has disappeared")
        self.number = number
        self.embedder = info.embedder
        self.collection = store.collection(number)
        self.knowledge = Knowledge.from_dict(info.snapshot.get("knowledge", {}))
        got = self.collection.get(include=["metadatas", "embeddings"])
        self.records: dict[str, Record] = {}
        tokens: dict[str, list[str]] = {}
        for meta in got["metadatas"]:
            if meta.get("view") == "main":
                record = Record.from_json(meta["record"])
                self.records[record.id] = record
                tokens[record.id] = str(meta.get("tokens", "")).split()
        # Exact cosine over the version's few hundred vectors, held in memory: microseconds, where a
        # Chroma query round trip costs ~15 ms per question (see README, "Performance").
        self.vector_owners = [str(m["record_id"]) for m in got["metadatas"]]
        self.vectors = np.asarray(got["embeddings"], dtype=np.float32)
        self.vectors /= np.linalg.norm(self.vectors, axis=1, keepdims=True).clip(min=1e-12)
        self.bm25 = BM25(tokens)
        self.aliases = self._alias_table()
        self.readings = _reading_vocabulary(self.bm25.idf)

    def _alias_table(self) -> list[_Alias]:
        table = []
        for record_id in self.records:
            overlay = self.knowledge.overlay(record_id)
            for alias in overlay.get("aliases") or []:
                folded = fold_kana(str(alias)).replace(" ", "")
                if len(folded) >= 2:
                    sound = reading(str(alias))
                    table.append(
                        _Alias(record_id, folded, english=False, reading=sound if len(sound) >= 4 else "")
                    )
            for alias in overlay.get("aliases_en") or []:
                words = re.sub(r"[^a-z0-9]+", " ", normalize(str(alias))).strip()
                if words:
                    table.append(_Alias(record_id, f" {words} ", english=True))
        return table


class Retriever:
    """Follows the live pointer: a re-ingest or rollback is picked up without a restart."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: IndexStore | None = None,
        embedder: Embeddings | None = None,
        refresh_seconds: float = 1.0,
    ) -> None:
        self.settings = settings
        if embedder is None:
            # Load the model's weights while Chroma is imported and opened: both take most of a second,
            # and a cold `navigator ask` pays for both.
            with ThreadPoolExecutor(max_workers=1) as pool:
                loading = pool.submit(make_embedder, settings.embedder, settings.embed_threads)
                self.store = store or IndexStore(settings)
                embedder = loading.result()
        else:
            self.store = store or IndexStore(settings)
        self.embedder = embedder
        self.embedder_name = embedder_name(self.embedder)
        self.refresh_seconds = refresh_seconds
        self._index: LoadedIndex | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._loading = threading.Lock()

    @property
    def loaded_version(self) -> int:
        """The version this process answers from (-1 before the first question), for /metrics."""
        return self._index.number if self._index is not None else -1

    def index(self) -> LoadedIndex:
        """The live version. A new one is loaded by the one caller that finds it, outside the lock:
        meanwhile every other question is still answered from the version in memory (loading reads
        every entry and builds the keyword tables, up to a few hundred ms, which a re-ingest must
        not add to all the answers in flight)."""
        now = time.monotonic()
        with self._lock:
            current = self._index
            due = current is None or now - self._checked >= self.refresh_seconds
            if due:
                self._checked = now
        if not due and current is not None:
            return current
        live = self.store.live_number()
        if live is None:
            raise IndexNotReady("the index is empty: run `navigator ingest` first")
        if current is not None and current.number == live:
            return current
        # The first load waits for whoever is loading; later ones let others answer meanwhile.
        if not self._loading.acquire(blocking=current is None):
            return current  # type: ignore[return-value]
        try:
            with self._lock:
                if self._index is not None and self._index.number == live:
                    return self._index
            loaded = LoadedIndex(self.store, live)
            if loaded.embedder != self.embedder_name:
                raise EmbedderMismatch(
                    f"the index was built with embedder '{loaded.embedder}' but this process uses "
                    f"'{self.embedder_name}' (NAVIGATOR_EMBEDDER); run `navigator ingest` to rebuild it"
                )
            with self._lock:
                self._index = loaded
            log.info("loaded index version %s (%s records)", live, len(loaded.records))
            return loaded
        finally:
            self._loading.release()

    def search(self, question: str, limit: int = 10, index: LoadedIndex | None = None) -> SearchResult:
        """Ranked records for a question, from ``index`` (the live version when not given): a caller
        that reads several things for one answer passes the version it holds, so nothing mixes."""
        index = index or self.index()
        allowed = self._allowed_kinds(question)
        query_tokens = list(tokenize(question))
        heard = [w for w in spelled_out(question, index.readings) if w not in query_tokens]
        dense = self._dense(index, f"{question} {' '.join(heard)}" if heard else question)
        keyword = index.bm25.scores(query_tokens + heard)
        alias = self._alias_scores(index, question)

        fused: dict[str, float] = {}
        for name, scores in (("dense", dense), ("keyword", keyword), ("alias", alias)):
            ranked = sorted(
                (rid for rid in scores if index.records[rid].kind in allowed), key=lambda r: -scores[r]
            )
            for rank, rid in enumerate(ranked):
                fused[rid] = fused.get(rid, 0.0) + WEIGHTS[name] / (RRF_K + rank + 1)
        if _INDICATOR_CUES.search(normalize(question)):
            for rid in fused:
                if index.records[rid].kind == "indicator":
                    fused[rid] *= INDICATOR_BOOST
        best = max(fused.values(), default=1.0)
        hits = [
            Hit(
                record=index.records[rid],
                score=round(score / best, 4),
                dense=round(dense.get(rid, 0.0), 4),
                keyword=round(keyword.get(rid, 0.0), 4),
                alias=alias.get(rid, 0.0),
            )
            for rid, score in sorted(fused.items(), key=lambda kv: -kv[1])[:limit]
        ]
        known = index.bm25.known(query_tokens)
        signals = {
            "dense_top": max(dense.values(), default=0.0),
            "keyword_top": max(keyword.values(), default=0.0),
            "alias_top": max(alias.values(), default=0.0),
            "known_terms": len(known),
            "query_terms": len(query_tokens),
        }
        return SearchResult(hits=hits, covered=self._covered(signals), version=index.number, signals=signals)

    def _allowed_kinds(self, question: str) -> set[str]:
        kinds = {"program", "indicator", "section"}
        if _MEASURE_WORDS.search(question):
            kinds.add("measure")
        return kinds

    def _dense(self, index: LoadedIndex, question: str) -> dict[str, float]:
        query = np.asarray(self.embedder.embed_query(normalize(question)), dtype=np.float32)
        similarities = index.vectors @ (query / max(float(np.linalg.norm(query)), 1e-12))
        best: dict[str, float] = {}
        for rid, similarity in zip(index.vector_owners, similarities.tolist(), strict=True):
            if similarity > best.get(rid, -1.0):
                best[rid] = similarity
        return best

    def _alias_scores(self, index: LoadedIndex, question: str) -> dict[str, float]:
        folded, boundaries = word_boundaries(question)
        sound = reading(question)
        lowered = f" {re.sub(r'[^a-z0-9]+', ' ', normalize(question))} "
        scores: dict[str, float] = {}
        for alias in index.aliases:
            if alias.english:
                hit = alias.text in lowered  # both padded with spaces: whole words only
            else:
                # `in` first: most aliases are absent, and it costs no Python call to find out.
                hit = (alias.text in folded and _whole_word(alias.text, folded, boundaries)) or bool(
                    alias.reading and alias.reading in sound
                )
            if hit:
                scores[alias.record_id] = scores.get(alias.record_id, 0.0) + len(alias.text.strip())
        return scores

    def _covered(self, signals: dict[str, Any]) -> bool:
        s = self.settings
        min_dense = s.min_dense if s.min_dense is not None else getattr(self.embedder, "min_dense", 0.5)
        min_keyword_dense = (
            s.min_keyword_dense
            if s.min_keyword_dense is not None
            else getattr(self.embedder, "min_keyword_dense", 0.3)
        )
        return (
            signals["alias_top"] >= s.min_alias_chars
            or signals["dense_top"] >= min_dense
            or (signals["keyword_top"] >= s.min_keyword and signals["dense_top"] >= min_keyword_dense)
        )


def _whole_word(phrase: str, text: str, boundaries: frozenset[int]) -> bool:
    start = text.find(phrase)
    while start != -1:
        if start in boundaries and start + len(phrase) in boundaries:
            return True
        start = text.find(phrase, start + 1)
    return False


_KANJI = re.compile(r"[\u3400-\u9fff]")
_KANA_RUN = re.compile(r"[\u3041-\u30ff]{3,}")


def _reading_vocabulary(vocabulary: dict[str, float]) -> dict[str, str]:
    """Katakana reading → indexed word, for words written in kanji whose reading is long enough
    (3+ kana) to be recognised inside a question spelled out in kana."""
    table: dict[str, str] = {}
    for word in vocabulary:
        if _KANJI.search(word) and len(word) >= 2:
            sound = reading(word)
            if len(sound) >= 3 and sound not in table:
                table[sound] = word
    return table


def spelled_out(question: str, readings: dict[str, str]) -> list[str]:
    """Indexed words the question spells in kana or mis-converts (きょうさい → 共済, 有資 → 融資).

    Owners type hiragana or accept a wrong kanji; matching by reading finds the word they meant.
    Only runs when the question has kana runs or kanji: the reading of the whole question is searched.
    """
    if not (_KANA_RUN.search(question) or _KANJI.search(question)):
        return []
    sound = reading(question)
    return [word for spoken, word in readings.items() if spoken in sound]
