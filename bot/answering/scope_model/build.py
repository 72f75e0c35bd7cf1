"""Train, calibrate and report the scope model: ``python -m bot.answering.scope_model.build``.

1. The examples (``data.py``) are split, stratified by label, into a training part and a
   held-back part (``tuning.HELD_BACK``).
2. Character n-gram TF-IDF + logistic regression, calibrated by Platt scaling in 5-fold
   cross-validation on the training part, is scored on the held-back part: Brier score, a
   reliability table, precision and recall of "out of scope" at the decision threshold.
3. The shipped model is the same recipe fitted on all examples. It and the report
   (``training/scope/calibration.md``) are written; both are committed.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

import joblib
import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline

from bot.answering.scope_model import tuning
from bot.answering.scope_model.data import IN_SCOPE, TRAINING_DIR, Example, examples
from bot.answering.scope_model.features import features
from bot.answering.scope_model.model import ARTIFACT, training_hash

REPORT = TRAINING_DIR / "calibration.md"


def _vectoriser() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=tuning.NGRAM_RANGE, sublinear_tf=True, min_df=2)


def scope_classifier() -> CalibratedClassifierCV:
    """In (a plan-served business need) against out, with calibrated probabilities."""
    base = make_pipeline(
        _vectoriser(), LogisticRegression(C=tuning.C, max_iter=2000, class_weight="balanced")
    )
    return CalibratedClassifierCV(base, method="sigmoid", cv=5)


def department_classifier() -> Pipeline:
    """Which department owns an out-of-scope question (argmax only: it picks a desk)."""
    return make_pipeline(_vectoriser(), LogisticRegression(C=tuning.C, max_iter=2000))


def _scope_labels(items: list[Example]) -> list[str]:
    return [IN_SCOPE if e.label == IN_SCOPE else "out" for e in items]


def fit(items: list[Example]) -> tuple[CalibratedClassifierCV, Pipeline]:
    texts = [features(e.text) for e in items]
    scope = scope_classifier().fit(texts, _scope_labels(items))
    out = [(t, e.label) for t, e in zip(texts, items, strict=True) if e.label != IN_SCOPE]
    departments = department_classifier().fit([t for t, _ in out], [d for _, d in out])
    return scope, departments


def report(items: list[Example]) -> str:
    """Fit on the training part, score the held-back part; the report's Markdown."""
    train, held = train_test_split(
        items, test_size=tuning.HELD_BACK, random_state=tuning.SEED, stratify=[e.label for e in items]
    )
    scope, departments = fit(train)
    texts = [features(e.text) for e in held]
    p_out = 1 - scope.predict_proba(texts)[:, list(scope.classes_).index(IN_SCOPE)]
    is_out = np.array([e.label != IN_SCOPE for e in held])
    lines = [
        "# Scope model: calibration report",
        "",
        "Written by `python -m bot.answering.scope_model.build` (`navigator train-scope`); do not edit by hand.",
        "",
        f"Examples: {len(items)} ({_counts(items)}); training part {len(train)}, "
        f"held-back part {len(held)} (stratified, seed {tuning.SEED}).",
        "",
        f"Held-back Brier score of P(out): **{brier_score_loss(is_out, p_out):.3f}** "
        f"(always saying the base rate: {brier_score_loss(is_out, np.full(len(held), is_out.mean())):.3f}).",
        "",
        "## Reliability (held-back part)",
        "",
        "| P(out) bin | questions | predicted mean | observed share out |",
        "|---|---|---|---|",
    ]
    edges = np.linspace(0, 1, 11)
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (p_out >= low) & ((p_out < high) | (high == 1.0))
        if inside.any():
            lines.append(
                f"| {low:.1f}–{high:.1f} | {inside.sum()} | {p_out[inside].mean():.2f} | {is_out[inside].mean():.2f} |"
            )
    lines += [
        "",
        "## Threshold",
        "",
        f"Declined when P(out) ≥ **{tuning.DECLINE_AT:.2f}**: wrongly declining a business costs "
        f"{tuning.COST_WRONG_DECLINE:g}× answering a resident (`bot/answering/scope_model/tuning.py`).",
        "",
        "| threshold | out-of-scope precision | out-of-scope recall | in scope wrongly declined |",
        "|---|---|---|---|",
    ]
    for threshold in sorted({0.5, 0.6, tuning.DECLINE_AT, 0.75, 0.85, 0.9}):
        declined = p_out >= threshold
        precision = (declined & is_out).sum() / max(declined.sum(), 1)
        recall = (declined & is_out).sum() / max(is_out.sum(), 1)
        wrong = (declined & ~is_out).sum() / max((~is_out).sum(), 1)
        mark = " (chosen)" if threshold == tuning.DECLINE_AT else ""
        lines.append(f"| {threshold:.2f}{mark} | {precision:.3f} | {recall:.3f} | {wrong:.3f} |")
    out_items = [(t, e.label) for t, e in zip(texts, held, strict=True) if e.label != IN_SCOPE]
    right = sum(departments.predict([t])[0] == d for t, d in out_items)
    lines += [
        "",
        f"Department right on the held-back out-of-scope questions: {right}/{len(out_items)} "
        f"({right / max(len(out_items), 1):.3f}).",
        "",
        "The evaluation on questions the model never saw is `navigator eval eval/scope.yaml` (docs/evaluation.md).",
    ]
    return "\n".join(lines) + "\n"


def _counts(items: list[Example]) -> str:
    counts = Counter(_scope_labels(items))
    sources = Counter(e.source for e in items)
    return f"{counts[IN_SCOPE]} in scope, {counts['out']} out; " + ", ".join(
        f"{k} {v}" for k, v in sorted(sources.items())
    )


def build(artifact: Path = ARTIFACT, report_path: Path = REPORT) -> str:
    items = examples()
    text = report(items)
    scope, departments = fit(items)
    joblib.dump(
        {
            "scope": scope,
            "departments": departments,
            "decline_at": tuning.DECLINE_AT,
            "training_hash": training_hash(),
        },
        artifact,
        compress=3,
    )
    report_path.write_text(text, encoding="utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    started = time.perf_counter()
    text = build()
    print(text)
    print(f"wrote {ARTIFACT} ({ARTIFACT.stat().st_size // 1024} kB) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
