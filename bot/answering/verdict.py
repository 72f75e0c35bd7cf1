"""The verdict a desk clerk says first, and the one next step.

From the evidence only: the programs and passages an answer names, the kind of help the owner asked
for, and whether the plan only studies the program (検討中). "yes" names what there is; "partial"
says the asked form is not there but names what serves the same aim (no grant of the kind asked, but a
loan or a consultation); "none" is a decline. The next step is the first contact staff recorded for
the program (catalog `first_contact`: who takes this kind of request), or a document's own 問い合わせ先.
"""

from __future__ import annotations

import re
from typing import Any

from bot.answering.question import Question
from ingest.knowledge import Knowledge
from ingest.records import Record
from ingest.textnorm import normalize

# The forms of help owners ask for by name, and how a program's own words show that it gives that
# form. "相談" is not among them: owners say it of every kind of help.
_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "grant": (
        re.compile(
            r"補助金|助成金|給付金|奨励金|補助|助成|給付|返さなくて|返さんで|返済不要|返さなくていい|もらえるお金|"
            r"grant|subsid|free money|not a loan"
        ),
        re.compile(
            r"費用補助|補助金の交付|を補助|を助成|助成し|利子補給|補給|給付|奨励金|補助します|補助率|subsid|grant"
        ),
    ),
    "interest_free": (
        re.compile(r"無利子|無利息|利息なし|利子なし|金利ゼロ|金利0|interest-free|zero interest|no interest"),
        re.compile(r"無利子|無利息|interest-free"),
    ),
    "deferral": (
        re.compile(r"返済を待|返済猶予|返済を延|返済期間を延|条件変更|リスケ|defer|reschedul|postpone"),
        re.compile(r"返済猶予|条件変更|据置"),
    ),
    "loan": (
        re.compile(r"融資|借り|借入|ローン|貸付|貸して|loan|borrow"),
        re.compile(r"融資|資金|貸付|借入|loan"),
    ),
    "seminar": (
        re.compile(r"セミナー|研修|講座|勉強会|講習|seminar|training|course|workshop"),
        re.compile(r"セミナー|研修|講座|勉強会|講習|seminar|training"),
    ),
}
_KIND_JA = {
    "grant": "補助金・助成金",
    "interest_free": "無利子の融資",
    "deferral": "返済猶予の制度",
    "loan": "融資",
    "seminar": "セミナー・研修",
}
_KIND_EN = {
    "grant": "grant or subsidy",
    "interest_free": "interest-free loan",
    "deferral": "repayment deferral scheme",
    "loan": "loan",
    "seminar": "seminar or course",
}
_PURPOSE_JA = {
    "apply": "お申し込みは、まず{name}へ",
    "consult": "まず{name}にご相談ください",
    "borrow": "融資のご相談は、まず{name}へ",
    "join": "加入のお申し込みは{name}へ",
    "attend": "参加のお申し込みは{name}へ",
    "certify": "認定の申請は{name}へ",
}
_PURPOSE_EN = {
    "apply": "To apply, start with {name}",
    "consult": "Start by consulting {name}",
    "borrow": "For the loan, start with {name}",
    "join": "To join, contact {name}",
    "attend": "To take part, contact {name}",
    "certify": "For the certification, contact {name}",
}


def asked_kind(question: Question | None) -> str | None:
    """The kind of help the question asks for by name (補助金, 融資, 相談, セミナー), if any."""
    if question is None:
        return None
    text = question.normal
    found = [kind for kind, (asked, _) in _KINDS.items() if asked.search(text)]
    if "loan" in found and len(found) == 2 and found[0] in ("interest_free", "deferral"):
        return found[0]  # 無利子で借りたい: the special form of a loan is what is asked
    return found[0] if len(found) == 1 else None  # "融資か補助金" asks for no single form


def gives(record: Record, kind: str) -> bool:
    """Whether the record gives that form of help, by its own words; a document by its title (a
    loan scheme's guide mentions the guarantee fee it subsidises, but is a loan's guide)."""
    parts = [record.document] if record.kind in ("document", "passage") else [record.title, record.text]
    text = normalize(" ".join(parts))
    return bool(_KINDS[kind][1].search(text))


def studying(record: Record, knowledge: Knowledge) -> bool:
    """Whether the plan only studies this program (…を検討): staff mark it from the plan's wording."""
    return knowledge.overlay(record.id).get("stage") == "studying"


def decide(
    question: Question | None, records: list[Record], knowledge: Knowledge, language: str
) -> dict[str, str]:
    """`{kind: yes | partial | none, text}` for an answer naming ``records`` (best first)."""
    ja = language == "ja"
    if not records:
        return {
            "kind": "none",
            "text": "該当する支援は見つかりませんでした。" if ja else "I found no matching support.",
        }
    first = records[0]
    name = _name(first, knowledge, language)
    if first.kind == "indicator":
        return {
            "kind": "yes",
            "text": f"はい、{name}の数値があります。" if ja else f"Yes: the plan's figures for {name}.",
        }
    kind = asked_kind(question)
    # a program named with the document that details it gives what the document gives
    givers = [first, *(r for r in records[1:2] if r.kind in ("document", "passage"))]
    if kind and not any(gives(r, kind) for r in givers):
        text = (
            f"この計画には、お尋ねの{_KIND_JA[kind]}はありませんが、同じ目的には「{name}」があります。"
            if ja
            else f"The plan has no {_KIND_EN[kind]} of that kind, but for the same aim there is “{name}”."
        )
        return {"kind": "partial", "text": text}
    if studying(first, knowledge):  # the plan has it, as a measure it is still studying
        text = (
            f"はい、計画には「{name}」があります（ただし市が検討中の取組です）。"
            if ja
            else f"Yes, the plan has “{name}” (a measure the city is still studying)."
        )
        return {"kind": "yes", "text": text}
    if not ja and first.kind in ("document", "passage"):
        return {"kind": "yes", "text": f"Yes, there is {name}."}
    return {"kind": "yes", "text": f"はい、「{name}」があります。" if ja else f"Yes, there is “{name}”."}


def _name(record: Record, knowledge: Knowledge, language: str) -> str:
    if record.kind in ("document", "passage"):
        # documents are published in Japanese: an English answer points at the citation instead
        return record.document if language == "ja" else "a published guide on this (see [1])"
    if language == "en":
        return str(knowledge.overlay(record.id).get("title_en") or record.title)
    return record.title


def next_step(
    records: list[Record], knowledge: Knowledge, documents: dict[str, Record], language: str
) -> tuple[str, dict[str, Any] | None]:
    """The one next step, and the contact it names: the first record's first contact (catalog), or a
    document's own 問い合わせ先; ("", None) when the knowledge base names neither."""
    for record in records:
        if record.kind in ("document", "passage"):
            document = documents.get(record.document_id)
            contact = (document.info.get("contact") if document else None) or None
            if contact:
                return _line(
                    contact.get("name", ""), contact.get("phone", ""), "", "", "consult", language
                ), None
            continue
        first = knowledge.overlay(record.id).get("first_contact") or {}
        entry = knowledge.contact_by_id(str(first.get("id") or "")) if first else None
        if entry is None:
            continue
        name = entry["name"] if language == "ja" else entry.get("name_en") or entry["name"]
        hours = entry.get("hours", "") if language == "ja" else entry.get("hours_en", "")
        line = _line(
            name, entry.get("phone", ""), entry.get("url", ""), hours, str(first.get("purpose")), language
        )
        note = first.get("note") if language == "ja" else first.get("note_en")
        return (f"{line} {note}" if note else line), entry
    return "", None


def _line(name: str, phone: str, url: str, hours: str, purpose: str, language: str) -> str:
    if language == "ja":
        reach = f"（電話 {phone}）" if phone else (f"（{url}{'、' + hours if hours else ''}）" if url else "")
        return (
            "次の一歩: " + _PURPOSE_JA.get(purpose, _PURPOSE_JA["consult"]).format(name=name) + reach + "。"
        )
    reach = f" (phone {phone})" if phone else (f" ({url}{', ' + hours if hours else ''})" if url else "")
    return "Next step: " + _PURPOSE_EN.get(purpose, _PURPOSE_EN["consult"]).format(name=name) + reach + "."
