"""Receive a multipart upload of exactly one file straight into a scratch file, on the event loop.

Starlette's form parser spools each file into a ``SpooledTemporaryFile`` and, past 1 MB, writes it
from the default thread pool: the very threads that answer chat. Four 20 MB uploads then queued
chat answers behind hundreds of file writes. Here the body is parsed as it streams in
(python-multipart, the parser Starlette uses) and each piece is written with one ``os.write`` to a
scratch file beside its destination (a page-cache write of at most one network chunk: microseconds,
fine on the loop). The rules are enforced while reading, not after: one part only, named ``file``,
with a file name the caller's ``check_name`` accepts, at most ``max_bytes``.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath

from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from bot.web.errors import ApiError


@dataclass
class ReceivedFile:
    name: str  # cleaned
    path: Path  # the scratch file; the caller moves or deletes it
    size: int


class _Receiver:
    def __init__(self, folder: Path, max_bytes: int, check_name: Callable[[str], str]) -> None:
        self.folder, self.max_bytes, self.check_name = folder, max_bytes, check_name
        self.parts = 0
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.fd: int | None = None
        self.path: Path | None = None
        self.name = ""
        self.size = 0

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > 1:
            raise ApiError(422, "invalid_upload", "send exactly one multipart field named 'file'")
        self.disposition = b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name, self.header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        if options.get(b"name") != b"file" or b"filename" not in options:
            raise ApiError(
                422, "invalid_upload", "send exactly one multipart field named 'file' with the document"
            )
        raw = options[b"filename"].decode("utf-8", errors="surrogateescape")
        self.name = self.check_name(raw)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.fd, scratch = tempfile.mkstemp(
            dir=self.folder, prefix=".upload-", suffix=PurePath(self.name).suffix
        )
        self.path = Path(scratch)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.fd is None:
            return
        self.size += end - start
        if self.size > self.max_bytes:
            raise ApiError(413, "document_too_large", f"the document is larger than {self.max_bytes} bytes")
        view = memoryview(data)[start:end]
        while view:
            written = os.write(self.fd, view)
            view = view[written:]

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def discard(self) -> None:
        self.close()
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()


async def receive_one_file(
    request: Request, folder: Path, max_bytes: int, check_name: Callable[[str], str]
) -> ReceivedFile:
    """The body's single file, in a scratch file in ``folder`` (a dot file, which ingest ignores)."""
    kind, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise ApiError(422, "invalid_upload", "send the document as multipart/form-data with a field 'file'")
    receiver = _Receiver(folder, max_bytes, check_name)
    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": receiver.on_part_begin,
            "on_part_data": receiver.on_part_data,
            "on_header_field": receiver.on_header_field,
            "on_header_value": receiver.on_header_value,
            "on_header_end": receiver.on_header_end,
            "on_headers_finished": receiver.on_headers_finished,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        receiver.discard()
        raise ApiError(400, "bad_request", "the multipart body is malformed") from exc
    except BaseException:
        receiver.discard()
        raise
    receiver.close()
    if receiver.path is None:
        raise ApiError(
            422, "invalid_upload", "send exactly one multipart field named 'file' with the document"
        )
    return ReceivedFile(receiver.name, receiver.path, receiver.size)
