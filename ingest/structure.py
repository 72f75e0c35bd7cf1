"""Blocks → sections: the heading tree of any document, and the units an answer can quote.

Formats state some headings themselves (HTML h1–h6, Word Heading styles, PDF font sizes, Markdown
`#`); Japanese administrative writing states the rest by its numbering: 第n条（…）, `1 目的`,
`(1)`, `①`, `ア`, 【…】, ■/●, and Q/A or 問/答 for FAQs. Numbering styles nest in the order a
document first uses them (a new style is a level deeper; a style seen before closes what was
opened under it), which is how 要綱 and 募集要項 are written.

Each section's body is cut into units: sentences (at 。), list items, and table rows carried with
their header row ("区分: … / 補助率: … / 上限額: …"). A FAQ's question is its section's heading,
so a question and its answer always stay together.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ingest.loaders import Block, LoadedDocument

_ARTICLE = re.compile(
    r"^(第\s*[0-9０-９一二三四五六七八九十百]+\s*条)\s*(?:[（(]([^）)]{1,30})[）)])?\s*(.*)$"
)
_CHAPTER = re.compile(r"^(第\s*[0-9０-９一二三四五六七八九十]+\s*([章節部編]))[\s　]*(\S.*)?$")
_NUMBERED = {
    # 2-1-1 / ２－１－１ / 2.3.1: one style per depth, tried before the plain number they start with
    "sub3": re.compile(
        r"^([0-9０-９]{1,2}(?:[.．\-－‐‑][0-9０-９]{1,2}){3})(?![0-9０-９])[.．\s　]*([^\s0-9０-９万円倍%％].*)$"
    ),
    "sub2": re.compile(
        r"^([0-9０-９]{1,2}(?:[.．\-－‐‑][0-9０-９]{1,2}){2})(?![0-9０-９])[.．\s　]*([^\s0-9０-９万円倍%％].*)$"
    ),
    "sub1": re.compile(
        r"^([0-9０-９]{1,2}[.．\-－‐‑][0-9０-９]{1,2})(?![0-9０-９])[.．\s　]*([^\s0-9０-９万円倍%％月年日時分].*)$"
    ),
    "num": re.compile(r"^([0-9０-９]{1,2})(?:[.．、]\s*)(\S.*)$"),
    "num_space": re.compile(r"^([0-9０-９]{1,2})[\s　]+(\S.*)$"),
    "paren": re.compile(r"^([（(][0-9０-９]{1,2}[）)])\s*(\S.*)$"),
    "circled": re.compile(r"^([①-⑳])\s*(\S.*)$"),
    "kana": re.compile(r"^([アイウエオカキクケコサシスセソタチツテト])(?:[.．、]\s*|[\s　]+)(\S.*)$"),
    "mark": re.compile(r"^([■□◆◇▼▲])\s*(\S.*)$"),
    "dot": re.compile(r"^([●○◎])\s*(\S.*)$"),
}
# How coarse each numbering style usually is: a new style closes the finer ones still open, so that
# 【問い合わせ先】 after "(2) …" is not put under it. Q/A sections are always leaves.
_RANK = {
    "markup": 0,
    "chapter_章": 0.5,
    "chapter_部": 0.5,
    "chapter_編": 0.5,
    "chapter_節": 0.7,
    "article": 1,
    "bracket": 2,
    "mark": 3,
    "num": 4,
    "sub1": 4.2,
    "sub2": 4.4,
    "sub3": 4.6,
    "num_space": 4.8,
    "paren": 5,
    "circled": 6,
    "kana": 7,
    "dot": 8,
    "faq_group": 8.5,
    "qa": 9,
}
_ITEM_STYLES = frozenset({"num", "num_space", "paren", "circled", "kana", "mark", "dot"})
_BRACKET = re.compile(r"^【([^】]{1,30})】\s*(.*)$")
_QA_NUMBER = r"(?:[0-9０-９]{1,3}(?:[\-－‐‑][0-9０-９]{1,3})?)"  # Q3, Q3-9
_QUESTION = re.compile(
    rf"^(?:[QＱ]\s*{_QA_NUMBER}?\s*[.:：．、)）]?|問\s*{_QA_NUMBER}?\s*[.:：．、)）]|問{_QA_NUMBER})\s*(\S.*)$"
)
_ANSWER = re.compile(
    rf"^(?:[AＡ]\s*{_QA_NUMBER}?\s*[.:：．、)）]?|答\s*{_QA_NUMBER}?\s*[.:：．、)）]|答{_QA_NUMBER})\s*(\S.*)$"
)
_QUESTION_COLUMN = re.compile(r"^(?:質問|問|Q|Ｑ|質問内容|ご質問)$", re.IGNORECASE)
_ANSWER_COLUMN = re.compile(r"^(?:回答|答|A|Ａ|回答内容|お答え)$", re.IGNORECASE)
_LABEL_WITH_VALUE = re.compile(r"[：:]\s*\S")  # 【申請受付締切：6月13日】 is a callout, not a heading
_BULLET = re.compile(r"^[・•\-‐*※]\s*(\S.*)$")
_SOURCE_MARK = re.compile(r"\s*\[\^([A-Za-z0-9_-]{1,20})\]")
_SENTENCE_END = re.compile(r"(?<=[。！？])")
_MAX_HEADING_CHARS = 30
_MIN_UNIT_CHARS = 4


@dataclass
class Unit:
    """One quotable piece: a sentence, a list item, or a table row with its header."""

    text: str
    kind: str = "sentence"  # sentence | item | row
    source: str = ""  # the source key a program sheet marks the line with ([^s1])


@dataclass
class Section:
    heading: str
    path: tuple[str, ...]
    units: list[Unit] = field(default_factory=list)
    page: int = 0
    source: str = ""  # a source key on the heading covers its whole section
    style: str = ""  # the numbering style that opened it ("markup" for a format's own heading)
    parent: Section | None = field(default=None, repr=False, compare=False)


def sections(document: LoadedDocument) -> list[Section]:
    """The document's sections in reading order, each with its heading path and units."""
    return _Builder(document.title).build(document.blocks)


def split_heading(line: str) -> tuple[str, str, str] | None:
    """(numbering style, heading text, rest of the line) when ``line`` opens a section."""
    if match := _ARTICLE.match(line):
        heading = match.group(1) + (f"（{match.group(2)}）" if match.group(2) else "")
        return "article", heading, match.group(3)
    if match := _CHAPTER.match(line):
        return f"chapter_{match.group(2)}", collapse(line), ""
    if (match := _BRACKET.match(line)) and not _LABEL_WITH_VALUE.search(match.group(1)):
        return "bracket", match.group(1), match.group(2)
    for style, pattern in _NUMBERED.items():
        match = pattern.match(line)
        if match and _short(match.group(2)):
            return (
                style,
                f"{match.group(1)} {match.group(2)}" if style not in ("mark", "dot") else match.group(2),
                "",
            )
    return None


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _short(text: str) -> bool:
    return len(text) <= _MAX_HEADING_CHARS and not text.endswith(("。", "、", "：", ":"))


class _Builder:
    def __init__(self, title: str) -> None:
        self.title_key = _key(title)
        self.stack: list[tuple[tuple[str, float], Section]] = []
        self.out: list[Section] = [Section(heading="", path=())]
        self.page = 0
        self.parents_of: dict[str, list[tuple[str, float]]] = {}  # each style's open parents when last used
        self.open_before: dict[str, list[tuple[tuple[str, float], Section]]] = {}  # and those sections

    @property
    def current(self) -> Section:
        """Where text goes: the innermost open section (one a sibling closed takes no more text)."""
        return self.stack[-1][1] if self.stack else self.out[0]

    def build(self, blocks: list[Block]) -> list[Section]:
        # One entry per line of running text, one per heading or table: a short numbered line looks
        # at what follows it to decide whether it heads a section.
        entries = [
            (block, line)
            for block in blocks
            for line in (block.lines if block.kind in ("text", "item") else ["\n".join(block.lines)])
        ]
        for n, (block, line) in enumerate(entries):
            self.page = block.page or self.page
            if block.kind == "heading":
                text = " ".join(block.lines)
                numbered = split_heading(text)
                # Headings set in one size nest by their numbering (2.3 › 2.3.1), as the document does.
                depth = _RANK[numbered[0] if numbered else "num"] / 10
                self.open(("markup", (block.level or 9) + depth), text)
            elif block.kind == "table":
                self.add_table(block.lines)
            elif block.kind == "item":
                self.add(line, "item")
            else:
                following = next(
                    (e for e in entries[n + 1 :] if e[0].kind == "heading" or e[1].strip()), None
                )
                self.line(line, following)
        return [s for s in self.out if s.units or s.heading]

    def open(self, key: tuple[str, float], heading: str) -> None:
        heading, source = _strip_source(heading)
        if _key(heading) == self.title_key and not self.stack:
            return  # the document's title heads everything: it is the context, not a section
        keys = [k for k, _ in self.stack]
        if key in keys:
            del self.stack[keys.index(key) :]
        elif key[0] == "markup":
            while self.stack and (self.stack[-1][0][0] != "markup" or self.stack[-1][0][1] >= key[1]):
                self.stack.pop()
        else:
            aside = next((i for i, (k, _) in enumerate(self.stack) if k[0] == "bracket"), None)
            before = self.open_before.get(key[0])
            if (
                key[0] != "bracket"
                and aside is not None
                and before is not None
                and len(before) > aside
                and [k for k, _ in before[:aside]] == keys[:aside]
            ):
                # A list that a 【補足】 interrupted carries on where it was: （５） after 【補足２】
                # is (4)'s sibling again, not the aside's child.
                self.stack = list(before)
                keys = [k for k, _ in self.stack]
            earlier = self.parents_of.get(key[0])
            if earlier is not None and len(keys) > len(earlier) and keys[: len(earlier)] == earlier:
                # A style met again continues its earlier list ("13 その他" after 【政策加点】 ① …
                # is 12's sibling), whatever finer or bracketed sections opened since.
                del self.stack[len(earlier) :]
            while self.stack and _RANK[self.stack[-1][0][0]] >= _RANK[key[0]]:
                self.stack.pop()
        self.parents_of[key[0]] = [k for k, _ in self.stack]
        self.open_before[key[0]] = list(self.stack)
        parent = self.stack[-1][1] if self.stack else self.out[0]
        path = tuple(s.heading for _, s in self.stack) + (heading,)
        section = Section(
            heading=heading,
            path=path,
            page=self.page,
            source=source or parent.source,
            style=key[0],
            parent=parent,
        )
        self.stack.append((key, section))
        self.out.append(section)

    def line(self, raw: str, following: tuple[Block, str] | None) -> None:
        line = raw.strip()
        if _key(line) == self.title_key and not self.stack and not self.current.units:
            return  # a text file's first line is its title
        if "\t" in line:
            self.add_table([line])
            return
        if match := _QUESTION.match(line):
            self.open(("qa", 0), match.group(1))
            return
        if match := _ANSWER.match(line):
            self.add(match.group(1), "sentence")
            return
        if (
            (heading := split_heading(line))
            and _heads_something(heading[0], following)
            and not self._inside_answer(heading[0])
        ):
            style, text, rest = heading
            self.open((style, 0), text)
            if rest:
                self.add(rest, "sentence")
            return
        if match := _BULLET.match(line):
            self.add(match.group(1), "item")
            return
        numbered = any(p.match(line) for p in _NUMBERED.values())
        self.add(line, "item" if numbered else "sentence")

    def add_faq_rows(self, header: list[str], rows: list[list[str]]) -> None:
        """Each FAQ row is one Q/A section: the question its heading, the answer its units. A row
        with one cell is the FAQ's category (1.補助対象事業について) and groups the rows after it."""
        question, answer = _faq_columns(header)  # type: ignore[misc]
        for row in rows:
            filled = [c for c in row if c]
            if len(filled) == 1 and len(row) < len(header):
                while self.stack and self.stack[-1][0][0] != "markup":
                    self.stack.pop()  # a FAQ's categories are its top level under the format's headings
                self.open(("faq_group", 0), filled[0])
            elif len(row) == len(header) and row[question]:
                self.open(("qa", 0), row[question])
                if row[answer]:
                    self.add(row[answer], "sentence")
            elif filled:
                self.add(" / ".join(filled), "row")

    def _inside_answer(self, style: str) -> bool:
        """An answer's own numbering ((1), ①, ＜…＞) stays inside its Q/A: the pair is one passage."""
        return bool(self.stack) and self.stack[-1][0][0] == "qa" and _RANK[style] > _RANK["num_space"]

    def add(self, text: str, kind: str) -> None:
        text, source = _strip_source(text)
        source = source or self.current.source
        pieces = [text] if kind == "item" else [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
        for piece in pieces:
            units = self.current.units
            if len(piece) < _MIN_UNIT_CHARS and units and units[-1].kind == "sentence":
                units[-1].text += piece
            else:
                units.append(Unit(piece, kind, source))

    def add_table(self, rows: list[str]) -> None:
        cells = [[c.strip() for c in row.split("\t")] for row in rows]
        header = cells[0] if len(cells) >= 2 and _is_header(cells[0]) else None
        if header and _faq_columns(header):
            self.add_faq_rows(header, cells[1:])
            return
        for row in cells[1:] if header else cells:
            if header and len(row) == len(header):
                text = " / ".join(f"{h}: {c}" for h, c in zip(header, row, strict=True) if c)
            else:
                text = " ".join(
                    c for c in row if c
                )  # a row without a header reads as printed: label, then value
            if text:
                self.add(text, "row")


def _faq_columns(header: list[str]) -> tuple[int, int] | None:
    """The question and answer columns of a FAQ table's header (No. | 質問 | 回答), if it has both."""
    keys = [re.sub(r"\s+", "", unicodedata.normalize("NFKC", cell)) for cell in header]
    question = next((i for i, k in enumerate(keys) if _QUESTION_COLUMN.match(k)), None)
    answer = next((i for i, k in enumerate(keys) if _ANSWER_COLUMN.match(k)), None)
    return (question, answer) if question is not None and answer is not None else None


def _style(line: str) -> str:
    """The numbering style a line starts with ("" for running text)."""
    if _QUESTION.match(line):
        return "qa"
    if heading := split_heading(line):
        return heading[0]
    return next((name for name, p in _NUMBERED.items() if p.match(line)), "")


def _heads_something(style: str, following: tuple[Block, str] | None) -> bool:
    """A short numbered line is a heading only when what follows belongs under it: running text, a
    table, or a finer numbering. Followed by a sibling ("ア 中古品" then "イ リース"), by a coarser
    heading or by nothing, it is an item of a list."""
    if style in ("article", "bracket") or style.startswith("chapter"):
        return True
    if style == "dot":
        return False  # ● and ○ mark list items; ■ and ◆ mark headings
    if following is None or following[0].kind == "heading":
        return False
    if following[0].kind in ("table", "item"):
        return True
    after = _style(following[1].strip())
    return not after or (after != "qa" and _RANK[after] > _RANK[style])


def _is_header(cells: list[str]) -> bool:
    """A header row names columns: short cells, no sentence, no figure-only cell."""
    return all(len(c) <= 20 and "。" not in c for c in cells) and sum(1 for c in cells if c) >= 2


def _strip_source(text: str) -> tuple[str, str]:
    """A program sheet's `[^s1]` source markers, removed from the text and returned as the key."""
    keys = _SOURCE_MARK.findall(text)
    return (_SOURCE_MARK.sub("", text).strip(), keys[0]) if keys else (text.strip(), "")


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
