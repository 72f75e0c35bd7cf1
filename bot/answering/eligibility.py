"""What an owner's stated facts mean for the cited programs' conditions.

The thresholds, industry words and labels are data in knowledge/catalog.yaml, so staff can change a
limit without a release; this module only reads facts from the message and compares. It never
decides for the owner: it says how the facts compare with the published limits and where to confirm.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.answering.question import Question
from ingest.knowledge import Knowledge
from ingest.textnorm import fold_kana

_EMPLOYEES = (
    re.compile(r"(?:従業員|社員|スタッフ|従業者|パート|職員|人員)[^\d]{0,6}(\d{1,5})\s*(?:人|名)"),
    re.compile(r"(\d{1,5})\s*(?:人|名)\s*(?:の|で|いる|います|規模|程度|ほど|くらい|ぐらい)"),
    re.compile(r"(\d{1,5})\s*(?:employees|staff|people|workers|person)"),
    re.compile(r"(?:employ|have|with)\s+(\d{1,5})\b"),
)
_ALONE = re.compile(r"(?:一人で|ひとりで|1人で|個人事業|just me|on my own|by myself)")
_PURPOSE = re.compile(r"(運転資金|設備資金|working capital|equipment)")
_YEARS = re.compile(r"(?:創業|開業|設立|起業|営業)\D{0,4}(\d{1,3})\s*(年|か月|ヶ月|カ月|ヵ月)")


@dataclass
class Facts:
    employees: int | None = None
    industry: str | None = None
    industry_word: str | None = None
    months_in_business: int | None = None
    purpose: str | None = None  # 運転資金 | 設備資金, what a loan is for

    def merged_over(self, older: dict[str, Any]) -> Facts:
        """Facts of this message, completed by what the owner said earlier in the session."""
        return Facts(
            employees=self.employees if self.employees is not None else older.get("employees"),
            industry=self.industry or older.get("industry"),
            industry_word=self.industry_word or older.get("industry_word"),
            months_in_business=self.months_in_business
            if self.months_in_business is not None
            else older.get("months_in_business"),
            purpose=self.purpose or older.get("purpose"),
        )

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    def __bool__(self) -> bool:
        return bool(self.as_dict())


def read_facts(question: Question, knowledge: Knowledge) -> Facts:
    """What the owner states about the business: staff count, industry, time in business, purpose."""
    text = question.normal
    facts = Facts()
    for pattern in _EMPLOYEES:
        if match := pattern.search(text):
            facts.employees = int(match.group(1))
            break
    if facts.employees is None and _ALONE.search(text):
        facts.employees = 1
    if match := _PURPOSE.search(text):
        facts.purpose = {"working capital": "運転資金", "equipment": "設備資金"}.get(
            match.group(1), match.group(1)
        )
    if match := _YEARS.search(text):
        amount = int(match.group(1))
        facts.months_in_business = amount * 12 if match.group(2) == "年" else amount
    folded = question.folded
    words = question.latin
    best = ""
    for category, names in (knowledge.catalog.get("industries") or {}).items():
        for name in names or []:
            key, english = _industry_key(str(name))
            if (key in words if english else key in folded) and len(str(name)) > len(best):
                best, facts.industry, facts.industry_word = str(name), category, str(name)
    return facts


@lru_cache(maxsize=4096)
def _industry_key(name: str) -> tuple[str, bool]:
    """How an industry word is looked for: folded kana in Japanese, a whole word in English."""
    if name.isascii():
        return f" {re.sub(r'[^a-z0-9]+', ' ', name.lower()).strip()} ", True
    return fold_kana(name).replace(" ", ""), False


@dataclass
class Assessment:
    record_id: str
    fits: bool | None  # None: not enough facts to say
    text: str
    alternative: str | None = None
    confirm_with: str | None = None
    who: str = ""  # the owner as the facts describe them (従業員6人の美容室), for the verdict
    condition: str = ""  # the condition that decides (商業・サービス業は5人以下), for the verdict


def assess(
    record_id: str, title: str, facts: Facts, knowledge: Knowledge, language: str
) -> Assessment | None:
    """How the facts compare with one program's published conditions (None: nothing to say)."""
    rules = knowledge.overlay(record_id).get("eligibility")
    if not isinstance(rules, dict) or not facts or "employees_max" not in rules:
        return None
    limits: dict[str, int] = rules["employees_max"]
    labels = knowledge.catalog.get("industry_labels") or {}
    label = lambda category: (labels.get(category) or {}).get(language, category)  # noqa: E731
    confirm_id = rules.get("confirm_with")
    contact = knowledge.contact_by_id(confirm_id) if confirm_id else None
    confirm = _confirm_line(contact, language)
    extra = _other_conditions(rules, language)
    n = facts.employees

    if facts.industry and facts.industry in limits:
        limit = limits[facts.industry]
        industry = label(facts.industry)
        ja = language == "ja"
        who = (
            f"従業員{n}人の{facts.industry_word or industry}"
            if ja
            else f"{n} employees in {facts.industry_word or industry}"
        )
        condition = f"{industry}は{limit}人以下" if ja else f"{industry}: {limit} employees or fewer"
        if n is None:
            text = (
                f"{title}: {industry}の場合、従業員{limit}人以下が対象です。{extra}{confirm}"
                if language == "ja"
                else f"{title}: for {industry} the limit is {limit} employees or fewer. {extra}{confirm}"
            )
            return Assessment(record_id, None, text, confirm_with=confirm_id)
        if n <= limit:
            text = (
                f"{title}: 従業員{n}人は、{industry}の上限{limit}人以内です。{extra}{confirm}"
                if language == "ja"
                else f"{title}: {n} employees is within the limit of {limit} for {industry}. {extra}{confirm}"
            )
            return Assessment(record_id, True, text, confirm_with=confirm_id, who=who, condition=condition)
        alternative = rules.get("alternative")
        text = (
            f"{title}: 従業員{n}人は、{industry}の上限{limit}人を超えるため対象外となる見込みです。{confirm}"
            if language == "ja"
            else f"{title}: {n} employees is over the limit of {limit} for {industry}, so it is unlikely to "
            f"apply. {confirm}"
        )
        return Assessment(
            record_id,
            False,
            text,
            alternative=alternative,
            confirm_with=confirm_id,
            who=who,
            condition=condition,
        )

    if n is None:
        return None
    parts = [
        f"{label(c)} {v}人以下" if language == "ja" else f"{label(c)}: {v} or fewer"
        for c, v in limits.items()
    ]
    fitting = [label(c) for c, v in limits.items() if n <= v]
    if language == "ja":
        verdict = (
            f"従業員{n}人なら、{'、'.join(fitting)}で対象となります。"
            if fitting
            else f"従業員{n}人はどの業種の上限も超えます。"
        )
        text = f"{title}: 従業員の上限は業種で異なります（{'、'.join(parts)}）。{verdict}{extra}{confirm}"
    else:
        verdict = (
            f"With {n} employees it fits for {', '.join(fitting)}."
            if fitting
            else f"{n} employees is over every limit."
        )
        text = f"{title}: the employee limit depends on the industry ({'; '.join(parts)}). {verdict} {extra}{confirm}"
    most = max(limits.values())
    return Assessment(
        record_id,
        None if fitting else False,  # the industry decides, and it is not known yet
        text,
        alternative=None if fitting else rules.get("alternative"),
        confirm_with=confirm_id,
        who=f"従業員{n}人" if language == "ja" else f"{n} employees",
        condition=f"どの業種でも上限は{most}人以下"
        if language == "ja"
        else f"{most} employees at most in any industry",
    )


def _other_conditions(rules: dict[str, Any], language: str) -> str:
    months = rules.get("guidance_months_min")
    recommendation = rules.get("requires_recommendation")
    collateral = rules.get("collateral")
    if language == "ja":
        parts = []
        if months:
            parts.append(f"商工会議所の経営指導を{months}ヵ月以上受けていること")
        if recommendation:
            parts.append(f"{recommendation}を受けること")
        text = f"ほかに、{'、'.join(parts)}が必要です。" if parts else ""
        return text + (f"{collateral}の融資です。" if collateral else "")
    parts = []
    if months:
        parts.append(f"at least {months} months of management guidance from the chamber of commerce")
    if recommendation:
        parts.append("the chamber's recommendation")
    text = f"It also requires {' and '.join(parts)}. " if parts else ""
    return text + ("No collateral or guarantor is needed. " if collateral else "")


def _confirm_line(contact: dict[str, Any] | None, language: str) -> str:
    if not contact:
        return ""
    phone = f"（{contact['phone']}）" if language == "ja" and contact.get("phone") else ""
    if language == "ja":
        return f"条件は変わることがあるため、{contact['name']}{phone}でご確認ください。"
    phone_en = f" ({contact['phone']})" if contact.get("phone") else ""
    return f"Terms can change: please confirm with {contact.get('name_en') or contact['name']}{phone_en}."
