"""Whom to call: the contact cards of the cited records' implementing bodies (contacts.yaml), a
document's own 問い合わせ先, and the human desks a question is routed to when nothing fits."""

from __future__ import annotations

import re
from typing import Any

from ingest.knowledge import Knowledge
from ingest.records import Record

_DOCUMENT_KINDS = frozenset({"document", "passage"})

# The human desks a question is routed to when nothing in the knowledge base fits.
FALLBACK_DESKS = ("fujisawa-city", "fujisawa-cci")


def contacts_for(
    records: list[Record],
    knowledge: Knowledge,
    documents: dict[str, Record] | None = None,
    language: str = "ja",
) -> list[dict[str, Any]]:
    """The implementing bodies of the cited records that contacts.yaml knows, merged by organisation;
    for a document's passages, the document's own 問い合わせ先 (as contacts.yaml has it when the
    organisation or the phone number matches, otherwise as the document states it)."""
    merged: dict[str, dict[str, Any]] = {}
    for record in records:
        if record.kind in _DOCUMENT_KINDS:
            document = (documents or {}).get(record.document_id)
            stated = (document.info.get("contact") if document else None) or None
            entries = [document_contact(stated, document, knowledge)] if stated and document else []
        else:
            overlay_ids = knowledge.overlay(record.id).get("contacts") or []
            entries = [knowledge.contact_by_id(i) for i in overlay_ids] or [
                knowledge.contact_for(body) for body in record.bodies
            ]
        for entry in entries:
            if entry is None:
                continue
            card = merged.setdefault(entry["id"], contact_card(entry, language))
            if record.id not in card["for"]:
                card["for"].append(record.id)
    return list(merged.values())


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", re.sub(r"[（(]内線.*$", "", phone))


def document_contact(stated: dict[str, str], document: Record, knowledge: Knowledge) -> dict[str, Any]:
    """contacts.yaml's entry when the document's contact is one it knows, else the document's words."""
    phone = _digits(stated.get("phone", ""))
    for entry in knowledge.contacts:
        if phone and phone == _digits(str(entry.get("phone", ""))):
            known = dict(entry)
            if "内線" in stated.get("phone", ""):  # the document names the desk behind the switchboard
                known.update(
                    id=f"{entry['id']}:{document.id}",
                    name=stated.get("name") or entry["name"],
                    phone=stated["phone"],
                )
            return known
    by_name = knowledge.contact_for(stated.get("name", ""))
    if by_name is not None:
        return by_name
    return {
        "id": f"{document.id}:contact",
        "name": stated.get("name") or document.title,
        "name_en": "",
        "phone": stated.get("phone", ""),
        "url": document.url,
        "address": "",
        "hours": stated.get("hours", ""),
        "source": document.title,
    }


def contact_card(entry: dict[str, Any], language: str = "ja") -> dict[str, Any]:
    """A contact as the widget and Slack show it. In English, the English hours and address where
    contacts.yaml has them, otherwise the Japanese ones marked as such."""
    hours, address = entry.get("hours", ""), entry.get("address", "")
    if language == "en":
        hours = entry.get("hours_en") or (f"{hours} (in Japanese)" if hours else "")
        address = entry.get("address_en") or (f"{address} (in Japanese)" if address else "")
    card = {
        "id": entry["id"],
        "name": entry["name"],
        "name_en": entry.get("name_en", ""),
        "phone": entry.get("phone", ""),
        "url": entry.get("url", ""),
        "address": address,
        "hours": hours,
        "for": [],
    }
    if isinstance(entry.get("source"), str) and entry.get("source"):
        card["source"] = entry["source"]  # a document's own contact block: the document it came from
    if entry.get("sources") or entry.get("seen"):
        card["sources"] = entry.get("sources") or {}
        card["seen"] = entry.get("seen", "")
    return card


def fallback_contacts(knowledge: Knowledge) -> list[dict[str, Any]]:
    return [contact_card(c) for i in FALLBACK_DESKS if (c := knowledge.contact_by_id(i))]
