"""English words owners use → the Japanese terms documents are written in.

The documents admins add are Japanese only; a question in English meets them through the dense
embedding alone, which is weak across languages for short administrative sentences. An English
question is therefore also searched with the Japanese words for what it names (補助金 for "subsidy",
家賃 for "rent"), the way a bilingual clerk would look the question up. The table is vocabulary of
support programs in general, not of any one document.
"""

from __future__ import annotations

import re

TERMS: dict[str, str] = {
    "subsidy": "補助金 補助",
    "subsidies": "補助金 補助",
    "grant": "補助金 助成金",
    "grants": "補助金 助成金",
    "funding": "補助 助成",
    "loan": "融資 貸付",
    "loans": "融資 貸付",
    "borrow": "融資 借入",
    "interest": "利子 利率 金利",
    "rate": "補助率 利率",
    "maximum": "上限額 限度額",
    "max": "上限額 限度額",
    "limit": "上限額 限度額",
    "how much": "上限額 補助額 金額",
    "amount": "金額 補助額",
    "cost": "経費 費用",
    "costs": "経費 費用",
    "expenses": "経費 費用",
    "deadline": "締切 申請期限 申請期間",
    "apply": "申請 申込",
    "application": "申請 申込",
    "applications": "申請 申込",
    "when": "申請期間 期限",
    "still open": "申請期間 受付",
    "documents": "必要書類 書類",
    "papers": "必要書類 書類",
    "eligible": "対象",
    "eligibility": "対象 要件",
    "qualify": "対象 要件",
    "rent": "家賃 賃借料",
    "office": "事務所",
    "shop": "店舗 店",
    "store": "店舗 店",
    "empty shop": "空き店舗",
    "vacant": "空き店舗",
    "shopping street": "商店街",
    "renovation": "改装 改修 工事",
    "renovate": "改装 改修 工事",
    "training": "研修",
    "course": "研修 講習",
    "courses": "研修 講習",
    "employees": "従業員",
    "staff": "従業員 社員",
    "hire": "採用 雇用",
    "hiring": "採用 雇用",
    "trade fair": "展示会 見本市 出展",
    "trade show": "展示会 見本市 出展",
    "exhibition": "展示会 出展",
    "exhibiting": "展示会 出展",
    "exhibit": "展示会 出展",
    "overseas": "海外",
    "abroad": "海外",
    "it tools": "ITツール",
    "software": "ソフトウェア ソフト",
    "accounting": "会計",
    "cashless": "キャッシュレス",
    "payment terminal": "決済端末 レジ",
    "digital": "デジタル DX",
    "website": "ホームページ",
    "energy": "省エネルギー 省エネ",
    "energy-saving": "省エネルギー 省エネ",
    "energy-efficient": "省エネルギー 省エネ 高効率",
    "air conditioner": "空調 エアコン",
    "air conditioners": "空調 エアコン",
    "lighting": "照明",
    "equipment": "設備",
    "generator": "発電機",
    "disaster": "防災 災害",
    "earthquake": "地震 耐震",
    "flood": "浸水 水害",
    "backup": "非常用 バックアップ",
    "startup": "創業",
    "start-up": "創業",
    "founder": "創業者",
    "started my business": "創業 開業",
    "new business": "創業 開業",
    "female": "女性",
    "woman": "女性",
    "women": "女性",
    "young": "若手 39歳以下",
    "used": "中古",
    "second-hand": "中古",
    "lease": "リース",
    "contact": "問い合わせ 電話",
    "phone": "電話",
    "call": "電話 問い合わせ",
    "consultation": "相談",
    "advice": "相談",
    "succession": "事業承継",
    "tax": "税",
}
_PHRASES = sorted(TERMS, key=len, reverse=True)
_WORDS = re.compile("|".join(rf"\b{re.escape(p)}\b" for p in _PHRASES))


def japanese_terms(normalised_question: str) -> str:
    """The Japanese terms for the support vocabulary an English question uses ("" when none)."""
    found = dict.fromkeys(TERMS[m.group()] for m in _WORDS.finditer(normalised_question))
    return " ".join(found)
