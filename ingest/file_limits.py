"""Caps on what an untrusted file may expand to, checked on its raw bytes BEFORE any parser runs.

A 60 KB .docx can hold a document.xml that inflates to gigabytes, a 500 KB PDF a Flate stream of
500 MB, an HTML page elements nested thousands deep (the parsers recurse). The parsers would
faithfully build all of it in memory, so the checks here look at the container only: a .docx's
zip directory (sizes as declared, then a streaming inflate that stops at the cap, because a
declared size can lie), a PDF's streams inflated with a bounded ``zlib.decompressobj`` and its
page objects counted, an HTML page's tag nesting counted by a flat scanner (no recursion).

Each cap is a setting (``ingest/settings.py``); a file over one raises ``DocumentError`` with a
reason that names the cap, so the ingest report and the upload answer say what to change.
Like Onyx's ``file_processing/zip_limits.py``.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import DocumentError

_MB = 1024 * 1024
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FileLimits:
    """The caps, in one picklable value (it travels to the sandbox's worker processes)."""

    max_unpacked_bytes: int = 64 * _MB
    max_compression_ratio: int = 200
    max_zip_members: int = 2000
    max_pdf_pages: int = 500
    max_html_depth: int = 200

    @classmethod
    def from_settings(cls, settings: object) -> FileLimits:
        return cls(
            max_unpacked_bytes=settings.max_unpacked_bytes,  # type: ignore[attr-defined]
            max_compression_ratio=settings.max_compression_ratio,  # type: ignore[attr-defined]
            max_zip_members=settings.max_zip_members,  # type: ignore[attr-defined]
            max_pdf_pages=settings.max_pdf_pages,  # type: ignore[attr-defined]
            max_html_depth=settings.max_html_depth,  # type: ignore[attr-defined]
        )


def check_file(path: Path, data: bytes, limits: FileLimits) -> None:
    """Raise DocumentError when ``data`` (the bytes of ``path``) exceeds a cap of its format."""
    suffix = Path(path).suffix.lower()
    if suffix == ".docx":
        check_docx(data, limits)
    elif suffix == ".pdf":
        check_pdf(data, limits)
    elif suffix in (".html", ".htm"):
        check_html(data, limits)


def _mb(size: int) -> str:
    return f"{size / _MB:.0f} MB" if size >= _MB else f"{size} bytes"


# --- .docx (a zip) ----------------------------------------------------------------------------------


def check_docx(data: bytes, limits: FileLimits) -> None:
    """Member count, declared sizes and ratio from the zip directory, then a bounded real inflate."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip at all: the loader gives its own "not a readable Word document" reason
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_zip_members:
            raise DocumentError(
                f"refused: the Word file holds {len(members)} parts (limit {limits.max_zip_members}, "
                "NAVIGATOR_MAX_ZIP_MEMBERS)"
            )
        declared = sum(member.file_size for member in members)
        _check_unpacked("the Word file", declared, len(data), limits)
        unpacked = 0
        for member in members:
            try:
                with archive.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        unpacked += len(chunk)
                        _check_unpacked("the Word file", unpacked, len(data), limits)
            except DocumentError:
                raise
            except (zipfile.BadZipFile, zlib.error, OSError, ValueError, NotImplementedError, EOFError):
                return  # a broken member: the loader reports it in its own words


def _check_unpacked(what: str, unpacked: int, packed: int, limits: FileLimits) -> None:
    if unpacked > limits.max_unpacked_bytes:
        raise DocumentError(
            f"refused: {what} unpacks to more than {_mb(limits.max_unpacked_bytes)} "
            "(NAVIGATOR_MAX_UNPACKED_BYTES); a compression bomb?"
        )
    if unpacked > _MB and unpacked > limits.max_compression_ratio * max(packed, 1):
        raise DocumentError(
            f"refused: {what} unpacks to more than {limits.max_compression_ratio} times its size "
            f"({_mb(packed)} → over {_mb(unpacked)}, NAVIGATOR_MAX_COMPRESSION_RATIO); a compression bomb?"
        )


# --- PDF ----------------------------------------------------------------------------------------------

_STREAM = re.compile(rb"stream\r?\n")
_ENDSTREAM = b"endstream"
_PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_FLATE = re.compile(rb"/FlateDecode|/Fl\b")


def check_pdf(data: bytes, limits: FileLimits) -> None:
    """Inflate every Flate stream with a budget, count page objects in the file and in its object
    streams (compressed objects). Cheap: no PDF object model is built."""
    unpacked = 0
    pages = len(_PAGE_OBJECT.findall(data))
    position = 0
    while (match := _STREAM.search(data, position)) is not None:
        start = match.end()
        end = data.find(_ENDSTREAM, start)
        if end < 0:
            break
        dictionary = data[max(0, match.start() - 512) : match.start()]
        position = end + len(_ENDSTREAM)
        if not _FLATE.search(dictionary):
            continue
        budget = limits.max_unpacked_bytes - unpacked
        inflated = _inflate_bounded(data[start:end], budget + 1)
        if inflated is None:
            continue  # not really zlib data: pdfminer decides what to make of it
        unpacked += len(inflated)
        _check_unpacked("the PDF", unpacked, len(data), limits)
        if b"/Page" in inflated:
            pages += len(_PAGE_OBJECT.findall(inflated))
        if pages > limits.max_pdf_pages:
            break
    if pages > limits.max_pdf_pages:
        raise DocumentError(
            f"refused: the PDF has more than {limits.max_pdf_pages} pages ({pages}, NAVIGATOR_MAX_PDF_PAGES)"
        )


def _inflate_bounded(raw: bytes, max_length: int) -> bytes | None:
    """zlib-inflate at most ``max_length`` bytes of output, in bounded steps; None if not zlib."""
    inflater = zlib.decompressobj()
    out = bytearray()
    pending = raw
    try:
        while pending and len(out) < max_length:
            out += inflater.decompress(pending, min(_CHUNK * 16, max_length - len(out)))
            pending = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error:
        return None if not out else bytes(out)
    return bytes(out)


# --- HTML ---------------------------------------------------------------------------------------------

_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>")
# Elements that never have content, so never nest (an unclosed <br> must not count as a level).
_VOID = frozenset(
    b"area base br col embed hr img input link meta param source track wbr".split() + [b"!doctype"]
)
# Parsers close these implicitly (<p><p>, <li><li>): a missing end tag is not one level deeper.
_SELF_CLOSING_SIBLINGS = frozenset(b"p li dt dd tr td th option".split())


def check_html(data: bytes, limits: FileLimits) -> None:
    """The deepest element nesting, by a flat scan of start and end tags (never a recursive walk:
    the point is to refuse input that would make the real parser's tree walkers recurse too deep)."""
    depth = deepest = 0
    open_tags: list[bytes] = []
    for match in _TAG.finditer(data):
        closing, name, self_closed = match.group(1), match.group(2).lower(), match.group(3)
        if name in _VOID or self_closed:
            continue
        if closing:
            if name in open_tags:
                while open_tags:
                    if open_tags.pop() == name:
                        break
            depth = len(open_tags)
            continue
        if name in _SELF_CLOSING_SIBLINGS and open_tags and open_tags[-1] == name:
            continue
        open_tags.append(name)
        depth = len(open_tags)
        if depth > deepest:
            deepest = depth
            if deepest > limits.max_html_depth:
                raise DocumentError(
                    f"refused: the HTML nests elements more than {limits.max_html_depth} deep "
                    "(NAVIGATOR_MAX_HTML_DEPTH)"
                )
