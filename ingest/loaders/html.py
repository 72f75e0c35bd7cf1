"""HTML: visible text of a page in blocks; h1–h6 and dt are headings, a page's chrome is dropped.

Navigation, breadcrumbs, headers and footers are dropped, except a contact block (お問い合わせ
with a phone number), which a city page often keeps in its footer and which answers "whom to call".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ingest.loaders.base import Block, BlockKind, LoadedDocument, render_blocks
from ingest.loaders.encoding import canonical_encoding, decode_text
from ingest.loaders.layout import collapse_spaces, is_cjk

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_DROPPED_TAGS = frozenset(
    {"script", "style", "nav", "header", "footer", "noscript", "template", "head", "svg", "iframe", "select"}
)
_BLOCK_TAG_NAMES = """address article aside blockquote body caption dd details dialog div dl dt fieldset
figcaption figure form h1 h2 h3 h4 h5 h6 hr html legend li main ol p section summary ul"""
_BLOCK_TAGS = frozenset(_BLOCK_TAG_NAMES.split())
_HARD_BREAK = "\ue000"  # private-use marker: a <br> or block edge inside a table cell
_WHITESPACE = re.compile(r"\s+")
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_TERM_LEVEL = 7  # a <dt> heads its <dd> below any h1–h6
_CHROME = re.compile(
    r"breadcrumb|pankuzu|topicpath|bread|skip|sitemap|gnav|globalnav|localnav|sns|share", re.I
)
_CONTACT = re.compile(r"contact|toiawase|inquiry|otoiawase", re.I)
_CONTACT_WORDS = re.compile(r"問い?合わ?せ|問合せ|連絡先")
_PHONE = re.compile(r"0\d{1,4}[-‐－−(（)）\s]*\d{1,4}[-‐－−)）\s]*\d{3,4}|\d{2,4}[-‐－−]\d{4}")
_CONTACT_HEADING = "お問い合わせ"


def load(data: bytes) -> LoadedDocument:
    """Visible text of a page: blocks become lines, table rows tab-joined lines."""
    from bs4 import BeautifulSoup

    match = _META_CHARSET.search(data[:4096])
    declared = canonical_encoding(match.group(1).decode("ascii")) if match else None
    soup = BeautifulSoup(decode_text(data, declared), "html.parser")
    title = collapse_spaces(soup.title.get_text()) if soup.title else ""
    canonical = soup.find("link", rel="canonical")
    url = str(canonical.get("href") or "") if canonical else ""
    contacts = [collapse_spaces(_text_lines(tag)) for tag in _contact_blocks(soup)]
    for tag in soup.find_all(_DROPPED_TAGS):
        tag.decompose()
    for tag in soup.find_all(attrs={"class": _CHROME}) + soup.find_all(attrs={"id": _CHROME}):
        if not tag.decomposed:
            tag.decompose()
    builder = _HtmlBlocks()
    builder.walk(soup)
    builder.end_block()
    blocks = builder.blocks
    page_text = " ".join(line for block in blocks for line in block.lines)
    extra = [c for c in contacts if c and c not in page_text]
    if extra:
        blocks.append(Block("heading", [_CONTACT_HEADING], level=2))
        blocks.append(Block("text", extra))
    h1 = next((b.lines[0] for b in blocks if b.kind == "heading" and b.level == 1), "")
    return LoadedDocument(text=render_blocks(blocks), blocks=blocks, title=h1 or _site_free(title), url=url)


def _site_free(title: str) -> str:
    """`<title>` of a city page is "page｜site": keep the page's part."""
    return re.split(r"\s*[|｜]\s*|\s+[-–—]\s+", title)[0] if title else ""


def _contact_blocks(soup: Any) -> Iterator[Any]:
    """Contact blocks inside the chrome that is about to be dropped (a footer's お問い合わせ)."""
    for chrome in soup.find_all(["header", "footer", "nav", "aside"]):
        for tag in [chrome, *chrome.find_all(True)]:
            marked = any(_CONTACT.search(str(v)) for v in (tag.get("id"), *(tag.get("class") or [])) if v)
            text = tag.get_text(" ")
            if (marked or _CONTACT_WORDS.search(text[:40])) and _PHONE.search(text) and len(text) < 600:
                yield tag
                break


def _text_lines(tag: Any) -> str:
    return tag.get_text(" ")


def _collapse_html_whitespace(text: str) -> str:
    """Source line breaks between Japanese characters are formatting, not spaces."""

    def replace(match: re.Match[str]) -> str:
        start, end = match.start(), match.end()
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if "\n" in match.group() and before and after and is_cjk(before) and is_cjk(after):
            return ""
        return " "

    return _WHITESPACE.sub(replace, text)


@dataclass
class _HtmlBlocks:
    """Collects lines while walking the tree; a block element or table closes the current one."""

    blocks: list[Block] = field(default_factory=list)
    _parts: list[str] = field(default_factory=list)
    _lines: list[str] = field(default_factory=list)

    def walk(self, node: Any) -> None:
        from bs4 import NavigableString, Tag

        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:  # not a Comment, Doctype, CData...
                    self._parts.append(str(child))
            elif isinstance(child, Tag):
                self._tag(child)

    def _tag(self, tag: Any) -> None:
        name = tag.name
        if name == "br":
            self._end_line()
        elif name == "table":
            self.end_block()
            rows = [line for tr in _html_rows(tag) if (line := _html_row(tr))]
            if rows:
                self.blocks.append(Block("table", rows))
        elif name == "pre":
            self.end_block()
            lines = [line.rstrip() for line in tag.get_text().split("\n")]
            self.blocks.append(Block("text", [line.replace("\t", " ") for line in lines if line.strip()]))
        elif name in _HEADINGS or name == "dt":
            self.end_block()
            self.walk(tag)
            self.end_block("heading", _HEADINGS.get(name, _TERM_LEVEL))
        elif name == "li":
            self.end_block()
            self.walk(tag)
            self.end_block("item")
        elif name in _BLOCK_TAGS:
            self.end_block()
            self.walk(tag)
            self.end_block()
        else:
            self.walk(tag)

    def _end_line(self) -> None:
        line = collapse_spaces(_collapse_html_whitespace("".join(self._parts)))
        self._parts.clear()
        if line:
            self._lines.append(line)

    def end_block(self, kind: BlockKind = "text", level: int = 0) -> None:
        self._end_line()
        if self._lines:
            lines = [" ".join(self._lines)] if kind == "heading" else list(self._lines)
            self.blocks.append(Block(kind, lines, level=level))
            self._lines.clear()


def _html_rows(table: Any) -> Iterator[Any]:
    """Rows of this table only (not of tables nested in its cells)."""
    for child in table.find_all(True, recursive=False):
        if child.name == "tr":
            yield child
        elif child.name in {"thead", "tbody", "tfoot"}:
            yield from child.find_all("tr", recursive=False)


def _html_row(tr: Any) -> str:
    cells = [_html_cell_text(cell) for cell in tr.find_all(["td", "th"], recursive=False)]
    return "\t".join(cells) if any(cells) else ""


def _html_cell_text(cell: Any) -> str:
    """A cell's text on one line; <br> and inner blocks are hard breaks, hence spaces."""
    from bs4 import NavigableString, Tag

    parts: list[str] = []

    def collect(node: Any) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString:
                    parts.append(str(child))
            elif isinstance(child, Tag):
                is_break = child.name in _BLOCK_TAGS or child.name in {"br", "table", "tr", "td", "th"}
                if is_break:
                    parts.append(_HARD_BREAK)
                collect(child)
                if is_break:
                    parts.append(_HARD_BREAK)

    collect(cell)
    text = _collapse_html_whitespace("".join(parts))
    return collapse_spaces(text.replace(_HARD_BREAK, " "))
