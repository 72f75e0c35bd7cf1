"""The scope model: built from the repository's training data, fast to load, never trained on eval/."""

from __future__ import annotations

import time
from pathlib import Path

import joblib
import yaml

from bot.answering.question import Question
from bot.answering.scope import out_of_scope
from bot.answering.scope_desks import CALL_CENTRE, desks_for
from bot.answering.scope_model import ScopeModel
from bot.answering.scope_model.data import examples
from bot.answering.scope_model.model import ARTIFACT, training_hash
from ingest.textnorm import normalize

REPO = Path(__file__).resolve().parents[1]


def test_the_committed_model_is_built_from_the_training_data_and_loads_fast() -> None:
    started = time.perf_counter()
    model = ScopeModel(joblib.load(ARTIFACT))
    assert time.perf_counter() - started < 3.0
    assert model.training_hash == training_hash(), "run `navigator train-scope` and commit the model"
    assert ARTIFACT.stat().st_size < 4_000_000


def test_no_training_example_is_an_evaluation_question() -> None:
    asked = {
        normalize(str(item["q"]))
        for name in ("scope.yaml", "plan_owners.yaml", "questions.yaml")
        for item in yaml.safe_load((REPO / "eval" / name).read_text(encoding="utf-8"))
    }
    assert not [e.text for e in examples() if normalize(e.text) in asked]


def test_a_residents_matter_is_declined_with_its_department_and_a_business_need_is_not() -> None:
    nursery = out_of_scope(Question.parse("子供を保育所に入れる申し込みはいつまで？"))
    assert nursery is not None and nursery.declined and nursery.desks[0] == CALL_CENTRE
    benefit = out_of_scope(Question.parse("会社をやめたので失業手当の手続きをしたい"))
    assert benefit is not None and benefit.desks == desks_for("雇用保険")
    assert benefit.desks[0] == "hellowork-fujisawa"
    assert out_of_scope(Question.parse("設備を入れるために事業資金を借りたい")) is None
    assert out_of_scope(Question.parse("横浜市の創業補助金を知りたい")).department == "他自治体"


def test_the_models_arithmetic_equals_sklearns_on_every_training_and_eval_question() -> None:
    """The scope model evaluates the fitted classifiers itself (linear_text.py, for speed); its
    probabilities and departments must be sklearn's own."""
    from bot.answering.scope_model.data import IN_SCOPE
    from bot.answering.scope_model.features import features

    model = ScopeModel(joblib.load(ARTIFACT))
    texts = [e.text for e in examples()]
    texts += [str(item["q"]) for item in yaml.safe_load((REPO / "eval" / "scope.yaml").read_text("utf-8"))]
    read = [features(text) for text in texts]
    inside = list(model.scope.classes_).index(IN_SCOPE)
    expected = 1.0 - model.scope.predict_proba(read)[:, inside]
    departments = model.departments.predict(read)
    for text, feature_text, out, department in zip(texts, read, expected, departments, strict=True):
        judgement = model.judge_features(feature_text)
        assert abs(judgement.out - out) < 1e-9, text
        assert judgement.department == department, text
