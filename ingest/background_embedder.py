"""The model a server's re-ingest embeds with: the same model as the chat's, in a child process
that runs only when a core is otherwise idle.

On a small machine a re-ingest and the chat share two cores. In the serving process, the ingest's
embedding (numpy, with Python between the matrix products) took the interpreter lock and the cores
from the answers: chat p95 was 4× idle while a re-ingest ran. In a child process scheduled
``SCHED_IDLE`` (or at nice 19 where that policy is missing), the kernel gives the cores to the
chat first, and the two never share an interpreter lock. The process starts on first use (loading
the model takes a second or two) and is kept for the next re-ingest; only texts and vectors cross.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from threading import Lock

from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

_model: Embeddings | None = None  # in the child: its one model


class EmbeddingProcessDied(RuntimeError):
    """The background embedding process stopped (killed, out of memory); the next use starts another."""


def _start(spec: str, threads: int) -> None:
    """In the child: leave with the server, step aside for everything else, then load the model."""
    global _model
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # not Linux, or not allowed: the lowest nice value instead
        os.nice(19)
    from ingest.embeddings import make_embedder

    _model = make_embedder(spec, threads)


def _exit_with_parent(parent: int) -> None:
    """A server killed without its shutdown (SIGKILL, OOM) must not leave its model behind: the
    child is re-parented when the server dies, and then ends."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _embed(texts: list[str]) -> list[list[float]]:
    assert _model is not None
    return _model.embed_documents(texts)


def _embed_query(text: str) -> list[float]:
    assert _model is not None
    return _model.embed_query(text)


class BackgroundEmbedder(Embeddings):
    """``Embeddings`` whose work runs in the low-priority child process; ``name`` is the chat's
    model's, so the vectors it writes are those the chat compares questions with."""

    def __init__(self, spec: str, threads: int, name: str) -> None:
        self.spec, self.threads, self.name = spec, threads, name
        self._pool: ProcessPoolExecutor | None = None
        self._lock = Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),  # never fork a threaded server
                    initializer=_start,
                    initargs=(self.spec, self.threads),
                )
            return self._pool

    def _run(self, function, argument):  # type: ignore[no-untyped-def]
        try:
            return self._executor().submit(function, argument).result()
        except BrokenProcessPool as exc:
            with self._lock:
                self._pool = None
            log.error("the background embedding process stopped")
            raise EmbeddingProcessDied("the embedding process stopped (out of memory?); try again") from exc

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._run(_embed, list(texts)) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return self._run(_embed_query, text)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
