"""The loaded index's lookup tables."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.answering.index import FirstPairs

_CHARS = st.sampled_from("アイウエオカキ融資補助ab")


@given(st.lists(st.text(_CHARS, min_size=2, max_size=5), max_size=30), st.text(_CHARS, max_size=40))
def test_every_key_that_occurs_in_a_text_is_a_candidate(keys, text):
    finder = FirstPairs(keys)
    candidates = finder.candidates(text)
    assert candidates == sorted(set(candidates))
    assert {n for n, key in enumerate(keys) if key in text} <= set(candidates)
