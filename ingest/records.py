"""Records: the units the bot knows (a measure, a program, an indicator, a narrative section, a
document an admin added and its passages).

A record keeps the document's own words plus where they were seen, so every answer can cite them.
Ids come from the document's numbering (docs/design.md) and therefore survive re-ingests.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

RecordKind = Literal["measure", "program", "indicator", "section", "document", "passage"]
KINDS: tuple[RecordKind, ...] = ("measure", "program", "indicator", "section", "document", "passage")


@dataclass(frozen=True)
class Record:
    id: str
    kind: RecordKind
    title: str
    text: str
    source: str
    location: str
    measure_id: str = ""
    measure: str = ""
    bodies: tuple[str, ...] = ()
    aims: tuple[str, ...] = ()
    see_also: str = ""
    unit: str = ""
    baseline: str = ""
    baseline_label: str = ""
    target: str = ""
    target_label: str = ""
    # documents other than the plan: a `document` record per file, a `passage` per section
    document: str = ""  # the document's title
    document_id: str = ""
    url: str = ""  # the document's own URL when it states one
    path: tuple[str, ...] = ()  # heading path inside the document
    units: tuple[str, ...] = ()  # the sentences, list items and table rows an answer may quote
    info: dict[str, Any] = field(default_factory=dict)  # contact block, period, front matter
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("extra")
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Record:
        data = json.loads(raw)
        for key in ("bodies", "aims", "path", "units"):
            data[key] = tuple(data.get(key, ()))
        return cls(**data)


def content_hash(*parts: str) -> str:
    """A short, stable digest: equal text means the stored embedding can be reused."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:32]
