"""Which desk an out-of-scope question goes to, by the city department that owns it.

Only desks that knowledge/contacts.yaml holds with sourced facts are named. Hello Work handles
unemployment benefit, training benefits and job seeking, and is in contacts.yaml; no other
department's own window is there yet (子育て, 税, 住まい… have no sourced entry), so those go to the
city's call centre, whose role is exactly "which desk do I ask", then to the city's main line (the
department is reached through it by name, as its entry says). Add a department here only when its
desk is added to contacts.yaml from a primary source.
"""

from __future__ import annotations

CALL_CENTRE = "fujisawa-callcenter"
CITY = "fujisawa-city"

# department -> contact ids, the first named first. A department not listed goes to the call centre
# and the city's main line.
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
    return _DESKS.get(department, (CALL_CENTRE, CITY))


# How a reply names the matter it declines (ja, en).
_MATTERS: dict[str, tuple[str, str]] = {
    "子育て": ("保育園・子育ての手当や手続き", "Childcare, nurseries and child allowances"),
    "保険": ("健康保険・介護保険の加入や保険料", "Health and long-term care insurance"),
    "年金": ("年金の加入・免除・受給", "Pensions"),
    "税": ("税金の納付・申告・証明", "Paying, filing or certifying taxes"),
    "ごみ": ("ごみ（家庭ごみ・事業系ごみ）の出し方や処理", "Household and business waste"),
    "住まい": ("住まい（住宅・賃貸・自宅の改修）", "Housing, renting and work on your home"),
    "在留": ("在留資格・在留カードの手続き", "Residence status and residence cards"),
    "消費生活": ("買い物や契約のトラブル（消費生活）", "Consumer problems with purchases and contracts"),
    "雇用保険": (
        "失業給付や職場の労働問題など、働く方ご自身のこと",
        "Unemployment benefit and problems at your own workplace",
    ),
    "求職": ("お仕事探し", "Looking for a job"),
    "医療": ("医療・健診・予防接種", "Medical care, check-ups and vaccinations"),
    "教育": ("学校や学びのこと", "Schools and learning"),
    "交通": ("交通・道路・自転車のこと", "Transport, roads and bicycles"),
    "福祉": ("福祉・介護・生活の困りごと", "Welfare, care and hardship"),
    "戸籍": (
        "住民票・戸籍・マイナンバーカードの手続き",
        "Resident records, family register and My Number card",
    ),
    "防災": ("防災・避難・被災した住まいのこと", "Disaster preparedness and damage to homes"),
    "農林水産": ("農業・漁業・林業", "Farming, fishing and forestry"),
    "他自治体": ("ほかの自治体の制度", "Another municipality's schemes"),
    "個人の金融": ("個人のローンや預金", "Personal loans and savings"),
}


def declined_text(department: str, language: str) -> str:
    """The sentence that says why a question is declined, before the desks are named."""
    if department == "他自治体":
        return (
            "このナビゲーターがご案内するのは藤沢市の事業者向けの支援です。ほかの自治体の制度は、その自治体にお尋ねください。"
            if language == "ja"
            else "This navigator covers Fujisawa's support for businesses; please ask the other municipality about its schemes."
        )
    ja, en = _MATTERS.get(department, ("ご質問のこと", "This matter"))
    if language == "ja":
        return (
            f"{ja}は、このナビゲーターがご案内する藤沢市の事業者向けの支援（中小企業支援）には含まれません。"
        )
    return f"{en} is not part of the business support (Fujisawa's SME plan) this navigator covers."
