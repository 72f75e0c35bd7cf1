"""The owner's message, read once at the boundary: every stage takes this and reads nothing again.

Normalising, Sudachi's two passes (short units for keywords, long units for readings and word
boundaries), the language, the kinds of fact asked and the years named are all derived here, in
``Question.parse``. A conversation stores the parsed question with its turn (``stored``), so a
follow-up that re-renders an earlier answer reads it back (``from_stored``) instead of parsing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import jaconv

from bot.answering.asks import ASKS, Ask, asked_in
from ingest.dates import years
from ingest.textnorm import analyse, is_japanese, synonyms_of_words

_NOT_LATIN = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Question:
    text: str  # as the owner wrote it
    normal: str  # ingest.textnorm.normalize(text)
    language: str  # "ja" when any kana or kanji is in it, else "en"
    tokens: tuple[str, ...]  # keyword tokens (ingest.textnorm.tokenize)
    reading: str  # the katakana reading, and where its words start or end
    reading_bounds: frozenset[int]
    words: str  # kana-folded, without spaces, and where its long-unit words start or end
    word_bounds: frozenset[int]
    synonym_words: tuple[str, ...]  # the words its synonyms are looked up by
    asks: tuple[Ask, ...]  # the kinds of fact asked for (bot/answering/asks.py)
    years: frozenset[int]  # calendar years named (令和8年 and 2026 are one)

    @classmethod
    def parse(cls, message: str) -> Question:
        analysis = analyse(message)
        return cls(
            text=message,
            normal=analysis.normal,
            language="ja" if is_japanese(message) else "en",
            tokens=analysis.tokens,
            reading=analysis.reading,
            reading_bounds=analysis.reading_bounds,
            words=analysis.words,
            word_bounds=analysis.word_bounds,
            synonym_words=analysis.synonym_words,
            asks=asked_in(analysis.normal),
            years=frozenset(years(message)),
        )

    @classmethod
    def of(cls, question: Question | str) -> Question:
        """The answering package's public entry points take a Question or the text (CLI, eval)."""
        return question if isinstance(question, Question) else cls.parse(question)

    @property
    def japanese(self) -> bool:
        return self.language == "ja"

    @property
    def folded(self) -> str:
        """Kana-folded (hiragana as katakana), without spaces: how aliases and names are matched."""
        return jaconv.hira2kata(self.normal).replace(" ", "")

    @property
    def latin(self) -> str:
        """Its Latin words, lower-cased, padded with spaces so that a phrase matches whole words."""
        return f" {_NOT_LATIN.sub(' ', self.normal).strip()} "

    @property
    def asks_terms(self) -> bool:
        """Whether it asks for terms a document states: an amount, a rate, a date, papers, a count."""
        return any(ask.terms for ask in self.asks)

    def synonyms(self) -> list[str]:
        """Japanese synonyms of its words (read from Sudachi's synonym table only when asked)."""
        return synonyms_of_words(self.synonym_words)

    def stored(self) -> dict[str, Any]:
        """A JSON form kept with the conversation's turn."""
        return {
            "text": self.text,
            "normal": self.normal,
            "language": self.language,
            "tokens": list(self.tokens),
            "reading": self.reading,
            "reading_bounds": sorted(self.reading_bounds),
            "words": self.words,
            "word_bounds": sorted(self.word_bounds),
            "synonym_words": list(self.synonym_words),
            "asks": [ASKS.index(ask) for ask in self.asks],
            "years": sorted(self.years),
        }

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | str) -> Question:
        """The question a turn stored; a turn stored before questions were kept holds only its text,
        which is parsed (once, here)."""
        if isinstance(stored, str):
            return cls.parse(stored)
        return cls(
            text=str(stored["text"]),
            normal=str(stored["normal"]),
            language=str(stored["language"]),
            tokens=tuple(stored["tokens"]),
            reading=str(stored["reading"]),
            reading_bounds=frozenset(int(n) for n in stored["reading_bounds"]),
            words=str(stored["words"]),
            word_bounds=frozenset(int(n) for n in stored["word_bounds"]),
            synonym_words=tuple(stored["synonym_words"]),
            asks=tuple(ASKS[n] for n in stored["asks"] if 0 <= n < len(ASKS)),
            years=frozenset(int(y) for y in stored["years"]),
        )
