"""Admins over HTTP: upload a document, start a re-ingest, follow it; /metrics and JSON logs (issue 5)."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from bot.db.audit import AuditLog
from ingest.pipeline import run_ingest
from tests.plan_formats import write_binary_txt, write_pdf, write_truncated_pdf
from tests.web_support import ADMIN_TOKEN, admin_client, wait_job

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def admin(settings, embedder):
    """A server over its own knowledge copy and index, so that uploads and re-ingests are private."""
    run_ingest(settings, embedder=embedder)
    return admin_client(settings, embedder)


def upload(client: TestClient, name: str, content: bytes, headers=AUTH):
    return client.post("/admin/documents", files={"file": (name, content)}, headers=headers)


def test_upload_then_reingest_adds_the_document_and_reports_the_change(admin, settings):
    notice = "# 窓口の変更\n融資の相談窓口は商工会館2階に移りました。".encode()
    response = upload(admin, "notice.md", notice)
    assert response.status_code == 201, response.text
    assert response.json() == {
        "file": "uploads/notice.md",
        "bytes": len(notice),
        "replaced": False,
        "previous_version": None,
        "records": {"document": 1, "passage": 1},
        "uploaded_by": "admin",
        "reingest": None,
    }
    assert (settings.uploads_folder / "notice.md").read_bytes() == notice
    assert not (settings.documents_dir / "notice.md").exists()  # the shipped folder stays as shipped

    started = admin.post("/admin/reingest", headers=AUTH)
    assert started.status_code == 202
    job = wait_job(admin, started.json()["job_id"])

    assert job["status"] == "succeeded", job
    assert job["report"]["added"] == 2
    assert job["report"]["changes"]["added"] == [
        {"id": "notice", "kind": "document", "title": "窓口の変更", "document": "notice.md"},
        {"id": "notice-top", "kind": "passage", "title": "窓口の変更", "document": "notice.md"},
    ]
    assert job["report"]["changes_by_document"] == [
        {"document": "notice.md", "added": 2, "updated": 0, "deleted": 0, "fields": []}
    ]
    assert job["report"]["candidate"] is False
    (entry,) = AuditLog(admin.app.state.web.runtime.store.db).entries(action="reingest")
    assert (entry["actor"], entry["target"], entry["detail"]) == ("admin", job["id"], {"candidate": False})
    assert admin.get("/readyz").json()["index_version"] == job["report"]["version"]


def test_an_uploaded_pdf_plan_replaces_the_text_one(admin, settings, tmp_path):
    pdf = tmp_path / "plan.pdf"
    write_pdf((settings.documents_dir / "fujisawa-sme-plan.txt").read_text(encoding="utf-8"), pdf)
    response = upload(admin, "plan.pdf", pdf.read_bytes())
    assert response.status_code == 201, response.text
    assert response.json()["records"]["program"] == 35


@pytest.mark.parametrize(
    ("name", "make", "status", "code"),
    [
        ("broken.pdf", "truncated_pdf", 422, "not_a_document"),
        ("binary.txt", "binary", 422, "not_a_document"),
        ("empty.txt", "empty", 422, "not_a_document"),
        ("tool.exe", "binary", 415, "unsupported_document_type"),
    ],
)
def test_an_upload_that_is_not_a_document_is_refused_and_nothing_changes(
    admin, settings, tmp_path, name, make, status, code
):
    path = tmp_path / name
    {"truncated_pdf": write_truncated_pdf, "binary": write_binary_txt, "empty": lambda p: p.write_bytes(b"")}[
        make
    ](path)
    before = sorted(p.name for p in settings.documents_dir.iterdir())
    uploads = settings.uploads_folder
    version = admin.get("/readyz").json()["index_version"]

    response = upload(admin, name, path.read_bytes())

    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert sorted(p.name for p in settings.documents_dir.iterdir()) == before
    assert not uploads.exists() or not [p for p in uploads.iterdir() if not p.name.startswith(".")]
    assert not uploads.exists() or not list(uploads.iterdir())  # no scratch file left behind
    assert admin.get("/readyz").json()["index_version"] == version


def test_an_upload_over_the_size_limit_gets_413(settings, embedder):
    run_ingest(settings, embedder=embedder)
    client = admin_client(settings, embedder, max_document_bytes=2000)
    response = upload(client, "big.txt", ("あ" * 2000).encode())
    assert response.status_code == 413
    assert response.json()["error"]["code"] in ("payload_too_large", "document_too_large")


def test_a_reingest_of_a_plan_without_programs_fails_with_the_reason_and_the_live_version_stays(
    admin, settings
):
    version = admin.get("/readyz").json()["index_version"]
    plan = settings.documents_dir / "fujisawa-sme-plan.txt"
    plan.write_text(plan.read_text(encoding="utf-8").split("I-施策1")[0], encoding="utf-8")

    job = wait_job(admin, admin.post("/admin/reingest", headers=AUTH).json()["job_id"])

    assert job["status"] == "failed"
    assert "refused: the new version has 0 programs" in job["error"]
    assert admin.get("/readyz").json()["index_version"] == version
    answer = admin.post("/api/chat", json={"message": "マル経融資の条件は？"}).json()
    assert answer["citations"][0]["id"] == "I-4-3"


def test_a_second_reingest_while_one_runs_is_refused(admin, settings):
    from tests.test_safe_reingest import write_bulk_document

    write_bulk_document(settings.documents_dir, sections=1500)
    first = admin.post("/admin/reingest", headers=AUTH)
    second = admin.post("/admin/reingest", headers=AUTH)
    assert first.status_code == 202
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "ingest_running"
    assert "another ingest is running" in second.json()["error"]["message"]
    assert wait_job(admin, first.json()["job_id"], timeout=300)["status"] == "succeeded"


def test_admin_ingest_endpoints_need_the_token(admin):
    assert admin.post("/admin/reingest").status_code == 401
    assert upload(admin, "a.md", b"# x\ny", headers={}).status_code == 401
    assert admin.get("/admin/reingest/job-x", headers=AUTH).status_code == 404


def test_metrics_count_requests_answers_and_the_index_version(admin):
    admin.post("/api/chat", json={"message": "マル経融資の条件は？"})
    admin.post("/api/chat", json={"message": "明日の天気は？"})
    text = admin.get("/metrics").text
    version = admin.get("/readyz").json()["index_version"]
    assert 'navigator_http_requests_total{method="POST",route="/api/chat",status="200"} 2.0' in text
    assert 'navigator_answers_total{status="no_match"} 1.0' in text
    assert "navigator_no_match_total 1.0" in text
    assert f"navigator_index_version {float(version)}" in text
    assert 'navigator_http_request_seconds_bucket{le="0.15",route="/api/chat"}' in text


def test_one_json_log_line_per_request_with_cited_ids_and_never_the_message(admin, caplog):
    secret = "従業員4人の美容室ですがマル経は使えますか"
    with caplog.at_level(logging.INFO, logger="navigator.access"):
        admin.post("/api/chat", json={"message": secret})
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "navigator.access"]
    assert len(lines) == 1
    line = lines[0]
    assert line["route"] == "/api/chat" and line["status"] == 200 and line["ms"] > 0
    assert line["cited"][0] == "I-4-3"
    assert line["message_chars"] == len(secret)
    assert secret not in caplog.text and "美容室" not in caplog.text
