"""Admins' documents: uploads in their own folder, earlier versions kept, who did what recorded.

The shipped ``knowledge/documents`` is replaced on every upgrade, so admins' uploads live apart
(``NAVIGATOR_UPLOADS_DIR``, default ``<data_dir>/documents``) and ingest reads both, shipped first.
Replacing or deleting an upload moves the previous file to ``<data_dir>/document-history/<name>/``,
outside every folder ingest reads, from where it can be restored. A small JSON manifest beside the
history says when and by whom each current upload and each kept version came.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath
from typing import Any

from ingest.loaders import SUPPORTED_SUFFIXES
from ingest.settings import Settings

MAX_NAME_CHARS = 120
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_VERSION_ID = re.compile(r"^v\d{8}T\d{6}-[0-9a-f]{6}$")


class BadFileName(ValueError):
    """A file name that cannot be stored; ``code`` is the API's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class UnknownDocument(LookupError):
    pass


def clean_name(raw: str | None) -> str:
    """A safe file name from what a client sent: no path parts, no control characters (NUL
    included), NFC, at most MAX_NAME_CHARS characters, not hidden. Raises BadFileName otherwise."""
    if not raw or not raw.strip():
        raise BadFileName("invalid_filename", "the upload needs a file name such as plan-2026.pdf")
    if _CONTROL.search(raw):
        raise BadFileName("invalid_filename", "the file name contains control or invalid characters")
    name = PureWindowsPath(PurePosixPath(raw).name).name.strip()
    name = unicodedata.normalize("NFC", name)
    if len(name) > MAX_NAME_CHARS:
        raise BadFileName(
            "filename_too_long", f"the file name has {len(name)} characters; at most {MAX_NAME_CHARS}"
        )
    if not name or name.startswith(".") or name in ("..",):
        raise BadFileName("invalid_filename", "the file name must not be empty or start with a dot")
    return name


def is_supported(name: str) -> bool:
    return PurePath(name).suffix.lower() in SUPPORTED_SUFFIXES


@dataclass(frozen=True)
class StoredFile:
    name: str
    origin: str  # shipped | uploaded
    path: Path
    size: int
    uploaded_at: float | None = None
    uploaded_by: str | None = None


class DocumentLibrary:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.shipped = settings.documents_dir
        self.uploads = settings.uploads_folder
        self.history = settings.history_folder
        self._manifest_path = self.history / "manifest.json"

    # --- reading -----------------------------------------------------------------------------------

    def files(self) -> list[StoredFile]:
        """Every document ingest reads: shipped first (unless an upload of that name replaces it)."""
        manifest = self._manifest()
        uploaded = {p.name: p for p in self._list(self.uploads)}
        found = [
            StoredFile(p.name, "shipped", p, p.stat().st_size)
            for p in self._list(self.shipped)
            if p.name not in uploaded
        ]
        for name, path in uploaded.items():
            meta = manifest.get("current", {}).get(name, {})
            found.append(
                StoredFile(name, "uploaded", path, path.stat().st_size, meta.get("at"), meta.get("by"))
            )
        return found

    def get(self, name: str) -> StoredFile | None:
        return next((f for f in self.files() if f.name == name), None)

    def kept_versions(self) -> dict[str, list[dict[str, Any]]]:
        """Every name's kept earlier versions, deleted documents included (so they can be restored),
        from one read of the manifest."""
        return {
            name: present
            for name, kept in sorted(self._manifest().get("versions", {}).items())
            if (present := self._present(name, kept))
        }

    def versions(self, name: str) -> list[dict[str, Any]]:
        """Kept earlier versions of an uploaded document, newest first."""
        return self._present(name, self._manifest().get("versions", {}).get(name, []))

    def _present(self, name: str, kept: list[dict[str, Any]]) -> list[dict[str, Any]]:
        present = [v for v in kept if (self.history / _safe_dir(name) / v["version"]).is_file()]
        return sorted(present, key=lambda v: v["version"], reverse=True)

    # --- changing ----------------------------------------------------------------------------------

    def save(self, name: str, scratch: Path, by: str) -> dict[str, Any]:
        """Move a checked upload into place; the file it replaces becomes a kept version."""
        with self._locked() as manifest:
            self.uploads.mkdir(parents=True, exist_ok=True)
            target = self.uploads / name
            kept = self._keep(manifest, name, target, by, "replaced") if target.exists() else None
            os.replace(scratch, target)  # atomic: an ingest sees the old file or the new one
            manifest.setdefault("current", {})[name] = {
                "at": time.time(),
                "by": by,
                "sha256": _sha256(target),
            }
        return {"replaced": kept is not None, "previous_version": kept}

    def delete(self, name: str, by: str) -> str:
        """Remove an uploaded document (kept as a version); shipped documents cannot be deleted."""
        with self._locked() as manifest:
            target = self.uploads / name
            if not target.is_file():
                raise UnknownDocument(name)
            version = self._keep(manifest, name, target, by, "deleted")
            target.unlink(missing_ok=True)
            manifest.get("current", {}).pop(name, None)
        return version

    def restore(self, name: str, version: str, by: str) -> dict[str, Any]:
        """Make a kept version the current upload again (the current one is kept in turn)."""
        if not _VERSION_ID.match(version):
            raise UnknownDocument(f"{name} version {version}")
        with self._locked() as manifest:
            source = self.history / _safe_dir(name) / version
            if not source.is_file():
                raise UnknownDocument(f"{name} version {version}")
            self.uploads.mkdir(parents=True, exist_ok=True)
            target = self.uploads / name
            kept = (
                self._keep(manifest, name, target, by, "replaced by a restore") if target.exists() else None
            )
            scratch = self.uploads / f".restore-{uuid.uuid4().hex}"
            shutil.copyfile(source, scratch)
            os.replace(scratch, target)
            manifest.setdefault("current", {})[name] = {
                "at": time.time(),
                "by": by,
                "sha256": _sha256(target),
                "restored_from": version,
            }
        return {"restored": version, "previous_version": kept}

    # --- internals -----------------------------------------------------------------------------------

    def _keep(self, manifest: dict[str, Any], name: str, current: Path, by: str, why: str) -> str:
        folder = self.history / _safe_dir(name)
        folder.mkdir(parents=True, exist_ok=True)
        version = time.strftime("v%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:6]
        try:
            # A hard link keeps the bytes without copying them (the file is about to be replaced or
            # removed, never changed in place); across file systems, a copy.
            os.link(current, folder / version)
        except OSError:
            shutil.copyfile(current, folder / version)
        meta = manifest.get("current", {}).get(name, {})
        manifest.setdefault("versions", {}).setdefault(name, []).append(
            {
                "version": version,
                "size": (folder / version).stat().st_size,
                "uploaded_at": meta.get("at"),
                "uploaded_by": meta.get("by"),
                "kept_at": time.time(),
                "kept_by": by,
                "why": why,
            }
        )
        return version

    @staticmethod
    def _list(folder: Path) -> list[Path]:
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))

    def _manifest(self) -> dict[str, Any]:
        try:
            return json.loads(self._manifest_path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        """The manifest under an exclusive lock (several workers may serve admins), saved atomically."""
        self.history.mkdir(parents=True, exist_ok=True)
        with open(self.history / ".lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            manifest = self._manifest()
            yield manifest
            scratch = self._manifest_path.with_suffix(".tmp")
            scratch.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
            os.replace(scratch, self._manifest_path)


def _safe_dir(name: str) -> str:
    """The history folder of a document: its (already clean) name, hashed if it could be mistaken."""
    return (
        name
        if name not in ("manifest.json", ".lock")
        else "_" + hashlib.sha256(name.encode()).hexdigest()[:16]
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()
