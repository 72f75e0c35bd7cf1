"""The learned weights a quote ranks its units by (bot/answering/quote_weights.json, eval/train_quote_ranker.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bot.answering import quotes


def test_the_shipped_weights_fit_the_features_the_code_computes():
    data = json.loads((quotes.Path(quotes.__file__).with_name("quote_weights.json")).read_text())
    assert tuple(data["features"]) == quotes.FEATURES
    assert len(data["weights"]) == len(quotes.FEATURES)


def test_weights_trained_on_other_features_are_refused(tmp_path):
    stale = tmp_path / "weights.json"
    stale.write_text(json.dumps({"features": ["hand_unit"], "weights": [1.0], "bias": 0.0}))
    with pytest.raises(ValueError, match="retrain"):
        quotes.UnitRanker(stale)


def test_a_likelier_unit_scores_higher():
    ranker = quotes.RANKER
    low, high = np.zeros(len(quotes.FEATURES)), np.zeros(len(quotes.FEATURES))
    high[quotes.FEATURES.index("hand_unit")] = 1.0  # the hand score carries a positive weight
    assert ranker.likelihood(high) > ranker.likelihood(low)
