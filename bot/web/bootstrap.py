"""First start: a server with an empty data directory builds its index before it listens.

So `bash scripts/run.sh` on a fresh clone gives a working bot with no separate ingest step. An
index built with another embedder than the configured one is rebuilt the same way. An existing,
usable index is left alone: re-ingesting is `navigator ingest`'s job, and the running server picks
the new version up by itself.
"""

from __future__ import annotations

import logging
import time

from langchain_core.embeddings import Embeddings

from ingest.embeddings import embedder_name
from ingest.index_store import IndexStore
from ingest.pipeline import IngestBusy, IngestReport, run_ingest
from ingest.settings import Settings

log = logging.getLogger(__name__)

FIRST_INGEST_WAIT_SECONDS = 600


def ensure_index(settings: Settings, embedder: Embeddings) -> IngestReport | None:
    """Ingest ``knowledge/`` when there is no usable live index; return the report, or None if kept."""
    live = IndexStore(settings).live()
    if live is not None and live.embedder == embedder_name(embedder):
        return None
    reason = "no index yet" if live is None else f"index built with {live.embedder}"
    log.warning("%s: ingesting %s", reason, settings.knowledge_dir)
    try:
        return run_ingest(settings, embedder=embedder)
    except IngestBusy:
        # Another replica is building the first index: wait for it rather than fail the start.
        log.warning("another process is ingesting; waiting for its index")
        store = IndexStore(settings)
        deadline = time.monotonic() + FIRST_INGEST_WAIT_SECONDS
        while time.monotonic() < deadline:
            live = store.live()
            if live is not None and live.embedder == embedder_name(embedder):
                return None
            time.sleep(1)
        raise
