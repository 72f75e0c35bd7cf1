"""Learns the weights by which a quote picks its unit (bot/answering/quote_weights.json), and reports them.

    .venv/bin/python eval/train_quote_ranker.py            # retrain, write the weights and the report
    .venv/bin/python eval/train_quote_ranker.py --check    # report only, weights left as they are

The examples: every question of the document sets (eval/real_docs.yaml, eval/documents.yaml,
eval/sheets.yaml) that names its document and its fact. For each, the question is retrieved as the
navigator retrieves it, and every unit of every passage of the expected document is one example:
positive when it states the fact (compared as the evaluation compares it). Only the sets' tuned parts
train; the set-aside parts (``holdout: true``) are scored and reported, never trained on, and their
questions are never listed. The weights are plain numbers: the navigator needs no scikit-learn.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering import quotes  # noqa: E402
from bot.answering.index import Hit  # noqa: E402
from bot.answering.question import Question as Parsed  # noqa: E402
from bot.answering.retrieve import Retriever  # noqa: E402
from bot.answering.select import Navigator  # noqa: E402
from bot.evaluation import _squash, load_question_set, scratch_knowledge  # noqa: E402
from ingest.embeddings import make_embedder  # noqa: E402
from ingest.pipeline import run_ingest  # noqa: E402
from ingest.settings import get_settings  # noqa: E402

SETS = ("eval/real_docs.yaml", "eval/documents.yaml", "eval/sheets.yaml")
WEIGHTS = ROOT / "bot" / "quote_weights.json"
REPORT = ROOT / "eval" / "quote_ranker_report.md"
REGULARISATION = 1.0  # scikit-learn's C: twelve features and a few thousand pairs need little
PRIORS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)  # shares of the hand weights tried beside the learned
RIVALS = 40  # the negatives a positive unit is compared with, its question's best-scored others
# (5, 20, 40, 80 and all were tried on the tuned parts: 40 and 80 ranked best)


@dataclass
class Example:
    """One question's units: features, which state the fact, and the part it belongs to."""

    features: np.ndarray
    labels: np.ndarray
    holdout: bool


@dataclass
class Collected:
    examples: list[Example] = field(default_factory=list)
    unlabelled: int = 0  # questions whose fact no unit of the document states (split, or elsewhere)


def collect(set_file: Path) -> Collected:
    settings = get_settings()
    question_set = load_question_set(set_file)
    embedder = make_embedder(settings.embedder, settings.embed_threads)
    found = Collected()
    with tempfile.TemporaryDirectory(prefix="quote-ranker-") as tmp:
        scratch = scratch_knowledge(settings, question_set, Path(tmp))
        run_ingest(scratch, embedder=embedder)
        navigator = Navigator(scratch, Retriever(scratch, embedder=embedder))
        index = navigator.retriever.index()
        for question in question_set.questions:
            if not question.facts or not question.documents:
                continue
            document = question.documents[0]
            own = [r for r in index.document_records.get(document, []) if index.records[r].kind == "passage"]
            if not own:
                continue
            parsed = Parsed.parse(question.q)
            result = navigator.search(parsed, index)
            anchor = Hit(record=index.records[own[0]], score=0.0)
            candidates = quotes.candidate_passages(anchor, result, index, parsed)
            tables = quotes.unit_features(candidates, result, index, parsed)
            facts = [_squash(f) for f in question.facts]
            labels = [
                any(f in _squash(unit) for f in facts)
                for h in candidates
                for unit in (h.record.units or (h.record.text,))
            ]
            if not any(labels):
                found.unlabelled += 1
                continue
            found.examples.append(Example(np.vstack(tables), np.asarray(labels, dtype=int), question.holdout))
    return found


def _cached(name: str, folder: Path | None) -> Collected:
    """The set's examples, read from ``folder`` when an earlier run left them there."""
    if folder is None:
        return collect(ROOT / name)
    file = folder / f"{Path(name).stem}.pickle"
    if file.exists():
        return pickle.loads(file.read_bytes())
    found = collect(ROOT / name)
    folder.mkdir(parents=True, exist_ok=True)
    file.write_bytes(pickle.dumps(found))
    return found


def top_hit_rate(examples: list[Example], weights: np.ndarray, bias: float) -> float:
    """Share of questions whose best-scored unit states the fact."""
    if not examples:
        return float("nan")
    return float(np.mean([e.labels[int(np.argmax(e.features @ weights + bias))] for e in examples]))


def hand_weights() -> tuple[np.ndarray, float]:
    """The hand-weighted scores, the unit's and its passage's fit, alike (measured: the passage's fit
    alone first, then the unit, ranked worse on every set)."""
    weights = np.zeros(len(quotes.FEATURES))
    weights[quotes.FEATURES.index("hand_unit")] = weights[quotes.FEATURES.index("hand_passage")] = 4.0
    return weights, 0.0


def pairs(examples: list[Example]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairwise examples: a unit that states the fact minus one of its question's nearest rivals
    (label 1) and the reverse (label 0), each question weighing the same. Ranking is what a quote
    needs (the best unit of the document), not a probability per unit."""
    hand, bias = hand_weights()
    x, y, w = [], [], []
    for e in examples:
        scores = e.features @ hand + bias
        positives = np.flatnonzero(e.labels == 1)
        negatives = np.flatnonzero(e.labels == 0)
        rivals = negatives[np.argsort(-scores[negatives])][:RIVALS]
        if not len(rivals):
            continue
        weight = 1.0 / (len(positives) * len(rivals))
        for p in positives:
            for n in rivals:
                diff = e.features[p] - e.features[n]
                x += [diff, -diff]
                y += [1, 0]
                w += [weight, weight]
    return np.asarray(x), np.asarray(y), np.asarray(w)


def _with_hand_prior(learned: np.ndarray, by_set: list[list[Example]]) -> np.ndarray:
    """The learned weights plus a share of the hand weights: the smallest share (of ``PRIORS``) at
    which no set's tuned part ranks worse than with the hand weights alone, else the share that
    ranks best on average. The hand weights carry what the fictional sets taught over many rounds;
    the pairs alone trade those for the 公募要領."""
    hand, bias = hand_weights()
    floor = [top_hit_rate(examples, hand, bias) for examples in by_set if examples]
    scored = []
    for share in PRIORS:
        weights = learned + share * hand
        rates = [top_hit_rate(examples, weights, 0.0) for examples in by_set if examples]
        if all(r >= f for r, f in zip(rates, floor, strict=True)):
            return weights
        scored.append((float(np.mean(rates)), share))
    return learned + max(scored)[1] * hand


def train(by_set: list[list[Example]]) -> tuple[np.ndarray, float, float]:
    """Weights from the pairwise examples, each set weighing the same (the real 公募要領 have more
    questions than the fictional leaflets, not more say); the bias then calibrates the units'
    likelihood (a unit is quoted beside the best when it is nearly as likely), fitted on the units
    with the weights fixed."""
    from sklearn.linear_model import LogisticRegression

    parts = [pairs(examples) for examples in by_set if examples]
    x = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    w = np.concatenate([p[2] / p[2].sum() for p in parts])
    w *= len(w) / w.sum()
    examples = [e for set_examples in by_set for e in set_examples]
    ranker = LogisticRegression(C=REGULARISATION, fit_intercept=False, max_iter=5000)
    ranker.fit(x, y, sample_weight=w)
    weights = _with_hand_prior(ranker.coef_[0], by_set)
    units = np.concatenate([e.features for e in examples]) @ weights
    labels = np.concatenate([e.labels for e in examples])
    calibration = LogisticRegression(max_iter=2000).fit(units.reshape(-1, 1), labels)
    scale, bias = float(calibration.coef_[0][0]), float(calibration.intercept_[0])
    probabilities = calibration.predict_proba(units.reshape(-1, 1))[:, 1]
    brier = float(np.mean((probabilities - labels) ** 2))
    return weights * scale, bias, brier


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="report only; keep the weights")
    parser.add_argument("--cache", type=Path, help="keep the examples in this folder between runs")
    args = parser.parse_args()
    collected = {name: _cached(name, args.cache) for name in SETS}
    hand, hand_bias = hand_weights()
    current = json.loads(WEIGHTS.read_text(encoding="utf-8"))
    if args.check:
        weights, bias, brier = np.asarray(current["weights"]), float(current["bias"]), float("nan")
    else:
        weights, bias, brier = train([[e for e in c.examples if not e.holdout] for c in collected.values()])
    lines = [
        "# Quote unit ranker: the learned weights beside the hand weights",
        "",
        "Share of questions whose best-scored unit (among all passages of the expected document)",
        "states the asked fact. Trained on the tuned parts only; `eval/train_quote_ranker.py` rebuilds",
        "this report and `bot/answering/quote_weights.json`.",
        "",
        "| set | part | questions | hand weights | learned |",
        "|---|---|---|---|---|",
    ]
    for name, found in collected.items():
        for part, holdout in (("tuned", False), ("set aside", True)):
            examples = [e for e in found.examples if e.holdout == holdout]
            if examples:
                lines.append(
                    f"| {Path(name).name} | {part} | {len(examples)} | "
                    f"{top_hit_rate(examples, hand, hand_bias):.3f} | {top_hit_rate(examples, weights, bias):.3f} |"
                )
        lines.append(f"| {Path(name).name} | fact in no unit | {found.unlabelled} | | |")
    lines += ["", f"Brier score on the training units: {brier:.3f}", "", "| feature | weight |", "|---|---|"]
    lines += [f"| {f} | {w:+.3f} |" for f, w in zip(quotes.FEATURES, weights, strict=True)]
    lines.append(f"| (bias) | {bias:+.3f} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if not args.check:
        WEIGHTS.write_text(
            json.dumps(
                {
                    "features": list(quotes.FEATURES),
                    "weights": [round(float(w), 5) for w in weights],
                    "bias": round(bias, 5),
                    "note": "learned by eval/train_quote_ranker.py; see eval/quote_ranker_report.md",
                },
                indent=1,
            )
            + "\n",
            encoding="utf-8",
        )
        REPORT.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
