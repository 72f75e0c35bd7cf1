"""Word (.docx): paragraphs and tables in document order; Heading styles give the heading levels."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

from ingest.loaders.base import Block, DocumentError, LoadedDocument, render_blocks
from ingest.loaders.layout import collapse_spaces

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls container, often renamed to .docx
_HEADING_STYLE = re.compile(r"^(?:heading|見出し)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = frozenset({"title", "表題"})


def load(data: bytes) -> LoadedDocument:
    """Paragraphs and tables of a .docx body in document order."""
    if data.startswith(_OLE2_MAGIC):
        raise DocumentError("not a readable Word document: old Word 97-2003 (.doc) format; save it as .docx")
    try:
        from docx import Document

        document = Document(io.BytesIO(data))
        styles = {style.style_id: style.name or "" for style in document.styles}
        blocks = list(_docx_blocks(document.element.body, document, styles))
        core_title = collapse_spaces(document.core_properties.title or "")
    except Exception as exc:  # noqa: BLE001 - zipfile, lxml and python-docx each raise their own
        reason = collapse_spaces(str(exc)).strip("\"'") or type(exc).__name__
        raise DocumentError(f"not a readable Word document: {reason[:120]}") from exc
    first_heading = next((b.lines[0] for b in blocks if b.kind == "heading" and b.level == 1), "")
    return LoadedDocument(text=render_blocks(blocks), blocks=blocks, title=core_title or first_heading)


def _heading_level(style_name: str) -> int:
    name = style_name.strip().lower()
    if name in _TITLE_STYLES:
        return 1
    match = _HEADING_STYLE.match(name)
    return int(match.group(1)) + 1 if match else 0  # Title is above Heading 1


def _docx_blocks(container: Any, parent: Any, styles: dict[str, str]) -> Iterator[Block]:
    """Walk body children: w:p is a paragraph, w:tbl a table, w:sdt (content control) is opened."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            lines = [collapse_spaces(part) for part in Paragraph(child, parent).text.split("\n")]
            lines = [line for line in lines if line]
            if lines:
                level = _heading_level(styles.get(child.style or "", ""))
                yield Block("heading" if level else "text", lines, level=level)
        elif child.tag == qn("w:tbl"):
            rows = [line for tr in child.iterchildren(qn("w:tr")) if (line := _docx_row(tr, parent))]
            if rows:
                yield Block("table", rows)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _docx_blocks(content, parent, styles)


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
