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
import math
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from bot.answering.english_terms import japanese_terms
from bot.answering.keyword import BM25
from bot.answering.question import Question
from ingest.embeddings import EmbedderMismatch, embedder_name, make_embedder
from ingest.index_store import IndexStore
from ingest.knowledge import Knowledge
from ingest.records import Record
from ingest.settings import Settings
from ingest.textnorm import (
    fold_kana,
    is_japanese,
    normalize,
    reading,
    sound_trigrams,
    synonym_table,
    title_bigrams,
    tokenize,
)

log = logging.getLogger(__name__)

RRF_K = 60
WEIGHTS = {"dense": 1.0, "keyword": 1.0, "alias": 1.5, "title": 1.0}
MIN_TITLE = 2.5  # title evidence (summed rarity of shared character pairs) that names a document
ACRONYM_WEIGHT = 2.5  # an acronym shared with one title alone (DX, BCP) names it
DOCUMENT_CONTEXT_WEIGHT = 0.7
_NAME_SUFFIX = re.compile(r"(?:補助金|助成金|給付金|支援金|奨励金|交付金|融資|制度)$")
_MIN_NAME_CORE = 3  # 持続化, IT導入: a shorter core (「IT」) names nothing by itself
_NAMED_PASSAGES = 4  # a named document's nearest passages that join the ranking
SYNONYM_WEIGHT = 0.7  # a synonym's keyword evidence beside the question's own words
_MEASURE_WORDS = re.compile(r"施策|measure|基本方針")
# Staff asking about figures: indicators then outrank the programs they measure.
_INDICATOR_CUES = re.compile(
    r"指標|目標|実績|件数|何件|何人|何社|何法人|会員数|貸付件数|認定数|kpi|target|how many|figure|indicator|number of",
    re.IGNORECASE,
)
INDICATOR_BOOST = 1.6
DOCUMENT_ALIAS_SHARE = 0.8
_FUSED_PER_SIGNAL = 100  # ranks beyond this add less than 1/160 to a fused score


class IndexNotReady(RuntimeError):
    """No index version is live yet: run `navigator ingest` first."""


@dataclass
class Hit:
    record: Record
    score: float
    dense: float = 0.0
    keyword: float = 0.0
    alias: float = 0.0
    title: float = 0.0  # the question names the record's document by words of its title
    taught: bool = False  # staff taught this question's answer (bot/taught.py)


@dataclass
class SearchResult:
    hits: list[Hit]
    covered: bool
    version: int
    signals: dict[str, Any] = field(default_factory=dict)
    similarities: np.ndarray | None = None  # the question against every vector of the version
    query_tokens: tuple[str, ...] = ()
    scope: Any = None  # why a question that retrieval found words for is still not a business need
    dense: Any = None  # every record's similarity and keyword score (RecordScores),
    keyword: Any = None  # for reading a document beyond its top hits


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
        # Exact cosine over the version's vectors, held in memory: a matrix product, where a Chroma
        # query round trip costs ~15 ms per question (see docs/performance.md). Rows are sorted by
        # record so that each record's best view is one `maximum.reduceat`.
        metas = got["metadatas"]
        order = sorted(range(len(metas)), key=lambda i: (str(metas[i]["record_id"]), str(metas[i]["view"])))
        vectors = np.asarray(got["embeddings"], dtype=np.float32)[order]
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
        self.vectors = vectors
        owners = [str(metas[i]["record_id"]) for i in order]
        starts = [row for row, owner in enumerate(owners) if row == 0 or owners[row - 1] != owner]
        self.record_ids = [owners[row] for row in starts]
        self.record_starts = np.asarray(starts, dtype=np.intp)
        self.unit_rows: dict[str, list[int]] = {}
        self.heading_rows: dict[str, int] = {}
        for row, i in enumerate(order):
            view = str(metas[i]["view"])
            if view.startswith("u") and view[1:].isdigit():
                self.unit_rows.setdefault(owners[row], []).append(row)
            elif view == "head":
                self.heading_rows[owners[row]] = row
        for rows in self.unit_rows.values():
            rows.sort(key=lambda r: int(str(metas[order[r]]["view"])[1:]))
        # Unit vectors score quotes, not records: a bare sentence ("上限は80万円です") would make every
        # leaflet's limit look like the answer to any "上限は？"; the passage's main view has its context.
        self.retrieval_mask = np.ones(len(order), dtype=bool)
        for rows in self.unit_rows.values():
            self.retrieval_mask[rows] = False
        self.retrieval_mask[list(self.heading_rows.values())] = False
        self.positions = {rid: n for n, rid in enumerate(self.record_ids)}
        self.bm25 = BM25({rid: tokens.get(rid, []) for rid in self.record_ids})
        self._kind_masks: dict[frozenset[str], np.ndarray] = {}
        self._unit_tokens: dict[str, frozenset[str]] = {}
        self._normal_text: dict[str, str] = {}
        self.document_records: dict[str, list[str]] = {}
        for record in self.records.values():
            if record.kind in ("document", "passage"):
                self.document_records.setdefault(record.document_id, []).append(record.id)
        self.documents_of, self.programs_of = self._links()
        # Program sheets (front matter `programs`) are found with their programs, through the aliases
        # staff wrote; an uploaded document has none, and is found by its title and as a whole.
        self.sheets = frozenset(
            r.id for r in self.records.values() if r.kind == "document" and r.info.get("programs")
        )
        self.aliases = self._alias_table()
        self.titles = self._title_table()
        self.program_names = self._program_name_table()
        # Records no staff wrote owners' words for (an uploaded document's): synonyms stand in for them.
        self.unaliased = np.asarray(
            [
                self.records[rid].kind in ("document", "passage")
                and self.records[rid].document_id not in self.sheets
                for rid in self.record_ids
            ],
            dtype=np.float32,
        )
        self.readings = _reading_vocabulary(self.bm25.idf)
        self.has_uploads = bool(self.unaliased.any())
        if self.has_uploads:
            synonym_table()  # read once here (a fifth of a second), not in the first question's answer

    def unit_tokens(self, text: str) -> frozenset[str]:
        """A quotable unit's keyword tokens, tokenized once per index version (the corpus bounds it)."""
        tokens = self._unit_tokens.get(text)
        if tokens is None:
            tokens = self._unit_tokens[text] = frozenset(tokenize(text))
        return tokens

    def normal_text(self, text: str) -> str:
        """A unit's normalised text, computed once per index version: every question's quote reads
        the same units of a long 公募要領 again."""
        normal = self._normal_text.get(text)
        if normal is None:
            normal = self._normal_text[text] = normalize(text)
        return normal

    def kind_mask(self, kinds: frozenset[str]) -> np.ndarray:
        """Which records (in ``record_ids`` order) are of the given kinds; built once per set."""
        mask = self._kind_masks.get(kinds)
        if mask is None:
            mask = np.asarray([self.records[rid].kind in kinds for rid in self.record_ids], dtype=bool)
            self._kind_masks[kinds] = mask
        return mask

    def _links(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Plan programs ↔ the documents that detail them: a document's front matter (`programs`),
        a program's catalog entry (`documents`), or a program alias in the document's title."""
        documents_of: dict[str, list[str]] = {}
        programs_of: dict[str, list[str]] = {}

        def link(program: str, document: str) -> None:
            if program not in self.records or document not in self.records:
                return
            if document not in documents_of.setdefault(program, []):
                documents_of[program].append(document)
            if program not in programs_of.setdefault(document, []):
                programs_of[document].append(program)

        documents = [r for r in self.records.values() if r.kind == "document"]
        for document in documents:
            for program in document.info.get("programs") or []:
                link(str(program), document.id)
        for record_id in self.records:
            for document in self.knowledge.overlay(record_id).get("documents") or []:
                link(record_id, str(document))
        for document in documents:
            if document.info.get("programs"):
                continue  # a program sheet names its programs itself
            title = fold_kana(document.title).replace(" ", "")
            for record_id in self.records:
                if self.records[record_id].kind != "program":
                    continue
                aliases = self.knowledge.overlay(record_id).get("aliases") or []
                if any(len(str(a)) >= 3 and fold_kana(str(a)).replace(" ", "") in title for a in aliases):
                    link(record_id, document.id)
        return documents_of, programs_of

    def _title_table(self) -> dict[str, dict[str, tuple[float, tuple[str, ...]]]]:
        """Each piece of the documents' titles (character pairs, and triples of their reading) with
        its weight, how rare it is among the titles, and the documents whose title has it: owners
        name an uploaded document by words of its title (in kana too) as they name a program by its
        aliases."""
        titles = {
            rid: record.title
            for rid, record in sorted(self.records.items())
            if record.kind == "document" and rid not in self.sheets
        }
        unique = math.log(1 + (len(titles) - 0.5) / 1.5)
        tables: dict[str, dict[str, tuple[float, tuple[str, ...]]]] = {}
        for name, pieces in (("pairs", title_bigrams), ("sounds", sound_trigrams)):
            having: dict[str, list[str]] = {}
            for rid, title in titles.items():
                for piece in sorted(pieces(title)):
                    having.setdefault(piece, []).append(rid)
            tables[name] = {
                # an acronym is a whole word, where a pair is a piece of one
                piece: (
                    math.log(1 + (len(titles) - len(rids) + 0.5) / (len(rids) + 0.5))
                    / unique
                    * (ACRONYM_WEIGHT if piece.startswith("#") else 1.0),
                    tuple(rids),
                )
                for piece, rids in having.items()
            }
        return tables

    def _program_name_table(self) -> list[tuple[str, str, str]]:
        """(folded name, its reading, document id) for every name an uploaded document's program goes
        by (ingest.passages.document_names), and the name's core without 補助金 (持続化, IT導入)."""
        table = []
        for rid, record in sorted(self.records.items()):
            if record.kind != "document" or rid in self.sheets:
                continue
            for name in record.info.get("names", ()):
                core = _NAME_SUFFIX.sub("", name)
                for form in {name, core} if len(core) >= _MIN_NAME_CORE else {name}:
                    folded = fold_kana(form).replace(" ", "")
                    sound = reading(form) if is_japanese(form) else ""
                    table.append((folded, sound if len(sound) >= 4 else "", rid))
        return table

    def named_documents(self, question: Question) -> frozenset[str]:
        """Uploaded documents whose program the question names (ものづくり補助金, じぞくか, IT導入)."""
        if not self.program_names:
            return frozenset()
        folded = question.folded
        named = set()
        for name, name_sound, rid in self.program_names:
            written = name in folded or (name.isascii() and name.lower() in question.normal)
            if written or (name_sound and name_sound in question.reading):
                named.add(rid)
        return frozenset(named)

    def title_scores(self, question: Question) -> dict[str, float]:
        """Documents whose title shares rare character pairs with the question (or rare triples of
        its reading with the words the question spells in kana), by summed rarity."""
        asked = {
            "pairs": title_bigrams(question.text, normal=question.normal),
            "sounds": sound_trigrams(question.text, kana_only=True, normal=question.normal),
        }
        scores: dict[str, float] = {}
        for name, table in self.titles.items():
            for piece in asked[name]:
                weight, rids = table.get(piece, (0.0, ()))
                for rid in rids:
                    scores[rid] = scores.get(rid, 0.0) + weight
        return {rid: score for rid, score in scores.items() if score >= MIN_TITLE}

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

    def search(
        self, question: Question | str, limit: int = 20, index: LoadedIndex | None = None
    ) -> SearchResult:
        """Ranked records for a question, from ``index`` (the live version when not given): a caller
        that reads several things for one answer passes the version it holds, so nothing mixes."""
        question = Question.of(question)
        index = index or self.index()
        allowed = self._allowed_kinds(question)
        query_tokens = list(question.tokens)
        heard = [w for w in spelled_out(question, index.readings, index.bm25.idf) if w not in query_tokens]
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
            own_words + SYNONYM_WEIGHT * index.bm25.score_array(synonymous) * index.unaliased
            if synonymous
            else own_words,
        )
        alias = _with_documents(index, self._alias_scores(index, question), self.settings.min_alias_chars)

        titles = index.title_scores(question)
        fused: dict[str, float] = {}
        allowed_rows = index.kind_mask(frozenset(allowed))
        channels = (
            ("dense", dense.top(allowed_rows, _FUSED_PER_SIGNAL, positive=False)),
            ("keyword", keyword.top(allowed_rows, _FUSED_PER_SIGNAL, positive=True)),
            (
                "alias",
                # ties (a program's documents share its alias score) are broken by similarity
                heapq.nlargest(
                    _FUSED_PER_SIGNAL,
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
                fused[rid] = fused.get(rid, 0.0) + WEIGHTS[name] / (RRF_K + rank + 1)
            for document, rank in document_ranks.items():
                if document in index.sheets:
                    continue
                documents[document] = documents.get(document, 0.0) + WEIGHTS[name] / (RRF_K + rank + 1)
        _read_in_document(index, fused)
        _found_as_a_whole(index, fused, documents)
        _keep_named_programs(index, fused, index.named_documents(question), dense)
        if _INDICATOR_CUES.search(question.normal):
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
        for alias in index.aliases:
            if alias.english:
                hit = alias.text in lowered  # both padded with spaces: whole words only
            else:
                # `in` first: most aliases are absent, and it costs no Python call to find out.
                hit = (alias.text in folded and _whole_word(alias.text, folded, boundaries)) or bool(
                    alias.reading
                    and alias.reading in sound
                    and _whole_word(alias.reading, sound, sound_boundaries)
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
                shared[rid] = max(shared.get(rid, 0.0), score * DOCUMENT_ALIAS_SHARE)
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
        key=lambda rid: fused[rid] + DOCUMENT_CONTEXT_WEIGHT * fused.get(index.records[rid].document_id, 0.0),
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
        nearest = heapq.nlargest(_NAMED_PASSAGES, passages, key=lambda r: dense.get(r, 0.0))
        for rank, rid in enumerate(nearest):
            fused[rid] = max(fused.get(rid, 0.0), top * (1.0 + dense.get(rid, 0.0)) / (2.0 + rank))


def _best_per_record(index: LoadedIndex, similarities: np.ndarray) -> np.ndarray:
    """Each record's nearest view (in ``index.record_ids`` order): a question is as near a record as
    to its nearest view."""
    if not len(similarities):
        return np.zeros(0, dtype=np.float32)
    return np.maximum.reduceat(np.where(index.retrieval_mask, similarities, -1.0), index.record_starts)


class RecordScores:
    """One signal's score for every record, as an array in ``index.record_ids`` order: a corpus of
    thousands of passages is ranked with numpy, and records are looked up by id only where needed."""

    def __init__(self, index: LoadedIndex, values: np.ndarray) -> None:
        self.index = index
        self.values = values

    def get(self, record_id: str, default: float = 0.0) -> float:
        position = self.index.positions.get(record_id)
        return float(self.values[position]) if position is not None and len(self.values) else default

    def max(self) -> float:
        return float(self.values.max()) if len(self.values) else 0.0

    def top(self, rows: np.ndarray, limit: int, positive: bool) -> list[str]:
        """The ids of the ``limit`` best records among ``rows`` (only scores above 0 if ``positive``)."""
        if not len(self.values):
            return []
        keep = rows & (self.values > 0) if positive else rows
        candidates = np.flatnonzero(keep)
        if len(candidates) > limit:
            candidates = candidates[np.argpartition(-self.values[candidates], limit - 1)[:limit]]
        ordered = candidates[np.argsort(-self.values[candidates], kind="stable")]
        return [self.index.record_ids[i] for i in ordered]


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


_KANJI = re.compile(r"[\u3400-\u9fff]")
_KANA_RUN = re.compile(r"[\u3041-\u30ff]{3,}")


def _reading_vocabulary(vocabulary: dict[str, float]) -> dict[str, str]:
    """Katakana reading → indexed word, for words written in kanji whose reading is long enough
    (3+ kana) to be recognised inside a question spelled out in kana."""
    table: dict[str, str] = {}
    # Homophones (出店 and 出展 are both シュッテン): the commoner word (lower idf) is the one meant,
    # chosen the same way in every process whatever the order of the vocabulary.
    for word in sorted(vocabulary, key=lambda w: (vocabulary[w], w)):
        if _KANJI.search(word) and len(word) >= 2:
            sound = reading(word)
            if len(sound) >= 3 and sound not in table:
                table[sound] = word
    return table


def spelled_out(question: Question, readings: dict[str, str], vocabulary: dict[str, float]) -> list[str]:
    """Indexed words the question spells in kana or mis-converts (きょうさい → 共済, 有資 → 融資).

    Owners type hiragana or accept a wrong kanji; matching by reading finds the word they meant.
    Only runs when the question has kana runs or kanji: the reading of the whole question is searched.
    """
    if not (_KANA_RUN.search(question.text) or _KANJI.search(question.text)):
        return []
    sound, boundaries = question.reading, question.reading_bounds
    # A word the question writes in kanji and the index knows is meant as written: its homophone is
    # not "heard" beside it (出展補助 is not about 出店).
    written = {reading(t) for t in question.tokens if _KANJI.search(t) and t in vocabulary}
    return [
        word
        for spoken, word in readings.items()
        if spoken in sound and spoken not in written and _starts_word(spoken, sound, boundaries)
    ]


def _starts_word(spoken: str, sound: str, boundaries: frozenset[int]) -> bool:
    """A word is heard where a word of the question starts (イショウ is not heard in タイショウ); its end
    may fall inside one, since kana typed in one run are often read as a single long word."""
    start = sound.find(spoken)
    while start != -1:
        if start in boundaries:
            return True
        start = sound.find(spoken, start + 1)
    return False
