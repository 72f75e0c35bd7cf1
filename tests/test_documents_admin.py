"""Issue 11: admins manage documents (list, delete, versions, restore), named tokens say who did
what, and an upgrade that ships a new document keeps an admin's upload and ingests both."""

from __future__ import annotations

import shutil
import time

import pytest
from fastapi.testclient import TestClient

from ingest.pipeline import run_ingest
from tests.web_support import admin_client, wait_job

ALICE = {"Authorization": "Bearer alice-secret"}
BOB = {"Authorization": "Bearer bob-secret"}
TOKENS = {"alice": "alice-secret", "bob": "bob-secret"}


def make_client(settings, embedder) -> TestClient:
    return admin_client(settings, embedder, admin_tokens=TOKENS)


@pytest.fixture
def admin(settings, embedder):
    run_ingest(settings, embedder=embedder)
    return make_client(settings, embedder)


def upload(client, name: str, text: str, headers=ALICE, **params):
    return client.post(
        "/admin/documents", files={"file": (name, text.encode())}, headers=headers, params=params
    )


def program_text(client, record_id: str, containing: str) -> str:
    """The record's text once the server has followed the live pointer (checked once a second)."""
    deadline = time.monotonic() + 5
    text = ""
    while time.monotonic() < deadline:
        response = client.get(f"/api/programs/{record_id}")
        text = response.json().get("text", "") if response.status_code == 200 else ""
        if containing in text:
            break
        time.sleep(0.1)
    return text


def listing(client) -> dict[str, dict]:
    response = client.get("/admin/documents", headers=ALICE)
    assert response.status_code == 200, response.text
    return {d["name"]: d for d in response.json()["items"]}


NOTICE_V1 = "# 窓口の変更\n\n融資の相談窓口は商工会館2階に移りました。\n"
NOTICE_V2 = "# 窓口の変更\n\n融資の相談窓口は商工会館3階に移りました。\n"


def test_named_tokens_each_work_and_the_uploader_is_recorded(admin):
    assert admin.get("/admin/documents", headers={"Authorization": "Bearer wrong"}).status_code == 401
    response = upload(admin, "notice.md", NOTICE_V1, headers=BOB)
    assert response.status_code == 201, response.text
    assert response.json()["uploaded_by"] == "bob"
    docs = listing(admin)
    assert docs["notice.md"]["uploaded_by"] == "bob"
    assert docs["notice.md"]["origin"] == "uploaded"
    assert docs["notice.md"]["status"] == "pending"
    assert docs["fujisawa-sme-plan.txt"] == {
        **docs["fujisawa-sme-plan.txt"],
        "origin": "shipped",
        "status": "live",
        "type": "txt",
        "uploaded_by": None,
        "last_error": None,
    }
    assert docs["fujisawa-sme-plan.txt"]["records"] >= 52


def test_replace_keeps_a_version_that_can_be_restored_and_reingest_applies_it(admin, settings):
    assert upload(admin, "notice.md", NOTICE_V1).status_code == 201
    second = upload(admin, "notice.md", NOTICE_V2, headers=BOB, reingest="true")
    assert second.status_code == 201, second.text
    body = second.json()
    assert body["replaced"] is True and body["previous_version"]
    job = wait_job(admin, body["reingest"]["job_id"], headers=ALICE)
    assert job["status"] == "succeeded", job
    assert "3階" in program_text(admin, "notice-top", containing="3階")

    versions = admin.get("/admin/documents/notice.md/versions", headers=ALICE).json()["versions"]
    assert [v["version"] for v in versions] == [body["previous_version"]]
    assert versions[0]["uploaded_by"] == "alice" and versions[0]["kept_by"] == "bob"
    # kept outside every folder ingest reads
    assert not list(settings.documents_dir.glob("v2*")) and not list(settings.uploads_folder.glob("v2*"))

    restored = admin.post(
        "/admin/documents/notice.md/restore",
        json={"version": versions[0]["version"]},
        headers=ALICE,
        params={"reingest": "true"},
    )
    assert restored.status_code == 200, restored.text
    job = wait_job(admin, restored.json()["reingest"]["job_id"], headers=ALICE)
    assert job["status"] == "succeeded", job
    assert "2階" in program_text(admin, "notice-top", containing="2階")
    assert listing(admin)["notice.md"]["status"] == "live"
    assert len(admin.get("/admin/documents/notice.md/versions", headers=ALICE).json()["versions"]) == 2


def test_delete_removes_an_upload_but_never_a_shipped_document(admin, settings):
    uploaded = upload(admin, "notice.md", NOTICE_V1, reingest="true")
    assert uploaded.status_code == 201
    assert wait_job(admin, uploaded.json()["reingest"]["job_id"], headers=ALICE)["status"] == "succeeded"
    shipped = admin.delete("/admin/documents/fujisawa-sme-plan.txt", headers=ALICE)
    assert shipped.status_code == 409 and shipped.json()["error"]["code"] == "shipped_document"
    assert admin.delete("/admin/documents/nothing.md", headers=ALICE).status_code == 404

    deleted = admin.delete("/admin/documents/notice.md", headers=ALICE, params={"reingest": "true"})
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["kept_as"]
    job = wait_job(admin, deleted.json()["reingest"]["job_id"], headers=ALICE)
    assert job["status"] == "succeeded", job
    assert "notice.md" not in listing(admin)
    deadline = time.monotonic() + 5  # the server follows the live pointer within a second
    while admin.get("/api/programs/notice-top").status_code != 404 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert admin.get("/api/programs/notice-top").status_code == 404
    bad_version = admin.post("/admin/documents/notice.md/restore", json={"version": "../../x"}, headers=ALICE)
    assert bad_version.status_code == 404


def test_an_upgrade_that_ships_a_new_document_keeps_the_admins_upload(settings, embedder, tmp_path):
    """The image's knowledge folder is replaced (a new shipped file appears); the data volume with
    the uploads stays. The next ingest reads both, shipped first."""
    run_ingest(settings, embedder=embedder)
    client = make_client(settings, embedder)
    assert upload(client, "notice.md", NOTICE_V1).status_code == 201

    new_image = tmp_path / "knowledge-v2"
    shutil.copytree(settings.knowledge_dir, new_image)
    (new_image / "documents" / "shoene-2027.md").write_text(
        "# 省エネ設備導入補助 2027\n\n省エネ設備の導入費用の一部を補助します。\n", encoding="utf-8"
    )
    shutil.rmtree(settings.knowledge_dir)
    new_image.rename(settings.knowledge_dir)  # the upgrade: same path, new content

    upgraded = make_client(settings, embedder)
    job = wait_job(upgraded, upgraded.post("/admin/reingest", headers=ALICE).json()["job_id"], headers=ALICE)
    assert job["status"] == "succeeded", job
    files = [entry["file"] for entry in job["report"]["files"]]
    assert files.index("documents/fujisawa-sme-plan.txt") < files.index("uploads/notice.md")
    assert {"documents/shoene-2027.md", "uploads/notice.md"} <= set(files)
    docs = listing(upgraded)
    assert docs["notice.md"]["status"] == "live" and docs["shoene-2027.md"]["status"] == "live"
