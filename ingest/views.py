"""What of a record is embedded and keyword-indexed.

A record gets several embedded views instead of one long text: its own words, its English
rendering and the owners' everyday words from the catalog. A question is near a record when it is
near any of them, which is what lets "お金を借りたい" and "How do I get a loan?" both find the
same program. The keyword index sees all of it at once.
"""

from __future__ import annotations

import json
from typing import Any

from langchain_core.documents import Document

from ingest.records import Record, content_hash
from ingest.textnorm import tokenize

MAX_UNIT_VIEWS = 12  # a passage's first units get their own vectors (quotes are scored on them)


def view_texts(record: Record, overlay: dict[str, Any]) -> dict[str, str]:
    views = {"main": _main_text(record)}
    if record.kind == "passage" and record.path:
        # The heading alone (a FAQ's question, "補助率及び上限額"): picks, among one document's
        # passages, the one that answers; not used to rank records (it has no context).
        views["head"] = record.title
    if record.kind == "passage" and len(record.units) > 1:
        # One vector per quotable unit, built here once: the answer scores a passage's sentences
        # against the question with them instead of embedding sentences per question.
        for n, unit in enumerate(record.units[:MAX_UNIT_VIEWS]):
            views[f"u{n}"] = unit
    english = " ".join(str(overlay.get(k) or "") for k in ("title_en", "summary_en")).strip()
    if english:
        views["en"] = english
    aliases = [str(a) for a in overlay.get("aliases") or []]
    if aliases:
        views["alias"] = "、".join(aliases)
    aliases_en = [str(a) for a in overlay.get("aliases_en") or []]
    if aliases_en:
        views["alias_en"] = ", ".join(aliases_en)
    return views


def _main_text(record: Record) -> str:
    if record.kind == "program":
        return f"{record.title}\n{record.text}"
    if record.kind == "indicator":
        return f"指標 {record.title}（{record.baseline_label}実績と{record.target_label}目標）"
    if record.kind == "measure":
        return f"{record.measure}\n{record.text}"
    if record.kind == "passage":
        return f"{context(record)}\n{record.text}"
    return f"{record.title}\n{record.text}"


def _spoken_names(record: Record) -> list[str]:
    """The names owners say for the document's program (ものづくり補助金), not its file name's words
    (robot, office, subsidy): those only tell which file a question names, and as text they would
    add the same English words to every passage of a Japanese document. A name the title already
    spells adds nothing but weight to the title's words."""
    return [n for n in record.info.get("names", ()) if not n.isascii() and n not in record.document]


def context(record: Record) -> str:
    """Document title › heading path: what makes one leaflet's 上限 differ from another's. The
    program's other names stay out: embedded beside every passage they pull a document's passages
    together, away from the question's own words (measured: a fictional leaflet's 申請期間 fell out of
    the first three); they serve as keywords and to tell which document a question names."""
    return " › ".join([record.document, *record.path])


def keyword_tokens(record: Record, overlay: dict[str, Any]) -> list[str]:
    parts = [record.title, record.text, record.measure if record.kind == "measure" else "", *record.bodies]
    if record.kind == "passage":
        parts += [record.document, *_spoken_names(record), *record.path[:-1]]
    parts += [str(overlay.get(k) or "") for k in ("title_en", "summary_en")]
    parts += [str(a) for a in overlay.get("aliases") or []] + [
        str(a) for a in overlay.get("aliases_en") or []
    ]
    if record.kind == "indicator":
        parts += ["指標", "目標", "実績", record.unit]
    return [token for part in parts if part for token in tokenize(part)]


def record_documents(record: Record, overlay: dict[str, Any]) -> list[Document]:
    """LangChain Documents, one per view; the main view carries the whole record for answers."""
    record_json = record.to_json()
    overlay_json = json.dumps(overlay, ensure_ascii=False, sort_keys=True)
    record_hash = content_hash(record_json, overlay_json)
    documents = []
    for view, text in view_texts(record, overlay).items():
        metadata: dict[str, Any] = {
            "record_id": record.id,
            "view": view,
            "kind": record.kind,
            "title": record.title,
            "source": record.source,
            "record_hash": record_hash,
            "view_hash": content_hash(text),
        }
        if view == "main":
            metadata["record"] = record_json
            metadata["tokens"] = " ".join(keyword_tokens(record, overlay))
        documents.append(Document(id=f"{record.id}#{view}", page_content=text, metadata=metadata))
    return documents
