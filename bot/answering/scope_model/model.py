"""Loading and asking the trained scope model (``scope_model.joblib``, built by ``build.py``).

The artifact is committed: it is small (a few hundred kB), independent of the embedder, loads in
well under a second at start-up with no network, and the answers of every host are then the same;
a test checks that it was built from the training data in the repository.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
import yaml

from bot.answering.scope_model.data import IN_SCOPE, TRAINING_DIR
from bot.answering.scope_model.features import features
from bot.answering.scope_model.linear_text import CalibratedBinary, Multiclass, NGrams

ARTIFACT = Path(__file__).with_name("scope_model.joblib")


@dataclass(frozen=True)
class Judgement:
    out: float  # calibrated probability that no plan program serves who is asking for what
    department: str  # the department most likely to own it (meaningful when ``out`` is high)


class ScopeModel:
    def __init__(self, artifact: dict[str, Any]) -> None:
        self.scope = artifact["scope"]  # calibrated in / out classifier
        self.departments = artifact["departments"]  # which department, trained on out examples
        self.decline_at: float = artifact["decline_at"]
        self.training_hash: str = artifact["training_hash"]
        self._scope = CalibratedBinary(self.scope)
        self._departments = Multiclass(self.departments)
        self._grams = NGrams([*self._scope.models, self._departments.model])

    def judge(self, question: str) -> Judgement:
        return self.judge_features(features(question))

    def judge_features(self, feature_text: str) -> Judgement:
        """The judgement of a question already read (``features.features_of``)."""
        grams = self._grams.count(feature_text)
        out = 1.0 - self._scope.probability_of(IN_SCOPE, grams)
        return Judgement(out, self._departments.predict(grams))


@lru_cache(maxsize=1)
def scope_model(path: Path = ARTIFACT) -> ScopeModel:
    """The process's model, loaded once."""
    return ScopeModel(joblib.load(path))


def training_hash(training_dir: Path = TRAINING_DIR) -> str:
    """A digest of the written training questions, so an artifact not rebuilt after they changed
    is noticed. It digests what the files say, not their bytes: a comment edited is no change. (The
    catalog's words are trained on too, but a catalog edit need not retrain: the model judges who
    asks and what for, and retrieval judges what the knowledge covers.)"""
    digest = hashlib.sha256()
    for file in sorted(training_dir.glob("*.yaml")):
        content = yaml.safe_load(file.read_text(encoding="utf-8"))
        digest.update(json.dumps([file.name, content], ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:16]
