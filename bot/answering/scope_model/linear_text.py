"""The fitted scope classifiers, evaluated as the arithmetic they are.

sklearn's ``predict_proba`` validates its input on every call (array checks, dataframe sniffing,
a label encoder fitted anew per fold): for one question that was ≈ 30 ms of the answer's ≈ 45 ms
under the profiler, against well under a millisecond for the sums themselves. Here the same fitted
parameters (each fold's vocabulary, idf, coefficients and sigmoid) are laid out once at load over
one vocabulary, the union of the models' (an n-gram a model does not know has idf 0 there, so it
adds nothing to that model's norm or sum); a question's character n-grams are counted and looked
up once, and the five calibration folds are computed together.
``tests/test_scope_model.py`` checks that the probabilities equal sklearn's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Grams:
    """A text's distinct n-grams as indices into the union vocabulary, with their tf weights."""

    union: np.ndarray  # int64 indices
    tf: np.ndarray  # float64: the count, or 1 + log(count) with sublinear tf


class LinearText:
    """One fitted ``TfidfVectorizer`` → linear model pipeline, laid out over the union vocabulary."""

    def __init__(self, pipeline: Any) -> None:
        vectoriser, model = pipeline[0], pipeline[-1]
        if vectoriser.norm != "l2" or not vectoriser.use_idf:
            raise ValueError("only an l2-normalised tf-idf vectoriser is evaluated here")
        self.analyzer_key = repr(sorted(vectoriser.get_params().items()))
        self.analyse: Callable[[str], list[str]] = vectoriser.build_analyzer()
        self.sublinear = bool(vectoriser.sublinear_tf)
        self.vocabulary: dict[str, int] = vectoriser.vocabulary_
        self._idf = np.asarray(vectoriser.idf_, dtype=np.float64)
        self._coef = np.asarray(model.coef_, dtype=np.float64)  # (1 or n_classes, n_features)
        self.intercept = np.asarray(model.intercept_, dtype=np.float64)
        self.classes = list(model.classes_)
        self.idf = np.empty(0)  # over the union vocabulary, set by ``lay_out``
        self.coef = np.empty((len(self._coef), 0))

    def lay_out(self, union: dict[str, int]) -> None:
        own = np.fromiter(self.vocabulary.values(), dtype=np.int64, count=len(self.vocabulary))
        where = np.fromiter((union[g] for g in self.vocabulary), dtype=np.int64, count=len(self.vocabulary))
        self.idf = np.zeros(len(union))
        self.idf[where] = self._idf[own]
        self.coef = np.zeros((len(self._coef), len(union)))
        self.coef[:, where] = self._coef[:, own]

    def decision(self, grams: Grams) -> np.ndarray:
        """The decision values (one per row of ``coef``) of a text whose n-grams are ``grams``."""
        weights = grams.tf * self.idf[grams.union]
        length = float(np.sqrt(weights @ weights))
        if length > 0:
            weights = weights / length
        return self.coef[:, grams.union] @ weights + self.intercept


class NGrams:
    """Counts a text's n-grams once and looks each up once, for every model that reads it: the
    models share one analyser (all are built by ``build._vectoriser``) and one union vocabulary."""

    def __init__(self, models: Sequence[LinearText]) -> None:
        if len({(m.analyzer_key, m.sublinear) for m in models}) != 1:
            raise ValueError("the models do not read text the same way")
        self._analyse = models[0].analyse
        self._sublinear = models[0].sublinear
        self._union: dict[str, int] = {}
        for model in models:
            for gram in model.vocabulary:
                self._union.setdefault(gram, len(self._union))
        for model in models:
            model.lay_out(self._union)

    def count(self, text: str) -> Grams:
        union, counts = [], []
        for gram, count in Counter(self._analyse(text)).items():
            index = self._union.get(gram)
            if index is not None:
                union.append(index)
                counts.append(count)
        tf = np.asarray(counts, dtype=np.float64)
        return Grams(np.asarray(union, dtype=np.int64), np.log(tf) + 1.0 if self._sublinear else tf)


class CalibratedBinary:
    """A fitted two-class ``CalibratedClassifierCV`` (sigmoid): the mean of its folds' calibrated
    probabilities, as sklearn computes it."""

    def __init__(self, calibrated: Any) -> None:
        if calibrated.method != "sigmoid" or len(calibrated.classes_) != 2:
            raise ValueError("only a two-class, sigmoid-calibrated classifier is evaluated here")
        self.classes = list(calibrated.classes_)
        self.models = [LinearText(fold.estimator) for fold in calibrated.calibrated_classifiers_]
        if any(model.classes != self.classes for model in self.models):
            raise ValueError("a fold was fitted on other classes")
        sigmoids = [fold.calibrators[0] for fold in calibrated.calibrated_classifiers_]
        self._a = np.array([float(s.a_) for s in sigmoids])
        self._b = np.array([float(s.b_) for s in sigmoids])
        self._stacked: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def _folds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every fold's idf, coefficients and intercept, one row each (laid out by NGrams first)."""
        if self._stacked is None:
            self._stacked = (
                np.vstack([m.idf for m in self.models]),
                np.vstack([m.coef[0] for m in self.models]),
                np.array([float(m.intercept[0]) for m in self.models]),
            )
        return self._stacked

    def probability_of(self, label: str, grams: Grams) -> float:
        idf, coef, intercept = self._folds()
        weights = idf[:, grams.union] * grams.tf  # (folds, n-grams)
        lengths = np.sqrt(np.einsum("ij,ij->i", weights, weights))
        lengths[lengths == 0] = 1.0
        decision = np.einsum("ij,ij->i", coef[:, grams.union], weights) / lengths + intercept
        p = 1.0 / (1.0 + np.exp(self._a * decision + self._b))  # each fold's P(classes[1])
        p[(p > 1.0) & (p <= 1.0 + 1e-5)] = 1.0
        positive = float(p.mean())
        return positive if label == self.classes[1] else 1.0 - positive


class Multiclass:
    """A fitted multi-class tf-idf → logistic regression pipeline: its predicted class."""

    def __init__(self, pipeline: Any) -> None:
        self.model = LinearText(pipeline)

    def predict(self, grams: Grams) -> str:
        values = self.model.decision(grams)
        if len(self.model.classes) == 2:  # a binary model has one row: positive when above 0
            return str(self.model.classes[int(values[0] > 0)])
        return str(self.model.classes[int(np.argmax(values))])
