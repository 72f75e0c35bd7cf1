"""Which desk an out-of-scope question goes to, by the city department that owns it.

Only desks that knowledge/contacts.yaml holds with sourced facts are named. Hello Work handles
unemployment benefit, training benefits and job seeking, and is in contacts.yaml; no other
department's own window is there yet (子育て, 税, 住まい… have no sourced entry), so those go to the
city's call centre, whose role is exactly "which desk do I ask". Add a department here only when its
desk is added to contacts.yaml from a primary source.
"""

from __future__ import annotations

CALL_CENTRE = "fujisawa-callcenter"

# department -> contact ids, the first named first. A department not listed goes to the call centre.
_DESKS: dict[str, tuple[str, ...]] = {
    "雇用保険": ("hellowork-fujisawa", CALL_CENTRE),
    "求職": ("hellowork-fujisawa", CALL_CENTRE),
}

# The departments the scope model tells apart (the eval set's list, plus the three the plan's own
# near misses need: another municipality's scheme, farming and fishing, a person's loans).
DEPARTMENTS = (
    "子育て", "保険", "年金", "税", "ごみ", "住まい", "在留", "消費生活", "雇用保険", "求職", "医療",
    "教育", "交通", "福祉", "戸籍", "防災", "農林水産", "他自治体", "個人の金融", "other",
)  # fmt: skip


def desks_for(department: str) -> tuple[str, ...]:
    """The contact ids to name for a question of this department."""
    return _DESKS.get(department, (CALL_CENTRE,))
