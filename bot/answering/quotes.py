"""The sentences that answer: which units of a passage an answer quotes.

A passage's units (sentences, list items, table rows with their header) are scored against the
question: the dense similarity of each unit's own vector (built at ingest), the question's keywords
found in it (weighted by rarity), and what kind of fact the question asks for. "上限は？" wants an
amount, "いつまで？" a date, "必要な書類は？" the list, "電話は？" a number; a unit that holds that
kind of fact is lifted. The best unit is quoted, with up to two more that score nearly as well.
"""

from __future__ import annotations

import heapq
import json
import math
import re
from pathlib import Path

import numpy as np

from bot.answering.asks import CONTACT, DATES, ELIGIBILITY, PAPERS
from bot.answering.index import Hit, LoadedIndex, SearchResult
from bot.answering.question import Question
from bot.answering.tuning import TUNING
from ingest.dates import find_dates, years
from ingest.records import Record
from ingest.textnorm import normalize

_ENGLISH_HEADING = re.compile(r"english|in english|英語", re.IGNORECASE)
_EVEN_IF = re.compile(
    r"でも|\beven (?:if|though|for|with)\b"
)  # 中古でも対象？: the owner suspects an exclusion
_EXCLUSION = re.compile(
    r"対象外|対象と(?:なりません|しない|ならない)|除く|除き|含みません|含まない|できません|認めません|限ります"
)
_PHONE_NUMBER = re.compile(r"(?<![\d-])0\d{1,4}[-‐－(（]\s*\d{1,4}")


def states_asked_terms(question: Question, texts: list[str]) -> bool:
    """Whether any of ``texts`` holds a term of the kind the question asks (an amount for いくら, a
    rate for 金利…)."""
    asks = [ask for ask in question.asks if ask.terms]
    return any(ask.fact.search(normalize(text)) for ask in asks for text in texts)


def best_passage(hit: Hit, result: SearchResult, index: LoadedIndex, question: Question) -> tuple[Hit, str]:
    """Among the passages of ``hit``'s document, the one holding the unit that most likely states
    what the question asks, and its quote: "上限は？" is answered by the 補助率と上限額 section even when
    the document's 目的 section ranked first, and "パソコンは対象？" by the list that names パソコン."""
    candidates = candidate_passages(hit, result, index, question)
    tables = unit_features(candidates, result, index, question)
    best = max(range(len(candidates)), key=lambda i: float(RANKER.likelihood(tables[i]).max()))
    return candidates[best], quote(candidates[best], result, index, question, tables[best])


def candidate_passages(hit: Hit, result: SearchResult, index: LoadedIndex, question: Question) -> list[Hit]:
    """The passages of ``hit``'s document a quote may come from: its nearest ``TUNING.quote_candidates``
    (an English question reads a document's English section, where it has one)."""
    found = {h.record.id: h for h in result.hits}
    candidates = [
        found.get(rid)
        or Hit(
            record=index.records[rid],
            score=0.0,
            dense=result.dense.get(rid, 0.0),
            keyword=result.keyword.get(rid, 0.0),
        )
        for rid in index.document_records.get(hit.record.document_id, [])
        if index.records[rid].kind == "passage"
    ] or [hit]
    if not question.japanese:
        in_english = [h for h in candidates if any(_ENGLISH_HEADING.match(p) for p in h.record.path)]
        candidates = in_english or candidates
    return heapq.nlargest(TUNING.quote_candidates, candidates, key=lambda h: h.dense)


FEATURES = (
    "hand_unit",  # the hand-weighted unit score (dense, keywords, asked fact) below
    "hand_passage",  # the passage's hand-weighted fit, minus the document's best
    "unit_dense",  # the unit's own similarity, minus the document's best unit's
    "passage_dense",  # the passage's similarity (headings and context), minus the best passage's
    "heading",  # the passage's heading (a FAQ's question) against the owner's question
    "own_words",  # share of the question's keyword weight found in the unit itself, not its headings
    "own_words_best",  # the same, minus the document's best unit's: the rare word that names the thing
    "asked_fact",  # the unit holds the kind of fact asked (an amount for いくら, a date for いつ)
    "lacks_terms",  # the question asks for a term (amount, rate, date, papers, count) the unit lacks
    "passage_facts",  # share of the passage's units holding the kind of fact asked (a table of limits)
    "filed",  # the passage's heading is where documents file the kind of fact asked
    "length",  # log of the unit's length: a short row or a long paragraph
    "row",  # a table row (label and value)
    "item",  # a list item
)


def unit_features(
    candidates: list[Hit], result: SearchResult, index: LoadedIndex, question: Question
) -> list[np.ndarray]:
    """For each candidate passage, one row of ``FEATURES`` per unit. Relative features compare a unit
    with the best of the document's candidates, so that one weight fits long and short documents."""
    asks = question.asks
    query = set(result.query_tokens)
    idf = index.bm25.idf
    total = sum(idf.get(t, 0.0) for t in query) or 1.0
    raw = []
    for h in candidates:
        record = h.record
        units = record.units or (record.text,)
        hand = _scores(h, result, index, question)
        dense = _unit_dense(h, result, index)
        normal = [index.normal_text(unit) for unit in units]
        holding = sum(1 for unit in normal if any(a.weight >= 1.0 and a.fact.search(unit) for a in asks))
        row = index.heading_rows.get(record.id)
        heading = (
            float(result.similarities[row]) if row is not None and result.similarities is not None else 0.0
        )
        filed = any(a.heading.search(index.normal_text(" ".join(record.path))) for a in asks)
        passage = (
            max(hand)
            + TUNING.passage_weight * h.dense
            + TUNING.heading_weight * heading
            + TUNING.rich * min(holding, 3)
            + TUNING.filed * filed
        )
        kinds = record.info.get("unit_kinds") or ["sentence"] * len(units)
        rows = []
        for n, unit in enumerate(units):
            own = sum(idf.get(t, 0.0) for t in query & index.unit_tokens(unit)) / total
            fact = sum(a.weight for a in asks if a.fact.search(normal[n]))
            lacks = any(a.terms for a in asks) and not any(a.terms and a.fact.search(normal[n]) for a in asks)
            kind = kinds[n] if n < len(kinds) else "sentence"
            rows.append(
                [hand[n], passage, dense[n], h.dense, heading, own, own, fact, float(lacks),
                 holding / len(units), float(filed), math.log1p(len(unit)), float(kind == "row"),
                 float(kind == "item")]
            )  # fmt: skip
        raw.append(np.asarray(rows, dtype=float))
    best = np.max(np.vstack(raw), axis=0)
    for table in raw:
        for column in ("hand_passage", "unit_dense", "passage_dense", "own_words_best"):
            k = FEATURES.index(column)
            table[:, k] -= best[k]
    return raw


def _unit_dense(hit: Hit, result: SearchResult, index: LoadedIndex) -> list[float]:
    """Each unit's own similarity to the question (a one-unit passage has no unit vector: its own)."""
    units = hit.record.units or (hit.record.text,)
    dense = [hit.dense] * len(units)
    rows = index.unit_rows.get(hit.record.id, [])
    if result.similarities is not None and rows:
        for n, value in enumerate(np.asarray(result.similarities)[rows].tolist()):
            dense[n] = float(value)
    return dense


class UnitRanker:
    """Logistic weights over ``FEATURES``, learned from the evaluation sets' tuned parts by
    eval/train_quote_ranker.py (the unit that states the asked fact is the positive)."""

    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path} was trained on other features; retrain it")
        self.weights = np.asarray(data["weights"], dtype=float)
        self.bias = float(data["bias"])

    def likelihood(self, features: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(features @ self.weights + self.bias)))


RANKER = UnitRanker(Path(__file__).with_name("quote_weights.json"))


def quote(
    hit: Hit, result: SearchResult, index: LoadedIndex, question: Question, features: np.ndarray | None = None
) -> str:
    """The one to three units of the hit's passage that best answer ``question``, verbatim, in order
    (``features``: its units' rows of ``unit_features``, when the caller has computed them)."""
    record = hit.record
    units = list(record.units)
    if not units:
        return ""
    if len(units) == 1:
        return _clip(_with_document_facts(units[0], record, index, question))
    if features is None:
        features = unit_features([hit], result, index, question)[0]
    if PAPERS in question.asks and _is_list(record):
        return _clip(
            _with_document_facts(
                _joined(units, range(len(units)), TUNING.max_list_chars), record, index, question
            )
        )
    # the likeliest unit leads; the units quoted beside it are those the hand score finds nearly as
    # good (the learned likelihood is too steep to say "nearly": it was trained to rank, one unit first)
    first = int(np.argmax(RANKER.likelihood(features)))
    hand = features[:, FEATURES.index("hand_unit")].tolist()
    best = max(hand)
    chosen = [first]
    rest = sorted((i for i in range(len(units)) if i != first), key=lambda i: -hand[i])
    for rank, i in enumerate(rest[: TUNING.max_quote_units - 1], 1):
        if best > 0 and hand[i] >= (TUNING.second if rank == 1 else TUNING.near) * best:
            chosen.append(i)
    leads = list_leads(record)
    # by priority (each unit followed by the sentence that introduces its list); what fits is quoted
    # in the document's order: a long best unit does not keep a short runner-up from being quoted
    priority = list(dict.fromkeys(j for i in chosen for j in (i, leads[i]) if j >= 0))
    text = _joined(units, _fitting(units, priority, TUNING.max_quote_chars), TUNING.max_quote_chars)
    return _clip(_with_document_facts(text, record, index, question))


def _with_document_facts(text: str, record: Record, index: LoadedIndex, question: Question) -> str:
    """ "Whom do I call?" and "until when?" are answered by the document as a whole: its own
    問い合わせ先 and its application period, quoted as it states them, when the passage lacks them."""
    document = index.records.get(record.document_id)
    if document is None:
        return text
    asks = question.asks
    contact = document.info.get("contact") or {}
    period = document.info.get("period") or {}
    if CONTACT in asks and contact.get("text") and not _PHONE_NUMBER.search(text):
        text = contact["text"]
    if DATES in asks and period.get("text") and period["text"] not in text:
        text = f"{period['text']} {text}".strip()
    return text


def list_leads(record: Record) -> list[int]:
    """For each unit, the sentence that introduces the list it is an item or a row of (-1: none):
    the last sentence before the run of items, or, for short items without 。 (ア 中古品の購入費),
    the unit just before them that ends like an introduction (…補助対象外とします。 / …次のとおり：)."""
    kinds = record.info.get("unit_kinds") or ["sentence"] * len(record.units)
    leads: list[int] = []
    sentence = intro = -1
    for n, (kind, unit) in enumerate(zip(kinds, record.units, strict=False)):
        if kind == "sentence":
            leads.append(-1)
            sentence = intro = n
            continue
        short = not unit.endswith("。")
        leads.append(intro if short else sentence)
        if not short:
            intro = n  # "(2) 次に掲げる経費は、補助対象外とします。" introduces the ア… below it
    return leads


def _is_list(record: Record) -> bool:
    kinds = record.info.get("unit_kinds") or []
    return sum(1 for k in kinds if k == "item") >= 2


def _fitting(units: list[str], priority: list[int], limit: int) -> list[int]:
    """The units taken in order of priority while they fit in ``limit`` characters, in document order."""
    taken: list[int] = []
    size = 0
    for i in priority:
        if taken and size + len(units[i]) + 1 > limit:
            continue
        taken.append(i)
        size += len(units[i]) + 1
    return sorted(taken)


def _joined(units: list[str], chosen: range | list[int], limit: int) -> str:
    text = ""
    for i in chosen:
        if text and len(text) + len(units[i]) > limit:
            break
        text = f"{text} {units[i]}".strip()
    return text


def _scores(hit: Hit, result: SearchResult, index: LoadedIndex, question: Question) -> list[float]:
    record = hit.record
    units = record.units or (record.text,)
    dense = _unit_dense(hit, result, index)
    heading = index.heading_rows.get(record.id)
    if result.similarities is not None and heading is not None:
        # a unit is read under its heading: a FAQ's "対象になります。" answers what its question asks
        under = float(result.similarities[heading])
        dense = [max(d, TUNING.under_heading * under) for d in dense]
    asks = question.asks
    query = set(result.query_tokens)
    idf = index.bm25.idf
    total = sum(idf.get(t, 0.0) for t in query) or 1.0
    leads = list_leads(record)
    # A unit is read in its context: the document's title and the passage's headings name what every
    # sentence under them is about ("上限5万円です" under 夜市出店応援金 › 支給額), so their words
    # count for each unit alike, and the asked fact then decides among the passages.
    context = index.unit_tokens(" ".join((record.document, *record.path)))
    asked_years = question.years
    even_if = ELIGIBILITY in asks and bool(_EVEN_IF.search(question.normal))
    scores = []
    for n, unit in enumerate(units):
        # an item is read with the sentence that introduces its list ("次の経費は対象外です" + "中古品")
        read = index.normal_text(f"{units[leads[n]]} {unit}" if leads[n] >= 0 else unit)
        tokens = (
            index.unit_tokens(units[n])
            | context
            | (index.unit_tokens(units[leads[n]]) if leads[n] >= 0 else frozenset())
        )
        keyword = sum(idf.get(t, 0.0) for t in query & tokens) / total
        fact = sum(ask.weight for ask in asks if ask.fact.search(read))
        if DATES in asks and find_dates(unit):
            fact += 0.5
        if asked_years and asked_years & years(unit):
            fact += 1.0  # "from July 2026", "2021年の支援金": the figures of the year asked about
        if even_if and _EXCLUSION.search(read) and query & (index.unit_tokens(unit) - context):
            fact += 1.0  # "中古でも対象？": the exclusion that names what the owner asks about decides
        scores.append(dense[n] + 0.6 * keyword + TUNING.fact_weight * fact)
    return scores


def _clip(text: str) -> str:
    return text if len(text) <= TUNING.max_list_chars + 40 else text[: TUNING.max_list_chars + 40] + "…"
