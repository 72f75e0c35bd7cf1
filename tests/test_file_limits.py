"""Issue 11: hostile documents are stopped by explicit caps on their raw bytes or by the sandbox's
limits, each with a per-file reason, and a re-ingest with them in the folder still goes live."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ingest.file_limits import FileLimits, check_file
from ingest.loaders import DocumentError
from ingest.pipeline import run_ingest
from ingest.sandbox import Sandbox, SandboxLimits
from ingest.untrusted import read_checked
from tests.hostile_files import deep_html, docx_bomb, long_line, pdf_with_flate_stream, pdf_with_pages
from tests.plan_formats import read_plan, write_docx, write_pdf

LIMITS = FileLimits()


def _refused(path: Path) -> str:
    with pytest.raises(DocumentError) as caught:
        check_file(path, path.read_bytes(), LIMITS)
    return str(caught.value)


def test_docx_whose_document_xml_inflates_to_20_mb_is_refused(tmp_path):
    size = docx_bomb(tmp_path / "bomb.docx", unpacked_mb=20)
    assert size < 100_000
    assert "NAVIGATOR_MAX_COMPRESSION_RATIO" in _refused(tmp_path / "bomb.docx")


def test_docx_of_whitespace_is_refused_by_the_unpacked_size(tmp_path):
    docx_bomb(tmp_path / "spaces.docx", unpacked_mb=256, filler=b" ")
    reason = _refused(tmp_path / "spaces.docx")
    assert "unpacks to more than" in reason


def test_pdf_with_a_500_mb_flate_stream_is_refused_without_inflating_it(tmp_path):
    size = pdf_with_flate_stream(tmp_path / "bomb.pdf", unpacked_mb=500)
    assert size < 600_000
    started = time.monotonic()
    assert "NAVIGATOR_MAX_UNPACKED_BYTES" in _refused(tmp_path / "bomb.pdf")
    assert time.monotonic() - started < 5


def test_pdf_of_3000_pages_is_refused(tmp_path):
    pdf_with_pages(tmp_path / "long.pdf", pages=3000)
    assert "more than 500 pages (3000" in _refused(tmp_path / "long.pdf")


def test_html_nested_3000_deep_is_refused(tmp_path):
    deep_html(tmp_path / "deep.html", depth=3000)
    assert "NAVIGATOR_MAX_HTML_DEPTH" in _refused(tmp_path / "deep.html")


def test_the_plan_in_every_format_passes_the_caps(tmp_path):
    write_docx(read_plan(), tmp_path / "plan.docx")
    write_pdf(read_plan(), tmp_path / "plan.pdf")
    (tmp_path / "plan.html").write_text("<html><body><table><tr><td>a</td></tr></table></body></html>")
    for name in ("plan.docx", "plan.pdf", "plan.html"):
        check_file(tmp_path / name, (tmp_path / name).read_bytes(), LIMITS)


def test_sandbox_stops_memory_time_and_cpu_hogs_and_keeps_working(tmp_path):
    sandbox = Sandbox(SandboxLimits(memory_mb=256, cpu_seconds=2, timeout_seconds=1.5, workers=1))
    try:
        with pytest.raises(DocumentError, match="stopped: used more than 256 MB"):
            sandbox.run(bytearray, 1024 * 1024 * 1024)
        with pytest.raises(DocumentError, match="stopped: took longer than 1.5 s"):
            sandbox.run(time.sleep, 30)
        sandbox.limits = SandboxLimits(memory_mb=256, cpu_seconds=1, timeout_seconds=30, workers=1)
        with pytest.raises(DocumentError, match="stopped: used more than 1 s of CPU"):
            sandbox.run(eval, "sum(range(10**10))")
        (tmp_path / "ok.txt").write_text("融資の相談窓口です。", encoding="utf-8")
        records = sandbox.run(read_checked, tmp_path / "ok.txt", 10_000, LIMITS, "ok.txt")
        assert any("融資" in r.title + r.text for r in records)
    finally:
        sandbox.close()


def test_sandbox_reuses_its_workers_so_300_small_documents_stay_fast(tmp_path):
    (tmp_path / "a.txt").write_text("創業支援の案内です。", encoding="utf-8")
    sandbox = Sandbox(SandboxLimits(workers=2))
    try:
        sandbox.run(read_checked, tmp_path / "a.txt", 10_000, LIMITS, "a.txt")  # start-up
        started = time.monotonic()
        for _ in range(300):
            sandbox.run(read_checked, tmp_path / "a.txt", 10_000, LIMITS, "a.txt")
        assert time.monotonic() - started < 10
    finally:
        sandbox.close()


def test_reingest_with_every_bad_file_lists_each_and_ingests_the_rest(settings, embedder):
    docs = settings.documents_dir
    docx_bomb(docs / "bomb.docx", unpacked_mb=20)
    pdf_with_flate_stream(docs / "bomb.pdf", unpacked_mb=200)
    pdf_with_pages(docs / "report.pdf", pages=3000)
    deep_html(docs / "deep.html", depth=3000)
    long_line(docs / "long-line.txt", kilobytes=50)
    leaflet = "# 省エネ設備補助のお知らせ\n\n省エネ設備の導入費用を補助します。申請は商工会議所へ。\n"
    for n in range(8):  # eight copies of one leaflet: identical passages must not block the switch
        (docs / f"leaflet-{n}.md").write_text(leaflet, encoding="utf-8")

    report = run_ingest(settings, embedder=embedder)

    errors = {e["file"]: e["error"] for e in report.errors}
    assert set(errors) == {
        "documents/bomb.docx",
        "documents/bomb.pdf",
        "documents/report.pdf",
        "documents/deep.html",
    }, errors
    assert "compression" in errors["documents/bomb.docx"]
    assert "pages" in errors["documents/report.pdf"]
    assert "deep" in errors["documents/deep.html"]
    assert report.version is not None
    assert report.records["program"] == 35
    files = {f["file"] for f in report.files}
    assert "documents/long-line.txt" in files and "documents/leaflet-7.md" in files
