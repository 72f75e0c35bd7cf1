"""The loaders give the parser the same structure whatever format the plan arrives in."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.loaders import SUPPORTED_SUFFIXES, DocumentError, join_wrapped, load_text
from tests.plan_formats import (
    CP932_SUBSTITUTES,
    EUC_JP_SUBSTITUTES,
    PDF_SUBSTITUTES,
    plan_blocks,
    read_plan,
    table_rows,
    write_binary_txt,
    write_docx,
    write_euc_jp,
    write_pdf,
    write_shift_jis,
    write_truncated_pdf,
)

LIMIT = 10_000_000
HEADER = "事業名\t事業内容\t事業主体等"
MARUKEI_TITLE = "(3) マル経融資(小規模事業者経営改善資金)による支援"
ROW_NUMBER = re.compile(r"^\(\d+\)")
PROGRAM_ROWS = 35
INDICATOR_ROWS = 5


@pytest.fixture(scope="module")
def plan() -> str:
    return read_plan()


@pytest.fixture(scope="module")
def plan_files(plan: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The plan as .txt, .docx and .pdf, written once for the module (the PDF takes ~0.3 s)."""
    directory = tmp_path_factory.mktemp("plan")
    files = {"txt": directory / "plan.txt", "docx": directory / "plan.docx", "pdf": directory / "plan.pdf"}
    files["txt"].write_text(plan, encoding="utf-8")
    write_docx(plan, files["docx"])
    write_pdf(plan, files["pdf"])
    return files


@pytest.fixture(scope="module")
def loaded(plan_files: dict[str, Path]) -> dict[str, str]:
    return {kind: load_text(path, max_bytes=LIMIT) for kind, path in plan_files.items()}


def numbered_rows(text: str, columns: int) -> list[list[str]]:
    return [cells for cells in table_rows(text) if len(cells) == columns and ROW_NUMBER.match(cells[0])]


def substituted(text: str, substitutes: dict[str, str]) -> str:
    for char, replacement in substitutes.items():
        text = text.replace(char, replacement)
    return text


# --- plain text encodings --------------------------------------------------------------------------


def test_utf8_round_trip(plan: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(plan.encode("utf-8"))
    assert load_text(path, max_bytes=LIMIT) == plan


def test_utf8_bom_is_stripped(plan: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_bytes(plan.encode("utf-8-sig"))
    assert load_text(path, max_bytes=LIMIT) == plan


def test_shift_jis_round_trip(plan: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    written = write_shift_jis(plan, path)
    assert written == substituted(plan, CP932_SUBSTITUTES)  # only ✓ had to change
    assert "【Ⅲ-4-(3)】" in written  # NEC extension characters survive in cp932
    assert load_text(path, max_bytes=LIMIT) == written


def test_euc_jp_round_trip(plan: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.md"
    written = write_euc_jp(plan, path)
    assert written == substituted(plan, EUC_JP_SUBSTITUTES)
    assert load_text(path, max_bytes=LIMIT) == written


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp", "utf-8"])
def test_short_japanese_text_is_detected(encoding: str, tmp_path: Path) -> None:
    text = "マル経融資について\n藤沢商工会議所へ相談"
    path = tmp_path / "note.txt"
    path.write_bytes(text.encode(encoding))
    assert load_text(path, max_bytes=LIMIT) == text


def test_utf16_with_bom_from_notepad(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes("事業名\t事業内容\r\n(1) 融資\t貸付\r\n".encode("utf-16"))
    assert load_text(path, max_bytes=LIMIT) == "事業名\t事業内容\n(1) 融資\t貸付\n"


def test_windows_line_ends_are_normalised(plan: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    written = write_shift_jis(plan.replace("\n", "\r\n"), path)
    assert load_text(path, max_bytes=LIMIT) == written.replace("\r\n", "\n")


# --- Word and PDF keep the plan's structure --------------------------------------------------------


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_rows_are_single_tab_joined_lines(kind: str, loaded: dict[str, str]) -> None:
    lines = loaded[kind].splitlines()
    assert HEADER in lines
    marukei = [line for line in lines if line.startswith("(3) マル経融資")]
    assert len(marukei) == 1
    cells = marukei[0].split("\t")
    assert len(cells) == 3
    assert cells[1].startswith("藤沢商工会議所の経営指導を6ヵ月以上受け")
    assert cells[2] == "藤沢商工会議所 日本政策金融公庫"


@pytest.mark.parametrize("kind", ["txt", "docx", "pdf"])
def test_row_counts_match_the_plan(kind: str, loaded: dict[str, str]) -> None:
    assert len(numbered_rows(loaded[kind], 3)) == PROGRAM_ROWS
    assert len(numbered_rows(loaded[kind], 4)) == INDICATOR_ROWS
    # 8 program tables: the header the PDF repeats on a continuation page is not a new table
    assert loaded[kind].splitlines().count(HEADER) == 8


def test_pdf_wrapped_title_cell_is_rejoined(loaded: dict[str, str]) -> None:
    titles = [cells[0] for cells in numbered_rows(loaded["pdf"], 3)]
    assert MARUKEI_TITLE in titles  # wrapped in the PDF as "…経営改善" / "資金)による支援"


def test_docx_tables_equal_the_text_tables(plan: str, loaded: dict[str, str]) -> None:
    expected = [row for block in plan_blocks(plan) if block.is_table for row in block.rows]
    assert table_rows(loaded["docx"]) == expected


def test_pdf_tables_equal_the_text_tables_up_to_lost_spaces(plan: str, loaded: dict[str, str]) -> None:
    """Every cell comes back exactly, except that a body cell wrapped exactly at a space loses it
    (藤沢市 (公財)湘南産業振興財団取扱金融機関 …): the PDF holds no trace of that space."""
    expected = [row for block in plan_blocks(plan) if block.is_table for row in block.rows]
    rows = table_rows(loaded["pdf"])
    assert [row[:2] for row in rows] == [row[:2] for row in expected]
    assert [[cell.replace(" ", "") for cell in row[2:]] for row in rows] == [
        [cell.replace(" ", "") for cell in row[2:]] for row in expected
    ]
    differing = [row for row, want in zip(rows, expected, strict=True) if row != want]
    assert len(differing) <= 3


@pytest.mark.parametrize(("kind", "substitutes"), [("docx", {}), ("pdf", PDF_SUBSTITUTES)])
def test_paragraphs_come_back_one_per_line(
    kind: str, substitutes: dict[str, str], plan: str, loaded: dict[str, str]
) -> None:
    expected = [substituted(block.text, substitutes) for block in plan_blocks(plan) if not block.is_table]
    paragraphs = [line for line in loaded[kind].splitlines() if line and "\t" not in line]
    assert paragraphs == expected


# --- HTML and Word details ---------------------------------------------------------------------------


def test_html_tables_meta_charset_and_dropped_chrome(tmp_path: Path) -> None:
    html = """<!DOCTYPE html><html><head><meta charset="Shift_JIS"><title>t</title>
    <style>p {color: red}</style></head><body>
    <header>サイトヘッダー</header><nav><a href="/">ホーム</a></nav>
    <h1>藤沢市の中小企業支援</h1>
    <p>中小企業の
    経営を支援します。</p>
    <table><thead><tr><th>事業名</th><th>事業内容</th><th>事業主体等</th></tr></thead>
    <tbody><tr><td>(3) マル経融資</td><td>商工業者への<b>貸付</b></td>
    <td>藤沢商工会議所<br>日本政策金融公庫</td></tr></tbody></table>
    <script>var x = "<p>隠す</p>";</script><footer>フッター</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_bytes(html.encode("cp932"))
    lines = [line for line in load_text(path, max_bytes=LIMIT).splitlines() if line]
    assert lines == [
        "藤沢市の中小企業支援",
        "中小企業の経営を支援します。",
        HEADER,
        "(3) マル経融資\t商工業者への貸付\t藤沢商工会議所 日本政策金融公庫",
    ]


def test_docx_merged_cells(tmp_path: Path) -> None:
    """A cell spanning columns is read once; a vertical merge repeats its text on every row it covers,
    so each program keeps its 事業主体等."""
    from docx import Document

    document = Document()
    values = [HEADER.split("\t"), ["(1) A", "内容A", "藤沢市"], ["(2) B", "内容B", ""], ["(3) C", "", ""]]
    table = document.add_table(rows=len(values), cols=3)
    for row, row_values in zip(table.rows, values, strict=True):
        for cell, value in zip(row.cells, row_values, strict=True):
            cell.text = value
    table.cell(1, 2).merge(table.cell(2, 2))
    table.cell(3, 1).merge(table.cell(3, 2)).text = "横に結合"
    path = tmp_path / "merged.docx"
    document.save(str(path))
    assert table_rows(load_text(path, max_bytes=LIMIT)) == [
        HEADER.split("\t"),
        ["(1) A", "内容A", "藤沢市"],
        ["(2) B", "内容B", "藤沢市"],
        ["(3) C", "横に結合"],
    ]


def test_pdf_line_break_inside_a_cell_becomes_a_space(tmp_path: Path) -> None:
    """Designed plans put one organisation per line in 事業主体等; a line that stops short of the
    cell edge is a deliberate break, so the names stay apart."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
    style = ParagraphStyle("cell", fontName="HeiseiKakuGo-W5", fontSize=9, leading=12, wordWrap="CJK")
    data = [
        [Paragraph(text, style) for text in HEADER.split("\t")],
        [
            Paragraph(text, style)
            for text in ("(3) マル経融資", "貸付", "藤沢商工会議所<br/>日本政策金融公庫")
        ],
    ]
    path = tmp_path / "breaks.pdf"
    table = Table(
        data, colWidths=(150, 150, 150), style=TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")])
    )
    SimpleDocTemplate(str(path)).build([table])
    assert table_rows(load_text(path, max_bytes=LIMIT)) == [
        HEADER.split("\t"),
        ["(3) マル経融資", "貸付", "藤沢商工会議所 日本政策金融公庫"],
    ]


def test_join_wrapped() -> None:
    assert join_wrapped("(公", "財)湘南") == "(公財)湘南"
    assert join_wrapped("経営改善", "資金)による支援") == "経営改善資金)による支援"
    assert join_wrapped("SNSやEC", "サイト") == "SNSやECサイト"
    assert join_wrapped("support for small", "businesses") == "support for small businesses"


# --- refused files -----------------------------------------------------------------------------------


def test_truncated_pdf_is_refused_quietly(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.pdf"
    write_truncated_pdf(path)
    with pytest.raises(DocumentError, match=r"^not a readable PDF: \S"):
        load_text(path, max_bytes=LIMIT)
    assert capfd.readouterr() == ("", "")


def test_pdf_without_text_is_refused(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 200, 300, fill=1)  # stands in for a scanned page image
    pdf.save()
    with pytest.raises(
        DocumentError, match=r"^no text found in PDF \(scanned image\?\): it has no text layer"
    ):
        load_text(path, max_bytes=LIMIT)


def test_encrypted_pdf_is_named(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    pdf = canvas.Canvas(str(path), encrypt="secret")
    pdf.drawString(72, 720, "Fujisawa")
    pdf.save()
    with pytest.raises(DocumentError, match=r"^not a readable PDF: encrypted \(password required\)$"):
        load_text(path, max_bytes=LIMIT)


def test_not_a_pdf_at_all(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_text("これはPDFではありません", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"^not a readable PDF: no %PDF header$"):
        load_text(path, max_bytes=LIMIT)


def test_corrupt_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip archive")
    with pytest.raises(DocumentError, match=r"^not a readable Word document: \S"):
        load_text(path, max_bytes=LIMIT)


def test_old_word_format_is_named(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    with pytest.raises(DocumentError, match=r"^not a readable Word document: old Word 97-2003 \(\.doc\)"):
        load_text(path, max_bytes=LIMIT)


@pytest.mark.parametrize("content", [b"", b" \n\r\n\t \n"])
def test_empty_document(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=r"^empty document$"):
        load_text(path, max_bytes=LIMIT)


def test_empty_html_document(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav>メニュー</nav><script>x()</script></body></html>", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"^empty document$"):
        load_text(path, max_bytes=LIMIT)


def test_binary_txt_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    write_binary_txt(path)
    with pytest.raises(DocumentError, match=r"^not a text file: binary content \(NUL bytes\)$"):
        load_text(path, max_bytes=LIMIT)


def test_binary_without_nul_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(bytes(range(1, 32)) * 20 + "本文".encode())
    with pytest.raises(DocumentError, match=r"^not a text file: binary content \(control characters\)$"):
        load_text(path, max_bytes=LIMIT)


def test_too_large_is_refused_without_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 2000)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("an oversized file must not be opened")

    monkeypatch.setattr(Path, "open", no_reading)
    with pytest.raises(DocumentError, match=r"^file too large: 2000 bytes \(limit 1000\)$"):
        load_text(path, max_bytes=1000)


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "sheet.xyz"
    path.write_text("a,b", encoding="utf-8")
    supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
    with pytest.raises(DocumentError) as error:
        load_text(path, max_bytes=LIMIT)
    assert str(error.value) == f"unsupported file type '.xyz' (supported: {supported})"


def test_unreadable_paths_give_the_os_reason(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(DocumentError, match=r"^cannot read file: Is a directory$"):
        load_text(folder, max_bytes=LIMIT)
    with pytest.raises(DocumentError, match=r"^cannot read file: No such file or directory$"):
        load_text(tmp_path / "missing.pdf", max_bytes=LIMIT)


def test_import_is_cheap() -> None:
    """The bot imports the ingest package; the document libraries load only when a file is read."""
    heavy = ("pdfplumber", "pdfminer", "docx", "bs4", "charset_normalizer")
    code = f"import sys, ingest.loaders; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
