"""What the scope model reads of a question: its folded surface and its reading.

The reading (Sudachi's katakana) makes ほいくえん, 保育園 and an IME's 保育円 the same sounds, so an
all-kana or mis-converted question meets the examples written in kanji.
"""

from __future__ import annotations

import jaconv

from ingest.textnorm import normalize, reading

READ_CHARS = 400  # a longer question's reading is of its start: the vectoriser's n-grams saturate


def features(question: str) -> str:
    """One string whose character n-grams the vectoriser counts: surface, then reading."""
    normal = normalize(question)
    return features_of(normal, reading(normal[:READ_CHARS]))


def features_of(normal: str, sound: str) -> str:
    """The same string from a text already normalised and read (a parsed Question's)."""
    surface = jaconv.hira2kata(normal)
    return f"{surface} \u3000 {sound}" if sound and sound != surface else surface
