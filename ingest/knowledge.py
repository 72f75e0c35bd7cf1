"""The staff-maintained data beside the documents: contacts.yaml and the catalog.yaml overlay.

Both are snapshotted into each index version, so that an answer's programs, contacts and
eligibility facts always come from the same ingest.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CONTACT_FIELDS = (
    "id", "name", "name_en", "phone", "url", "address", "hours", "source", "checked",
    "hours_en", "address_en", "desk", "desk_en", "phone_label", "phone_label_en", "seen",
)  # fmt: skip
# Per-field provenance: `sources: {phone: URL, hours: URL}` beside the default `source`, `as_of` the
# date each page shows; kept as data so that answers and /api/programs can show them.
_PROVENANCE_FIELDS = ("sources", "as_of")


class KnowledgeError(ValueError):
    """contacts.yaml or catalog.yaml is malformed; the message names the file and the entry."""


@dataclass
class Knowledge:
    contacts: list[dict[str, Any]] = field(default_factory=list)
    catalog: dict[str, Any] = field(default_factory=dict)

    @property
    def overlays(self) -> dict[str, dict[str, Any]]:
        return self.catalog.get("records", {}) or {}

    def overlay(self, record_id: str) -> dict[str, Any]:
        return self.overlays.get(record_id, {}) or {}

    def organisation_names(self) -> list[str]:
        names: list[str] = []
        for contact in self.contacts:
            names.append(contact["name"])
            names.extend(contact.get("aliases") or [])
        return names

    def contact_for(self, body: str) -> dict[str, Any] | None:
        """The contact entry for a body as the plan writes it (藤沢商工会議所, (公財)湘南産業振興財団…)."""
        wanted = _key(body)
        for contact in self.contacts:
            if wanted in {_key(n) for n in [contact["name"], *(contact.get("aliases") or [])]}:
                return contact
        return None

    def contact_by_id(self, contact_id: str) -> dict[str, Any] | None:
        return next((c for c in self.contacts if c["id"] == contact_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {"contacts": self.contacts, "catalog": self.catalog}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Knowledge:
        return cls(contacts=data.get("contacts", []), catalog=data.get("catalog", {}))


def _key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).replace(" ", "")


def load_knowledge(contacts_file: Path, catalog_file: Path) -> Knowledge:
    return Knowledge(contacts=_load_contacts(contacts_file), catalog=_load_catalog(catalog_file))


# libyaml's loader when PyYAML has it: the pure-Python one spends ~0.35 s of interpreter time on the
# catalog, and a re-ingest runs in a thread of the serving process, beside the chat.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        return None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML: {exc}") from exc


def _load_contacts(path: Path) -> list[dict[str, Any]]:
    raw = _read_yaml(path) or []
    if not isinstance(raw, list):
        raise KnowledgeError(f"{path.name}: expected a list of organisations")
    contacts = []
    for n, entry in enumerate(raw, 1):
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name"):
            raise KnowledgeError(f"{path.name}: entry {n} needs at least 'id' and 'name'")
        contact = {key: entry.get(key) or ("" if key not in ("source",) else []) for key in CONTACT_FIELDS}
        contact["phone"] = str(contact["phone"] or "")
        contact["checked"] = str(contact["checked"] or "")
        contact["aliases"] = list(entry.get("aliases") or [])
        contact["role"] = entry.get("role") or ""
        for key in _PROVENANCE_FIELDS:
            contact[key] = json.loads(json.dumps(entry.get(key) or {}, ensure_ascii=False, default=str))
        contacts.append(contact)
    return contacts


def _load_catalog(path: Path) -> dict[str, Any]:
    raw = _read_yaml(path) or {}
    if not isinstance(raw, dict) or not isinstance(raw.get("records", {}), dict):
        raise KnowledgeError(f"{path.name}: expected a mapping with 'records' keyed by record id")
    # YAML turns unquoted dates into date objects; the snapshot is JSON, so keep them as text.
    return json.loads(json.dumps(raw, ensure_ascii=False, default=str))
