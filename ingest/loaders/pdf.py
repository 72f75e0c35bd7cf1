"""PDF: paragraphs rebuilt from wrapped lines, ruled tables in reading order, headings by font size.

A leaflet's headings are the lines set larger than its body text; the largest text on the first page
is its title. Tables continue across page breaks (a repeated header row is dropped).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import statistics
import threading
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ingest.loaders.base import Block, DocumentError, LoadedDocument, render_blocks
from ingest.loaders.layout import collapse_spaces, join_wrapped

_PAGE_NUMBER = re.compile(
    r"^[\s\-‐–—−ー－]*(?:p\.?\s*)?(?:\d{1,4}|[ivxlcdm]{1,6})(?:\s*/\s*\d{1,4})?[\s\-‐–—−ー－]*$|^\d{1,4}\s*ページ$",
    re.IGNORECASE,
)
_LIST_START = re.compile(r"^(?:[-・•●○◯■□◆◇※✓✔☑]\s|\(\d+\)|（\d+）|[①-⑳])")
_MARGIN_SHARE = 0.08  # page numbers live in the top/bottom 8% of a page
_FULL_LINE_SLACK = 1.5  # a wrapped line stops less than 1.5 characters short of the edge
_PARAGRAPH_GAP = 0.9  # a gap wider than 0.9 character heights starts a new paragraph


@dataclass
class _Line:
    """One visual text line of a PDF page, with the geometry needed to rebuild paragraphs."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass
class _PdfTable:
    top: float
    rows: list[list[str]]


@dataclass
class _PdfPage:
    width: float
    items: list[_Line | _PdfTable] = field(default_factory=list)

    number: int = 0


_HEADING_RATIO = 1.15  # a line set 15% larger than the body text is a heading


def load(data: bytes) -> LoadedDocument:
    """Paragraphs and ruled tables of a PDF, in reading order, tables continued across pages."""
    if b"%PDF-" not in data[:1024]:
        raise DocumentError("not a readable PDF: no %PDF header")
    try:
        with _quiet_pdf_libraries():
            pages = _read_pdf_pages(data)
    except DocumentError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many unrelated classes for bad files
        raise DocumentError(f"not a readable PDF: {_pdf_reason(exc)}") from exc
    if not any(page.items for page in pages):
        raise DocumentError("no text found in PDF (scanned image?)")
    blocks = _pdf_blocks(pages)
    return LoadedDocument(text=render_blocks(blocks), blocks=blocks, title=_title(blocks))


def _title(blocks: list[Block]) -> str:
    """The first page's top-level heading: the largest text there."""
    first_page = [b for b in blocks if b.kind == "heading" and b.page == 1]
    return min(first_page, key=lambda b: b.level).lines[0] if first_page else ""


_PDF_LOGGERS = ("pdfminer", "pdfplumber")
_quiet_lock = threading.Lock()
_quiet_state = {"depth": 0}
_saved_levels: dict[str, int] = {}


@contextlib.contextmanager
def _quiet_pdf_libraries() -> Iterator[None]:
    """pdfminer logs a warning for every odd object in real-world PDFs; the ingest report, not
    the console, is where problems are told, so silence it while we read. Counted, so that
    PDFs read in parallel threads do not restore the levels under each other's feet."""
    with _quiet_lock:
        if _quiet_state["depth"] == 0:
            for name in _PDF_LOGGERS:
                logger = logging.getLogger(name)
                _saved_levels[name] = logger.level
                logger.setLevel(logging.CRITICAL + 1)
        _quiet_state["depth"] += 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        with _quiet_lock:
            _quiet_state["depth"] -= 1
            if _quiet_state["depth"] == 0:
                for name in _PDF_LOGGERS:
                    logging.getLogger(name).setLevel(_saved_levels.pop(name, logging.NOTSET))


def _pdf_reason(exc: BaseException) -> str:
    """A short, human reason from whatever pdfminer/pdfplumber raised."""
    chain = [exc, *(arg for arg in exc.args if isinstance(arg, BaseException))]
    if exc.__cause__ is not None:
        chain.append(exc.__cause__)
    names = " ".join(type(item).__name__ for item in chain)
    if "Password" in names or "Encrypt" in names:
        return "encrypted (password required)"
    message = collapse_spaces(str(exc)) or type(exc).__name__
    return message if len(message) <= 120 else message[:117] + "..."


def _read_pdf_pages(data: bytes) -> list[_PdfPage]:
    import pdfplumber

    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            pages.append(_PdfPage(width=float(page.width), items=_page_items(page), number=len(pages) + 1))
            page.close()  # drop the page's parsed objects; a long plan would otherwise pile up
    return pages


def _page_items(page: Any) -> list[_Line | _PdfTable]:
    """Text lines outside tables and the tables themselves, sorted top to bottom."""
    tables = [table for table in page.find_tables() if table.cells]
    boxes = [table.bbox for table in tables]
    outside = page.filter(lambda obj: not _in_any_box(obj, boxes)) if boxes else page
    items: list[_Line | _PdfTable] = [
        line
        for raw in outside.extract_text_lines(return_chars=True)
        if (line := _to_line(raw)) is not None and not _is_page_number(line, float(page.height))
    ]
    for table in tables:
        rows = [_pdf_row(page, row.cells) for row in table.rows]
        rows = [cells for cells in rows if any(cells)]
        if rows:
            items.append(_PdfTable(top=float(table.bbox[1]), rows=rows))
    items.sort(key=lambda item: item.top)
    return items


def _in_any_box(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    if obj.get("object_type") != "char":
        return False
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _to_line(raw: dict[str, Any]) -> _Line | None:
    text = collapse_spaces(raw["text"])
    if not text:
        return None
    sizes = [char["size"] for char in raw.get("chars", ()) if not char["text"].isspace()]
    size = statistics.median(sizes) if sizes else float(raw["bottom"] - raw["top"])
    return _Line(text, float(raw["x0"]), float(raw["x1"]), float(raw["top"]), float(raw["bottom"]), size)


def _is_page_number(line: _Line, page_height: float) -> bool:
    in_margin = line.bottom < page_height * _MARGIN_SHARE or line.top > page_height * (1 - _MARGIN_SHARE)
    return in_margin and bool(_PAGE_NUMBER.match(line.text))


def _pdf_row(page: Any, cells: list[tuple[float, float, float, float] | None]) -> list[str]:
    """One row's cell texts; a merged cell (None from pdfplumber) is not repeated."""
    return [_pdf_cell_text(page, bbox) for bbox in cells if bbox is not None]


def _pdf_cell_text(page: Any, bbox: tuple[float, float, float, float]) -> str:
    """A cell's lines joined into one: soft wraps by the CJK rule, hard breaks by a space.

    A line is a soft wrap when it runs to the cell's right edge (the edge is found by assuming the
    right padding equals the left one); a line that stops short was broken on purpose.
    """
    raw_lines = page.crop(bbox, strict=False).extract_text_lines(return_chars=True)
    lines = sorted((line for raw in raw_lines if (line := _to_line(raw))), key=lambda line: line.top)
    if not lines:
        return ""
    padding = max(0.0, min(line.x0 for line in lines) - bbox[0])
    right_edge = bbox[2] - padding
    text = lines[0].text
    for previous, line in zip(lines, lines[1:], strict=False):
        if previous.x1 >= right_edge - _FULL_LINE_SLACK * previous.size:
            text = join_wrapped(text, line.text)
        else:
            text = f"{text} {line.text}"
    return collapse_spaces(text)


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
                level = levels.get(round(item.size, 1), 0)
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
