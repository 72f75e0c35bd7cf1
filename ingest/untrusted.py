"""Reading untrusted documents: the format caps first, then the loader and the parser, all inside
the sandbox's limited worker processes.

The functions named ``*_checked`` run in a worker; ``read_records`` and ``count_records`` are what
the pipeline and the upload check call in the parent process. Records cross back, never the text,
so a big upload's text never enters (and holds the interpreter lock of) the serving process.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ingest.documents import parse_document
from ingest.file_limits import FileLimits, check_file
from ingest.loaders import load_document
from ingest.records import Record
from ingest.sandbox import sandbox_limits, shared_sandbox


def read_checked(
    path: Path, max_bytes: int, limits: FileLimits, name: str, organisations: Sequence[str] = ()
) -> list[Record]:
    """The records of a document behind the format caps: the raw bytes are checked before any
    parser sees them."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if path.is_file() and size <= max_bytes:
        with path.open("rb") as handle:
            check_file(path, handle.read(max_bytes + 1), limits)
    return parse_document(load_document(path, max_bytes=max_bytes), name, organisations)


def count_checked(path: Path, max_bytes: int, limits: FileLimits, name: str) -> dict[str, int]:
    """Records per kind the document would give."""
    counts: dict[str, int] = {}
    for record in read_checked(path, max_bytes, limits, name):
        counts[record.kind] = counts.get(record.kind, 0) + 1
    return counts


def read_records(path: Path, settings: Any, name: str, organisations: Sequence[str] = ()) -> list[Record]:
    """The records of an untrusted document, read and parsed in the sandbox under every cap of
    ``settings`` (DocumentError with the reason)."""
    return shared_sandbox(sandbox_limits(settings)).run(
        read_checked,
        Path(path),
        settings.max_document_bytes,
        FileLimits.from_settings(settings),
        name,
        tuple(organisations),
    )


def count_records(path: Path, settings: Any, name: str) -> dict[str, int]:
    """What an upload would give, read and parsed in the sandbox (DocumentError with the reason)."""
    return shared_sandbox(sandbox_limits(settings)).run(
        count_checked, Path(path), settings.max_document_bytes, FileLimits.from_settings(settings), name
    )
