"""Admins' uploads shared by every host when the store is PostgreSQL.

Each host keeps its uploads folder (what ingest reads); with PostgreSQL every upload, deletion and
restore is also written to the store's `documents` table, and a re-ingest on any host first makes its
folder hold exactly the store's current documents. With SQLite (one host) the folder is the truth.
"""

from __future__ import annotations

import logging

from bot.db.documents import DocumentStore, materialise
from bot.db.engine import open_database
from ingest.settings import Settings

log = logging.getLogger(__name__)


def shared_documents(settings: Settings) -> DocumentStore | None:
    """The store's documents when several hosts may share it (PostgreSQL), else None."""
    if not settings.store_url.startswith("postgresql"):
        return None
    return DocumentStore(open_database(settings))


def publish_upload(settings: Settings, name: str, by: str) -> None:
    """The upload ``name`` (as it now is in this host's uploads folder) becomes every host's."""
    if (store := shared_documents(settings)) is not None:
        store.put(name, (settings.uploads_folder / name).read_bytes(), by)


def withdraw_upload(settings: Settings, name: str) -> None:
    if (store := shared_documents(settings)) is not None:
        store.delete(name)


def sync_uploads(settings: Settings) -> None:
    """Before an ingest: this host's uploads folder becomes exactly the shared documents."""
    if (store := shared_documents(settings)) is not None:
        written = materialise(store, settings.uploads_folder)
        log.info("uploads folder synchronised with the store: %s document(s)", len(written))
