"""Documents in the store: one host keeps an admin's document in PostgreSQL, another host
materialises the store's documents and ingests them (the piece document management will call)."""

from __future__ import annotations

from bot.answering.retrieve import Retriever
from bot.answering.select import Navigator
from bot.db import open_database
from bot.db.documents import DocumentStore, materialise
from ingest.pipeline import run_ingest
from ingest.settings import Settings
from tests.conftest import reopened

NOTICE = """# 省エネ設備導入補助金 募集のお知らせ

## 1 対象
市内の中小企業が行う、空調や照明を省エネ型の設備に更新する事業。

## 2 補助額
対象経費の2分の1、上限100万円。
"""


def test_a_document_kept_in_the_store_by_one_host_is_ingested_by_another(
    postgres, knowledge_dir, tmp_path, embedder
):
    host_a = Settings(
        knowledge_dir=knowledge_dir, data_dir=tmp_path / "a", database_url=postgres.new_database()
    )
    host_b = host_a.model_copy(update={"data_dir": tmp_path / "b"})
    DocumentStore(open_database(host_a)).put("shoene-boshu.md", NOTICE.encode(), uploaded_by="admin-a")

    on_b = DocumentStore(reopened(open_database(host_b)))  # host B's own connections
    folder = host_b.data_dir / "documents-from-store"
    assert [p.name for p in materialise(on_b, folder)] == ["shoene-boshu.md"]
    report = run_ingest(host_b, [host_b.documents_dir, folder], embedder=embedder)
    assert report.documents == 2 and not report.errors

    navigator = Navigator(host_b, Retriever(host_b, embedder=embedder))
    index = navigator.retriever.index()
    assert any(owner.startswith("shoene-boshu") for owner in index.record_ids)
    result = navigator.search("省エネ設備導入補助金の補助額", index)
    assert any(hit.record.id.startswith("shoene-boshu") for hit in result.hits)
