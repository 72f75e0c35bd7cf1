"""Bytes to text for the encodings Japanese offices actually produce, refusing binary content."""

from __future__ import annotations

import codecs
import unicodedata

from ingest.loaders.base import DocumentError

# Encodings Japanese offices actually produce. cp932 rather than shift_jis: it is what Windows
# writes, and it has the NEC/IBM extensions (①, Ⅲ, ㈱) that strict Shift_JIS lacks.
_CANDIDATE_ENCODINGS = ("cp932", "euc_jp", "utf_8")
_ALIASES = {"shift_jis": "cp932", "ms932": "cp932", "sjis": "cp932", "windows_31j": "cp932"}
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_MAX_CONTROL_SHARE = 0.02


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes to text: UTF-8 (with or without BOM) first because it is unambiguous, then a declared
    charset (HTML meta), then detection among the Japanese encodings. Binary content is refused,
    because decoding it "successfully" would index garbage."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # "Unicode" from Notepad
        text = _try_decode(data, "utf_16")
        if text is None:
            raise DocumentError("not a text file: undecodable bytes (broken UTF-16)")
        return _check_text(text)
    if b"\x00" in data:
        raise DocumentError("not a text file: binary content (NUL bytes)")
    text = _try_decode(data, "utf_8_sig")
    if text is None and declared:
        text = _try_decode(data, declared)
    if text is None:
        text = _detect_and_decode(data)
    if text is None:
        raise DocumentError("not a text file: undecodable bytes (not UTF-8, Shift_JIS or EUC-JP)")
    return _check_text(text)


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding, errors="strict")
    except (UnicodeDecodeError, LookupError):
        return None


def _detect_and_decode(data: bytes) -> str | None:
    """charset-normalizer restricted to the Japanese candidates; its guess wins only if the bytes
    really decode with it (a guess is not a proof). It finds nothing for short texts made mostly
    of symbols (①②③ ㈱); then the first candidate that decodes strictly is taken, and the
    control-character check in _check_text still stops binary data."""
    from charset_normalizer import from_bytes

    guesses = [
        canonical_encoding(match.encoding)
        for match in from_bytes(data, cp_isolation=list(_CANDIDATE_ENCODINGS))
    ]
    for encoding in dict.fromkeys([*guesses, *_CANDIDATE_ENCODINGS]):
        text = _try_decode(data, encoding)
        if text is not None:
            return text
    return None


def canonical_encoding(name: str) -> str:
    try:
        normalised = codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return name
    return _ALIASES.get(normalised, normalised)


def _check_text(text: str) -> str:
    """Refuse text that decoded but is mostly control characters (a binary file without NULs)."""
    controls = sum(1 for char in text if char not in _ALLOWED_CONTROLS and unicodedata.category(char) == "Cc")
    if controls > max(2, _MAX_CONTROL_SHARE * len(text)):
        raise DocumentError("not a text file: binary content (control characters)")
    return text.removeprefix("\ufeff")
