"""The extractive answer composer: no LLM, every sentence is built from knowledge-base fields.

Programs are named with the plan's own title and 事業内容 (or the catalog's English title and summary),
indicators with their exact figures, documents' passages by the sentences that answer (quoted
verbatim), contacts with the fields contacts.yaml or the document's own 問い合わせ先 has, and an
application period that has ended or not yet opened is said to be so. Anything the knowledge base
does not hold is not said.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.answering.asks import DATES
from bot.answering.contacts import contact_card, contacts_for, fallback_contacts
from bot.answering.eligibility import Assessment
from bot.answering.index import Hit, LoadedIndex, SearchResult
from bot.answering.question import Question
from bot.answering.quotes import states_asked_terms
from bot.answering.reply import Citation, Contact, Eligibility, Reply, Section, Verdict
from bot.answering.scope import OutOfScope
from bot.answering.scope_desks import declined_text
from bot.answering.tuning import TUNING
from bot.answering.verdict import decide, gives, next_step, studying
from ingest.dates import find_dates, ja_date, period_status
from ingest.dates import today as japan_today
from ingest.knowledge import Knowledge
from ingest.records import Record
from ingest.textnorm import normalize

UNITS_EN = {"件": "cases", "人": "people", "法人": "corporations", "社": "companies"}
FISCAL_EN = {"令和6年度": "FY2024 (Reiwa 6)", "令和11年度": "FY2029 (Reiwa 11)"}
PLAN_NAME = {"ja": "藤沢市の中小企業支援の計画", "en": "Fujisawa's SME support plan"}
_DOCUMENT_KINDS = frozenset({"document", "passage"})


def pick_hits(
    result: SearchResult,
    top_k: int,
    wants_fact: bool = False,
    index: LoadedIndex | None = None,
    asked: str | None = None,
) -> list[Hit]:
    """The best hit and the others close enough to it to be worth naming.

    A plan program and a document that details it (a program sheet, a 募集要項; links in ``index``)
    are named together, the program first and the document's best passage second: the program says
    what the help is, the passage gives the amount or the window. Otherwise a document's passage among the first five
    that is nearer the question than the top record by both similarity and keywords is named first
    (the plan's line is the broader answer); when the question asks for a fact (``wants_fact``: an
    amount, a rate, a date, papers, a desk), which the plan never states, one signal suffices.
    When the owner asks for a form of help by name (``asked``: verdict.asked_kind) that the first
    plan program does not give, a program close behind it that gives it is named first: a clerk
    asked "can I borrow?" starts with the loan.
    A taught question (bot/taught.py) is answered by the records staff taught, and those only."""
    if not result.hits:
        return []
    taught = [h for h in result.hits if h.taught]
    if taught:  # staff chose the answer: their records, in their order
        return taught[:top_k]
    top = _asked_form_first(_most_specific(result.hits), result.hits, asked)
    detail: Hit | None = None
    if top.record.kind == "passage" and index is not None:
        top, detail = _program_first(top, result, index)
    elif top.record.kind not in _DOCUMENT_KINDS:
        linked = set(index.documents_of.get(top.record.id, [])) if index is not None else set()
        detail = next(
            (
                h
                for h in result.hits[: TUNING.program_reach]
                if h.record.kind == "passage" and h.record.document_id in linked
            ),
            None,
        )
        passage = next(
            (
                h
                for h in result.hits[:5]
                if h.record.kind == "passage"
                and (h.dense >= top.dense or h.keyword >= top.keyword)
                and (wants_fact or (h.dense >= top.dense and h.keyword >= top.keyword))
            ),
            None,
        )
        if detail is None and passage is not None:
            top, detail = _program_first(passage, result, index) if index else (passage, None)
    related: Hit | None = None
    if top.record.kind not in _DOCUMENT_KINDS:
        # a document the plan does not link, nearer the question than the plan's line by one signal:
        # it may state what the plan only names. It is named last, after the plan's own programs.
        related = next(
            (
                h
                for h in result.hits[: TUNING.program_reach]
                if h.record.kind == "passage"
                and (detail is None or h.record.document_id != detail.record.document_id)
                and h.score >= TUNING.document_cutoff
                and (
                    h.dense >= top.dense + TUNING.document_margin
                    or h.keyword >= (1 + TUNING.document_margin) * top.keyword
                    or h.title > 0  # the owner named the document
                    or h.score >= TUNING.close_document  # as near as the plan's line by the fused score
                )
            ),
            None,
        )
    picked = [top] + ([detail] if detail is not None and top_k > 1 else [])
    room = top_k - (1 if related is not None else 0)
    for hit in result.hits:
        if len(picked) >= room:
            break
        if any(hit is p for p in picked) or _repeats_document(hit.record, [p.record for p in picked]):
            continue
        if hit.score >= TUNING.relative_cutoff and (
            _family(hit.record) == _family(top.record) or hit.alias > 0
        ):
            picked.append(hit)
    if related is not None and not _repeats_document(related.record, [p.record for p in picked]):
        picked.append(related)
    return picked


def _asked_form_first(top: Hit, hits: list[Hit], asked: str | None) -> Hit:
    """``top``, or the plan program among the next few programs that gives the asked form when
    ``top`` does not and the other scored close enough (``TUNING.asked_form_cutoff``)."""
    if not asked or top.record.kind != "program" or gives(top.record, asked):
        return top
    programs = [h for h in hits[: TUNING.program_reach] if h.record.kind == "program" and h is not top]
    return next(
        (
            h
            for h in programs[: TUNING.asked_form_reach]
            if h.score >= TUNING.asked_form_cutoff * top.score and gives(h.record, asked)
        ),
        top,
    )


def _program_first(passage: Hit, result: SearchResult, index: LoadedIndex) -> tuple[Hit, Hit | None]:
    """A passage first, or the plan program its document details first and the passage beside it:
    the plan's own program is not hidden by a document for the same need (another body's grant),
    when retrieval ranked it among the first ten."""
    linked = set(index.programs_of.get(passage.record.document_id, []))
    program = next((h for h in result.hits[: TUNING.program_reach] if h.record.id in linked), None)
    return (program, passage) if program is not None else (passage, None)


def _most_specific(hits: list[Hit]) -> Hit:
    """The top hit, or, when that is a whole document, its best passage if that scored nearly as
    well: the passage says the thing asked, the document record only what the document is for."""
    top = hits[0]
    if top.record.kind != "document":
        return top
    passages = [h for h in hits[1:] if h.record.kind == "passage" and h.record.document_id == top.record.id]
    return passages[0] if passages and passages[0].score >= TUNING.relative_cutoff else top


def _repeats_document(record: Record, picked: list[Record]) -> bool:
    """One document is named once: a second passage of it would pad the answer (the follow-up
    "もっと詳しく" shows the whole passage, and the document's contact is on the card)."""
    if record.kind not in _DOCUMENT_KINDS:
        return False
    return any(p.kind in _DOCUMENT_KINDS and p.document_id == record.document_id for p in picked)


def _family(record: Record) -> str:
    return "document" if record.kind in _DOCUMENT_KINDS else record.kind


def citation(n: int, hit: Hit, quote: str = "") -> dict[str, Any]:
    record = hit.record
    cited = {
        "n": n,
        "id": record.id,
        "kind": record.kind,
        "measure": record.measure,
        "title": record.title,
        "source": record.source,
        "location": record.location,
        "score": hit.score,
        "text": record.text,
    }
    if record.kind in _DOCUMENT_KINDS:
        cited.update({"document": record.document, "url": record.url, "quote": quote})
    return cited


def describe(record: Record, knowledge: Knowledge, language: str, quote: str = "") -> str:
    """One line of what a record offers, in the asker's language, from the knowledge base only."""
    overlay = knowledge.overlay(record.id)
    if record.kind == "passage":
        heading = f"（{record.title}）" if record.title != record.document else ""
        if language == "en":
            return f"“{record.document}”{heading}: 「{quote or record.text}」"
        return f"『{record.document}』{heading}: 「{quote or record.text}」"
    if record.kind == "document":
        return f"『{record.title}』: {_shorten(record.text, 120)}" if record.text else f"『{record.title}』"
    if record.kind == "indicator":
        return indicator_line(record, overlay, language)
    if record.kind == "section":
        return f"{record.title}: {_shorten(record.text, 120)}"
    # Programs in the owners' words (staff's one-liner faithful to the plan); the plan's own
    # 事業内容 stays in the citation. A program the plan only studies is marked as such.
    studying = overlay.get("stage") == "studying"
    if language == "en":
        title = overlay.get("title_en") or record.title
        words = overlay.get("plain_en") or overlay.get("summary_en") or record.text
        return f"{'(under study) ' if studying else ''}{title}: {words}"
    return f"{'【検討中】' if studying else ''}{record.title}: {overlay.get('plain') or record.text}"


def indicator_line(record: Record, overlay: dict[str, Any], language: str) -> str:
    if language == "en":
        unit = UNITS_EN.get(record.unit, record.unit)
        title = overlay.get("title_en") or record.title
        return (
            f"{title}: {record.baseline} {unit} in {FISCAL_EN.get(record.baseline_label, record.baseline_label)}, "
            f"target {record.target} {unit} for {FISCAL_EN.get(record.target_label, record.target_label)}"
        )
    return (
        f"{record.title}: {record.baseline_label} {record.baseline}{record.unit}、"
        f"{record.target_label}の目標 {record.target}{record.unit}"
    )


def _shorten(text: str, limit: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


def answered(
    hits: list[Hit],
    index: LoadedIndex,
    language: str,
    intro: str | None = None,
    quotes: dict[str, str] | None = None,
    today: date | None = None,
    question: Question | None = None,
    wants_fact: bool = False,
    assessments: list[Assessment] | None = None,
) -> Reply:
    """An answer naming ``hits``. The main text: the verdict for this owner (from the first record's
    one ``assessment`` against the owner's facts, its period and the kind of help asked), the deciding
    fact (the shortest quoted clause, or the program's line), at most one alternative when the verdict
    is not yes, and one next step. The details: every record in the owners' words (a passage by its
    quote: ``quotes``, else its first units), its notes, the eligibility note and the desks."""
    knowledge = index.knowledge
    records = [h.record for h in hits]
    numbers = {r.id: n for n, r in enumerate(records, 1)}
    quotes = {r.id: (quotes or {}).get(r.id) or first_units(r) for r in records if r.kind == "passage"}
    assessed = {a.record_id: a for a in assessments or []}
    fact_n, fact = _deciding_fact(records, knowledge, language, quotes, question)
    # the verdict judges what the deciding fact is about: a program, or the ended call its fact
    # quotes (「今から申し込める？」 of a 2020 fund is answered by that fund having closed); asked
    # when, the first named call whose period its labels give (the FAQ beside a 公募要領 has none)
    asks_when = question is not None and DATES in question.asks
    about = records[fact_n - 1]
    if asks_when:
        about = next((r for r in records if _period_line(r, index, language)), about)
    judged = records
    ended = _ended_on(records[0], index, today)
    if ended is None and about is not records[0] and (of_fact := _ended_on(about, index, today)) is not None:
        ended, judged = of_fact, [about, *(r for r in records if r is not about)]
    first = judged[0]
    alternative = _alternative(judged, assessed.get(first.id), ended, index, today)
    verdict = decide(
        question,
        judged,
        knowledge,
        language,
        assessment=assessed.get(first.id),
        ended=ended,
        alternative=alternative,
    )
    lines = [Section(part="verdict", text=verdict["text"])]
    if verdict["reason"] != "not_eligible":  # else the verdict says the deciding condition itself
        lines.append(Section(part="fact", text=fact))
    if ended is None and (upcoming := period_note(about, index, language, today)):
        lines.append(Section(part="note", text=upcoming))  # a call not yet open says when it opens
    elif ended is None and asks_when and (said := _period_line(about, index, language)):
        lines.append(Section(part="note", text=said))  # "いつまで？": the period as its labels give it
    if wants_fact and not any(r.kind in _DOCUMENT_KINDS for r in records):
        # What is not known stays unknown: no amount, date or paper is made up from the plan's line
        lines.append(
            Section(
                part="missing",
                text="金額・期間・必要書類などの詳しい条件は、このナビゲーターの情報にはありません。"
                if language == "ja"
                else "The detailed terms (amounts, dates, papers) are not in my information.",
            )
        )
    elif wants_fact and question is not None and not states_asked_terms(question, list(quotes.values())):
        # a guide is quoted, but none of its quoted lines holds the kind of term asked (マル経の金利)
        lines.append(
            Section(
                part="missing",
                text="お尋ねの点は、引いた案内の文には書かれていません。窓口でご確認ください。"
                if language == "ja"
                else "What you asked is not stated in the lines quoted; please check with the desk.",
            )
        )
    if alternative is not None and verdict["kind"] != "yes":
        title = _title_of(alternative, knowledge, language)
        n = numbers[alternative.id]
        lines.append(
            Section(
                part="alternative",
                text=f"代わりに「{title}」[{n}]があります。"
                if language == "ja"
                else f"Instead, there is “{title}” [{n}].",
            )
        )
    # the next step is the alternative's when the owner's facts exclude the first program
    stepped = (
        [alternative, *records]
        if alternative is not None and verdict["reason"] == "not_eligible"
        else records
    )
    step, first_contact, purpose = next_step(stepped, knowledge, index.records, language)
    if step:
        lines.append(Section(part="next_step", text=step))
    lines.append(Section(part="intro", text=intro or _intro(records, language), main=False))
    noted: set[str] = set()
    for n, hit in enumerate(hits, 1):
        described = describe(hit.record, knowledge, language, quotes.get(hit.record.id, ""))
        lines.append(Section(part="record", text=f"[{n}] {described}", main=False))
        once = hit.record.document_id or hit.record.id  # a document's notes are said once
        if once not in noted:
            notes = _notes(hit.record, index, language, today, quotes.get(hit.record.id, ""))
            lines.extend(Section(part="note", text=f"    {note}", main=False) for note in notes)
            noted.add(once)
    if assessments:
        lines.append(
            Section(
                part="eligibility", text=_eligibility_note(assessments, numbers, index, language), main=False
            )
        )
    cards = _first_contact_first(
        contacts_for(records, knowledge, index.records, language), first_contact, purpose
    )
    cards = _named(cards, "\n".join(s.text for s in lines if s.main), first_contact)
    if cards:
        names = (
            "、".join(c["name"] for c in cards)
            if language == "ja"
            else ", ".join(c["name_en"] or c["name"] for c in cards)
        )
        lines.append(
            Section(
                part="contacts",
                text=f"問い合わせ先: {names}" if language == "ja" else f"Contacts: {names}",
                main=False,
            )
        )
    eligibility = (
        [
            Eligibility(id=a.record_id, fits=a.fits, alternative=a.alternative, confirm_with=a.confirm_with)
            for a in assessments
        ]
        if assessments
        else None
    )
    return Reply.composed(
        lines,
        status="answered",
        language=language,
        verdict=Verdict(**verdict),
        eligibility=eligibility,
        citations=[Citation(**citation(n, h, quotes.get(h.record.id, ""))) for n, h in enumerate(hits, 1)],
        contacts=[Contact.model_validate(card) for card in cards],
        suggestions=follow_up_suggestions(records, knowledge, language),
    )


def _named(cards: list[dict[str, Any]], main: str, first: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The contact cards of the desks the main text names (the first contact first), at most
    ``TUNING.max_contact_cards``; the first card alone when the text names none."""
    named = [c for c in cards if c["name"] in main or (c.get("name_en") and c["name_en"] in main)]
    if first is not None and not any(c["id"] == first["id"] for c in named):
        named = [c for c in cards if c["id"] == first["id"]] + named
    return (named or cards[:1])[: TUNING.max_contact_cards]


def _eligibility_note(
    assessments: list[Assessment], numbers: dict[str, int], index: LoadedIndex, language: str
) -> str:
    heading = "【ご利用条件の目安】" if language == "ja" else "Eligibility, from what you told me:"
    lines = [heading]
    for assessment in assessments:
        line = f"[{numbers[assessment.record_id]}] {assessment.text}"
        if assessment.alternative in numbers:
            alt = _title_of(index.records[assessment.alternative], index.knowledge, language)
            line += (
                f" 代わりに{alt} [{numbers[assessment.alternative]}] をご検討ください。"
                if language == "ja"
                else f" Consider {alt} [{numbers[assessment.alternative]}] instead."
            )
        lines.append(line)
    return "\n".join(lines)


def _title_of(record: Record, knowledge: Knowledge, language: str) -> str:
    if record.kind in _DOCUMENT_KINDS:
        return record.document
    return knowledge_title(knowledge, record) if language == "en" else record.title


def _ended_on(record: Record, index: LoadedIndex, today: date | None) -> str | None:
    """The end date of the record's call when it has ended ("" when the date is unknown), else None.
    A program sheet's own front matter decides; a document's period is read from its labels."""
    if record.kind not in _DOCUMENT_KINDS:
        return "" if index.knowledge.overlay(record.id).get("status") == "ended" else None
    document = index.records.get(record.document_id)
    info = document.info if document else {}
    period = info.get("period") or {}
    if info.get("status") == "ended":
        return str(period.get("end") or "")
    if not info.get("sources") and period_status(period, japan_today(today)) == "ended":
        return str(period.get("end") or "")
    return None


def _alternative(
    records: list[Record],
    assessment: Assessment | None,
    ended: str | None,
    index: LoadedIndex,
    today: date | None,
) -> Record | None:
    """The one other record to offer when the first does not serve this owner: the catalog's
    alternative when the owner's facts exclude them, else the next named plan program that is
    current (not ended, not only studied) when the first has ended or is only studied."""
    if assessment is not None and assessment.fits is False:
        found = index.records.get(assessment.alternative or "")
        if found is not None and found.id in {r.id for r in records}:
            return found
        return None
    if ended is None and not studying(records[0], index.knowledge):
        return None
    for record in records[1:]:  # a plan program: another body's document may serve another aim
        if (
            record.kind == "program"
            and _ended_on(record, index, today) is None
            and not studying(record, index.knowledge)
        ):
            return record
    return None


def _deciding_fact(
    records: list[Record],
    knowledge: Knowledge,
    language: str,
    quotes: dict[str, str],
    question: Question | None,
) -> tuple[int, str]:
    """The deciding fact, for the main text, and the number of the record it is from: a passage's
    shortest quoted clause that holds the kind of fact asked (verbatim; the whole quote stays in the
    citation), a program's line in the owners' words, an indicator's figures. When a program comes
    first and the question asks for a term (an amount, a date) that the passage beside it states,
    that passage's clause is the fact."""
    record = records[0]
    if question is not None and question.asks_terms and record.kind not in _DOCUMENT_KINDS:
        for n, other in enumerate(records[1:2], 2):
            if other.kind == "passage" and states_asked_terms(question, [quotes.get(other.id, "")]):
                return n, _quoted(other, quotes, question, n)
    if record.kind == "passage":
        return 1, _quoted(record, quotes, question, 1)
    if record.kind in ("program", "measure"):
        overlay = knowledge.overlay(record.id)
        if language == "en":
            words = overlay.get("plain_en") or overlay.get("summary_en") or record.text
        else:
            words = overlay.get("plain") or record.text
        return 1, f"{words} [1]"  # staff's one sentence, whole
    return 1, f"{describe(record, knowledge, language)} [1]"


def _quoted(record: Record, quotes: dict[str, str], question: Question | None, n: int) -> str:
    """A passage's deciding clause, under its own heading when that is short (【15 収益納付】「…」):
    the heading names the rule the clause belongs to."""
    clause = deciding_clause(quotes.get(record.id, ""), question, record.units)
    heading = record.title.strip()
    if (
        heading
        and heading != record.document
        and len(heading) <= TUNING.heading_limit
        and heading not in clause
    ):
        return f"【{heading}】「{clause}」[{n}]"
    return f"「{clause}」[{n}]"


_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
_CLAUSE = re.compile(r"[^、。，,；;/]+(?:[、。，,；;]|\s/\s?)?")  # a clause, or a table row's cell


def deciding_clause(quote: str, question: Question | None, units: list[str] | None = None) -> str:
    """The shortest verbatim piece of ``quote`` that carries what was asked: the first of its units
    (sentences, list items, table rows: ``units``, else its sentences) that holds a term of the asked
    kind (else the first), cut to the clauses or cells around that term when it is longer than
    ``TUNING.fact_limit``. Never shortened by anything but whole clauses: it stays a quotation."""
    pieces = [u for u in units or [] if u and u in quote]
    if not pieces:
        pieces = [m.group(0).strip() for m in _SENTENCE.finditer(quote) if m.group(0).strip()]
    if not pieces:
        return quote

    def holds(text: str) -> bool:
        return question is not None and states_asked_terms(question, [text])

    # among the pieces holding the asked kind of term, the one sharing most of the question's words
    # (県外 picks the 県外 row of an amounts table); the first on a tie
    words = [t for t in (question.tokens if question is not None else ()) if len(t) >= 2]
    holding_all = [p for p in pieces if holds(p)] or pieces[:1]
    holding = max(holding_all, key=lambda p: sum(1 for w in words if w in normalize(p)))
    if len(holding) <= TUNING.fact_limit:
        return holding
    clauses = [m.group(0) for m in _CLAUSE.finditer(holding) if m.group(0)]
    at = next((n for n, c in enumerate(clauses) if holds(c)), 0)
    start, end = at, at + 1
    while end < len(clauses) and len("".join(clauses[start : end + 1])) <= TUNING.fact_limit:
        end += 1
    while start > 0 and len("".join(clauses[start - 1 : end])) <= TUNING.fact_limit:
        start -= 1
    return "".join(clauses[start:end]).strip(" /、，,；;")


def _first_contact_first(
    cards: list[dict[str, Any]], first: dict[str, Any] | None, purpose: str = ""
) -> list[dict[str, Any]]:
    """The desk that takes this request comes first. Opening hours are shown on that card only, and
    only when contacts.yaml says they are that desk's hours for this purpose (`hours_for`; none
    listed: its hours hold for every purpose): a consultation desk's hours are no help to an event's
    sign-up."""
    if first is None:
        for card in cards:
            card["hours"] = ""
        return cards
    ordered = sorted(cards, key=lambda c: c["id"] != first["id"])
    hours_for = first.get("hours_for") or []
    for n, card in enumerate(ordered):
        if n > 0 or card["id"] != first["id"] or (hours_for and purpose not in hours_for):
            card["hours"] = ""
    return ordered


def first_units(record: Record, limit: int = 3) -> str:
    """A passage's opening units, for an answer that has no question to pick sentences by."""
    return " ".join(record.units[:limit]) or record.text


def _period_line(record: Record, index: LoadedIndex, language: str) -> str:
    """A document's application period, read from its labels at ingest ("" when none is known)."""
    if record.kind not in _DOCUMENT_KINDS:
        return ""
    document = index.records.get(record.document_id)
    period = (document.info.get("period") if document else None) or {}
    start, end = period.get("start", ""), period.get("end", "")
    if not end:
        return ""
    if language == "ja":
        return (
            f"※ 受付期間は{ja_date(start)}から{ja_date(end)}までです。"
            if start
            else f"※ 締切は{ja_date(end)}です。"
        )
    return f"Note: applications from {start} to {end}." if start else f"Note: the deadline is {end}."


def period_note(record: Record, index: LoadedIndex, language: str, today: date | None) -> str:
    """A document's call that has ended or is not yet open, said so ("" otherwise). A program sheet's
    own front matter (status) decides; dates in its text are only quoted."""
    ja = language == "ja"
    if (end := _ended_on(record, index, today)) is not None:
        if ja:
            return (
                f"※ この募集は{ja_date(end)}で受付を終了しています。"
                if end
                else "※ この制度は終了しています。"
            )
        return f"Note: applications closed on {end}." if end else "Note: this scheme has ended."
    if record.kind not in _DOCUMENT_KINDS:
        return ""
    document = index.records.get(record.document_id)
    info = document.info if document else {}
    period = info.get("period") or {}
    if info.get("sources") or period_status(period, japan_today(today)) != "upcoming":
        return ""
    start = period.get("start", "")
    return (
        f"※ 受付は{ja_date(start)}からです（まだ受付前です）。"
        if ja
        else f"Note: applications open on {start}; not yet open."
    )


def _notes(
    record: Record, index: LoadedIndex, language: str, today: date | None, quote: str = ""
) -> list[str]:
    """What an owner must know beside the line: an ended or not-yet-open period, how fresh a program
    sheet's fact is (its source and date), and the link between a plan program and the documents
    that detail it."""
    ja = language == "ja"
    notes: list[str] = []
    if record.kind in _DOCUMENT_KINDS:
        document = index.records.get(record.document_id)
        info = document.info if document else {}
        sheet = bool(info.get("sources"))
        if period := period_note(record, index, language, today):
            notes.append(period)
        if sheet and record.kind == "passage":
            notes.extend(_freshness(record, info, index, quote, language, japan_today(today)))
        for program_id in index.programs_of.get(record.document_id, [])[:2]:
            program = index.records[program_id]
            title = program.title if ja else str(knowledge_title(index.knowledge, program))
            notes.append(
                f"計画の「{title}」（{program_id}）の案内です。"
                if ja
                else f"Part of the plan's “{title}” ({program_id})."
            )
    else:
        for document_id in index.documents_of.get(record.id, [])[:2]:
            title = index.records[document_id].title
            notes.append(f"詳しい案内: 『{title}』" if ja else f"Details: “{title}”")
    return notes


def _freshness(
    record: Record, info: dict[str, Any], index: LoadedIndex, quote: str, language: str, on: date
) -> list[str]:
    """The source and date of the quoted lines of a program sheet, and, when that source is undated
    or more than a year old, where to confirm the current terms."""
    sources: dict[str, Any] = info.get("sources") or {}
    keys = record.info.get("unit_sources") or []
    used = [k for unit, k in zip(record.units, keys, strict=False) if k and unit in (quote or record.text)]
    seen = [sources[k] for k in dict.fromkeys(used) if isinstance(sources.get(k), dict)]
    if not seen:
        return []
    ja = language == "ja"
    dates = sorted((str(s.get("as_of") or "") for s in seen), key=lambda a: _as_of_date(a)[0] or date.min)
    newest = dates[-1]
    urls = " ".join(str(s.get("url")) for s in seen[:2])
    if newest:
        said = (
            f"出典: {urls}（{_as_of_date(newest)[1]}の案内による）"
            if ja
            else f"Source: {urls} (as of {newest})"
        )
    else:
        said = f"出典: {urls}（掲載日の記載なし）" if ja else f"Source: {urls} (undated)"
    lines = [said]
    if not newest or _older_than_a_year(newest, on):
        contact = _desk_for(record, index)
        desk = ""
        if contact:
            name = contact["name"] if ja else contact.get("name_en") or contact["name"]
            desk = f"{name}（{contact['phone']}）" if contact.get("phone") else name
        lines.append(
            f"最新の条件は窓口でご確認ください{'：' + desk if desk else '。'}"
            if ja
            else f"Please confirm the current terms{' with ' + desk if desk else ' at the desk'}."
        )
    return lines


def _desk_for(record: Record, index: LoadedIndex) -> dict[str, Any] | None:
    """The desk of the plan program a document details (its first contact)."""
    for program_id in index.programs_of.get(record.document_id, []):
        first = index.knowledge.overlay(program_id).get("first_contact") or {}
        if contact := index.knowledge.contact_by_id(str(first.get("id") or "")):
            return contact
    return None


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_FISCAL_YEAR = re.compile(r"(?:令和(\d{1,2}|元)|(\d{4}))\s*年度")


def _as_of_date(as_of: str) -> tuple[date | None, str]:
    """A source's `as_of` as a date (the end of a fiscal year for 令和7年度) and as Japanese words."""
    if match := _ISO_DATE.search(as_of):
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return day, f"{day.year}年{day.month}月{day.day}日"
    if match := _FISCAL_YEAR.search(as_of):
        year = (
            int(match.group(2))
            if match.group(2)
            else 2018 + (1 if match.group(1) == "元" else int(match.group(1)))
        )
        return date(year + 1, 3, 31), f"{year}年度"
    found = find_dates(as_of)
    if found:
        return found[0], f"{found[0].year}年{found[0].month}月{found[0].day}日"
    return None, as_of


def _older_than_a_year(as_of: str, on: date) -> bool:
    seen, _ = _as_of_date(as_of)
    return seen is None or (on - seen).days > 365


def knowledge_title(knowledge: Knowledge, record: Record) -> str:
    return str(knowledge.overlay(record.id).get("title_en") or record.title)


def _intro(records: list[Record], language: str) -> str:
    if all(r.kind == "indicator" for r in records):
        return "指標の実績と目標です。" if language == "ja" else "The plan's indicator figures:"
    sources: list[str] = []
    for record in records:
        name = (
            (f"『{record.document}』" if language == "ja" else f"“{record.document}”")
            if record.kind in _DOCUMENT_KINDS
            else PLAN_NAME[language]
        )
        if name not in sources:
            sources.append(name)
    if language == "ja":
        return f"ご質問に合いそうな情報です（出典: {'、'.join(sources)}）。"
    return f"This may fit your question (sources: {', '.join(sources)}):"


def follow_up_suggestions(records: list[Record], knowledge: Knowledge, language: str) -> list[str]:
    if language == "ja":
        suggestions = ["その問い合わせ先は？", "他には？"]
        if len(records) > 1:
            suggestions.append("2番目をもっと詳しく")
        return suggestions
    suggestions = ["Who do I contact?", "Anything else?"]
    if len(records) > 1:
        suggestions.append("Tell me more about the second one")
    return suggestions


def no_match(knowledge: Knowledge, language: str, scope: OutOfScope | None = None) -> Reply:
    """Nothing fits: say so, and name the desk that handles it (the city's general desk for a
    household's or a person's matter, the city and the chamber otherwise)."""
    contacts = (
        [contact_card(c) for i in scope.desks if (c := knowledge.contact_by_id(i))] if scope else []
    ) or fallback_contacts(knowledge)
    contacts = contacts[: TUNING.max_contact_cards]
    if language == "ja":
        names = "、".join(f"{c['name']}（{c['phone']}）" if c["phone"] else c["name"] for c in contacts)
        text = (
            (declined_text(scope.department, "ja") + f"次の窓口でお尋ねください: {names}")
            if scope and scope.declined
            else "申し訳ありません。ご質問に合う支援策は、このナビゲーターが持つ藤沢市の中小企業支援の情報には"
            f"見つかりませんでした。窓口の担当者にご相談ください: {names}"
        )
        suggestions = ["設備資金を借りたい", "人手不足で採用したい", "事業承継の相談をしたい"]
    else:
        names = ", ".join(
            f"{c['name_en'] or c['name']} ({c['phone']})" if c["phone"] else c["name"] for c in contacts
        )
        text = (
            (declined_text(scope.department, "en") + f" Please ask: {names}")
            if scope and scope.declined
            else "Sorry, I could not find a program in Fujisawa's SME support information that fits this question. "
            f"Please ask a person at: {names}"
        )
        suggestions = [
            "I want a low-interest loan",
            "How can I hire foreign workers?",
            "Help with business succession",
        ]
    verdict = {
        "kind": "none",
        "reason": "not_found",
        "text": text.split("。")[0] + "。" if language == "ja" else text.split(". ")[0] + ".",
    }
    return Reply.composed(
        [Section(part="message", text=text)],
        status="no_match",
        language=language,
        verdict=Verdict(**verdict),
        contacts=[Contact.model_validate(card) for card in contacts],
        suggestions=suggestions,
    )


def clarify(measures: list[Record], knowledge: Knowledge, language: str) -> Reply:
    """A question too vague to pick programs: ask one question and offer the measures as choices."""
    if language == "ja":
        text = "どのようなことでお困りですか？ 近いものを選んでください。"
        choices = [m.title for m in measures]
    else:
        text = "What would you like help with? Please pick the closest topic."
        choices = [knowledge.overlay(m.id).get("title_en") or m.title for m in measures]
    return Reply.composed(
        [Section(part="message", text=text)], status="clarify", language=language, suggestions=choices
    )


def details(record: Record, knowledge: Knowledge, language: str) -> str:
    """Everything the knowledge base holds about one record, for "tell me more about the second"."""
    overlay = knowledge.overlay(record.id)
    ja = language == "ja"
    if record.kind in _DOCUMENT_KINDS:
        lines = [f"[1] 『{record.document}』" if ja else f"[1] “{record.document}”"]
        if record.path:
            lines.append(" › ".join(record.path))
        lines.append(record.text)
        if record.url:
            lines.append(("URL: " if not ja else "掲載ページ: ") + record.url)
        lines.append(("出典: " if ja else "Source: ") + record.location)
        return "\n".join(lines)
    lines = [f"[1] {describe(record, knowledge, language)}"]
    if record.measure:
        lines.append(f"施策: {record.measure}" if ja else f"Measure: {record.measure}")
    if record.bodies:
        lines.append(("実施主体: " if ja else "Run by: ") + "、".join(record.bodies))
    terms = overlay.get("terms") or {}
    if terms.get("limit_yen"):
        lines.append(
            f"融資限度額: {int(terms['limit_yen']) // 10000:,}万円"
            if ja
            else f"Loan limit: ¥{int(terms['limit_yen']):,}"
        )
    if terms.get("working_capital_years_max"):
        years = (terms["working_capital_years_max"], terms.get("equipment_years_max"))
        lines.append(
            f"返済期間: 運転資金{years[0]}年以内、設備資金{years[1]}年以内"
            if ja
            else f"Repayment: working capital up to {years[0]} years, equipment up to {years[1]} years"
        )
    fund = overlay.get("fund_example") or {}
    if fund:
        if ja:
            lines.append(
                f"資金の例: {fund.get('name', '')}（{fund.get('use', '')}、限度額{int(fund.get('limit_yen', 0)) // 10000:,}万円、"
                f"利率 {fund.get('rate', '')}）"
            )
        else:
            lines.append(f"Example fund: {fund.get('name', '')}, up to ¥{int(fund.get('limit_yen', 0)):,}")
    for note in overlay.get("eligibility_notes") or []:
        if ja:
            lines.append(f"対象: {note}")
    if overlay.get("how_to_apply") and ja:
        lines.append(f"申込: {overlay['how_to_apply']}")
    sources = overlay.get("source") or []
    if sources and (terms or fund):
        seen = overlay.get("seen", "")
        lines.append(
            ("条件の出典: " if ja else "Terms seen on: ")
            + ", ".join(sources)
            + (f" ({seen})" if seen else "")
        )
    lines.append(("出典: " if ja else "Source: ") + f"{record.source} {record.location}")
    return "\n".join(lines)
