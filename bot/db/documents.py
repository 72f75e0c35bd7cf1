"""Admins' documents in the store, so that with PostgreSQL a re-ingest on any host reads the same
documents (the knowledge the project ships stays in the image).

Not wired into uploads yet: document management (uploads folder, GET/DELETE /admin/documents, kept
copies) is built separately; this module is what it can call. `put` keeps the replaced version
as a copy, `delete` keeps the deleted one, `history` lists them, and `materialise` writes the
current documents into a local folder right before an ingest reads it.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy import Row, select, update

from bot.db.engine import Database
from bot.db.schema import documents

_INFO = (
    documents.c.id,
    documents.c.name,
    documents.c.sha256,
    documents.c.size,
    documents.c.uploaded_by,
    documents.c.uploaded_at,
    documents.c.replaced_at,
)


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    name: str
    sha256: str
    size: int
    uploaded_by: str
    uploaded_at: float
    replaced_at: float | None  # None: the current document of this name; else a kept copy

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class DocumentStore:
    def __init__(self, database: Database) -> None:
        self.db = database

    def put(self, name: str, content: bytes, uploaded_by: str) -> DocumentInfo:
        """Store ``content`` as the current document ``name``; the one it replaces is kept. The same
        bytes again change nothing."""
        name = _checked_name(name)
        digest = hashlib.sha256(content).hexdigest()
        now = time.time()
        with self.db.write() as conn:
            current = conn.execute(select(*_INFO).where(_current(name))).first()
            if current is not None and current.sha256 == digest:
                return _info(current)
            if current is not None:
                conn.execute(update(documents).where(documents.c.id == current.id).values(replaced_at=now))
            result = conn.execute(
                documents.insert().values(
                    name=name,
                    content=content,
                    sha256=digest,
                    size=len(content),
                    uploaded_by=uploaded_by,
                    uploaded_at=now,
                    replaced_at=None,
                )
            )
            new_id = int(result.inserted_primary_key[0])
        return DocumentInfo(new_id, name, digest, len(content), uploaded_by, now, None)

    def list(self) -> list[DocumentInfo]:
        """The current documents, by name."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(*_INFO).where(documents.c.replaced_at.is_(None)).order_by(documents.c.name)
            ).all()
        return [_info(row) for row in rows]

    def get(self, name: str, version_id: int | None = None) -> bytes | None:
        """The current content of ``name`` (or of one kept copy by its id); None if there is none."""
        query = select(documents.c.content).where(
            _current(name)
            if version_id is None
            else (documents.c.name == name) & (documents.c.id == version_id)
        )
        with self.db.read() as conn:
            content = conn.scalar(query)
        return None if content is None else bytes(content)

    def delete(self, name: str) -> bool:
        """Retire the current document ``name`` (it stays in the history); False if there was none."""
        with self.db.write() as conn:
            done = conn.execute(update(documents).where(_current(name)).values(replaced_at=time.time()))
        return bool(done.rowcount)

    def history(self, name: str) -> list[DocumentInfo]:
        """Every version of ``name``, newest first (the current one, if any, first)."""
        with self.db.read() as conn:
            rows = conn.execute(
                select(*_INFO).where(documents.c.name == name).order_by(documents.c.id.desc())
            ).all()
        return [_info(row) for row in rows]


def materialise(store: DocumentStore, folder: Path) -> list[Path]:
    """Make ``folder`` hold exactly the store's current documents before an ingest reads it.

    Each file is written to a temporary name and renamed (an ingest never sees half a file), files
    whose content already matches are left alone, and files no longer in the store are removed, so
    ``folder`` must belong to the store (not the shipped knowledge folder).
    """
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {info.name: info for info in store.list()}
    written: list[Path] = []
    for name, info in wanted.items():
        target = folder / name
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == info.sha256:
            written.append(target)
            continue
        content = store.get(name)
        if content is None:  # deleted since the listing
            continue
        handle, scratch = tempfile.mkstemp(dir=folder, prefix=".materialise-")
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(scratch, target)
        written.append(target)
    for path in folder.iterdir():
        if path.is_file() and not path.name.startswith(".") and path.name not in wanted:
            path.unlink()
    return written


def _current(name: str) -> Any:
    return (documents.c.name == name) & documents.c.replaced_at.is_(None)


def _checked_name(name: str) -> str:
    """A plain file name: no folders, nothing hidden (it becomes a path in `materialise`)."""
    if not name or PurePath(name).name != name or name.startswith(".") or "\\" in name:
        raise ValueError(f"not a document file name: {name!r}")
    return name


def _info(row: Row[Any]) -> DocumentInfo:
    return DocumentInfo(
        row.id, row.name, row.sha256, row.size, row.uploaded_by, row.uploaded_at, row.replaced_at
    )
