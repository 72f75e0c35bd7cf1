"""Markdown (.md): YAML front matter, `#` headings, lists and pipe tables.

Front matter is how program sheets state their ids, sources and dates (title, url, programs,
sources, as_of, status); it becomes the document's metadata and never part of its text.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ingest.loaders.base import Block, LoadedDocument, normalise_newlines
from ingest.loaders.encoding import decode_text

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_ITEM = re.compile(r"^(?:[-*+]|\d{1,3}[.)])\s+(.+)$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


def load(data: bytes) -> LoadedDocument:
    text = normalise_newlines(decode_text(data))
    meta, body = front_matter(text)
    blocks = markdown_blocks(body.splitlines())
    title = str(meta.get("title") or "")
    if not title:
        title = next((b.lines[0] for b in blocks if b.kind == "heading" and b.level == 1), "")
    return LoadedDocument(text=body, blocks=blocks, title=title, url=str(meta.get("url") or ""), meta=meta)


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The YAML front matter (``{}`` when absent or not a mapping) and the text after it."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, text
    if not isinstance(meta, dict):
        return {}, text
    # Dates become text: the metadata is stored as JSON.
    return {str(k): _plain(v) for k, v in meta.items()}, text[match.end() :]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def markdown_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    current: Block | None = None
    for raw in lines:
        line = raw.strip()
        if not line:
            current = None
            continue
        if heading := _HEADING.match(line):
            blocks.append(Block("heading", [heading.group(2)], level=len(heading.group(1))))
            current = None
        elif item := _ITEM.match(line):
            blocks.append(Block("item", [item.group(1)]))
            current = None
        elif line.startswith("|"):
            if _TABLE_RULE.match(line):
                continue
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            if current is None or current.kind != "table":
                current = Block("table", [])
                blocks.append(current)
            current.lines.append("\t".join(cells))
        else:
            if current is None or current.kind != "text":
                current = Block("text", [])
                blocks.append(current)
            current.lines.append(line)
    return blocks
