"""What the scope model reads of a question: its folded surface and its reading.

The reading (Sudachi's katakana) makes ほいくえん, 保育園 and an IME's 保育円 the same sounds, so an
all-kana or mis-converted question meets the examples written in kanji.
"""

from __future__ import annotations

from ingest.textnorm import fold_kana, reading


def features(question: str) -> str:
    """One string whose character n-grams the vectoriser counts: surface, then reading."""
    surface = fold_kana(question)
    sound = reading(question[:400])
    return f"{surface} \u3000 {sound}" if sound and sound != surface else surface
