"""The extractive answer composer: no LLM, every sentence is built from knowledge-base fields.

Programs are named with the plan's own title and 事業内容 (or the catalog's English title and summary),
indicators with their exact figures, contacts with the fields contacts.yaml has. Anything the
knowledge base does not hold is not said.
"""

from __future__ import annotations

from typing import Any

from bot.retrieval import Hit, SearchResult
from ingest.knowledge import Knowledge
from ingest.records import Record

# The human desks a question is routed to when nothing in the knowledge base fits.
FALLBACK_DESKS = ("fujisawa-city", "fujisawa-cci")
RELATIVE_CUTOFF = 0.7

UNITS_EN = {"件": "cases", "人": "people", "法人": "corporations", "社": "companies"}
FISCAL_EN = {"令和6年度": "FY2024 (Reiwa 6)", "令和11年度": "FY2029 (Reiwa 11)"}


def pick_hits(result: SearchResult, top_k: int) -> list[Hit]:
    """The best hit and the others close enough to it to be worth naming."""
    if not result.hits:
        return []
    top = result.hits[0]
    picked = [top]
    for hit in result.hits[1:]:
        if len(picked) >= top_k:
            break
        if hit.score >= RELATIVE_CUTOFF and (hit.record.kind == top.record.kind or hit.alias > 0):
            picked.append(hit)
    return picked


def citation(n: int, hit: Hit) -> dict[str, Any]:
    record = hit.record
    return {
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


def contacts_for(records: list[Record], knowledge: Knowledge) -> list[dict[str, Any]]:
    """The implementing bodies of the cited records that contacts.yaml knows, merged by organisation."""
    merged: dict[str, dict[str, Any]] = {}
    for record in records:
        overlay_ids = knowledge.overlay(record.id).get("contacts") or []
        entries = [knowledge.contact_by_id(i) for i in overlay_ids] or [
            knowledge.contact_for(body) for body in record.bodies
        ]
        for entry in entries:
            if entry is None:
                continue
            card = merged.setdefault(entry["id"], contact_card(entry))
            if record.id not in card["for"]:
                card["for"].append(record.id)
    return list(merged.values())


def contact_card(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": entry["id"],
        "name": entry["name"],
        "name_en": entry.get("name_en", ""),
        "phone": entry.get("phone", ""),
        "url": entry.get("url", ""),
        "address": entry.get("address", ""),
        "hours": entry.get("hours", ""),
        "for": [],
    }


def fallback_contacts(knowledge: Knowledge) -> list[dict[str, Any]]:
    return [contact_card(c) for i in FALLBACK_DESKS if (c := knowledge.contact_by_id(i))]


def describe(record: Record, knowledge: Knowledge, language: str) -> str:
    """One line of what a record offers, in the asker's language, from the knowledge base only."""
    overlay = knowledge.overlay(record.id)
    if record.kind == "indicator":
        return indicator_line(record, overlay, language)
    if language == "en" and overlay.get("title_en"):
        summary = overlay.get("summary_en") or ""
        return f"{overlay['title_en']}: {summary}".strip().rstrip(":")
    if record.kind == "section":
        return f"{record.title}: {_shorten(record.text, 120)}"
    return f"{record.title}: {record.text}"


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
    hits: list[Hit], knowledge: Knowledge, language: str, intro: str | None = None
) -> dict[str, Any]:
    records = [h.record for h in hits]
    lines = [intro or _intro(records, language)]
    for n, hit in enumerate(hits, 1):
        lines.append(f"[{n}] {describe(hit.record, knowledge, language)}")
    contacts = contacts_for(records, knowledge)
    if contacts:
        names = (
            "、".join(c["name"] for c in contacts)
            if language == "ja"
            else ", ".join(c["name_en"] or c["name"] for c in contacts)
        )
        lines.append(f"問い合わせ先: {names}" if language == "ja" else f"Contacts: {names}")
    return {
        "status": "answered",
        "language": language,
        "answer": "\n".join(lines),
        "citations": [citation(n, h) for n, h in enumerate(hits, 1)],
        "contacts": contacts,
        "suggestions": follow_up_suggestions(records, knowledge, language),
    }


def _intro(records: list[Record], language: str) -> str:
    if all(r.kind == "indicator" for r in records):
        return "指標の実績と目標です。" if language == "ja" else "The plan's indicator figures:"
    if language == "ja":
        return "ご質問に合いそうな支援策です（藤沢市の中小企業支援の計画より）。"
    return "These programs from Fujisawa's SME support plan may fit your question:"


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


def no_match(knowledge: Knowledge, language: str) -> dict[str, Any]:
    contacts = fallback_contacts(knowledge)
    if language == "ja":
        names = "、".join(f"{c['name']}（{c['phone']}）" if c["phone"] else c["name"] for c in contacts)
        text = (
            "申し訳ありません。ご質問に合う支援策は、このナビゲーターが持つ藤沢市の中小企業支援の情報には"
            f"見つかりませんでした。窓口の担当者にご相談ください: {names}"
        )
        suggestions = ["設備資金を借りたい", "人手不足で採用したい", "事業承継の相談をしたい"]
    else:
        names = ", ".join(
            f"{c['name_en'] or c['name']} ({c['phone']})" if c["phone"] else c["name"] for c in contacts
        )
        text = (
            "Sorry, I could not find a program in Fujisawa's SME support information that fits this question. "
            f"Please ask a person at: {names}"
        )
        suggestions = [
            "I want a low-interest loan",
            "How can I hire foreign workers?",
            "Help with business succession",
        ]
    return {
        "status": "no_match",
        "language": language,
        "answer": text,
        "citations": [],
        "contacts": contacts,
        "suggestions": suggestions,
    }


def clarify(measures: list[Record], knowledge: Knowledge, language: str) -> dict[str, Any]:
    """A question too vague to pick programs: ask one question and offer the measures as choices."""
    if language == "ja":
        text = "どのようなことでお困りですか？ 近いものを選んでください。"
        choices = [m.title for m in measures]
    else:
        text = "What would you like help with? Please pick the closest topic."
        choices = [knowledge.overlay(m.id).get("title_en") or m.title for m in measures]
    return {
        "status": "clarify",
        "language": language,
        "answer": text,
        "citations": [],
        "contacts": [],
        "suggestions": choices,
    }


def details(record: Record, knowledge: Knowledge, language: str) -> str:
    """Everything the knowledge base holds about one record, for "tell me more about the second"."""
    overlay = knowledge.overlay(record.id)
    ja = language == "ja"
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
