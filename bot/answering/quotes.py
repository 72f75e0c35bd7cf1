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
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.answering.retrieve import Hit, LoadedIndex, SearchResult
from ingest.dates import find_dates, years
from ingest.records import Record
from ingest.textnorm import is_japanese, normalize

MAX_QUOTE_UNITS = 3
# A 公募要領 has two hundred passages; the quote reads the nearest 24 (by the passage's similarity).
# Measured on the sets' tuned parts: the unit the ranker picks is the same from 24 as from all of them
# (8 lost 2 questions of 145), and a question's quote costs a tenth.
QUOTE_CANDIDATES = 24
MAX_QUOTE_CHARS = 240
_NEAR = 0.75  # a third unit is quoted when it scores at least this share of the best
_SECOND = 0.6  # the runner-up is quoted unless it is far behind: facts sit in pairs
_PASSAGE_WEIGHT = (
    0.5  # how much the passage's own similarity (heading and context) counts beside its best unit
)


@dataclass(frozen=True)
class _Ask:
    """A kind of fact a question asks for: the question's cue, what a unit holding it looks like,
    and the headings documents file it under (補助率及び上限額, 申請期間, 必要書類…)."""

    cue: re.Pattern[str]
    fact: re.Pattern[str]
    heading: re.Pattern[str]
    weight: float = 1.0  # how telling a unit's holding this kind of fact is
    terms: bool = False  # a term a document states (amount, rate, date, papers, count), never the plan


def _stated_length(cue: str, unit: str, english: str) -> _Ask:
    """A length of time the owner states (開業して6年目): the condition that bounds it, in the same
    unit (創業から5年を経過していない者), lifts the unit that says it."""
    return _Ask(
        re.compile(rf"[0-9０-９一二三四五六七八九十]+\s*{cue}|\d+\s*{english}\b"),
        re.compile(
            rf"[0-9０-９]+\s*{unit}(?:以上|未満|以内|以下|を経過|を超|経過|たって|以前)|"
            rf"\b(?:at least|less than|within|more than|under|over)\s+\d+\s*{english}\b",
            re.IGNORECASE,
        ),
        re.compile(r"対象|要件|資格|定義"),
    )


_ASKS = (
    _Ask(  # amounts and limits
        re.compile(
            r"いくら|上限|限度|金額|補助額|助成額|最大|最高|何円|何万|how much|maximum|max\b|limit|amount|up to"
        ),
        re.compile(
            r"[0-9０-９,，]+\s*(?:万|千|億)?円|円まで|\d[\d,.]*\s*(?:million\s+|thousand\s+)?yen|¥\s*\d|無料|free of charge|\bfree\b",
            re.IGNORECASE,
        ),
        re.compile(r"額|上限|限度|補助率|内容"),  # 支給額, 交付額, 貸付限度額, 補助率及び上限額…
        terms=True,
    ),
    _Ask(  # rates
        re.compile(
            r"補助率|助成率|利率|金利|利息|何割|何分の|何パーセント|何%|rate|interest(?! subsid)|percent|ratio|share"
        ),
        re.compile(
            r"[0-9０-９.]+\s*[%％]|分の|割|利率|金利|補助率|助成率|percent|\b(?:half|two.thirds|a third)\b",
            re.IGNORECASE,
        ),
        re.compile(r"補助率|助成率|利率|金利|上限|内容"),
        terms=True,
    ),
    _Ask(  # dates, periods, deadlines
        re.compile(
            r"いつ|期間|期限|締切|締め切り|〆切|何日|何月|開始|始まる|受付|受け付け|間に合|今から|まだ|"
            r"when|deadline|until|period|still open|open for|start|close"
        ),
        re.compile(
            r"[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日|[0-9０-９]{1,2}\s*月(?:頃|ごろ|上旬|中旬|下旬|末)|"
            r"[0-9]{4}[/.][0-9]{1,2}[/.][0-9]{1,2}|期間|期限|まで|前|以内|"
            r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\b|"
            r"\b(?:until|deadline|due)\b",
            re.IGNORECASE,
        ),
        re.compile(r"期間|期限|締切|日程|スケジュール|申請方法|手続"),
        terms=True,
    ),
    _Ask(  # papers to submit
        re.compile(
            r"書類|必要なもの|何が(?:要|い|必要)|なにが(?:要|い|必要)|提出|添付|持って|持たせ|持参|そろえ|揃え|"
            r"documents?|papers?|submit|attach|need to bring"
        ),
        re.compile(
            r"書|証明|写し|申請書|計画書|見積|登記|納税|決算|図面|カタログ|パンフレット|写真|"
            r"\b(?:form|certificate|copy|copies|plan|statement|letter|proxy|seal|quotation|receipt)s?\b",
            re.IGNORECASE,
        ),
        re.compile(r"書類|提出|添付|申請方法"),
        terms=True,
    ),
    _Ask(  # whom to call
        re.compile(r"電話|問い?合わ?せ|問合せ|連絡先|窓口|担当|どこに|phone|call|contact|who"),
        re.compile(
            r"(?<![\d-])0\d{1,4}[-‐－(（]\s*\d{1,4}|電話|TEL|窓口|課|係|\b(?:extension|ext|phone|tel|desk|division|section|office)\b",
            re.IGNORECASE,
        ),
        re.compile(r"問い?合わ?せ|問合せ|窓口|連絡先|申請先|担当"),
    ),
    _Ask(  # a number to ring or fax: the line that gives one answers, not the one about the topic
        re.compile(r"電話|番号|内線|ファクス|ファックス|fax|phone|call|ring|number|extension", re.IGNORECASE),
        re.compile(
            r"(?<![\d-])0\d{1,4}[-‐－(（]\s*\d{1,4}[-‐－)）]\s*\d{3,4}|[(（]\d{1,4}[)）]\s*\d{3,4}|内線\s*\d|"
            r"\b(?:extension|ext\.?)\s*\d",
            re.IGNORECASE,
        ),
        re.compile(r"問い?合わ?せ|問合せ|連絡先|窓口|contact", re.IGNORECASE),
        2.0,
    ),
    _Ask(  # when the money comes: the line on payment, not the application window
        re.compile(
            r"(?:お金|補助金|助成金|交付金|支援金)(?:は|って)?いつ|いつ(?:入る|入って|振り?込|もらえ|支払|払われ|交付)|"
            r"入金|振り?込まれ|支払われ|when (?:will|do) (?:i|we) (?:get|receive)|paid"
        ),
        re.compile(
            r"交付され|交付します|振込|振り込|支払|入金|\b(?:paid|payment|transferred)\b", re.IGNORECASE
        ),
        re.compile(r"交付|支払|請求|入金"),
        terms=True,
    ),
    _Ask(  # the first step: whom to see first, in what order
        re.compile(
            r"最初|まず(?:は|何|どこ)|初めに|はじめに|手順|流れ|順番|first|where do i start|what steps"
        ),
        re.compile(r"まず|最初|はじめに|初めに|その後|次に|\b(?:first|then|after that)\b", re.IGNORECASE),
        re.compile(r"申込|申し込み|申請方法|手続|流れ|窓口"),
    ),
    _Ask(  # counts and durations
        re.compile(
            r"何(?:ヶ|か|カ|ケ|箇)月|何年|何回|何日間|何人|何件|何社|何個|何度|how many|how long|how often"
        ),
        re.compile(
            r"[0-9０-９]+\s*(?:か月|ヶ月|カ月|ケ月|箇月|年|回|日|人|件|社|個|度)|"
            r"\b\d+\s+(?:[a-z]+\s+)?(?:years?|months?|times|days|people|employees|staff|workers|companies)\b",
            re.IGNORECASE,
        ),
        re.compile(r"期間|回数|内容|上限"),
        terms=True,
    ),
    _Ask(  # sizes: floor area, premises
        re.compile(r"広さ|面積|何平米|何㎡|何坪|how big|how large|floor area|square met|size of"),
        re.compile(
            r"[0-9０-９.,]+\s*(?:㎡|m2|m²|平方メートル|平米|坪)|\bsquare met(?:re|er)s?\b", re.IGNORECASE
        ),
        re.compile(r"面積|広さ|要件|対象"),
        terms=True,
    ),
    _stated_length(r"年(?!度)|年目|半年", "年", "years?"),  # 開業して6年目, まだ半年
    _stated_length(
        r"(?:か月|ヶ月|カ月|ケ月)|半年", "(?:か月|ヶ月|カ月|ケ月|箇月)", "months?"
    ),  # 3か月空いている
    _Ask(  # an amount the owner states (15万円くらいの工事): the floor or cap it is measured against
        re.compile(r"[0-9０-９,]+\s*(?:万|千|億)?円|\d[\d,]*\s*yen"),
        re.compile(
            r"[0-9０-９,]+\s*(?:万|千|億)?円(?:以上|未満|以下|を超|超)|\b(?:at least|less than|under|over)\s+[\d,]+",
            re.IGNORECASE,
        ),
        re.compile(r"対象|要件|補助|経費"),
    ),
    _Ask(  # eligibility and exclusions
        re.compile(
            r"対象|使える|使えます|もらえ|受けられ|出る|出ます|出して|中古|リース|個人事業|できる|できます|"
            r"てもいい|ても大丈夫|でもいい|eligible|qualify|used|lease|covered"
        ),
        re.compile(r"対象|限ります|除く|なりません|できません|しない|不可|含みます|要件|者"),
        re.compile(r"対象|要件|資格|対象外|ならない|除"),
        0.3,  # nearly every sentence of a 募集要項 says who or what is 対象
    ),
)


_ENGLISH_HEADING = re.compile(r"english|in english|英語", re.IGNORECASE)
_DATES, _PAPERS, _CONTACT, _ELIGIBILITY = _ASKS[2], _ASKS[3], _ASKS[4], _ASKS[-1]
_EVEN_IF = re.compile(
    r"でも|\beven (?:if|though|for|with)\b"
)  # 中古でも対象？: the owner suspects an exclusion
_EXCLUSION = re.compile(
    r"対象外|対象と(?:なりません|しない|ならない)|除く|除き|含みません|含まない|できません|認めません|限ります"
)
MAX_LIST_CHARS = 320  # "何が必要？" is answered by the whole list of papers
UNDER_HEADING = 0.8  # a unit is at least this near the question as its heading is
_HEADING_WEIGHT = 0.5  # a FAQ's question or a section's heading against the owner's question
_RICH = 0.1  # per unit (up to 3) holding the kind of fact asked: a table of limits, a list of papers
_FILED = 0.2  # the passage's heading is where documents file the kind of fact asked
_FACT_WEIGHT = 0.35  # a unit holding the kind of fact asked (0.5 and 0.7 measured worse on both sets)
_PHONE_NUMBER = re.compile(r"(?<![\d-])0\d{1,4}[-‐－(（]\s*\d{1,4}")


def asks_terms(question: str) -> bool:
    """Whether the question asks for terms a document states: an amount, a rate, a date, papers, a count."""
    return any(ask.terms for ask in asked_facts(question))


def states_asked_terms(question: str, texts: list[str]) -> bool:
    """Whether any of ``texts`` holds a term of the kind the question asks (an amount for いくら, a
    rate for 金利…)."""
    asks = [ask for ask in asked_facts(question) if ask.terms]
    return any(ask.fact.search(normalize(text)) for ask in asks for text in texts)


def asked_facts(question: str) -> list[_Ask]:
    text = normalize(question)
    return [ask for ask in _ASKS if any(_whole(match, text) for match in ask.cue.finditer(text))]


def _whole(match: re.Match[str], text: str) -> bool:
    """A cue in Latin letters is a whole word ("ratio" is not asked in "corporation"); a Japanese cue
    is wherever it stands."""
    start, end = match.span()
    first = match.group(0)[:1]
    if not (first.isascii() and first.isalpha()):
        return True
    return not (start > 0 and text[start - 1].isalpha() and text[start - 1].isascii()) and not (
        end < len(text) and text[end].isalpha() and text[end].isascii()
    )


def best_passage(hit: Hit, result: SearchResult, index: LoadedIndex, question: str) -> tuple[Hit, str]:
    """Among the passages of ``hit``'s document, the one holding the unit that most likely states
    what the question asks, and its quote: "上限は？" is answered by the 補助率と上限額 section even when
    the document's 目的 section ranked first, and "パソコンは対象？" by the list that names パソコン."""
    candidates = candidate_passages(hit, result, index, question)
    tables = unit_features(candidates, result, index, question)
    best = max(range(len(candidates)), key=lambda i: float(RANKER.likelihood(tables[i]).max()))
    return candidates[best], quote(candidates[best], result, index, question, tables[best])


def candidate_passages(hit: Hit, result: SearchResult, index: LoadedIndex, question: str) -> list[Hit]:
    """The passages of ``hit``'s document a quote may come from: its nearest ``QUOTE_CANDIDATES``
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
    if not is_japanese(question):
        in_english = [h for h in candidates if any(_ENGLISH_HEADING.match(p) for p in h.record.path)]
        candidates = in_english or candidates
    return heapq.nlargest(QUOTE_CANDIDATES, candidates, key=lambda h: h.dense)


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
    candidates: list[Hit], result: SearchResult, index: LoadedIndex, question: str
) -> list[np.ndarray]:
    """For each candidate passage, one row of ``FEATURES`` per unit. Relative features compare a unit
    with the best of the document's candidates, so that one weight fits long and short documents."""
    asks = asked_facts(question)
    query = set(result.query_tokens)
    idf = index.bm25.idf
    total = sum(idf.get(t, 0.0) for t in query) or 1.0
    raw = []
    for h in candidates:
        record = h.record
        units = record.units or (record.text,)
        hand = _scores(h, result, index, question, asks)
        dense = _unit_dense(h, result, index)
        normal = [index.normal_text(unit) for unit in units]
        holding = sum(1 for unit in normal if any(a.weight >= 1.0 and a.fact.search(unit) for a in asks))
        row = index.heading_rows.get(record.id)
        heading = (
            float(result.similarities[row]) if row is not None and result.similarities is not None else 0.0
        )
        filed = any(a.heading.search(normalize(" ".join(record.path))) for a in asks)
        passage = (
            max(hand)
            + _PASSAGE_WEIGHT * h.dense
            + _HEADING_WEIGHT * heading
            + _RICH * min(holding, 3)
            + _FILED * filed
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
    hit: Hit, result: SearchResult, index: LoadedIndex, question: str, features: np.ndarray | None = None
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
    if _PAPERS in asked_facts(question) and _is_list(record):
        return _clip(
            _with_document_facts(_joined(units, range(len(units)), MAX_LIST_CHARS), record, index, question)
        )
    # the likeliest unit leads; the units quoted beside it are those the hand score finds nearly as
    # good (the learned likelihood is too steep to say "nearly": it was trained to rank, one unit first)
    first = int(np.argmax(RANKER.likelihood(features)))
    hand = features[:, FEATURES.index("hand_unit")].tolist()
    best = max(hand)
    chosen = [first]
    rest = sorted((i for i in range(len(units)) if i != first), key=lambda i: -hand[i])
    for rank, i in enumerate(rest[: MAX_QUOTE_UNITS - 1], 1):
        if best > 0 and hand[i] >= (_SECOND if rank == 1 else _NEAR) * best:
            chosen.append(i)
    leads = list_leads(record)
    # by priority (each unit followed by the sentence that introduces its list); what fits is quoted
    # in the document's order: a long best unit does not keep a short runner-up from being quoted
    priority = list(dict.fromkeys(j for i in chosen for j in (i, leads[i]) if j >= 0))
    text = _joined(units, _fitting(units, priority, MAX_QUOTE_CHARS), MAX_QUOTE_CHARS)
    return _clip(_with_document_facts(text, record, index, question))


def _with_document_facts(text: str, record: Record, index: LoadedIndex, question: str) -> str:
    """ "Whom do I call?" and "until when?" are answered by the document as a whole: its own
    問い合わせ先 and its application period, quoted as it states them, when the passage lacks them."""
    document = index.records.get(record.document_id)
    if document is None:
        return text
    asks = asked_facts(question)
    contact = document.info.get("contact") or {}
    period = document.info.get("period") or {}
    if _CONTACT in asks and contact.get("text") and not _PHONE_NUMBER.search(text):
        text = contact["text"]
    if _DATES in asks and period.get("text") and period["text"] not in text:
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


def _scores(
    hit: Hit, result: SearchResult, index: LoadedIndex, question: str, asks: list[_Ask] | None = None
) -> list[float]:
    record = hit.record
    units = record.units or (record.text,)
    dense = _unit_dense(hit, result, index)
    heading = index.heading_rows.get(record.id)
    if result.similarities is not None and heading is not None:
        # a unit is read under its heading: a FAQ's "対象になります。" answers what its question asks
        under = float(result.similarities[heading])
        dense = [max(d, UNDER_HEADING * under) for d in dense]
    asks = asked_facts(question) if asks is None else asks
    query = set(result.query_tokens)
    idf = index.bm25.idf
    total = sum(idf.get(t, 0.0) for t in query) or 1.0
    leads = list_leads(record)
    # A unit is read in its context: the document's title and the passage's headings name what every
    # sentence under them is about ("上限5万円です" under 夜市出店応援金 › 支給額), so their words
    # count for each unit alike, and the asked fact then decides among the passages.
    context = index.unit_tokens(" ".join((record.document, *record.path)))
    asked_years = years(question)
    even_if = _ELIGIBILITY in asks and bool(_EVEN_IF.search(normalize(question)))
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
        if _DATES in asks and find_dates(unit):
            fact += 0.5
        if asked_years and asked_years & years(unit):
            fact += 1.0  # "from July 2026", "2021年の支援金": the figures of the year asked about
        if even_if and _EXCLUSION.search(read) and query & (index.unit_tokens(unit) - context):
            fact += 1.0  # "中古でも対象？": the exclusion that names what the owner asks about decides
        scores.append(dense[n] + 0.6 * keyword + _FACT_WEIGHT * fact)
    return scores


def _clip(text: str) -> str:
    return text if len(text) <= MAX_LIST_CHARS + 40 else text[: MAX_LIST_CHARS + 40] + "…"
