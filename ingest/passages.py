"""Sections → records: one `document` record per file and one `passage` record per section.

Ids derive from the heading path (romanised), not from positions, so an unchanged section keeps its
id and its stored embedding when others change. A passage carries its context (document title ›
heading path) for embedding and keyword search, its quotable units, and where it was seen (page for
a PDF). The document record carries what the document says about itself: title and purpose, its
URL, its own contact block (問い合わせ先), its application period, and a program sheet's front
matter (the plan programs it details, its sources and their dates, `status: ended`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath
from typing import Any

import jaconv

from ingest.dates import application_period, document_date
from ingest.loaders import LoadedDocument
from ingest.records import Record, content_hash
from ingest.structure import Section, sections
from ingest.textnorm import reading

MAX_PASSAGE_CHARS = 500
_PURPOSE = re.compile(r"目的|趣旨|概要|について|とは|purpose|overview", re.IGNORECASE)
_CONTACT_HEADING = re.compile(r"問い?合わ?せ|問合せ|連絡先|申込先|担当|窓口")
_PHONE = re.compile(
    r"(?<![\d-])(0\d{1,4}[-‐－−ー(（]\s*\d{1,4}\s*[-‐－−ー)）]\s*\d{3,4}|\(0\d{1,4}\)\s*\d{1,4}-\d{4})(?![\d])"
)
_EXTENSION = re.compile(r"[（(]内線\s*[0-9０-９]+[）)]")
_FAX = re.compile(r"FAX|ファクス|ファックス|Fax|fax")
_HOURS = re.compile(r"受付時間|時間|平日|[0-9０-９]時|[0-9０-９]:[0-9０-９]{2}")
_ORGANISATION = re.compile(r"市|課|係|室|所|財団|センター|会議所|協会|機構|公庫|局|部")
_ASCII_RUN = re.compile(r"[A-Za-z0-9]+")
_FRONT_MATTER_KEYS = ("programs", "issuer", "status", "as_of", "written", "sources")


def document_records(loaded: LoadedDocument, source: str) -> list[Record]:
    """The document record and its passages, from a loaded file that is not the plan."""
    doc_id = slug(PurePath(source).stem, 48)
    found = sections(loaded)
    title = loaded.title or PurePath(source).stem
    info = _document_info(loaded, found)
    names = document_names(title, PurePath(source).stem)
    if not any(_PROGRAM_NAME.match(n) for n in names) and (named := _most_named_program(found)):
        names = document_names(named, PurePath(source).stem)  # an FAQ titled only よくあるご質問
    if names:
        info["names"] = names
    passages = _passages(found, doc_id, title, loaded.url, source, {"names": names} if names else {})
    purpose = _purpose(found)
    document = Record(
        id=doc_id,
        kind="document",
        title=title,
        text=purpose,
        source=source,
        location="",
        document=title,
        document_id=doc_id,
        url=loaded.url,
        info=info,
    )
    return [document, *passages]


def _document_info(loaded: LoadedDocument, found: list[Section]) -> dict[str, Any]:
    info: dict[str, Any] = {k: loaded.meta[k] for k in _FRONT_MATTER_KEYS if k in loaded.meta}
    if contact := contact_block(found):
        info["contact"] = contact
    period = application_period((" ".join(s.path), [u.text for u in s.units]) for s in found)
    if period:
        info["period"] = period.to_dict()
    cover = [u.text for u in found[0].units] if found and not found[0].path else []
    dated = document_date([loaded.meta.get("date", ""), *(u.text for s in found for u in s.units)], cover)
    if dated:
        info["date"] = dated
    return info


_PROGRAM_NAME = re.compile(r"^([^(（]*?(?:補助金|助成金|給付金|支援金|奨励金|交付金|融資|制度))")
_QUOTED_NAME = re.compile(r"「([^」]{2,30})」")
_NAME_MODIFIER = re.compile(r"^(?:小規模事業者|中小企業者?|中小企業・小規模事業者等?|事業者)(?=\S{3,})")
_STEM_WORD = re.compile(r"[a-z]{3,}")
# What a title carries in front of the program's name and nobody says: 【令和9年度】, 令和8年度, 2025年度.
_NAME_PREFIX = re.compile(r"^(?:\s*(?:【[^】]*】|\[[^\]]*\]|(?:令和|平成)\d+年度|20\d\d年度))+\s*")


def document_names(title: str, stem: str) -> list[str]:
    """What owners call the document's program, derived from its own title by rule: the name in
    「」, or the title cut after 補助金 (助成金, 融資…) with the modifiers in front dropped —
    before a 「・」 list (ものづくり・商業・サービス生産性向上促進補助金 → ものづくり補助金) or
    a target group (小規模事業者持続化補助金 → 持続化補助金). The file name's words
    (jizokuka, monozukuri) are kept too: a FAQ titled only 申請時によくあるご質問 is known by them."""
    text = unicodedata.normalize("NFKC", title).strip()
    names: list[str] = []
    if match := _QUOTED_NAME.search(text):
        names.append(match.group(1))
    if match := _PROGRAM_NAME.match(_NAME_PREFIX.sub("", text)):
        full = match.group(1).strip()
        suffix = next(
            s
            for s in ("補助金", "助成金", "給付金", "支援金", "奨励金", "交付金", "融資", "制度")
            if full.endswith(s)
        )
        names.append(full)
        if "・" in full:
            names.append(full.split("・")[0] + suffix)
        elif (short := _NAME_MODIFIER.sub("", full)) != full:
            names.append(short)
    names += [w for w in _STEM_WORD.findall(stem.lower()) if w not in _GENERIC_STEM_WORDS]
    return list(dict.fromkeys(n for n in names if n))


_NAMED_PROGRAM = re.compile(
    r"([^\s、。「」『』（）()【】＜＞<>:：/]{2,30}?(?:補助金|助成金|給付金|支援金|奨励金|交付金))"
)


def _most_named_program(found: list[Section]) -> str:
    """The program a document names most often in its text (at least three times)."""
    counts: dict[str, int] = {}
    for section in found:
        for unit in section.units:
            for name in _NAMED_PROGRAM.findall(unicodedata.normalize("NFKC", unit.text)):
                counts[name] = counts.get(name, 0) + 1
    best = max(counts.items(), key=lambda kv: (kv[1], len(kv[0])), default=("", 0))
    return best[0] if best[1] >= 3 else ""


_GENERIC_STEM_WORDS = frozenset({"koubo", "kobo", "faq", "gaiyo", "sanko", "guidebook", "tsujyo", "invoice"})


def _purpose(found: list[Section]) -> str:
    """What the document is for: its 目的/概要 section, else its first sentences."""
    chosen = next((s for s in found if s.units and _PURPOSE.search(s.heading)), None)
    units = chosen.units if chosen else [u for s in found for u in s.units]
    text = ""
    for unit in units:
        if len(text) + len(unit.text) > 240 and text:
            break
        text += unit.text + "\n"
    return text.strip()


def _passages(
    found: list[Section], doc_id: str, title: str, url: str, source: str, info: dict[str, Any]
) -> list[Record]:
    records: list[Record] = []
    used: set[str] = set()
    for section in found:
        if not section.units:
            continue
        for part, units in enumerate(_chunks(section), 1):
            passage_id = _passage_id(doc_id, section, part, used)
            where = f"p.{section.page}" if section.page else " › ".join(section.path) or "冒頭"
            unit_info: dict[str, Any] = dict(info)
            if any(u.source for u in units):
                unit_info["unit_sources"] = [u.source for u in units]
            if any(u.kind != "sentence" for u in units):
                unit_info["unit_kinds"] = [u.kind for u in units]
            records.append(
                Record(
                    id=passage_id,
                    kind="passage",
                    title=section.heading or title,
                    text="\n".join(u.text for u in units),
                    source=source,
                    location=where,
                    document=title,
                    document_id=doc_id,
                    url=url,
                    path=section.path,
                    units=tuple(u.text for u in units),
                    info=unit_info,
                )
            )
    return records


def _chunks(section: Section) -> list[list[Any]]:
    """A long section split at unit ends (sentences, items, rows) under the size limit."""
    chunks: list[list[Any]] = [[]]
    size = 0
    for unit in section.units:
        if chunks[-1] and size + len(unit.text) > MAX_PASSAGE_CHARS:
            chunks.append([])
            size = 0
        chunks[-1].append(unit)
        size += len(unit.text)
    return chunks


def _passage_id(doc_id: str, section: Section, part: int, used: set[str]) -> str:
    """`<doc>-<last heading>`; the parent heading is added when two sections share a heading."""
    path = section.path or ("top",)
    candidate = ""
    for depth in range(1, len(path) + 1):
        candidate = "-".join(slug(h, 32) for h in path[-depth:])
        if f"{doc_id}-{candidate}" not in used:
            break
    passage_id = f"{doc_id}-{candidate}" + (f"-{part}" if part > 1 else "")
    base, n = passage_id, 0
    while passage_id in used:  # two sections with one heading path (a heading a page repeats)
        n += 1
        passage_id = f"{base}-" + content_hash(*section.path, str(part), str(n))[:6]
    used.add(passage_id)
    return passage_id


def slug(text: str, limit: int) -> str:
    """ASCII id part: Latin letters and digits kept, Japanese romanised by its reading."""
    text = unicodedata.normalize("NFKC", text)
    parts: list[str] = []
    position = 0
    for match in _ASCII_RUN.finditer(text):
        parts.append(_romanise(text[position : match.start()]))
        parts.append(match.group().lower())
        position = match.end()
    parts.append(_romanise(text[position:]))
    joined = re.sub(r"[^a-z0-9]+", "-", "-".join(p for p in parts if p)).strip("-")
    return joined[:limit].strip("-") or "x" + content_hash(text)[:8]


def _romanise(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    return jaconv.kana2alphabet(jaconv.kata2hira(reading(text))).lower()


_NAME_LIMIT = 40  # characters: a desk's name, with its department; a longer line is a sentence


def _is_name(line: str) -> bool:
    """Whether a line can be an organisation's name: short, and not a sentence (a 。 inside or at the
    end says it is one: 「まず…申請します。」 names no desk)."""
    return 0 < len(line) <= _NAME_LIMIT and "。" not in line


def contact_block(found: list[Section]) -> dict[str, str] | None:
    """A document's own 問い合わせ先: organisation, phone, hours, as the document states them."""
    candidates = [s for s in found if _CONTACT_HEADING.search(s.heading)] or found[-3:]
    for section in reversed(candidates):
        lines = [u.text for u in section.units]
        phone_line = next((t for t in lines if _PHONE.search(t) and not _FAX.match(t.strip())), None)
        if phone_line is None:
            continue
        phone = _PHONE.search(phone_line).group(1)  # type: ignore[union-attr]
        if extension := _EXTENSION.search(phone_line):
            phone += extension.group()
        organisation = next(
            (
                t
                for t in [*lines, phone_line]
                if _ORGANISATION.search(t) and not _HOURS.search(t) and not _PHONE.search(t) and _is_name(t)
            ),
            "",
        )
        if not organisation:  # "藤沢市産業労働課 電話 0466-…" on one line
            organisation = _PHONE.split(phone_line)[0]
            organisation = re.sub(r"(?:電話|TEL|℡)[:：\s]*$", "", organisation).strip(" 　:：、")
        hours = next((t for t in lines if _HOURS.search(t) and not _PHONE.search(t)), "")
        name = re.sub(r"^(?:お?問い?合わ?せ先?|担当)[:：\s]*", "", organisation).strip()
        return {
            "name": name if _is_name(name) else "",
            "phone": phone,
            "hours": hours,
            "text": " / ".join(lines),
        }
    return None
