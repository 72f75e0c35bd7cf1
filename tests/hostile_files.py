"""Hostile documents, built in the test run (never stored): compression bombs, a 3000-page PDF,
HTML nested 3000 deep, one endless line. Each is small on disk and huge once a parser opens it."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

_MB = 1024 * 1024

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_bomb(path: Path, unpacked_mb: int = 20, filler: bytes = b"") -> int:
    """A .docx whose document.xml inflates to ``unpacked_mb`` MB: paragraphs of text (the issue's
    60 KB → 20 MB file), or, with ``filler``, that filler (b" " is the whitespace bomb). Returns the
    file's size."""
    paragraph = f"<w:p><w:r><w:t>{'融資の相談はこちら。' * 4}</w:t></w:r></w:p>".encode()
    unit = filler * (64 * 1024) if filler else paragraph * 256
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body>'.encode())
            written = 0
            while written < unpacked_mb * _MB:
                member.write(unit)
                written += len(unit)
            member.write(b"</w:body></w:document>")
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def pdf_with_flate_stream(path: Path, unpacked_mb: int = 500) -> int:
    """A one-page PDF whose content stream is ``unpacked_mb`` MB of zeros, Flate-compressed
    (~0.1% of that on disk)."""
    compressor = zlib.compressobj(9)
    chunk = b"\0" * _MB
    stream = b"".join(compressor.compress(chunk) for _ in range(unpacked_mb)) + compressor.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    data = pdf_bytes(objects)
    path.write_bytes(data)
    return len(data)


def pdf_with_pages(path: Path, pages: int = 3000) -> int:
    """A PDF of ``pages`` pages, each with one line of text."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for n in range(pages):
        page_id = len(objects) + 1
        content = b"BT /F1 12 Tf 72 720 Td (Page %d of the long report) Tj ET" % n
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (page_id + 1, font)
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        kids.append(b"%d 0 R" % page_id)
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % pages
    data = pdf_bytes(objects)
    path.write_bytes(data)
    return len(data)


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF file of these objects (object 1 the catalog), with its cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def deep_html(path: Path, depth: int = 3000) -> None:
    """A page whose elements nest ``depth`` deep (BeautifulSoup's walkers recurse per level)."""
    path.write_text(
        "<html><body>" + "<div>" * depth + "深い入れ子の文書です。" + "</div>" * depth + "</body></html>",
        encoding="utf-8",
    )


def long_line(path: Path, kilobytes: int = 50) -> None:
    """A text file of one line, no sentence end: over SudachiPy's 49,149-byte input limit."""
    unit = "藤沢市の中小企業向け融資制度の案内、"
    count = kilobytes * 1024 // len(unit.encode()) + 1
    path.write_text(unit * count, encoding="utf-8")
