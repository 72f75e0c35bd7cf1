"""Every weight and threshold of answering, in one frozen dataclass, each with a line of why.

The modules read ``TUNING`` (``from bot.answering.tuning import TUNING``); nothing else holds a tuning
number. Values were measured on the evaluation sets' tuned parts (docs/evaluation.md): change one
here, then run `navigator eval` on every set, and keep it only where the set-aside parts do not fall.
The thresholds staff set per deployment (top_k, the no-match decision's minimums) are settings
(`NAVIGATOR_…`, docs/operations.md), not tuning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


def _frozen(**weights: float) -> Mapping[str, float]:
    return MappingProxyType(weights)


@dataclass(frozen=True)
class Tuning:
    # --- retrieval: the signals and their fusion (retrieve.py) ----------------------------------
    rrf_k: int = (
        60  # reciprocal-rank fusion's constant: the usual 60 keeps a first rank from drowning the rest
    )
    weights: Mapping[str, float] = field(
        # a program's alias is what owners call it: the surest of the four signals
        default_factory=lambda: _frozen(dense=1.0, keyword=1.0, alias=1.5, title=1.0)
    )
    document_context_weight: float = 0.7  # a passage ranks with this share of its whole document's score
    named_passages: int = 4  # a named document's nearest passages that join the ranking
    synonym_weight: float = 0.7  # a synonym's keyword evidence beside the question's own words
    indicator_boost: float = (
        1.6  # staff asking about figures: indicators then outrank the programs they measure
    )
    document_alias_share: float = (
        0.8  # a document's short name, as evidence for its passages: less than naming the passage
    )
    fused_per_signal: int = 100  # ranks beyond this add less than 1/160 to a fused score

    # --- documents named by title (index.py) -----------------------------------------------------
    min_title: float = 2.5  # title evidence (summed rarity of shared character pairs) that names a document
    acronym_weight: float = 2.5  # an acronym shared with one title alone (DX, BCP) names it
    min_name_core: int = 3  # 持続化, IT導入: a shorter core (「IT」) names nothing by itself

    # --- which records an answer names (compose.pick_hits) ---------------------------------------
    relative_cutoff: float = 0.7  # another record is named when its fused score is this share of the first's
    # how far down the hits a record linked to the first (a program's document, a document's program)
    # is looked for: the first ten hold a need's program and its documents' passages
    program_reach: int = 10
    # a program that gives the form of help asked (a loan, a seminar) is named first when it is among
    # the next this many programs: the first three are what the answer names anyway (hit@3)
    asked_form_reach: int = 3
    # ... down to this share of the first's fused score: the form the owner named (融資, セミナー) is
    # surer evidence of what they need than a difference in the fused score; as low as a document's
    # passage named beside a program (document_cutoff), not lower
    asked_form_cutoff: float = 0.5
    document_margin: float = 0.05  # a document nearer than the plan's line by this much (similarity, or share of keywords) is named beside it
    close_document: float = 0.9  # a document's passage this near the first record's fused score is named too
    document_cutoff: float = (
        0.5  # a document's passage named beside a plan program scores at least this share
    )

    # --- the quote (quotes.py) --------------------------------------------------------------------
    max_quote_units: int = 3  # a fact sits in one unit, or a pair; three is a table row and its header
    # A 公募要領 has two hundred passages; the quote reads the nearest 24 (by the passage's similarity).
    # Measured on the sets' tuned parts: the unit the ranker picks is the same from 24 as from all of
    # them (8 lost 2 questions of 145), and a question's quote costs a tenth.
    quote_candidates: int = 24
    max_quote_chars: int = 240  # a quote a citation shows whole: two sentences of a 公募要領
    near: float = 0.75  # a third unit is quoted when it scores at least this share of the best
    second: float = 0.6  # the runner-up is quoted unless it is far behind: facts sit in pairs
    passage_weight: float = (
        0.5  # how much the passage's own similarity (heading and context) counts beside its best unit
    )
    max_list_chars: int = 320  # "何が必要？" is answered by the whole list of papers
    under_heading: float = 0.8  # a unit is at least this near the question as its heading is
    heading_weight: float = 0.5  # a FAQ's question or a section's heading against the owner's question
    rich: float = (
        0.1  # per unit (up to 3) holding the kind of fact asked: a table of limits, a list of papers
    )
    filed: float = 0.2  # the passage's heading is where documents file the kind of fact asked
    fact_weight: float = (
        0.35  # a unit holding the kind of fact asked (0.5 and 0.7 measured worse on both sets)
    )

    # --- the reply (compose.py) -------------------------------------------------------------------
    max_contact_cards: int = 2  # the desks the main text names; the rest are among the details
    heading_limit: int = (
        40  # characters of a passage's heading said before its clause (a FAQ's question is longer)
    )
    fact_limit: int = 120  # characters of a deciding fact in the main text: a clause, not a paragraph

    # --- conversations (conversation.py, intents.py) ----------------------------------------------
    max_follow_up: int = (
        40  # characters: a longer message is a new question even if it starts like a follow-up
    )
    max_pointing: int = 40  # characters: a longer message is a new question even if it opens with それ
    max_bare_ask: int = 16  # characters: a bare ask (場所は？) is short; longer, it names its own topic
    max_bare_ask_words: int = 7  # the same for English, counted in words ("Who do I talk to first?")


TUNING = Tuning()
