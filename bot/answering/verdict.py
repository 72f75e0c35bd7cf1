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

from bot.answering.contacts import document_contact
from bot.answering.eligibility import Assessment
from bot.answering.question import Question
from ingest.dates import ja_date
from ingest.knowledge import Knowledge
from ingest.records import Record
from ingest.textnorm import normalize

# The forms of help owners ask for by name, and how a program's own words show that it gives that
# form. "相談" is not among them: owners say it of every kind of help.
_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "grant": (
        re.compile(
            r"補助金|助成金|給付金|奨励金|補助|助成|給付|返さなくて|返さんで|返済不要|返さなくていい|もらえるお金|"
            # money given: the cost is paid (費用を市が出してくれる？, 負担してほしい)
            r"(?:費用|代金|経費|お金)(?:の一部)?を?(?:市が|市で|誰か)?(?:出して|出る|負担して|持って)|"
            r"grant|subsid|free money|not a loan|pay (?:for|part of) (?:the|our|my) (?:cost|fee)"
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
        # 借りる of premises is renting (お店を借りる, 物件を借りたい), not borrowing money
        re.compile(
            r"融資|(?<!店を)(?<!店舗を)(?<!物件を)(?<!部屋を)(?<!事務所を)(?<!場所を)(?<!土地を)借り|借入|ローン|貸付|貸して|loan|borrow|financing"
        ),
        re.compile(r"融資|資金|貸付|借入|loan"),
    ),
    "seminar": (
        # "our workshop" is a place; "a workshop on …" is a course
        re.compile(
            r"セミナー|研修|講座|勉強会|講習|seminar|training|course|(?<!our )(?<!my )(?<!the )workshop"
        ),
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
    "join": "参加・加入のお申し込みは{name}へ",
    "attend": "参加のお申し込みは{name}へ",
    "certify": "認定の申請は{name}へ",
}
_PURPOSE_EN = {
    "apply": "To apply, start with {name}",
    "consult": "Start by consulting {name}",
    "borrow": "For the loan, start with {name}",
    "join": "To take part or join, contact {name}",
    "attend": "To take part, contact {name}",
    "certify": "For the certification, contact {name}",
}


# Help WITH a form of help: the form is the object of applying, finding or being helped
# (補助金の申請を手伝って, どの補助金が使えるか, help me apply for grants). What is asked is advice about
# it, which a consultation program gives, not the form itself.
_HELP_WITH = re.compile(
    r"(?:補助金|助成金|給付金)(?:の|を|に|で|って|は)?.{0,12}?(?:申請(?:を|の)?(?:手伝|支援|相談|サポート)|書き方|手伝|"
    r"相談に|探し|選び|見つけ|どれ|どの)|(?:どの|どれ)(?:が|の)?.{0,6}(?:補助金|助成金)|"
    r"\bhelp(?: me| us)?(?: with| in)? (?:apply(?:ing)?|find(?:ing)?|choos(?:e|ing)|getting) (?:for )?"
    r"(?:[a-z]+ ){0,4}(?:grants?|subsid)"
)


# Where a Japanese question's background ends and its request begins: a clause closed by けど / が、
# / ので / から、 tells the situation (市の融資を受けるつもりだけど、…); what follows is what is asked.
_BACKGROUND = re.compile(r"(?:けど|けれど(?:も)?|ですが|んだが|のだが|たが|が、|ので|から、)[、,\s]*")
# A request clause with no subject of its own (ありますか, どうすればいい, 使えますか: no word of two
# kanji or katakana, no どこ / だれ) asks about the background's subject.
_OWN_SUBJECT = re.compile(r"[\u4e00-\u9fff\u30a0-\u30ff]{2,}|どこ|だれ|誰|どちら|どなた")


def request_clause(text: str) -> str:
    """The part of a question that asks: after its last background clause, unless that part names
    no subject of its own (「補助金がほしいんですが、ありますか」)."""
    ends = [m.end() for m in _BACKGROUND.finditer(text) if m.end() < len(text)]
    if not ends:
        return text
    request = text[ends[-1] :]
    return request if _OWN_SUBJECT.search(request) else text


def asked_kind(question: Question | None) -> str | None:
    """The kind of help the question asks for by name (補助金, 融資, 相談, セミナー), if any; none
    when the owner asks for help with applying for or finding it (that is a consultation), and none
    named only in the background of a Japanese question (「融資を受けるつもりだけど、計画を見てくれる
    ところは？」 asks for the planning help)."""
    if question is None:
        return None
    text = request_clause(question.normal) if question.japanese else question.normal
    if _HELP_WITH.search(text):
        return None
    found = [kind for kind, (asked, _) in _KINDS.items() if asked.search(text)]
    if "loan" in found and len(found) == 2 and found[0] in ("interest_free", "deferral"):
        return found[0]  # 無利子で借りたい: the special form of a loan is what is asked
    return found[0] if len(found) == 1 else None  # "融資か補助金" asks for no single form


def gives(record: Record, kind: str) -> bool:
    """Whether the record gives that form of help, by its own words; a document by its title (a
    loan scheme's guide mentions the guarantee fee it subsidises, but is a loan's guide)."""
    if record.kind in ("document", "passage"):
        # a document's title names what it is (「…補助金 募集要項」 is a grant's), where a plan
        # program's 補助金 may be the help applying for someone else's
        title = normalize(record.document)
        return bool(_KINDS[kind][1].search(title) or _KINDS[kind][0].search(title))
    return bool(_KINDS[kind][1].search(normalize(f"{record.title} {record.text}")))


def studying(record: Record, knowledge: Knowledge) -> bool:
    """Whether the plan only studies this program (…を検討): staff mark it from the plan's wording."""
    return knowledge.overlay(record.id).get("stage") == "studying"


def decide(
    question: Question | None,
    records: list[Record],
    knowledge: Knowledge,
    language: str,
    *,
    assessment: Assessment | None = None,
    ended: str | None = None,
    alternative: Record | None = None,
) -> dict[str, str]:
    """`{kind, reason, text}` for an answer naming ``records`` (best first), for this owner: the one
    ``assessment`` of the first record against what the owner said (the same one the eligibility note
    reads, so the two cannot disagree), whether its call has ``ended`` (the end date, "" when unknown)
    and the ``alternative`` the answer offers instead. Never "yes" when the owner's facts exclude them,
    or when the first program has ended or is only studied."""
    ja = language == "ja"

    def said(kind: str, reason: str, ja_text: str, en_text: str) -> dict[str, str]:
        return {"kind": kind, "reason": reason, "text": ja_text if ja else en_text}

    if not records:
        return said(
            "none", "not_found", "該当する支援は見つかりませんでした。", "I found no matching support."
        )
    first = records[0]
    name = _name(first, knowledge, language)
    if first.kind == "indicator":
        return said(
            "yes", "eligible", f"はい、{name}の数値があります。", f"Yes: the plan's figures for {name}."
        )
    instead = "partial" if alternative is not None else "none"
    if assessment is not None and assessment.fits is False:
        return said(
            instead,
            "not_eligible",
            f"{assessment.who}だと、「{name}」は対象外の見込みです（{assessment.condition}）。",
            f"With {assessment.who}, “{name}” is unlikely to apply ({assessment.condition}).",
        )
    if ended is not None:
        on_ja = f"{ja_date(ended)}で" if ended else ""
        on_en = f" on {ended}" if ended else ""
        return said(
            instead,
            "ended",
            f"「{name}」の受付は{on_ja}終了しています。",
            f"Applications for “{name}” have closed{on_en}.",
        )
    kind = asked_kind(question)
    # a program named with the document that details it gives what the document gives
    givers = [first, *(r for r in records[1:2] if r.kind in ("document", "passage"))]
    if kind and not any(gives(r, kind) for r in givers):
        return said(
            "partial",
            "not_found",
            f"この計画には、お尋ねの{_KIND_JA[kind]}はありませんが、同じ目的には「{name}」があります。",
            f"The plan has no {_KIND_EN[kind]} of that kind, but for the same aim there is “{name}”.",
        )
    if studying(first, knowledge):  # the plan has it, as a measure it is still studying
        return said(
            "partial",
            "studying",
            f"「{name}」は、市が計画で検討中の取組で、まだ使える制度ではありません。",
            f"“{name}” is a measure the city is still studying, not yet a scheme you can use.",
        )
    if assessment is not None and assessment.fits:
        return said(
            "yes",
            "eligible",
            f"{assessment.who}なら、「{name}」の対象となる見込みです（{assessment.condition}）。",
            f"With {assessment.who}, “{name}” should apply ({assessment.condition}).",
        )
    if not ja and first.kind in ("document", "passage"):
        return said("yes", "eligible", "", f"Yes, there is {name}.")
    return said("yes", "eligible", f"はい、「{name}」があります。", f"Yes, there is “{name}”.")


def _name(record: Record, knowledge: Knowledge, language: str) -> str:
    if record.kind in ("document", "passage"):
        # documents are published in Japanese: an English answer points at the citation instead
        return record.document if language == "ja" else "a published guide on this (see [1])"
    if language == "en":
        return str(knowledge.overlay(record.id).get("title_en") or record.title)
    return record.title


def next_step(
    records: list[Record], knowledge: Knowledge, documents: dict[str, Record], language: str
) -> tuple[str, dict[str, Any] | None, str]:
    """The one next step, the contact it names and what for (its purpose): the first record's first
    contact (catalog), or a document's own 問い合わせ先; ("", None, "") when the knowledge base names
    neither."""
    for record in records:
        if record.kind in ("document", "passage"):
            document = documents.get(record.document_id)
            stated = (document.info.get("contact") if document else None) or None
            if stated and document is not None:
                # as contacts.yaml knows the desk when its phone or name matches, else as stated
                desk = document_contact(stated, document, knowledge)
                name = desk["name"] if language == "ja" else desk.get("name_en") or desk["name"]
                if name and name != document.title:
                    line = _line(name, desk.get("phone", ""), "consult", language)
                    return line, desk, "consult"
            continue
        first = knowledge.overlay(record.id).get("first_contact") or {}
        entry = knowledge.contact_by_id(str(first.get("id") or "")) if first else None
        if entry is None:
            continue
        name = entry["name"] if language == "ja" else entry.get("name_en") or entry["name"]
        purpose = str(first.get("purpose") or "consult")
        note = str((first.get("note") if language == "ja" else first.get("note_en")) or "")
        if _ORDERED.match(note):
            # the note gives the steps in order (まず銀行に相談し、決まったら財団で申込): it is the step,
            # and the desk follows it without a second "first"
            line = _line(name, entry.get("phone", ""), purpose, language, then=True)
            return (
                line.replace(_STEP[language], f"{_STEP[language]}{note.rstrip('。.')}{_STOP[language]}", 1),
                entry,
                purpose,
            )
        line = _line(name, entry.get("phone", ""), purpose, language)
        return (f"{line} {note}" if note else line), entry, purpose
    return "", None, ""


_ORDERED = re.compile(r"^(?:まず|最初に|first\b)", re.IGNORECASE)
_STEP = {"ja": "次の一歩: ", "en": "Next step: "}
_STOP = {"ja": "。", "en": ". "}
_FIRST = re.compile(r"まず|start with |Start by consulting ", re.IGNORECASE)


def _line(name: str, phone: str, purpose: str, language: str, then: bool = False) -> str:
    """The next-step sentence; ``then``: it follows ordered steps, so it does not say "first" again."""
    if language == "ja":
        reach = f"（電話 {phone}）" if phone else ""  # a desk without a phone: its card has the web page
        said = _PURPOSE_JA.get(purpose, _PURPOSE_JA["consult"]).format(name=name)
        if then:
            said = _FIRST.sub("", said)
        return _STEP["ja"] + said + reach + "。"
    reach = f" (phone {phone})" if phone else ""
    said = _PURPOSE_EN.get(purpose, _PURPOSE_EN["consult"]).format(name=name)
    if then:
        said = _FIRST.sub(
            lambda m: "contact " if m.group(0).lower().startswith("start with") else "consult ", said
        )
    return _STEP["en"] + said + reach + "."
