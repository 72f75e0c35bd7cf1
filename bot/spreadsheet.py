"""CSV exports staff open in Excel: UTF-8 with a BOM (so Japanese shows right), CRLF lines, and every
cell that a spreadsheet would run as a formula (= + - @, tab, CR first) made text by an apostrophe
(CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from starlette.responses import Response

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_RESPONSE = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"}}


def safe_cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def excel_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([value if isinstance(value, int | float) else safe_cell(value) for value in row])
    return "\ufeff" + out.getvalue()


def csv_download(text: str, filename: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
