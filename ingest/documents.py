"""Which parser a loaded document gets: the plan's own structure, or headings and passages."""

from __future__ import annotations

from collections.abc import Iterable

from ingest.loaders import LoadedDocument
from ingest.passages import document_records
from ingest.plan_parser import looks_like_plan, parse_plan
from ingest.records import Record


def parse_document(loaded: LoadedDocument, source: str, organisations: Iterable[str] = ()) -> list[Record]:
    """Records of one document: measures, programs and indicators for a plan; a document record and
    its passages for anything else (募集要項, 要綱, FAQ pages, leaflets, program sheets)."""
    if looks_like_plan(loaded.text):
        return parse_plan(loaded.text, source, tuple(organisations))
    return document_records(loaded, source)
