"""Done-when 4: bad files are reported one by one, and the live index keeps answering."""

from __future__ import annotations

from tests.conftest import run_cli, run_json
from tests.plan_formats import write_binary_txt, write_truncated_pdf


def _ask_cites(settings, question: str, record_id: str) -> None:
    code, reply = run_json(settings, "ask", question)
    assert code == 0
    assert reply["status"] == "answered"
    assert record_id in [c["id"] for c in reply["citations"]]


def test_each_bad_file_gets_its_reason_and_the_rest_is_ingested(settings):
    docs = settings.documents_dir
    write_truncated_pdf(docs / "broken.pdf")
    (docs / "empty.txt").write_bytes(b"")
    write_binary_txt(docs / "binary.txt")
    (docs / "huge.txt").write_text("大きな文書です。\n" * 4000, encoding="utf-8")  # ~92 KB

    code, report = run_json(settings, "ingest", NAVIGATOR_MAX_DOCUMENT_BYTES="50000")

    assert code == 0
    assert report["documents"] == 1
    assert report["records"]["program"] == 35
    errors = {e["file"]: e["error"] for e in report["errors"]}
    assert set(errors) == {
        "documents/broken.pdf",
        "documents/empty.txt",
        "documents/binary.txt",
        "documents/huge.txt",
    }
    assert errors["documents/broken.pdf"].startswith("not a readable PDF")
    assert errors["documents/empty.txt"] == "empty document"
    assert errors["documents/binary.txt"].startswith("not a text file")
    assert errors["documents/huge.txt"].startswith("file too large")
    assert "limit 50000" in errors["documents/huge.txt"]


def test_nothing_ingestable_exits_non_zero_and_the_previous_index_still_answers(settings, tmp_path):
    assert run_cli(settings, "ingest").returncode == 0
    _ask_cites(settings, "マル経融資の条件は？", "I-4-3")

    bad = tmp_path / "bad"
    bad.mkdir()
    write_truncated_pdf(bad / "plan.pdf")
    (bad / "empty.txt").write_bytes(b"")
    write_binary_txt(bad / "binary.txt")

    code, report = run_json(settings, "ingest", str(bad))

    assert code != 0
    assert "no document could be ingested" in report["error"]
    assert len(report["errors"]) == 3
    _ask_cites(settings, "マル経融資の条件は？", "I-4-3")


def test_the_default_size_limit_is_20_mb():
    from ingest.settings import Settings

    assert Settings().max_document_bytes == 20 * 1024 * 1024
