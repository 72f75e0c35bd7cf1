"""Write the plan in the formats owners actually send (Shift_JIS text, Word, PDF) for the loader tests.

The plan's .txt is the reference: its tables are lines of tab-separated cells. Each writer here
renders the SAME content in another format (real Word tables, ruled PDF tables with wrapping
cells), so a test can prove that `ingest.loaders.load_text` hands the parser the same structure
whatever the owner uploaded. Only what a format cannot hold is changed, and the substitutions are
listed in the module constants so a test (and a reader) can see exactly what differs.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

PLAN_PATH = Path(__file__).resolve().parents[1] / "knowledge" / "documents" / "fujisawa-sme-plan.txt"

# ✓ (U+2713) is in neither cp932 nor EUC-JP. ○ is what Japanese documents use in its place, and
# it is one of the aim markers the parser accepts.
CP932_SUBSTITUTES = {"\u2713": "\u25cb"}
# Plain EUC-JP (Python's euc_jp, JIS X 0208) also lacks the NEC roman numeral Ⅲ (U+2162).
EUC_JP_SUBSTITUTES = {"\u2713": "\u25cb", "\u2162": "III"}
# The built-in CID font's CMap (UniJIS-UCS2-H) has no code for ✓: reportlab writes it but no glyph
# is drawn and pdfminer cannot read it back, so the PDF shows ○ instead (Ⅲ and the rest are fine).
PDF_SUBSTITUTES = {"\u2713": "\u25cb"}

PDF_FONT = "HeiseiKakuGo-W5"
_SEPARATOR_CELL = re.compile(r"^-+$")
_MEASURE_HEADING = re.compile(r"^[IVX]+-施策\d+\s")
_SECTION_HEADING = re.compile(r"^\d+\s+\S")


def read_plan() -> str:
    """The reference plan text, exactly as stored (UTF-8)."""
    return PLAN_PATH.read_text(encoding="utf-8")


@dataclass
class Block:
    """One paragraph (``rows`` empty) or one table (``rows`` = cells per row) of the plan."""

    text: str = ""
    rows: list[list[str]] = field(default_factory=list)

    @property
    def is_table(self) -> bool:
        return bool(self.rows)


def plan_blocks(text: str) -> list[Block]:
    """Paragraphs and tables of a tab-convention text.

    A run of tab lines is one table; a blank line between two tab lines (a quirk of the plan) does
    not end it, and a ``-----`` separator row is dropped because it is layout, not data.
    """
    lines = text.splitlines()
    blocks: list[Block] = []
    table: Block | None = None
    for index, line in enumerate(lines):
        if "\t" in line:
            if table is None:
                table = Block()
                blocks.append(table)
            cells = [cell.strip() for cell in line.split("\t")]
            if not all(_SEPARATOR_CELL.match(cell) for cell in cells):
                table.rows.append(cells)
            continue
        if not line.strip():
            if table is not None and not _next_line_is_row(lines, index):
                table = None
            continue
        table = None
        blocks.append(Block(text=line.strip()))
    return blocks


def _next_line_is_row(lines: list[str], index: int) -> bool:
    following = next((line for line in lines[index + 1 :] if line.strip()), "")
    return "\t" in following


def table_rows(text: str) -> list[list[str]]:
    """Every table row of a tab-convention text, in order (a helper for counting in tests)."""
    return [line.split("\t") for line in text.splitlines() if "\t" in line]


# --- encodings -----------------------------------------------------------------------------------


def _encode_strict(text: str, encoding: str, substitutes: dict[str, str]) -> tuple[str, bytes]:
    """Apply the documented substitutions, then encode strictly; name every character that fails."""
    for char, replacement in substitutes.items():
        text = text.replace(char, replacement)
    try:
        return text, text.encode(encoding, errors="strict")
    except UnicodeEncodeError:
        bad = sorted({c for c in text if not _encodes(c, encoding)})
        names = ", ".join(f"{c!r} U+{ord(c):04X}" for c in bad)
        raise ValueError(f"characters not encodable in {encoding}: {names}") from None


def _encodes(char: str, encoding: str) -> bool:
    try:
        char.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def write_shift_jis(text: str, path: Path) -> str:
    """Write ``text`` as cp932 (Windows Shift_JIS) and return the text actually written.

    The returned text differs from the input only by ``CP932_SUBSTITUTES``; a loader round-trip
    must give it back exactly.
    """
    written, data = _encode_strict(text, "cp932", CP932_SUBSTITUTES)
    path.write_bytes(data)
    return written


def write_euc_jp(text: str, path: Path) -> str:
    """Write ``text`` as EUC-JP and return the text actually written (see ``EUC_JP_SUBSTITUTES``)."""
    written, data = _encode_strict(text, "euc_jp", EUC_JP_SUBSTITUTES)
    path.write_bytes(data)
    return written


# --- Word ----------------------------------------------------------------------------------------


def write_docx(text: str, path: Path) -> None:
    """The plan as a Word document: paragraphs, headings and real tables (one Word row per row)."""
    from docx import Document

    document = Document()
    for block in plan_blocks(text):
        if block.is_table:
            _add_docx_table(document, block.rows)
        elif _MEASURE_HEADING.match(block.text):
            document.add_heading(block.text, level=2)
        elif _SECTION_HEADING.match(block.text):
            document.add_heading(block.text, level=1)
        else:
            document.add_paragraph(block.text)
    document.save(str(path))


def _add_docx_table(document, rows: list[list[str]]) -> None:  # noqa: ANN001 - python-docx Document
    columns = max(len(row) for row in rows)
    table = document.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    for cells in rows:
        row = table.add_row()
        for cell, value in zip(row.cells, cells + [""] * (columns - len(cells)), strict=True):
            cell.text = value


# --- PDF -----------------------------------------------------------------------------------------

# A4 is 595pt wide; with 40pt margins the frame is 515pt. The program table gives the title and
# the body columns room for most names on one line and lets the description wrap.
_PROGRAM_COLUMNS = (165.0, 215.0, 135.0)
_INDICATOR_COLUMNS = (265.0, 40.0, 105.0, 105.0)


def write_pdf(text: str, path: Path) -> None:
    """The plan as a PDF with ruled tables whose long cells wrap, as a designed plan would be."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=10, leading=15, wordWrap="CJK", spaceAfter=6)
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=18, spaceBefore=8)
    cell = ParagraphStyle("cell", fontName=PDF_FONT, fontSize=8.5, leading=11, wordWrap="CJK")
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
        ]
    )

    for char, replacement in PDF_SUBSTITUTES.items():
        text = text.replace(char, replacement)
    story = []
    for block in plan_blocks(text):
        if block.is_table:
            columns = max(len(row) for row in block.rows)
            widths = _PROGRAM_COLUMNS if columns == 3 else _INDICATOR_COLUMNS
            data = [
                [Paragraph(escape(value), cell) for value in row + [""] * (columns - len(row))]
                for row in block.rows
            ]
            story.append(Table(data, colWidths=widths, repeatRows=1, style=grid))
            story.append(Spacer(1, 10))
        elif _MEASURE_HEADING.match(block.text) or _SECTION_HEADING.match(block.text):
            story.append(Paragraph(escape(block.text), heading))
        else:
            story.append(Paragraph(escape(block.text), body))
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=40,
        rightMargin=40,
        topMargin=50,
        bottomMargin=50,
        title="藤沢市 中小企業支援 (test rendering)",
    )
    document.build(story)


def write_truncated_pdf(path: Path) -> None:
    """A valid one-page PDF cut in half: the header is there, the objects and xref are not."""
    from io import BytesIO

    from reportlab.pdfgen import canvas

    buffer = BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Fujisawa SME support programs")
    pdf.showPage()
    pdf.save()
    data = buffer.getvalue()
    path.write_bytes(data[: len(data) // 2])


def write_binary_txt(path: Path, size: int = 4096) -> None:
    """Random bytes with NULs, named like a text file (an upload with the wrong extension)."""
    rng = random.Random(20240601)
    data = bytearray(rng.randbytes(size))
    data[::97] = bytes(len(data[::97]))  # NULs spread through, as in any binary format
    path.write_bytes(bytes(data))


__all__ = [
    "CP932_SUBSTITUTES",
    "EUC_JP_SUBSTITUTES",
    "PDF_SUBSTITUTES",
    "PLAN_PATH",
    "Block",
    "plan_blocks",
    "read_plan",
    "table_rows",
    "write_binary_txt",
    "write_docx",
    "write_euc_jp",
    "write_pdf",
    "write_shift_jis",
    "write_truncated_pdf",
]
