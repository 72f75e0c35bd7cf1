"""Okapi BM25 over the tokens the ingest stored with each record, on bm25s's sparse matrices.

Built in memory from the live version's metadata, so every replica derives the same keyword index
from the same Chroma collection. bm25s scores a query against thousands of passages in one sparse
product, where a per-document loop grew linearly with the documents admins add.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence

import bm25s
import numpy as np

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG


class BM25:
    def __init__(self, documents: dict[str, Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.ids = list(documents)
        frequency: Counter[str] = Counter()
        for tokens in documents.values():
            frequency.update(list(dict.fromkeys(tokens)))  # in order: idf is the same dict in every process
        n = len(self.ids)
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in frequency.items()}
        self._index = bm25s.BM25(k1=k1, b=b, method="lucene")
        corpus = [list(documents[i]) or [""] for i in self.ids]
        self._index.index(corpus, show_progress=False)

    def score_array(self, query: Sequence[str]) -> np.ndarray:
        """Every document's score, in the order the documents were given."""
        terms = [t for t in dict.fromkeys(query) if t in self.idf]
        if not terms:
            return np.zeros(len(self.ids), dtype=np.float32)
        # bm25s's Lucene variant leaves out the (k1 + 1) factor; restore it so that scores keep the
        # scale the no-match thresholds were calibrated on.
        return np.asarray(self._index.get_scores(terms), dtype=np.float32) * (self.k1 + 1)

    def known(self, query: Sequence[str]) -> list[str]:
        """The query terms that occur anywhere in the index (used for the no-match decision)."""
        return [t for t in query if t in self.idf]
