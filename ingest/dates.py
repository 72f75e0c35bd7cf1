"""Dates as Japanese offices write them, and the application period a document states.

令和/平成 years, 西暦 years, 年月日 and slashed forms, a day without a year taking the year last
written before it ("令和8年4月1日から6月30日まで"). The application period (申請期間, 受付期間,
募集期間 and the like) is what decides whether a document's offer is open, ended or not yet open;
other dates (報告期限…) are only quoted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone

_ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}
_DATE = re.compile(
    r"(?:(?P<era>令和|平成|R|H)\s*(?P<eyear>\d{1,2}|元)\s*(?:年|[./])|(?P<year>(?:19|20)\d{2})\s*(?:年|[./-]))?"
    r"\s*(?P<month>\d{1,2})\s*(?:月|[./-])\s*(?P<day>\d{1,2})\s*日?"
)
_PERIOD_LABEL = re.compile(
    r"(?:申請|受付|募集|申込み?|申し込み|応募|提出|交付申請)\s*(?:の)?\s*(?:期間|期限|締切|締め切り|受付期間)|受付期間|募集期間|締切日?|締め切り"
)
_UNTIL = re.compile(r"まで|締切|締め切り|期限|必着|迄")
_FROM = re.compile(r"から|以降|より|～|〜|~")
JST = timezone(timedelta(hours=9))


@dataclass(frozen=True)
class Period:
    start: str = ""  # ISO dates; "" when the document does not say
    end: str = ""
    text: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)|(令和|平成)\s*(\d{1,2}|元)\s*年")


def years(text: str) -> set[int]:
    """The calendar years a text names, 西暦 or 令和/平成 (令和8年 and 2026 are the same year)."""
    found = set()
    for western, era, number in _YEAR.findall(unicodedata.normalize("NFKC", text)):
        found.add(int(western) if western else _ERAS[era] + (1 if number == "元" else int(number)))
    return found


def find_dates(text: str) -> list[date]:
    """Every full date in ``text``, in order; a month/day without a year takes the last year seen."""
    found: list[date] = []
    year: int | None = None
    for match in _DATE.finditer(unicodedata.normalize("NFKC", text)):
        if match.group("era"):
            n = 1 if match.group("eyear") == "元" else int(match.group("eyear"))
            year = _ERAS[match.group("era")] + n
        elif match.group("year"):
            year = int(match.group("year"))
        if year is None:
            continue
        try:
            found.append(date(year, int(match.group("month")), int(match.group("day"))))
        except ValueError:
            continue
    return found


def period_in(text: str) -> Period | None:
    """The period a sentence states: two dates are a range, one date is a deadline or a start."""
    dates = find_dates(text)
    if len(dates) >= 2:
        if dates[1] < dates[0]:
            return None  # two unrelated dates (a table row of several deadlines), not a range
        return Period(dates[0].isoformat(), dates[1].isoformat(), text)
    if len(dates) == 1:
        if _UNTIL.search(text):
            return Period("", dates[0].isoformat(), text)
        if _FROM.search(text):
            return Period(dates[0].isoformat(), "", text)
        return Period("", dates[0].isoformat(), text)
    return None


_RANGE_LABEL = re.compile(
    r"(?:公募|申請|受付|募集|申込み?|申し込み|応募|提出|交付申請|申請受付|電子申請受付)\s*(?:の)?\s*期間"
)
_START_LABEL = re.compile(r"(?:公募|申請|受付|募集|応募|申請受付|電子申請受付|交付申請)\s*開始")
_END_LABEL = re.compile(
    r"(?:公募|申請|受付|募集|応募|申請受付|電子申請受付|提出|交付申請)\s*(?:の)?\s*(?:締切|締め切り|期限)|応募締切|締切日"
)
_LABEL_REACH = 12  # a labelled date follows its label closely (申請受付締切：2025年6月13日)
_DATE_WINDOW = 40  # and a range's second date follows the first (4月25日（金）～7月25日（金）)


def application_period(sections: Iterable[tuple[str, list[str]]]) -> Period | None:
    """The call's period: dates that follow a period label (公募期間：…～…, 申請受付開始, 締切) in
    reading order, the first start and the first end; else a dated sentence under a heading that
    is such a label (申請期間 / 令和8年4月1日から6月30日まで). A label far from a date
    (「申請締切日時点で有効な」in a revision note) says nothing about the period."""
    start = end = ""
    texts_used: list[str] = []
    under_heading: Period | None = None
    for heading, texts in sections:
        labelled = bool(_PERIOD_LABEL.search(heading))
        for text in texts:
            found = _labelled_dates(unicodedata.normalize("NFKC", text))
            if found:
                new_start, new_end = found
                if (new_start and not start) or (new_end and not end):
                    texts_used.append(text)
                start = start or new_start
                end = end or new_end
            elif labelled and under_heading is None and not _has_label(text):
                under_heading = period_in(text)
            if start and end:
                return Period(start, end, " / ".join(texts_used))
    if start or end:
        return Period(start, end, " / ".join(texts_used))
    return under_heading


def _has_label(text: str) -> bool:
    return bool(_RANGE_LABEL.search(text) or _START_LABEL.search(text) or _END_LABEL.search(text))


def _labelled_dates(text: str) -> tuple[str, str] | None:
    """(start, end) from the dates that directly follow a period label in one sentence."""
    start = end = ""
    for pattern, role in ((_RANGE_LABEL, "range"), (_START_LABEL, "start"), (_END_LABEL, "end")):
        for match in pattern.finditer(text):
            after = text[match.end() : match.end() + _LABEL_REACH + _DATE_WINDOW]
            first = _DATE.search(after)
            if first is None or first.start() > _LABEL_REACH:
                continue
            dates = find_dates(after[first.start() : first.start() + _DATE_WINDOW])
            if not dates:
                continue
            if role == "range":
                period = period_in(after[first.start() :][:_DATE_WINDOW])
                if period and len(dates) < 2 and not (_FROM.search(after) or _UNTIL.search(after)):
                    period = None  # 公募期間：公募要領公開：3月4日 names another date, not the period
                start = start or (period.start if period else "")
                end = end or (period.end if period else "")
            elif role == "start":
                start = start or dates[0].isoformat()
            else:
                end = end or dates[0].isoformat()
    return (start, end) if start or end else None


_DATED_LABEL = re.compile(r"(?:更新日|最終更新|掲載日|作成日|公開日|発行日|改訂日|第\s*\d+\s*版)\s*[:：]?\s*")


def document_date(texts: Iterable[str], cover: Iterable[str] = ()) -> str:
    """The date a document gives itself (更新日 / 掲載日 / 第2版：2025年4月25日), ISO; else a date
    standing alone on its cover (2025/4/21); "" if none."""
    for text in texts:
        normal = unicodedata.normalize("NFKC", text)
        for match in _DATED_LABEL.finditer(normal):
            dates = find_dates(normal[match.end() : match.end() + 20])
            if dates and _DATE.match(normal, match.end()):
                return dates[0].isoformat()
    for text in cover:
        normal = re.sub(r"[\s()（）月火水木金土日曜]+$", "", unicodedata.normalize("NFKC", text).strip())
        match = _DATE.fullmatch(normal)
        if match and (match.group("year") or match.group("era")):
            return find_dates(normal)[0].isoformat()
    return ""


def today(fixed: date | None = None) -> date:
    """Today in Japan, unless settings fix it (NAVIGATOR_TODAY, for tests and previews)."""
    return fixed or datetime.now(JST).date()


def ja_date(iso: str) -> str:
    """An ISO date as Japanese words (2025年6月13日); "" for "" (an unknown date)."""
    if not iso:
        return ""
    day = date.fromisoformat(iso)
    return f"{day.year}年{day.month}月{day.day}日"


def period_status(period: dict[str, str] | None, on: date) -> str:
    """`ended`, `upcoming` (not yet open), `open`, or "" when no period is known."""
    if not period:
        return ""
    if period.get("end") and date.fromisoformat(period["end"]) < on:
        return "ended"
    if period.get("start") and date.fromisoformat(period["start"]) > on:
        return "upcoming"
    return "open"
