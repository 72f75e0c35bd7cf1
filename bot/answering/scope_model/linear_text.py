"""The fitted scope classifiers, evaluated as the arithmetic they are.

sklearn's ``predict_proba`` validates its input on every call (array checks, dataframe sniffing,
a label encoder fitted anew per fold): for one question that was ≈ 30 ms of the answer's ≈ 45 ms
under the profiler, against well under a millisecond for the sums themselves. Here the same fitted
parameters (each fold's vocabulary, idf, coefficients and sigmoid) are read once at load, and one
question's character n-grams are counted and looked up once for all folds. ``tests/answering/test_scope_model.py``
checks that the probabilities equal sklearn's.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


class LinearText:
    """One fitted ``TfidfVectorizer`` → linear model pipeline: its decision function."""

    def __init__(self, pipeline: Any) -> None:
        vectoriser, model = pipeline[0], pipeline[-1]
        if vectoriser.norm not in ("l2", None) or not vectoriser.use_idf:
            raise ValueError("only an l2 (or unnormalised) tf-idf vectoriser is evaluated here")
        self.analyzer_key = repr(sorted(vectoriser.get_params().items()))
        self.analyse: Callable[[str], list[str]] = vectoriser.build_analyzer()
        self.vocabulary: dict[str, int] = vectoriser.vocabulary_
        self.idf = np.asarray(vectoriser.idf_, dtype=np.float64)
        self.sublinear = bool(vectoriser.sublinear_tf)
        self.l2 = vectoriser.norm == "l2"
        self.coef = np.asarray(model.coef_, dtype=np.float64)  # (1 or n_classes, n_features)
        self.intercept = np.asarray(model.intercept_, dtype=np.float64)
        self.classes = list(model.classes_)
        self.columns = np.empty(0, dtype=np.int64)  # union index -> own column, set by NGrams

    def decision(self, grams: Grams) -> np.ndarray:
        """The decision values (one per row of ``coef``) of a text whose n-grams are ``grams``."""
        columns = self.columns[grams.union] if len(grams.union) else grams.union
        known = columns >= 0
        if not known.any():
            return self.intercept.copy()
        columns = columns[known]
        tf = grams.counts[known]
        if self.sublinear:
            tf = np.log(tf) + 1.0
        weights = tf * self.idf[columns]
        if self.l2:
            length = math.sqrt(float(weights @ weights))
            if length > 0:
                weights = weights / length
        return self.coef[:, columns] @ weights + self.intercept


@dataclass(frozen=True)
class Grams:
    """A text's distinct n-grams as indices into the models' union vocabulary, with their counts."""

    union: np.ndarray  # int64 indices
    counts: np.ndarray  # float64


class NGrams:
    """Counts a text's n-grams once and looks each up once, for every model that reads it: the
    models share one analyser (all are built by ``build._vectoriser``) and one union vocabulary."""

    def __init__(self, models: Sequence[LinearText]) -> None:
        if len({model.analyzer_key for model in models}) != 1:
            raise ValueError("the models do not read text the same way")
        self._analyse = models[0].analyse
        self._union: dict[str, int] = {}
        for model in models:
            for gram in model.vocabulary:
                self._union.setdefault(gram, len(self._union))
        for model in models:
            columns = np.full(len(self._union), -1, dtype=np.int64)
            for gram, column in model.vocabulary.items():
                columns[self._union[gram]] = column
            model.columns = columns

    def count(self, text: str) -> Grams:
        union, counts = [], []
        for gram, count in Counter(self._analyse(text)).items():
            index = self._union.get(gram)
            if index is not None:
                union.append(index)
                counts.append(count)
        return Grams(np.asarray(union, dtype=np.int64), np.asarray(counts, dtype=np.float64))


class CalibratedBinary:
    """A fitted two-class ``CalibratedClassifierCV`` (sigmoid): the mean of its folds' calibrated
    probabilities, as sklearn computes it."""

    def __init__(self, calibrated: Any) -> None:
        if calibrated.method != "sigmoid" or len(calibrated.classes_) != 2:
            raise ValueError("only a two-class, sigmoid-calibrated classifier is evaluated here")
        self.classes = list(calibrated.classes_)
        self.folds = []
        for fold in calibrated.calibrated_classifiers_:
            model = LinearText(fold.estimator)
            if model.classes != self.classes:
                raise ValueError("a fold was fitted on other classes")
            (sigmoid,) = fold.calibrators
            self.folds.append((model, float(sigmoid.a_), float(sigmoid.b_)))

    @property
    def models(self) -> list[LinearText]:
        return [model for model, _, _ in self.folds]

    def probability_of(self, label: str, grams: Grams) -> float:
        positive = 0.0  # the probability of classes[1], sklearn's positive class
        for model, a, b in self.folds:
            value = float(model.decision(grams)[0])
            p = 1.0 / (1.0 + math.exp(a * value + b))
            positive += 1.0 if 1.0 < p <= 1.0 + 1e-5 else p
        positive /= len(self.folds)
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
