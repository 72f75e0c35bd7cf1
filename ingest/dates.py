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
        return Period(dates[0].isoformat(), dates[1].isoformat(), text)
    if len(dates) == 1:
        if _UNTIL.search(text):
            return Period("", dates[0].isoformat(), text)
        if _FROM.search(text):
            return Period(dates[0].isoformat(), "", text)
        return Period("", dates[0].isoformat(), text)
    return None


def application_period(sections: Iterable[tuple[str, list[str]]]) -> Period | None:
    """The first period stated under an application-period label, in a heading or in the sentence."""
    for heading, texts in sections:
        labelled = bool(_PERIOD_LABEL.search(heading))
        for text in texts:
            if (labelled or _PERIOD_LABEL.search(text)) and (period := period_in(text)):
                return period
    return None


def today(fixed: date | None = None) -> date:
    """Today in Japan, unless settings fix it (NAVIGATOR_TODAY, for tests and previews)."""
    return fixed or datetime.now(JST).date()


def period_status(period: dict[str, str] | None, on: date) -> str:
    """`ended`, `upcoming` (not yet open), `open`, or "" when no period is known."""
    if not period:
        return ""
    if period.get("end") and date.fromisoformat(period["end"]) < on:
        return "ended"
    if period.get("start") and date.fromisoformat(period["start"]) > on:
        return "upcoming"
    return "open"
