"""Done-when 3: the plan as Shift_JIS, as a .docx with real tables and as a PDF with ruled tables
yields the same 35 program ids and titles, through the loaders and the parser."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.documents import parse_document
from ingest.loaders import load_document
from tests.conftest import PLAN
from tests.plan_formats import write_docx, write_pdf, write_shift_jis


def programs(path: Path) -> dict[str, str]:
    records = parse_document(load_document(path, max_bytes=20 * 1024 * 1024), path.name)
    return {r.id: r.title for r in records if r.kind == "program"}


@pytest.fixture(scope="module")
def original() -> dict[str, str]:
    found = programs(PLAN)
    assert len(found) == 35
    return found


@pytest.mark.parametrize(
    ("name", "writer"),
    [("plan-sjis.txt", write_shift_jis), ("plan.docx", write_docx), ("plan.pdf", write_pdf)],
)
def test_every_format_gives_the_same_programs(tmp_path, original, name, writer):
    path = tmp_path / name
    writer(PLAN.read_text(encoding="utf-8"), path)
    assert programs(path) == original
