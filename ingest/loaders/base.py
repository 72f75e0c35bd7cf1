"""What every loader returns, and the byte-level reading they share.

A loader turns one format into ``LoadedDocument``: typed blocks (headings with the level the format
gives them, text blocks, tables whose rows are tab-joined lines) plus the document's own title and
URL where it states them. ``render_blocks`` flattens the blocks into the one text convention the
plan parser reads (see ``ingest.loaders``).
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

BlockKind = Literal["heading", "text", "table", "item"]


class DocumentError(Exception):
    """A file that cannot be ingested; str(err) is the human reason shown in the ingest report."""


SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".pdf", ".docx", ".html", ".htm"})


@dataclass
class Block:
    """One block of a document: a heading (``level`` 1 = top, 0 = unknown), a text block (one
    paragraph or line per entry), a list item, or a table (one tab-joined row per entry, header first)."""

    kind: BlockKind
    lines: list[str]
    level: int = 0
    page: int = 0


@dataclass
class LoadedDocument:
    """A document's blocks in reading order, and what it says about itself."""

    text: str
    blocks: list[Block] = field(default_factory=list)
    title: str = ""
    url: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def render_blocks(blocks: list[Block]) -> str:
    return "\n\n".join("\n".join(block.lines) for block in blocks if block.lines) + "\n"


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing oversized files before reading them (a 2 GB upload must not be
    pulled into memory just to be rejected) and anything that is not a regular file."""
    try:
        info = path.stat()
    except OSError as exc:
        raise DocumentError(f"cannot read file: {os_reason(exc)}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise DocumentError(f"cannot read file: {os.strerror(errno.EISDIR)}")
    if not stat.S_ISREG(info.st_mode):
        raise DocumentError("cannot read file: not a regular file")  # a FIFO would block forever
    if info.st_size > max_bytes:
        raise DocumentError(f"file too large: {info.st_size} bytes (limit {max_bytes})")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise DocumentError(f"cannot read file: {os_reason(exc)}") from exc
    if len(data) > max_bytes:  # grew between stat() and read()
        raise DocumentError(f"file too large: more than {max_bytes} bytes (limit {max_bytes})")
    return data


def os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def normalise_newlines(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
