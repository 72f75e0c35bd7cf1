"""Reading untrusted documents: the format caps first, then the loader (and, for an upload check,
the parser), all inside the sandbox's limited worker processes.

The functions named ``*_checked`` run in a worker; ``load_document`` and ``count_records`` are what
the pipeline and the upload check call in the parent process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.file_limits import FileLimits, check_file
from ingest.loaders import load_text
from ingest.plan_parser import parse_document
from ingest.sandbox import sandbox_limits, shared_sandbox


def load_checked(path: Path, max_bytes: int, limits: FileLimits) -> str:
    """The loader behind the format caps: the raw bytes are checked before any parser sees them."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if path.is_file() and size <= max_bytes:
        with path.open("rb") as handle:
            check_file(path, handle.read(max_bytes + 1), limits)
    return load_text(path, max_bytes=max_bytes)


def count_checked(path: Path, max_bytes: int, limits: FileLimits, name: str) -> dict[str, int]:
    """Records per kind the document would give: loading AND parsing stay in the worker, so a big
    upload's text never crosses into (and holds the interpreter lock of) the serving process."""
    counts: dict[str, int] = {}
    for record in parse_document(load_checked(path, max_bytes, limits), name):
        counts[record.kind] = counts.get(record.kind, 0) + 1
    return counts


def load_document(path: Path, settings: Any) -> str:
    """The text of an untrusted document, read in the sandbox under every cap of ``settings``."""
    return shared_sandbox(sandbox_limits(settings)).run(
        load_checked, Path(path), settings.max_document_bytes, FileLimits.from_settings(settings)
    )


def count_records(path: Path, settings: Any, name: str) -> dict[str, int]:
    """What an upload would give, read and parsed in the sandbox (DocumentError with the reason)."""
    return shared_sandbox(sandbox_limits(settings)).run(
        count_checked, Path(path), settings.max_document_bytes, FileLimits.from_settings(settings), name
    )
