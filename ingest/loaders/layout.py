"""Joining the pieces of a line that a layout wrapped: the rule Japanese and Latin text differ on."""

from __future__ import annotations

import re

_WHITESPACE = re.compile(r"\s+")


def is_cjk(char: str) -> bool:
    """Kana, CJK ideographs, CJK punctuation and full-width forms: scripts written without spaces."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK punctuation, kana, CJK ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width ASCII, half-width katakana
        or 0x20000 <= code <= 0x3FFFF  # ideograph extensions
    )


def join_wrapped(left: str, right: str) -> str:
    """Join two pieces of one line that a layout wrapped (soft break).

    Japanese is set without spaces and may break between any two characters, so a break touching a
    Japanese character adds nothing ("(公" + "財)湘南" → "(公財)湘南", "EC" + "サイト" → "ECサイト");
    Latin text only breaks at spaces, so two Latin sides get their space back.
    """
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left + right
    if is_cjk(left[-1]) or is_cjk(right[0]):
        return left + right
    return f"{left} {right}"


def collapse_spaces(text: str) -> str:
    """One space for any run of whitespace (tabs and line breaks included), trimmed."""
    return _WHITESPACE.sub(" ", text).strip()
