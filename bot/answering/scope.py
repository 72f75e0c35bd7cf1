"""What the knowledge base is for: support for businesses, not a household's or a person's needs.

Every program and document the navigator holds serves businesses. A question about a household's
version of a business program (a subsidy for the water heater at home), a person's own matters (a
pension, a nursery place, unemployment benefit) or a business matter the plan does not serve
(事業系ごみ, a food-business permit) shares words with those programs and so can look covered to
retrieval. Who is asking and what for is judged by the scope model (``bot/answering/scope_model``), trained
on written examples; such a question is declined and routed to the desk of its department
(``bot/answering/scope_desks.py``). Whether the knowledge covers a business's topic stays with retrieval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.answering.question import Question
from bot.answering.scope_desks import desks_for
from bot.answering.scope_model import scope_model
from bot.answering.scope_model.features import READ_CHARS, features_of
from bot.answering.scope_model.tuning import NAMED_DECLINE_AT, ROUTE_AT
from ingest.textnorm import reading

# Rule kept beside the model, because data cannot carry it: whether a place named in the question
# is another municipality is a matter of names (横浜市, 寒川町 …), and no set of examples covers
# every name, while the pattern "<place>市の補助金" holds for all of them. (藤沢市 and the prefecture
# are in scope; the plan's joint programs with neighbours are asked about as Fujisawa's.)
_OTHER_CITY = re.compile(
    r"(?<!藤沢)(?<!神奈川)([\u4e00-\u9fff]{1,4}(?:市|町|村|区|都|府))(?:の|で)(?:[^。]{0,12})(?:補助|助成|融資|支援|制度|給付)"
)


@dataclass(frozen=True)
class OutOfScope:
    department: str  # bot.answering.scope_desks.DEPARTMENTS: whose matter it is
    desks: tuple[str, ...]  # contact ids that handle it, the first named first
    declined: bool = True  # False: retrieval found nothing, and this only says whom to send to


def out_of_scope(question: Question, covered: bool = True, names_program: bool = False) -> OutOfScope | None:
    """Why the question is not a business need the plan serves, or None. ``covered`` is retrieval's verdict: when it found nothing, a leaning towards
    a department (P(out) ≥ ROUTE_AT) is enough to name that department's desk. ``names_program``:
    the question names a program by a catalog alias or a document by its title, so declining needs
    a surer model."""
    if (match := _OTHER_CITY.search(question.normal)) and not match.group(1).endswith("藤沢市"):
        return OutOfScope("他自治体", desks_for("他自治体"))
    model = scope_model()
    sound = question.reading if len(question.normal) <= READ_CHARS else reading(question.normal[:READ_CHARS])
    judgement = model.judge_features(features_of(question.normal, sound))
    if judgement.out >= (max(model.decline_at, NAMED_DECLINE_AT) if names_program else model.decline_at):
        return OutOfScope(judgement.department, desks_for(judgement.department))
    if not covered and judgement.out >= ROUTE_AT:
        return OutOfScope(judgement.department, desks_for(judgement.department), declined=False)
    return None
