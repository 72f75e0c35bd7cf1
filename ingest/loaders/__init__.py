"""Turn an uploaded source file into text the parsers can read, one module per format.

Owners send the same plan as a .txt export, a Word file, a designed PDF or a saved web page. The
parser must not care which: it reads ONE text convention, and every format is brought to it here.

Output convention (the parser relies on it):

* ``"\\n"`` line ends, no BOM;
* one paragraph per line, blocks (paragraphs, tables) separated by a blank line;
* every table row is ONE line, its cells joined by ``"\\t"``. A cell never contains a tab or a line
  break: a line that was *wrapped* to fit the cell is joined with ``""`` where a Japanese character
  (CJK / kana / full-width form) meets the break and with a space between two Latin words; a *hard*
  break (a new paragraph or ``<br>`` in the cell, or a PDF line that stops short of the cell's
  edge) becomes a single space, because it separated items such as the organisations in 事業主体等.
  Runs of whitespace are collapsed to one space.

Plain-text files (.txt, .md) pass through unchanged apart from decoding, BOM and newlines: the
plan's .txt already uses tab-separated rows.

Heavy libraries (pdfplumber, python-docx, BeautifulSoup, charset-normalizer) are imported inside

Besides that text, ``load_document`` gives the document's structure as typed blocks (headings with
the level its format gives them, text, list items, tables) and what it says about itself (title,
URL, front matter): documents other than the plan are read from those.

Heavy libraries (pdfplumber, python-docx, BeautifulSoup, charset-normalizer) are imported inside
the functions that need them, so importing this package stays cheap for the CLI and the bot.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ingest.loaders import docx, html, markdown, pdf, plain
from ingest.loaders.base import (
    SUPPORTED_SUFFIXES,
    Block,
    DocumentError,
    LoadedDocument,
    normalise_newlines,
    read_bytes,
)
from ingest.loaders.layout import collapse_spaces, is_cjk, join_wrapped

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Block",
    "DocumentError",
    "LoadedDocument",
    "collapse_spaces",
    "is_cjk",
    "join_wrapped",
    "load_document",
    "load_text",
]

_LOADERS: dict[str, Callable[[bytes], LoadedDocument]] = {
    ".txt": plain.load,
    ".md": markdown.load,
    ".pdf": pdf.load,
    ".docx": docx.load,
    ".html": html.load,
    ".htm": html.load,
}


def load_document(path: Path, *, max_bytes: int) -> LoadedDocument:
    """The blocks, text and self-description of ``path``.

    Raises DocumentError, never anything else for a bad file, so one broken upload is reported
    and skipped instead of stopping a whole ingest run.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise DocumentError(f"unsupported file type '{suffix or path.name}' (supported: {supported})")
    data = read_bytes(path, max_bytes)
    if not data.strip():
        raise DocumentError("empty document")
    document = _LOADERS[suffix](data)
    document.text = normalise_newlines(document.text)
    if not document.text.strip():
        raise DocumentError("empty document")
    return document


def load_text(path: Path, *, max_bytes: int) -> str:
    """The text of ``path`` in the parser's convention (see above)."""
    return load_document(path, max_bytes=max_bytes).text
