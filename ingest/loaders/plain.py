"""Plain text (.txt): blocks are runs of lines between blank lines; tab-separated lines are table rows.

The text itself passes through unchanged apart from decoding, BOM and newlines: the plan's .txt
already uses the parser's convention. Headings in a text file are found later, from the numbering
conventions of Japanese administrative writing (``ingest.structure``).
"""

from __future__ import annotations

from ingest.loaders.base import Block, LoadedDocument, normalise_newlines
from ingest.loaders.encoding import decode_text


def load(data: bytes) -> LoadedDocument:
    text = normalise_newlines(decode_text(data))
    blocks = text_blocks(text.splitlines())
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return LoadedDocument(text=text, blocks=blocks, title=first if len(first) <= 80 else "")


def text_blocks(lines: list[str]) -> list[Block]:
    """Blank lines end a block; a run of tab-separated lines is a table, other lines are text."""
    blocks: list[Block] = []
    current: Block | None = None
    for raw in lines:
        line = raw.strip()
        if not line:
            current = None
            continue
        kind = "table" if "\t" in line else "text"
        if current is None or current.kind != kind:
            current = Block(kind, [])
            blocks.append(current)
        current.lines.append(line)
    return blocks
