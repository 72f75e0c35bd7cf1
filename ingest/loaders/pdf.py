"""PDF: paragraphs rebuilt from wrapped lines, ruled tables in reading order, headings by font size.

Pages are read with pdfium (``pdf_pages``). Before the blocks are built, what a publisher prints
around the content goes: running headers and footers (lines repeated in the page margins across the
document: the secretariat's name, the call's title, page numbers such as `1 / 20 ページ` or `P.１`)
and the 目次 (a page near the front whose entries repeat later text, with page references). The
cover's large lines are the document's title, not headings that everything would nest under.
A leaflet's headings are the lines set larger than its body text. Tables continue across page breaks
(a repeated header row is dropped).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ingest.loaders.base import Block, DocumentError, LoadedDocument, render_blocks
from ingest.loaders.layout import collapse_spaces, join_wrapped
from ingest.loaders.pdf_pages import Line as _Line
from ingest.loaders.pdf_pages import Page as _PdfPage
from ingest.loaders.pdf_pages import Table as _PdfTable
from ingest.loaders.pdf_pages import read_pages

_PAGE_NUMBER = re.compile(
    r"^[\s\-‐–—−ー－]*(?:p\.?\s*)?(?:\d{1,4}|[ivxlcdm]{1,6})(?:\s*/\s*\d{1,4})?\s*(?:ページ|頁)?[\s\-‐–—−ー－]*$",
    re.IGNORECASE,
)
_LIST_START = re.compile(r"^(?:[-・•●○◯■□◆◇※✓✔☑]\s|\(\d+\)|（\d+）|[①-⑳])")
_MARGIN_SHARE = 0.1  # running headers, footers and page numbers live in the top/bottom 10% of a page
_FURNITURE_SHARE = 0.3  # a margin line on 30% of the pages (at least 3) is the publisher's, not content
_FURNITURE_MIN_PAGES = 3
_FULL_LINE_SLACK = 1.5  # a wrapped line stops less than 1.5 characters short of the edge
_PARAGRAPH_GAP = 0.9  # a gap wider than 0.9 character heights starts a new paragraph
_HEADING_RATIO = 1.15  # a line set 15% larger than the body text is a heading
_MAX_HEADING_CHARS = 40  # a longer large line is a callout (申請受付締切：…), not a heading
_COVER_MIN_PAGES = 3  # a document of 3 pages or more opens with a cover
_TITLE_SHARE = 0.9  # the cover's lines set within 90% of its largest size make the title
_TOC_FRONT_PAGES = 6  # a 目次 sits in the first pages
_TOC_REPEATED = 0.6  # most of a 目次 page's entries reappear later in the document
_TOC_ENTRY_CHARS = 4
_TOC_MARK = re.compile(r"^(?:目\s*次|もくじ|contents|table of contents)$", re.IGNORECASE)
_PAGE_REFERENCE = re.compile(r"(?:[.．…‥・･·\s]{2,}|[pPｐＰ]\s*[.．]?\s*)[0-9０-９]{1,3}\s*$")
_LEADER = re.compile(r"[.．…‥・･·]{3,}.*$")  # the dot leader running to a 目次 entry's page number
_DIGITS = re.compile(r"[0-9]+")
_CALLOUT = re.compile(r"[：:]\s*\S{4,}")


def load(data: bytes) -> LoadedDocument:
    """Paragraphs and ruled tables of a PDF, in reading order, tables continued across pages."""
    if b"%PDF-" not in data[:1024]:
        raise DocumentError("not a readable PDF: no %PDF header")
    try:
        pages = read_pages(data)
    except Exception as exc:  # noqa: BLE001 - pdfium reports every damaged file as one error class
        raise DocumentError(f"not a readable PDF: {_pdf_reason(exc)}") from exc
    if not any(page.items for page in pages):
        raise DocumentError("no text found in PDF (scanned image?): it has no text layer to read")
    _drop_furniture(pages)
    _drop_contents_pages(pages)
    title = _cover_title(pages)
    blocks = _pdf_blocks(pages)
    return LoadedDocument(text=render_blocks(blocks), blocks=blocks, title=title)


def _pdf_reason(exc: BaseException) -> str:
    """A short, human reason from what pdfium raised."""
    message = collapse_spaces(str(exc)) or type(exc).__name__
    if "password" in message.lower() or "encrypt" in message.lower():
        return "encrypted (password required)"
    return message if len(message) <= 120 else message[:117] + "..."


def _key(text: str) -> str:
    """A line as furniture is compared: width-folded, spaces and digits neutral (page 3 = page 12)."""
    return _DIGITS.sub("#", re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)))


def _in_margin(line: _Line, page: _PdfPage) -> bool:
    return line.bottom < page.height * _MARGIN_SHARE or line.top > page.height * (1 - _MARGIN_SHARE)


def _drop_furniture(pages: list[_PdfPage]) -> None:
    """Remove running headers, footers and page numbers: margin lines that repeat across pages."""
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update(
            {_key(item.text) for item in page.items if isinstance(item, _Line) and _in_margin(item, page)}
        )
    needed = max(_FURNITURE_MIN_PAGES, _FURNITURE_SHARE * len(pages))
    repeated = {key for key, count in seen.items() if count >= needed}
    for page in pages:
        page.items = [
            item
            for item in page.items
            if not (
                isinstance(item, _Line)
                and _in_margin(item, page)
                and (_key(item.text) in repeated or _PAGE_NUMBER.match(item.text))
            )
        ]


def _entries(page: _PdfPage) -> list[str]:
    out = []
    for item in page.items:
        rows = item.rows if isinstance(item, _PdfTable) else [[item.text]]
        out.extend(" ".join(c for c in row if c) for row in rows)
    return [e for e in out if e.strip()]


def _drop_contents_pages(pages: list[_PdfPage]) -> None:
    """A 目次 gives no passages. It is a front page whose entries (page references cut off) mostly
    reappear later in the document, marked as such: a 目次 line, page references, or the page before
    it being one (a 目次 that runs over two pages)."""
    previous_was_contents = False
    for index, page in enumerate(pages[:_TOC_FRONT_PAGES]):
        entries = _entries(page)
        later = _key(" ".join(" ".join(_entries(p)) for p in pages[index + 1 :]))
        cut = [_key(_PAGE_REFERENCE.sub("", _LEADER.sub("", e))) for e in entries]
        candidates = [c for c in cut if len(c) >= _TOC_ENTRY_CHARS]
        if not candidates:
            previous_was_contents = False
            continue
        repeated = sum(1 for c in candidates if c in later) / len(candidates)
        referenced = sum(1 for e in entries if _PAGE_REFERENCE.search(e) or _LEADER.search(e)) / len(entries)
        marked = any(_TOC_MARK.match(re.sub(r"\s+", "", e)) for e in entries)
        is_contents = repeated >= _TOC_REPEATED and (marked or previous_was_contents or referenced >= 0.3)
        if is_contents or (marked and referenced >= 0.5):
            page.items = []
        previous_was_contents = is_contents or (marked and referenced >= 0.5)


def _cover_title(pages: list[_PdfPage]) -> str:
    """The title: the cover's lines set at (nearly) its largest size, in reading order."""
    first = next((page for page in pages if page.items), None)
    if first is None:
        return ""
    lines = [item for item in first.items if isinstance(item, _Line)]
    if not lines:
        return ""
    largest = max(line.size for line in lines)
    start = next(i for i, line in enumerate(lines) if line.size >= largest * _TITLE_SHARE)
    title = []
    for line in lines[start:]:  # the title block: the largest lines that follow each other
        if line.size < largest * _TITLE_SHARE:
            break
        title.append(line.text)
    text = ""
    for piece in title[:3]:
        text = join_wrapped(text, piece) if text else piece
    return text


def _pdf_blocks(pages: list[_PdfPage]) -> list[Block]:
    """Rebuild paragraphs from wrapped lines and continue tables across page breaks."""
    all_lines = [item for page in pages for item in page.items if isinstance(item, _Line)]
    left_margin = min((line.x0 for line in all_lines), default=0.0)
    widest = max((line.x1 for line in all_lines), default=0.0)
    levels = _heading_levels(all_lines)

    blocks: list[Block] = []
    previous: _Line | _PdfTable | None = None
    table_header: list[str] | None = None
    for page in pages:
        right_edge = min(page.width - left_margin, widest)
        for index, item in enumerate(page.items):
            first_on_page = index == 0
            if isinstance(item, _PdfTable):
                rows = item.rows
                continues = first_on_page and isinstance(previous, _PdfTable) and _same_shape(previous, item)
                if continues and table_header is not None and rows[0] == table_header:
                    rows = rows[1:]  # the header a designer repeats on every page
                if continues:
                    blocks[-1].lines.extend("\t".join(cells) for cells in rows)
                else:
                    table_header = rows[0]
                    blocks.append(Block("table", ["\t".join(cells) for cells in rows], page=page.number))
            elif isinstance(previous, _Line) and _continues(previous, item, right_edge, first_on_page):
                blocks[-1].lines[-1] = join_wrapped(blocks[-1].lines[-1], item.text)
            else:
                level = levels.get(round(item.size, 1), 0) if _may_head(item, page, len(pages)) else 0
                kind = "heading" if level else "text"
                blocks.append(Block(kind, [item.text], level=level, page=page.number))
            previous = item
    return blocks


def _heading_levels(lines: list[_Line]) -> dict[float, int]:
    """Font sizes larger than the body's (the size most characters are set in) → heading levels,
    the largest size being level 1."""
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size, 1)] += len(line.text)
    if not weights:
        return {}
    body = weights.most_common(1)[0][0]
    larger = sorted((size for size in weights if size >= body * _HEADING_RATIO), reverse=True)
    return {size: level for level, size in enumerate(larger, 1)}


def _same_shape(before: _PdfTable, after: _PdfTable) -> bool:
    return len(before.rows[-1]) == len(after.rows[0]) or len(before.rows[0]) == len(after.rows[0])


def _continues(previous: _Line, line: _Line, right_edge: float, new_page: bool) -> bool:
    """Whether ``line`` carries on the paragraph of ``previous`` (which was wrapped, not ended)."""
    if abs(previous.size - line.size) > 0.5 or _LIST_START.match(line.text):
        return False
    if previous.x1 < right_edge - _FULL_LINE_SLACK * previous.size:
        return False  # the previous line stopped short: its paragraph ended there
    if new_page:
        return True
    gap = line.top - previous.bottom
    return -0.5 * previous.size <= gap <= _PARAGRAPH_GAP * previous.size


def _may_head(line: _Line, page: _PdfPage, page_count: int) -> bool:
    """A large line heads a section unless it is on a cover (page 1 of a document of several pages:
    the title block, the date, the secretariat) or is a callout: long, a sentence, or a label with
    its value (申請受付締切：2025年6月13日). A one- or two-page leaflet has no cover."""
    text = line.text.strip()
    return (
        (page.number > 1 or page_count < _COVER_MIN_PAGES)
        and len(text) <= _MAX_HEADING_CHARS
        and not text.endswith("。")
        and not _CALLOUT.search(text)
    )
