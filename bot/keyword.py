"""Okapi BM25 over the tokens the ingest stored with each record.

Built in memory from the live version's metadata, so every replica derives the same keyword index
from the same Chroma collection.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence


class BM25:
    def __init__(self, documents: dict[str, Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.ids = list(documents)
        self.term_counts = [Counter(documents[i]) for i in self.ids]
        self.lengths = [len(documents[i]) for i in self.ids]
        self.avg_length = sum(self.lengths) / max(len(self.lengths), 1)
        frequency: Counter[str] = Counter()
        for counts in self.term_counts:
            frequency.update(counts.keys())
        n = len(self.ids)
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in frequency.items()}

    def scores(self, query: Sequence[str]) -> dict[str, float]:
        terms = [t for t in dict.fromkeys(query) if t in self.idf]
        results: dict[str, float] = {}
        for doc_id, counts, length in zip(self.ids, self.term_counts, self.lengths, strict=True):
            score = 0.0
            for term in terms:
                tf = counts.get(term, 0)
                if tf:
                    norm = tf + self.k1 * (1 - self.b + self.b * length / self.avg_length)
                    score += self.idf[term] * tf * (self.k1 + 1) / norm
            if score > 0:
                results[doc_id] = score
        return results

    def known(self, query: Sequence[str]) -> list[str]:
        """The query terms that occur anywhere in the index (used for the no-match decision)."""
        return [t for t in query if t in self.idf]
