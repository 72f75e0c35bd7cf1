"""Turns the text of a plan (as the loaders give it) into records, following the plan's own structure.

The plan is a fixed form: narrative sections, an indicator table, then measures (施策) each with
aims (✓) and a program table (事業名 / 事業内容 / 事業主体等). Parsing that form, rather than cutting
the text into blind chunks, is what gives stable ids and exact citations. Any other document is
still ingested, as sections.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.records import Record

_MEASURE = re.compile(r"^(?P<policy>[IVX]+)\s*-\s*施策\s*(?P<n>\d+)\s*(?P<title>.*)$")
_SECTION = re.compile(r"^(?P<n>\d+)\s+(?P<title>基本方針の(?P<kind>めざす姿|趣旨)|指標)\s*$")
_ROW_NUMBER = re.compile(r"^\(\s*(?P<n>\d+)\s*\)\s*(?P<rest>.*)$")
_AIM = re.compile(r"^(?:[-・•*]\s*)?(?:[✓✔☑□■●◯○]|\(?レ\)?)\s*(?P<aim>.+)$")
_CROSS_REF = re.compile(r"【(?P<ref>[^】]+)】")
_SEPARATOR = re.compile(r"^[-\s\t]+$")
_INDICATOR_HEADER = re.compile(r"評価指標|単位")
_PROGRAM_HEADER = re.compile(r"事業名")
_BODY_SPLIT = re.compile(r"[\s、,，]+")

SECTION_SLUGS = {"めざす姿": "aim", "趣旨": "purpose"}

# Organisations the plan names, besides those in contacts.yaml; used to split a body cell whose
# spaces were lost (a PDF cell wrapped exactly at a space).
PLAN_ORGANISATIONS = (
    "藤沢市",
    "鎌倉市",
    "茅ヶ崎市",
    "寒川町",
    "神奈川県",
    "藤沢商工会議所",
    "ハローワーク藤沢",
    "(公財)湘南産業振興財団",
    "(一社)藤沢市商店会連合会",
    "(独)勤労者退職金共済機構",
    "(独)中小企業基盤整備機構",
    "神奈川県信用保証協会",
    "日本政策金融公庫",
    "中小企業庁",
    "JETRO",
    "民間保険会社",
    "取扱金融機関",
    "協力金融機関",
    "地域金融機関",
    "金融機関",
    "ロボット関連企業",
    "市内事業者",
    "事業承継・引継ぎ支援センター",
)


@dataclass
class _Measure:
    policy: str
    number: int
    title: str
    aims: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _clean(line: str) -> str:
    """NFKC (so Ⅰ becomes I and full-width brackets half-width) and trimmed cells."""
    line = unicodedata.normalize("NFKC", line)
    return "\t".join(cell.strip() for cell in line.split("\t")).strip()


def looks_like_plan(text: str) -> bool:
    return any(_MEASURE.match(_clean(line)) for line in text.splitlines())


def parse_plan(text: str, source: str, organisations: tuple[str, ...]) -> list[Record]:
    lines = [_clean(raw) for raw in text.splitlines()]
    policy = next(m.group("policy") for line in lines if (m := _MEASURE.match(line)))

    doc_title = ""
    sections: list[tuple[str, str, list[str]]] = []  # (slug, heading, paragraphs)
    indicator_header: list[str] = []
    indicator_rows: list[list[str]] = []
    measures: list[_Measure] = []
    mode = "preamble"

    for line in lines:
        if not line or _SEPARATOR.match(line):
            continue
        if m := _MEASURE.match(line):
            measures.append(_Measure(policy, int(m.group("n")), m.group("title").strip()))
            mode = "measure"
            continue
        if m := _SECTION.match(line):
            if m.group("kind"):
                sections.append((SECTION_SLUGS[m.group("kind")], line, []))
                mode = "section"
            else:
                mode = "indicators"
            continue
        if mode == "preamble":
            doc_title = f"{doc_title} {line}".strip()
        elif mode == "section":
            sections[-1][2].append(line)
        elif mode == "indicators":
            _collect_indicator_line(line, indicator_header, indicator_rows)
        elif mode == "measure":
            _collect_measure_line(line, measures[-1])

    records: list[Record] = []
    for slug, heading, paragraphs in sections:
        records.append(
            Record(
                id=f"{policy}-{slug}",
                kind="section",
                title=heading.split(maxsplit=1)[-1],
                text="\n".join(paragraphs),
                source=source,
                location=heading,
                extra={"document_title": doc_title},
            )
        )
    indicators = _indicator_records(policy, indicator_header, indicator_rows, source)
    if doc_title:
        overview = [f"{policy}-施策{m.number} {m.title}" for m in measures]
        records.append(
            Record(
                id=f"{policy}-policy",
                kind="section",
                title=doc_title,
                text="\n".join([f"基本方針{policy}: {doc_title}", *overview]),
                source=source,
                location=f"基本方針{policy}",
            )
        )
    if indicators:
        records.append(
            Record(
                id=f"{policy}-indicators",
                kind="section",
                title="指標",
                text="\n".join(i.text for i in indicators),
                source=source,
                location="3 指標",
            )
        )
    records.extend(indicators)
    for measure in measures:
        records.extend(_measure_records(measure, source, organisations))
    return records


def _collect_indicator_line(line: str, header: list[str], rows: list[list[str]]) -> None:
    cells = line.split("\t")
    if _INDICATOR_HEADER.search(cells[0]) and not header:
        header.extend(cells)
    elif _ROW_NUMBER.match(cells[0]):
        rows.append(cells)
    elif rows and "\t" in line:  # continuation of a wrapped row
        _merge_continuation(rows[-1], cells)


def _collect_measure_line(line: str, measure: _Measure) -> None:
    cells = line.split("\t")
    if len(cells) == 1 and not measure.rows:
        if aim := _AIM.match(line):
            measure.aims.append(aim.group("aim").strip())
        return
    if _PROGRAM_HEADER.match(cells[0]) and len(cells) > 1:
        return
    if _ROW_NUMBER.match(cells[0]):
        measure.rows.append(cells)
    elif measure.rows:
        _merge_continuation(measure.rows[-1], cells)


def _merge_continuation(row: list[str], cells: list[str]) -> None:
    """A row broken across pages or lines: append each continued cell to the cell above it."""
    for index, cell in enumerate(cells):
        if not cell:
            continue
        if index < len(row):
            row[index] = _join_wrapped(row[index], cell)
        else:
            row.append(cell)


def _join_wrapped(left: str, right: str) -> str:
    if left and right and ord(left[-1]) > 0x2E7F and ord(right[0]) > 0x2E7F:
        return left + right
    return f"{left} {right}".strip()


def _indicator_records(policy: str, header: list[str], rows: list[list[str]], source: str) -> list[Record]:
    baseline_label = header[2] if len(header) > 2 else "現状値"
    target_label = header[3] if len(header) > 3 else "目標値"
    records = []
    for cells in rows:
        cells = cells + [""] * (4 - len(cells))
        m = _ROW_NUMBER.match(cells[0])
        assert m  # rows were selected by this pattern
        number = int(m.group("n"))
        title = m.group("rest").strip()
        unit, baseline, target = cells[1], cells[2], cells[3]
        text = f"{title}: {baseline_label} {baseline}{unit}、{target_label}(目標) {target}{unit}"
        records.append(
            Record(
                id=f"{policy}-KPI-{number}",
                kind="indicator",
                title=title,
                text=text,
                source=source,
                location=f"3 指標 ({number})",
                unit=unit,
                baseline=baseline,
                baseline_label=baseline_label,
                target=target,
                target_label=target_label,
            )
        )
    return records


def _measure_records(measure: _Measure, source: str, organisations: tuple[str, ...]) -> list[Record]:
    measure_id = f"{measure.policy}-{measure.number}"
    measure_name = f"施策{measure.number} {measure.title}"
    location = f"{measure.policy}-施策{measure.number}"
    programs = []
    for cells in measure.rows:
        cells = cells + [""] * (3 - len(cells))
        m = _ROW_NUMBER.match(cells[0])
        assert m
        raw_title = m.group("rest").strip()
        cross_ref = _CROSS_REF.search(raw_title)
        title = _CROSS_REF.sub("", raw_title).strip()
        content = cells[1].strip()
        bodies = split_bodies(" ".join(cells[2:]), organisations)
        programs.append(
            Record(
                id=f"{measure_id}-{int(m.group('n'))}",
                kind="program",
                title=title,
                text=content,
                source=source,
                location=f"{location} ({int(m.group('n'))})",
                measure_id=measure_id,
                measure=measure_name,
                bodies=bodies,
                see_also=cross_ref.group("ref") if cross_ref else "",
            )
        )
    overview = "\n".join(measure.aims + [f"({p.id.rsplit('-', 1)[1]}) {p.title}" for p in programs])
    measure_record = Record(
        id=measure_id,
        kind="measure",
        title=measure.title,
        text=overview,
        source=source,
        location=location,
        measure_id=measure_id,
        measure=measure_name,
        aims=tuple(measure.aims),
    )
    return [measure_record, *programs]


def split_bodies(cell: str, organisations: Iterable[str] = ()) -> tuple[str, ...]:
    """The implementing bodies of a row, one organisation each.

    The plan separates them with spaces or 、; where a wrapped PDF cell lost the space, known names
    are cut out of the run (longest first) so 藤沢市藤沢商工会議所 still gives two bodies.
    """
    known = {unicodedata.normalize("NFKC", o) for o in (*organisations, *PLAN_ORGANISATIONS)}
    names = sorted(known, key=len, reverse=True)
    bodies: list[str] = []
    for chunk in _BODY_SPLIT.split(unicodedata.normalize("NFKC", cell)):
        if not chunk or chunk == "ほか":
            continue
        bodies.extend(_cut_known(chunk, names))
    return tuple(dict.fromkeys(bodies))


def _cut_known(chunk: str, names: list[str]) -> list[str]:
    if chunk in names:
        return [chunk]
    for name in names:
        if chunk.startswith(name) and len(chunk) > len(name):
            return [name, *_cut_known(chunk[len(name) :], names)]
    return [chunk]
