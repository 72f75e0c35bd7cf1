"""Hybrid retrieval over the live index version: dense + keyword + catalog aliases + document
titles, fused by RRF.

The signals fail differently: the dense side understands paraphrase and English, the keyword
side catches exact Japanese terms (マル経, BCP) the small embedder blurs, and the aliases carry the
words owners actually use, written by staff; an uploaded document has no aliases, and owners name it
by words of its title. Reciprocal rank fusion needs no score calibration
between them. The no-match decision, by contrast, reads the raw signals: a question is covered
when an alias matches, or the best dense similarity and keyword evidence clear their thresholds.
"""

from __future__ import annotations

import heapq
import logging
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.answering.english_terms import japanese_terms
from bot.answering.index import (
    KANJI,
    Hit,
    IndexNotReady,
    LoadedIndex,
    RecordScores,
    SearchResult,
)
from bot.answering.question import Question
from bot.answering.tuning import TUNING
from ingest.embeddings import EmbedderMismatch, embedder_name, make_embedder
from ingest.index_store import IndexStore
from ingest.settings import Settings
from ingest.textnorm import (
    reading,
    tokenize,
)

log = logging.getLogger(__name__)

_MEASURE_WORDS = re.compile(r"施策|measure|基本方針")
# Staff asking about figures: indicators then outrank the programs they measure.
_INDICATOR_CUES = re.compile(
    r"指標|目標|実績|件数|何件|何人|何社|何法人|会員数|貸付件数|認定数|kpi|target|how many|figure|indicator|number of",
    re.IGNORECASE,
)


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

    def search(
        self, question: Question | str, limit: int = 20, index: LoadedIndex | None = None
    ) -> SearchResult:
        """Ranked records for a question, from ``index`` (the live version when not given): a caller
        that reads several things for one answer passes the version it holds, so nothing mixes."""
        question = Question.of(question)
        index = index or self.index()
        allowed = self._allowed_kinds(question)
        query_tokens = list(question.tokens)
        heard = [w for w in spelled_out(question, index) if w not in query_tokens]
        if not question.japanese:  # Japanese documents are found by their Japanese words too
            heard += [w for w in tokenize(japanese_terms(question.normal)) if w not in query_tokens]
        synonymous = (
            [w for w in _synonym_words(question, index.bm25.idf) if w not in query_tokens + heard]
            if index.has_uploads
            else []
        )
        # the heard words are index tokens, already in normal form
        similarities = self._similarities(
            index, f"{question.normal} {' '.join(heard)}" if heard else question.normal
        )
        dense = RecordScores(index, _best_per_record(index, similarities))
        own_words = index.bm25.score_array(query_tokens + heard)
        keyword = RecordScores(
            index,
            # synonyms rank, weaker than the owner's own words; whether anything fits is decided on
            # the owner's words (許可 must not find 承認 and make a permit question look covered)
            own_words + TUNING.synonym_weight * index.bm25.score_array(synonymous) * index.unaliased
            if synonymous
            else own_words,
        )
        alias = _with_documents(index, self._alias_scores(index, question), self.settings.min_alias_chars)

        titles = index.title_scores(question)
        fused: dict[str, float] = {}
        allowed_rows = index.kind_mask(frozenset(allowed))
        channels = (
            ("dense", dense.top(allowed_rows, TUNING.fused_per_signal, positive=False)),
            ("keyword", keyword.top(allowed_rows, TUNING.fused_per_signal, positive=True)),
            (
                "alias",
                # ties (a program's documents share its alias score) are broken by similarity
                heapq.nlargest(
                    TUNING.fused_per_signal,
                    [rid for rid in alias if index.records[rid].kind in allowed],
                    key=lambda rid: (alias[rid], dense.get(rid, 0.0)),
                ),
            ),
            ("title", sorted(titles, key=lambda rid: -titles[rid])),
        )
        documents: dict[str, float] = {}
        for name, ranked in channels:
            positions, document_ranks = _group_ranks(index, ranked)
            for rid, rank in positions:
                fused[rid] = fused.get(rid, 0.0) + TUNING.weights[name] / (TUNING.rrf_k + rank + 1)
            for document, rank in document_ranks.items():
                if document in index.sheets:
                    continue
                documents[document] = documents.get(document, 0.0) + TUNING.weights[name] / (
                    TUNING.rrf_k + rank + 1
                )
        _read_in_document(index, fused)
        _found_as_a_whole(index, fused, documents)
        _keep_named_programs(index, fused, index.named_documents(question), dense)
        if _INDICATOR_CUES.search(question.normal):
            for rid in fused:
                if index.records[rid].kind == "indicator":
                    fused[rid] *= TUNING.indicator_boost
        best = max(fused.values(), default=1.0)
        hits = [
            Hit(
                record=index.records[rid],
                score=round(score / best, 4),
                dense=round(dense.get(rid, 0.0), 4),
                keyword=round(keyword.get(rid, 0.0), 4),
                alias=alias.get(rid, 0.0),
                title=round(titles.get(index.records[rid].document_id, 0.0), 4),
            )
            for rid, score in heapq.nlargest(limit, fused.items(), key=lambda kv: kv[1])
        ]
        known = index.bm25.known(query_tokens)
        signals = {
            "dense_top": dense.max(),
            "keyword_top": float(own_words.max()) if len(own_words) else 0.0,
            "alias_top": max(alias.values(), default=0.0),
            "known_terms": len(known),
            "query_terms": len(query_tokens),
        }
        return SearchResult(
            hits=hits,
            covered=self._covered(signals),
            version=index.number,
            signals=signals,
            similarities=similarities,
            query_tokens=tuple(query_tokens + heard + synonymous),
            dense=dense,
            keyword=keyword,
        )

    def _allowed_kinds(self, question: Question) -> set[str]:
        kinds = {"program", "indicator", "section", "document", "passage"}
        if _MEASURE_WORDS.search(question.normal):
            kinds.add("measure")
        return kinds

    def _similarities(self, index: LoadedIndex, normal: str) -> np.ndarray:
        """Cosine of the (normalised) question with every stored vector (views and quotable units)."""
        query = np.asarray(self.embedder.embed_query(normal), dtype=np.float32)
        return index.vectors @ (query / max(float(np.linalg.norm(query)), 1e-12))

    def _alias_scores(self, index: LoadedIndex, question: Question) -> dict[str, float]:
        folded, boundaries = question.words, question.word_bounds
        sound, sound_boundaries = question.reading, question.reading_bounds
        lowered = question.latin
        scores: dict[str, float] = {}
        found = [a for a in index.english_aliases if a.text in lowered]  # padded: whole words only
        aliases = index.japanese_aliases
        by_text = index.alias_texts.candidates(folded)
        by_sound = index.alias_readings.candidates(sound) if sound else []
        for n in sorted(set(by_text) | set(by_sound)):
            alias = aliases[n]
            if (alias.text in folded and _whole_word(alias.text, folded, boundaries)) or bool(
                alias.reading
                and alias.reading in sound
                and _whole_word(alias.reading, sound, sound_boundaries)
            ):
                found.append(alias)
        for alias in found:
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


def _with_documents(index: LoadedIndex, alias: dict[str, float], min_chars: int) -> dict[str, float]:
    """A document that details a program the owner named is as much about it: its records share
    the program's alias evidence, slightly below the program itself."""
    if not index.documents_of:
        return alias
    shared = dict(alias)
    for program, score in alias.items():
        if score < min_chars:
            continue  # a two-character word is evidence for a program, too weak to carry its documents
        for document in index.documents_of.get(program, []):
            for rid in index.document_records.get(document, []):
                shared[rid] = max(shared.get(rid, 0.0), score * TUNING.document_alias_share)
    return shared


def _group_ranks(index: LoadedIndex, ranked: list[str]) -> tuple[list[tuple[str, float]], dict[str, float]]:
    """Rank positions where a document counts once: its passages do not push the records after
    them down the list (ten passages of one leaflet are one piece of evidence, not ten), and a
    document's j-th passage ranks j places after its best. Also each document's own rank: that of
    its best record (its own record or any passage)."""
    groups: dict[str, int] = {}
    seen: dict[str, int] = {}
    positions = []
    documents: dict[str, float] = {}
    for rid in ranked:
        record = index.records[rid]
        group = record.document_id if record.kind in ("document", "passage") else rid
        if group not in groups:
            groups[group] = len(groups)
            if record.kind in ("document", "passage"):
                documents[group] = float(groups[group])
        positions.append((rid, float(groups[group] + seen.get(group, 0))))
        seen[group] = seen.get(group, 0) + 1
    return positions, documents


def _read_in_document(index: LoadedIndex, fused: dict[str, float]) -> None:
    """A program sheet's passage is read in its sheet: how well the question fits the sheet as a whole
    (its title and purpose) separates one sheet's 限度額 from another's. Passages are re-ordered
    among themselves by it and keep the places passages held. (Adding up a sheet's sections, as for
    an upload, would let a long sheet outrank the program it details.)"""
    passages = [
        rid
        for rid in fused
        if index.records[rid].kind == "passage" and index.records[rid].document_id in index.sheets
    ]
    if len(passages) < 2:
        return
    places = sorted((fused[rid] for rid in passages), reverse=True)
    in_context = sorted(
        passages,
        key=lambda rid: (
            fused[rid] + TUNING.document_context_weight * fused.get(index.records[rid].document_id, 0.0)
        ),
        reverse=True,
    )
    for rid, place in zip(in_context, places, strict=True):
        fused[rid] = place
    # A document found as a whole (its record competes with programs on equal terms) is answered by
    # its best passage, which takes the document's place when that is higher.
    best: dict[str, str] = {}
    for rid in in_context:
        best.setdefault(index.records[rid].document_id, rid)
    for document, rid in best.items():
        if document in fused:
            fused[rid] = max(fused[rid], fused[document])


def _found_as_a_whole(index: LoadedIndex, fused: dict[str, float], documents: dict[str, float]) -> None:
    """An uploaded document is found as a whole: what each channel found best in it (the title and
    purpose in one, the 補助対象設備 list in another) adds up to the document's score, which its best
    passage takes when that is higher than its own. Which passage then answers is the quote's choice
    (bot/quotes.best_passage), among all the document's passages."""
    best: dict[str, str] = {}
    for rid, score in fused.items():
        record = index.records[rid]
        if record.kind == "passage" and (
            record.document_id not in best or score > fused[best[record.document_id]]
        ):
            best[record.document_id] = rid
    for document, score in documents.items():
        rid = best.get(document, document if document in fused else None)
        if rid is not None:
            fused[rid] = max(fused[rid], score)


def _keep_named_programs(
    index: LoadedIndex, fused: dict[str, float], named: frozenset[str], dense: RecordScores
) -> None:
    """A question that names a program is answered from that program's documents only: the others'
    records leave the ranking, and each named document's nearest passages join it at the top (the
    quote then picks, among them, the one holding the asked sentence)."""
    if not named:
        return
    for rid in list(fused):
        record = index.records[rid]
        own = record.kind in ("document", "passage") and record.document_id not in index.sheets
        if own and record.document_id not in named:
            del fused[rid]
    top = max(fused.values(), default=1.0)
    for document in named:
        passages = [r for r in index.document_records.get(document, []) if index.records[r].kind == "passage"]
        nearest = heapq.nlargest(TUNING.named_passages, passages, key=lambda r: dense.get(r, 0.0))
        for rank, rid in enumerate(nearest):
            fused[rid] = max(fused.get(rid, 0.0), top * (1.0 + dense.get(rid, 0.0)) / (2.0 + rank))


def _best_per_record(index: LoadedIndex, similarities: np.ndarray) -> np.ndarray:
    """Each record's nearest view (in ``index.record_ids`` order): a question is as near a record as
    to its nearest view."""
    if not len(similarities):
        return np.zeros(0, dtype=np.float32)
    return np.maximum.reduceat(np.where(index.retrieval_mask, similarities, -1.0), index.record_starts)


def _synonym_words(question: Question, vocabulary: dict[str, float]) -> list[str]:
    """Indexed words that are synonyms of the question's (ホテル代 → 宿泊費, generator → 発電機): one
    keyword each, so a synonym the documents do not use, or one the tokenizer splits, adds nothing."""
    words = []
    for synonym in question.synonyms():
        tokens = tokenize(synonym)
        if len(tokens) == 1 and tokens[0] in vocabulary:
            words.append(tokens[0])
    return list(dict.fromkeys(words))


def _whole_word(phrase: str, text: str, boundaries: frozenset[int]) -> bool:
    """The phrase starts where a word starts and ends where one ends, or where spoken endings attach
    (a tokenizer reads 「マル経って」 as マル + 経って; the particle does not make マル経 another word)."""
    start = text.find(phrase)
    while start != -1:
        end = start + len(phrase)
        if start in boundaries and (end in boundaries or _SPOKEN_ENDING.match(text, end)):
            return True
        start = text.find(phrase, start + 1)
    return False


_SPOKEN_ENDING = re.compile(r"ッテ|ッチュウ|テ|デ|ハ|ガ|ヲ|ニ|ノ|モ")  # the text is kana-folded (katakana)


_KANA_RUN = re.compile(r"[\u3041-\u30ff]{3,}")


def spelled_out(question: Question, index: LoadedIndex) -> list[str]:
    """Indexed words the question spells in kana or mis-converts (きょうさい → 共済, 有資 → 融資).

    Owners type hiragana or accept a wrong kanji; matching by reading finds the word they meant.
    Only runs when the question has kana runs or kanji: the reading of the whole question is searched.
    """
    if not (_KANA_RUN.search(question.text) or KANJI.search(question.text)):
        return []
    sound, boundaries = question.reading, question.reading_bounds
    # A word the question writes in kanji and the index knows is meant as written: its homophone is
    # not "heard" beside it (出展補助 is not about 出店).
    vocabulary = index.bm25.idf
    written = {reading(t) for t in question.tokens if KANJI.search(t) and t in vocabulary}
    heard = []
    for n in index.reading_pairs.candidates(sound):
        spoken, word = index.reading_items[n]
        if spoken in sound and spoken not in written and _starts_word(spoken, sound, boundaries):
            heard.append(word)
    return heard


def _starts_word(spoken: str, sound: str, boundaries: frozenset[int]) -> bool:
    """A word is heard where a word of the question starts (イショウ is not heard in タイショウ); its end
    may fall inside one, since kana typed in one run are often read as a single long word."""
    start = sound.find(spoken)
    while start != -1:
        if start in boundaries:
            return True
        start = sound.find(spoken, start + 1)
    return False
