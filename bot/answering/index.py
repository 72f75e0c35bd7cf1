"""One index version held in memory, and what a search returns: the records, the version's vectors
(rows sorted by record, so each record's best view is one ``maximum.reduceat``), BM25, the alias,
title and program-name tables, and the units' tokens and normal text computed once per version.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot.answering.keyword import BM25
from bot.answering.question import Question
from bot.answering.tuning import TUNING
from ingest.index_store import IndexStore
from ingest.knowledge import Knowledge
from ingest.records import Record
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

_NAME_SUFFIX = re.compile(r"(?:補助金|助成金|給付金|支援金|奨励金|交付金|融資|制度)$")


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


class FirstPairs:
    """Which of many keys (each of 2+ characters) may occur in a text: those whose first two
    characters occur in it. Testing every key with ``in`` cost each question a pass over every alias
    and every word's reading (thousands); this looks up the text's character pairs instead."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._by_pair: dict[str, list[int]] = {}
        for n, key in enumerate(keys):
            if len(key) < 2:
                raise ValueError(f"a key of 2+ characters is needed: {key!r}")
            self._by_pair.setdefault(key[:2], []).append(n)

    def candidates(self, text: str) -> list[int]:
        """The keys' positions, in the order given, of those that may occur in ``text``."""
        found: set[int] = set()
        for i in range(len(text) - 1):
            found.update(self._by_pair.get(text[i : i + 2], ()))
        return sorted(found)


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
        self.japanese_aliases = [a for a in self.aliases if not a.english]
        self.english_aliases = [a for a in self.aliases if a.english]
        self.alias_texts = FirstPairs(a.text for a in self.japanese_aliases)
        self.alias_readings = FirstPairs(a.reading or "\0\0" for a in self.japanese_aliases)
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
        self.reading_items = list(self.readings.items())
        self.reading_pairs = FirstPairs(spoken for spoken, _ in self.reading_items)
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
                    * (TUNING.acronym_weight if piece.startswith("#") else 1.0),
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
                for form in {name, core} if len(core) >= TUNING.min_name_core else {name}:
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
        return {rid: score for rid, score in scores.items() if score >= TUNING.min_title}

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


KANJI = re.compile(r"[\u3400-\u9fff]")


def _reading_vocabulary(vocabulary: dict[str, float]) -> dict[str, str]:
    """Katakana reading → indexed word, for words written in kanji whose reading is long enough
    (3+ kana) to be recognised inside a question spelled out in kana."""
    table: dict[str, str] = {}
    # Homophones (出店 and 出展 are both シュッテン): the commoner word (lower idf) is the one meant,
    # chosen the same way in every process whatever the order of the vocabulary.
    for word in sorted(vocabulary, key=lambda w: (vocabulary[w], w)):
        if KANJI.search(word) and len(word) >= 2:
            sound = reading(word)
            if len(sound) >= 3 and sound not in table:
                table[sound] = word
    return table
