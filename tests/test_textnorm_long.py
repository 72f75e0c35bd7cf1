"""Issue 11: one long line in a document must not make SudachiPy fail every later re-ingest."""

from __future__ import annotations

from ingest.textnorm import SUDACHI_MAX_BYTES, reading, sudachi_pieces, tokenize, word_boundaries


def test_a_50_kb_line_is_tokenized_in_pieces():
    line = "藤沢市の中小企業の融資制度について説明します、" * 800  # one line, ~55 KB of UTF-8, no 。
    assert len(line.encode()) > 49_149
    tokens = tokenize(line)
    assert "融資" in tokens
    assert reading(line[:30])
    folded, offsets = word_boundaries(line)
    assert len(folded) > 10_000 and offsets


def test_pieces_end_at_sentence_ends_and_stay_under_the_byte_limit():
    text = ("創業を支援します。" * 3000) + "\n" + "あ" * 40_000
    pieces = sudachi_pieces(text)
    assert "".join(pieces) == text
    assert all(len(p.encode()) <= SUDACHI_MAX_BYTES for p in pieces)
    assert pieces[0].endswith("。")
    assert sudachi_pieces("短い文。") == ["短い文。"]
