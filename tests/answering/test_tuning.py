"""Every weight and threshold of answering lives in bot/answering/tuning.py, each with its reason
(issue 20): no module of bot/answering keeps a tuning number of its own."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.answering.tuning import TUNING, Tuning

ANSWERING = Path(__file__).resolve().parents[2] / "bot" / "answering"


def test_every_tuning_value_says_why():
    source = (ANSWERING / "tuning.py").read_text(encoding="utf-8").splitlines()
    for field in dataclasses.fields(Tuning):
        at = next(n for n, line in enumerate(source) if re.match(rf"\s+{field.name}: ", line))
        said = "#" in source[at] or source[at - 1].strip().startswith("#") or "#" in source[at + 1]
        assert said, f"{field.name} has no line of why"


def test_tuning_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        TUNING.rrf_k = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        TUNING.weights["alias"] = 9.0  # type: ignore[index]


@pytest.mark.parametrize("module", sorted(p.name for p in ANSWERING.glob("*.py") if p.name != "tuning.py"))
def test_no_answering_module_keeps_a_tuning_number_of_its_own(module):
    source = (ANSWERING / module).read_text(encoding="utf-8")
    numbers = re.findall(r"^_?[A-Z][A-Z_]+ = -?\d[\d.]*\b", source, flags=re.M)
    assert numbers == [], numbers
