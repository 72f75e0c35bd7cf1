"""The reply, typed: what the composer builds, what a follow-up changes, and what `/openapi.json`
documents (`bot/web/schemas.py` extends it with the session's ids).

Its text is a list of sections, each a part of the reply (the verdict, the deciding fact, the next
step, a record's line, the eligibility note…), each either in the main text or in the details. The
main text is what an owner reads in ten seconds: the verdict for them, the deciding fact, one next
step and at most one alternative; ``answer`` is always the join of its sections. Everything else (the
other records, sources, dates, notes, desks) is ``details``, shown behind 「詳しく」 / "More". A
follow-up that adds a lead after the verdict, or keeps only the eligibility note beside a record's
details, changes sections by their part, never the composed text. ``as_json`` gives docs/design.md's
answer, key for key.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Part = Literal[
    "verdict",  # does this help this owner: yes / partial / none, in a sentence
    "fact",  # the deciding fact: the shortest quoted clause, or the program's line, with its [n]
    "alternative",  # the one other program to consider when the verdict is not yes
    "lead",  # a follow-up's opening (what was re-checked, how many the last answer named)
    "intro",  # what the records below are
    "record",  # one cited record in the owners' words, with its [n]
    "note",  # a record's note: period, freshness, where the facts come from
    "missing",  # the asked terms are not in the knowledge (never made up)
    "next_step",  # whom to call first, and for what
    "contacts",  # the desks' names
    "conditions",  # cited programs whose conditions the knowledge does not hold
    "eligibility",  # the owner's stated facts against the programs' conditions
    "message",  # the whole text of a reply that is one message (no match, ask back, contacts)
]


class Section(BaseModel):
    model_config = ConfigDict(frozen=True)

    part: Part
    text: str
    main: bool = Field(default=True, description="in the main text (else among the details)")


class Detail(BaseModel):
    """One item behind 「詳しく」 / "More": what part of the reply it is, and its text with [n] markers."""

    part: Part
    text: str


class Citation(BaseModel):
    n: int
    id: str = Field(description="record id, e.g. I-4-3")
    kind: Literal["program", "indicator", "measure", "section", "document", "passage"]
    measure: str
    title: str
    source: str
    location: str
    score: float
    text: str = Field(description="the record's text in the knowledge base")
    document: str | None = Field(
        default=None, description="the source document's title (documents, passages)"
    )
    url: str | None = Field(default=None, description="the source document's own URL, when it states one")
    quote: str | None = Field(
        default=None, description="the sentences, items or table rows the answer quotes"
    )


class Contact(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    name: str
    name_en: str = ""
    phone: str = ""
    url: str = ""
    address: str = ""
    hours: str = ""
    source: str | None = Field(default=None, description="where this contact was stated (a document's title)")
    sources: dict[str, Any] | None = Field(
        default=None, description="contacts.yaml's sources of this contact's fields"
    )
    seen: str | None = Field(default=None, description="when contacts.yaml's facts were last checked")
    for_: list[str] = Field(default_factory=list, alias="for", description="record ids this contact is for")


class Eligibility(BaseModel):
    id: str
    fits: bool | None = Field(description="true: within the limits; false: over them; null: cannot tell yet")
    alternative: str | None
    confirm_with: str | None


Reason = Literal["eligible", "not_eligible", "ended", "studying", "not_found"]


class Verdict(BaseModel):
    kind: Literal["yes", "partial", "none"] = Field(
        description="yes: a program fits; partial: not the kind of help asked, not for this owner, ended "
        "or only studied, but something serves the same aim; none: nothing fits"
    )
    reason: Reason = Field(
        default="eligible",
        description="eligible: it fits (as far as the owner's facts tell); not_eligible: the owner's facts "
        "exclude them; ended: the program or call has ended; studying: the plan only studies it (検討中); "
        "not_found: the kind of help asked, or anything at all, is not there",
    )
    text: str = Field(description="the verdict as the answer's first sentence says it")


_OPTIONAL_CITATION = ("document", "url", "quote")  # documents' and passages' citations only
_OPTIONAL_CONTACT = ("source", "sources", "seen")


class Reply(BaseModel):
    status: Literal["answered", "clarify", "no_match"]
    language: Literal["ja", "en"]
    answer: str = Field(
        default="",
        description="the main text, with [n] markers pointing into citations: the verdict for this owner, "
        "the deciding fact, one next step, at most one alternative",
    )
    details: list[Detail] = Field(
        default_factory=list,
        description="the rest, shown behind 「詳しく」 / More: the records named, notes, eligibility, desks",
    )
    citations: list[Citation] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)
    verdict: Verdict | None = Field(default=None, description="absent when the reply asks back")
    eligibility: list[Eligibility] | None = Field(
        default=None,
        description="the programs' conditions against what the owner said, when they said anything",
    )
    sections: list[Section] = Field(default_factory=list, exclude=True)

    @classmethod
    def composed(cls, sections: list[Section], **fields: Any) -> Reply:
        return cls(sections=sections, answer=_joined(sections), details=_details(sections), **fields)

    def _with(self, sections: list[Section], **fields: Any) -> Reply:
        update = {"sections": sections, "answer": _joined(sections), "details": _details(sections)}
        return self.model_copy(update={**update, **fields})

    def parts(self, *parts: Part) -> list[Section]:
        return [s for s in self.sections if s.part in parts]

    def adding(self, *sections: Section, after: Part | None = None, first: bool = False) -> Reply:
        """The sections added at the end, at the start (``first``), or after the last of part ``after``."""
        if first:
            return self._with([*sections, *self.sections])
        at = len(self.sections)
        if after is not None:
            found = [n for n, s in enumerate(self.sections) if s.part == after]
            at = found[-1] + 1 if found else 0
        return self._with([*self.sections[:at], *sections, *self.sections[at:]])

    def replacing(self, sections: list[Section], keep: tuple[Part, ...] = (), **fields: Any) -> Reply:
        """The text made of ``sections`` and the kept parts of this one (in that order); other
        fields as given."""
        return self._with([*sections, *self.parts(*keep)], **fields)

    def updated(self, **fields: Any) -> Reply:
        """Other fields than the text changed (eligibility, contacts, suggestions)."""
        if {"sections", "answer", "details"} & set(fields):
            raise ValueError("the text changes through its sections: use adding or replacing")
        return self.model_copy(update=fields)

    def as_json(self) -> dict[str, Any]:
        """docs/design.md's answer: optional keys only where they apply."""
        body = self.model_dump(by_alias=True, exclude={"verdict", "eligibility"})
        for cited, model in zip(body["citations"], self.citations, strict=True):
            if model.kind not in ("document", "passage"):
                for key in _OPTIONAL_CITATION:
                    cited.pop(key, None)
        for card in body["contacts"]:
            for key in _OPTIONAL_CONTACT:
                if card.get(key) is None:
                    card.pop(key, None)
        if self.verdict is not None:
            body["verdict"] = self.verdict.model_dump()
        if self.eligibility is not None:
            body["eligibility"] = [e.model_dump() for e in self.eligibility]
        return body


def _joined(sections: list[Section]) -> str:
    return "\n".join(s.text for s in sections if s.text and s.main)


def _details(sections: list[Section]) -> list[Detail]:
    return [Detail(part=s.part, text=s.text) for s in sections if s.text and not s.main]
