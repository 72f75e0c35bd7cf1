"""Turn an uploaded source file into plain text the structure-aware parser can read.

Owners send the same plan as a .txt export, a Word file, a designed PDF or a saved web page. The
parser must not care which: it reads ONE text convention, and every format is brought to it here.

Output convention (the parser relies on it):

* ``"\\n"`` line ends, no BOM;
* one paragraph per line, blocks (paragraphs, tables) separated by a blank line;
* every table row is ONE line, its cells joined by ``"\\t"``. A cell never contains a tab or a line
  break: a line that was *wrapped* to fit the cell is joined with ``""`` where a Japanese character
  (CJK / kana / full-width form) meets the break and with a space between two Latin words; a *hard*
  break (a new paragraph or ``<br>`` in the cell, or a PDF line that stops short of the cell's
  edge) becomes a single space, because it separated items such as the organisations in 事業主体等.
  Runs of whitespace are collapsed to one space.

Plain-text files (.txt, .md) pass through unchanged apart from decoding, BOM and newlines: the
plan's .txt already uses tab-separated rows.

Heavy libraries (pdfplumber, python-docx, BeautifulSoup, charset-normalizer) are imported inside
the functions that need them, so importing this module stays cheap for the CLI and the bot.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import logging
import os
import re
import stat
import statistics
import threading
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class DocumentError(Exception):
    """A file that cannot be ingested; str(err) is the human reason shown in the ingest report."""


SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".pdf", ".docx", ".html", ".htm"})


def load_text(path: Path, *, max_bytes: int) -> str:
    """The text of ``path`` in the parser's convention (see the module docstring).

    Raises DocumentError, never anything else for a bad file, so one broken upload is reported
    and skipped instead of stopping a whole ingest run.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise DocumentError(f"unsupported file type '{suffix or path.name}' (supported: {supported})")
    data = _read_bytes(path, max_bytes)
    if not data.strip():
        raise DocumentError("empty document")
    text = _EXTRACTORS[suffix](data)
    text = _normalise_newlines(text)
    if not text.strip():
        raise DocumentError("empty document")
    return text


# --- reading -------------------------------------------------------------------------------------


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing oversized files before reading them (a 2 GB upload must not be
    pulled into memory just to be rejected) and anything that is not a regular file."""
    try:
        info = path.stat()
    except OSError as exc:
        raise DocumentError(f"cannot read file: {_os_reason(exc)}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise DocumentError(f"cannot read file: {os.strerror(errno.EISDIR)}")
    if not stat.S_ISREG(info.st_mode):
        raise DocumentError("cannot read file: not a regular file")  # a FIFO would block forever
    if info.st_size > max_bytes:
        raise DocumentError(f"file too large: {info.st_size} bytes (limit {max_bytes})")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise DocumentError(f"cannot read file: {_os_reason(exc)}") from exc
    if len(data) > max_bytes:  # grew between stat() and read()
        raise DocumentError(f"file too large: more than {max_bytes} bytes (limit {max_bytes})")
    return data


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _normalise_newlines(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


# --- text encodings ------------------------------------------------------------------------------

# Encodings Japanese offices actually produce. cp932 rather than shift_jis: it is what Windows
# writes, and it has the NEC/IBM extensions (①, Ⅲ, ㈱) that strict Shift_JIS lacks.
_CANDIDATE_ENCODINGS = ("cp932", "euc_jp", "utf_8")
_ALIASES = {"shift_jis": "cp932", "ms932": "cp932", "sjis": "cp932", "windows_31j": "cp932"}
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_MAX_CONTROL_SHARE = 0.02


def _load_plain(data: bytes) -> str:
    return _decode_text(data)


def _decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes to text: UTF-8 (with or without BOM) first because it is unambiguous, then a declared
    charset (HTML meta), then detection among the Japanese encodings. Binary content is refused,
    because decoding it "successfully" would index garbage."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # "Unicode" from Notepad
        text = _try_decode(data, "utf_16")
        if text is None:
            raise DocumentError("not a text file: undecodable bytes (broken UTF-16)")
        return _check_text(text)
    if b"\x00" in data:
        raise DocumentError("not a text file: binary content (NUL bytes)")
    text = _try_decode(data, "utf_8_sig")
    if text is None and declared:
        text = _try_decode(data, declared)
    if text is None:
        text = _detect_and_decode(data)
    if text is None:
        raise DocumentError("not a text file: undecodable bytes (not UTF-8, Shift_JIS or EUC-JP)")
    return _check_text(text)


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding, errors="strict")
    except (UnicodeDecodeError, LookupError):
        return None


def _detect_and_decode(data: bytes) -> str | None:
    """charset-normalizer restricted to the Japanese candidates; its guess wins only if the bytes
    really decode with it (a guess is not a proof). It finds nothing for short texts made mostly
    of symbols (①②③ ㈱); then the first candidate that decodes strictly is taken, and the
    control-character check in _check_text still stops binary data."""
    from charset_normalizer import from_bytes

    guesses = [
        _canonical_encoding(match.encoding)
        for match in from_bytes(data, cp_isolation=list(_CANDIDATE_ENCODINGS))
    ]
    for encoding in dict.fromkeys([*guesses, *_CANDIDATE_ENCODINGS]):
        text = _try_decode(data, encoding)
        if text is not None:
            return text
    return None


def _canonical_encoding(name: str) -> str:
    try:
        normalised = codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return name
    return _ALIASES.get(normalised, normalised)


def _check_text(text: str) -> str:
    """Refuse text that decoded but is mostly control characters (a binary file without NULs)."""
    controls = sum(1 for char in text if char not in _ALLOWED_CONTROLS and unicodedata.category(char) == "Cc")
    if controls > max(2, _MAX_CONTROL_SHARE * len(text)):
        raise DocumentError("not a text file: binary content (control characters)")
    return text.removeprefix("\ufeff")


# --- joining lines inside a cell / paragraph -----------------------------------------------------

_WHITESPACE = re.compile(r"\s+")


def is_cjk(char: str) -> bool:
    """Kana, CJK ideographs, CJK punctuation and full-width forms: scripts written without spaces."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK punctuation, kana, CJK ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width ASCII, half-width katakana
        or 0x20000 <= code <= 0x3FFFF  # ideograph extensions
    )


def join_wrapped(left: str, right: str) -> str:
    """Join two pieces of one line that a layout wrapped (soft break).

    Japanese is set without spaces and may break between any two characters, so a break touching a
    Japanese character adds nothing ("(公" + "財)湘南" → "(公財)湘南", "EC" + "サイト" → "ECサイト");
    Latin text only breaks at spaces, so two Latin sides get their space back.
    """
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left + right
    if is_cjk(left[-1]) or is_cjk(right[0]):
        return left + right
    return f"{left} {right}"


def collapse_spaces(text: str) -> str:
    """One space for any run of whitespace (tabs and line breaks included), trimmed."""
    return _WHITESPACE.sub(" ", text).strip()


# --- PDF -----------------------------------------------------------------------------------------

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


def _load_pdf(data: bytes) -> str:
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
    return _render_blocks(_pdf_blocks(pages))


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
            pages.append(_PdfPage(width=float(page.width), items=_page_items(page)))
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


def _pdf_blocks(pages: list[_PdfPage]) -> list[list[str]]:
    """Rebuild paragraphs from wrapped lines and continue tables across page breaks."""
    all_lines = [item for page in pages for item in page.items if isinstance(item, _Line)]
    left_margin = min((line.x0 for line in all_lines), default=0.0)
    widest = max((line.x1 for line in all_lines), default=0.0)

    blocks: list[list[str]] = []
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
                    blocks[-1].extend("\t".join(cells) for cells in rows)
                else:
                    table_header = rows[0]
                    blocks.append(["\t".join(cells) for cells in rows])
            elif isinstance(previous, _Line) and _continues(previous, item, right_edge, first_on_page):
                blocks[-1][-1] = join_wrapped(blocks[-1][-1], item.text)
            else:
                blocks.append([item.text])
            previous = item
    return blocks


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


def _render_blocks(blocks: list[list[str]]) -> str:
    return "\n\n".join("\n".join(block) for block in blocks if block) + "\n"


# --- Word ----------------------------------------------------------------------------------------

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls container, often renamed to .docx


def _load_docx(data: bytes) -> str:
    """Paragraphs and tables of a .docx body in document order."""
    if data.startswith(_OLE2_MAGIC):
        raise DocumentError("not a readable Word document: old Word 97-2003 (.doc) format; save it as .docx")
    try:
        from docx import Document

        document = Document(io.BytesIO(data))
        blocks = list(_docx_blocks(document.element.body, document))
    except Exception as exc:  # noqa: BLE001 - zipfile, lxml and python-docx each raise their own
        reason = collapse_spaces(str(exc)).strip("\"'") or type(exc).__name__
        raise DocumentError(f"not a readable Word document: {reason[:120]}") from exc
    return _render_blocks(blocks)


def _docx_blocks(container: Any, parent: Any) -> Iterator[list[str]]:
    """Walk body children: w:p is a paragraph, w:tbl a table, w:sdt (content control) is opened."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            lines = [collapse_spaces(part) for part in Paragraph(child, parent).text.split("\n")]
            lines = [line for line in lines if line]
            if lines:
                yield lines
        elif child.tag == qn("w:tbl"):
            rows = [line for tr in child.iterchildren(qn("w:tr")) if (line := _docx_row(tr, parent))]
            if rows:
                yield rows
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _docx_blocks(content, parent)


def _docx_row(tr: Any, parent: Any) -> str:
    """One Word table row as a tab-joined line.

    Each <w:tc> is read once, so a cell spanning columns is not repeated (python-docx's
    ``row.cells`` would repeat it). A cell continuing a vertical merge repeats the text of the
    merge's first cell, so every program row keeps e.g. its 事業主体等.
    """
    from docx.oxml.ns import qn

    cells: list[str] = []
    offset = tr.grid_before
    for tc in tr.iterchildren(qn("w:tc")):
        if tc.vMerge == "continue":
            above = _cell_above(tr, offset)
            cells.append(_docx_cell_text(above, parent) if above is not None else "")
        else:
            cells.append(_docx_cell_text(tc, parent))
        offset += tc.grid_span
    return "\t".join(cells) if any(cells) else ""


def _cell_above(tr: Any, offset: int) -> Any:
    """The first cell of the vertical merge that the cell at ``offset`` of ``tr`` continues."""
    row = tr.getprevious()
    while row is not None:
        tc = row.tc_at_grid_offset(offset) if hasattr(row, "tc_at_grid_offset") else None
        if tc is None:
            return None
        if tc.vMerge != "continue":
            return tc
        row = row.getprevious()
    return None


def _docx_cell_text(tc: Any, parent: Any) -> str:
    """All paragraphs of a cell (nested tables included) joined by spaces: in Word every line
    break inside a cell is a deliberate one."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    return collapse_spaces(" ".join(Paragraph(p, parent).text for p in tc.iter(qn("w:p"))))


# --- HTML ----------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE)
_DROPPED_TAGS = frozenset(
    {"script", "style", "nav", "header", "footer", "noscript", "template", "head", "svg", "iframe", "select"}
)
_BLOCK_TAG_NAMES = """address article aside blockquote body caption dd details dialog div dl dt fieldset
figcaption figure form h1 h2 h3 h4 h5 h6 hr html legend li main ol p section summary ul"""
_BLOCK_TAGS = frozenset(_BLOCK_TAG_NAMES.split())
_HARD_BREAK = "\ue000"  # private-use marker: a <br> or block edge inside a table cell


def _load_html(data: bytes) -> str:
    """Visible text of a page: blocks become lines, table rows tab-joined lines."""
    from bs4 import BeautifulSoup

    match = _META_CHARSET.search(data[:4096])
    declared = _canonical_encoding(match.group(1).decode("ascii")) if match else None
    soup = BeautifulSoup(_decode_text(data, declared), "html.parser")
    for tag in soup.find_all(_DROPPED_TAGS):
        tag.decompose()
    builder = _HtmlBlocks()
    builder.walk(soup)
    builder.end_block()
    return _render_blocks(builder.blocks)


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

    blocks: list[list[str]] = field(default_factory=list)
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
                self.blocks.append(rows)
        elif name == "pre":
            self.end_block()
            lines = [line.rstrip() for line in tag.get_text().split("\n")]
            self.blocks.append([line.replace("\t", " ") for line in lines if line.strip()])
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

    def end_block(self) -> None:
        self._end_line()
        if self._lines:
            self.blocks.append(list(self._lines))
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


# --- dispatch ------------------------------------------------------------------------------------

_EXTRACTORS: dict[str, Callable[[bytes], str]] = {
    ".txt": _load_plain,
    ".md": _load_plain,
    ".pdf": _load_pdf,
    ".docx": _load_docx,
    ".html": _load_html,
    ".htm": _load_html,
}
