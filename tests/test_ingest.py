"""Done-when 2 of the knowledge-base issue: counts, idempotence, one changed row, a deleted document."""

from __future__ import annotations

import yaml

from ingest.index_store import IndexStore
from ingest.pipeline import run_ingest
from tests.conftest import run_json

EXPECTED = {"measure": 8, "program": 35, "indicator": 5, "section": 4, "document": 0, "passage": 0}


def test_ingest_json_reports_the_plan_and_a_second_run_changes_nothing(settings):
    code, first = run_json(settings, "ingest")
    assert code == 0
    assert first["records"] == EXPECTED
    assert first["added"] == sum(EXPECTED.values())
    assert first["errors"] == []

    code, second = run_json(settings, "ingest")
    assert code == 0
    assert (second["added"], second["updated"], second["deleted"]) == (0, 0, 0)
    assert second["unchanged"] == sum(EXPECTED.values())
    assert second["embedded"] == 0
    assert second["version"] == first["version"]
    assert second["nothing_changed"] is True and first["nothing_changed"] is False


def test_changing_one_program_re_embeds_exactly_that_record(settings, embedder):
    run_ingest(settings, embedder=embedder)
    plan = settings.documents_dir / "fujisawa-sme-plan.txt"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(
        text.replace("の商工業者への貸付", "の商工業者への無担保・無保証人の貸付"), encoding="utf-8"
    )

    report = run_ingest(settings, embedder=embedder)

    assert (report.added, report.updated, report.deleted) == (0, 1, 0)
    assert report.embedded == 1
    assert report.changes["changed"] == [
        {"id": "I-4-3", "kind": "program", "fields": ["text"], "document": "plan"}
    ]
    assert report.changes_by_document == [
        {"document": "plan", "added": 0, "updated": 1, "deleted": 0, "fields": ["text"]}
    ]
    store = IndexStore(settings)
    live = store.collection(store.live_number())
    stored = live.get(ids=["I-4-3#main"], include=["documents"])["documents"][0]
    assert "無担保・無保証人の貸付" in stored


def test_deleting_a_document_deletes_its_records(settings, embedder):
    notice = settings.documents_dir / "notice.md"
    notice.write_text(
        "# 窓口の変更\n融資の相談窓口は2階に移りました。\n\n# 駐車場\n有料です。", encoding="utf-8"
    )
    first = run_ingest(settings, embedder=embedder)
    assert first.documents == 2
    assert (first.records["document"], first.records["passage"]) == (1, 2)

    notice.unlink()
    report = run_ingest(settings, embedder=embedder)

    assert report.deleted == 3
    assert {c["id"] for c in report.changes["removed"]} == {"notice", "notice-top", "notice-chuushajou"}
    assert report.changes_by_document == [
        {"document": "notice.md", "added": 0, "updated": 0, "deleted": 3, "fields": []}
    ]
    store = IndexStore(settings)
    ids = store.collection(store.live_number()).get()["ids"]
    assert not [i for i in ids if i.startswith("notice-")]


def test_a_catalog_change_updates_the_record_it_enriches(settings, embedder):
    run_ingest(settings, embedder=embedder)
    catalog = settings.catalog_file
    data = yaml.safe_load(catalog.read_text(encoding="utf-8"))
    data["records"]["I-5-5"]["aliases"].append("展示会ブース")
    catalog.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    report = run_ingest(settings, embedder=embedder)

    assert (report.added, report.updated, report.deleted) == (0, 1, 0)
    assert report.embedded == 1
