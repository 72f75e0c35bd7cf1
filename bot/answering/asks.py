"""The kinds of fact a question asks for (an amount for いくら, a date for いつまで, the papers for
何が必要), how a unit of a document that holds one looks, and the headings documents file it under.
Read once per question by ``Question.parse``; quotes and the reply read the result."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Ask:
    """A kind of fact a question asks for: the question's cue, what a unit holding it looks like,
    and the headings documents file it under (補助率及び上限額, 申請期間, 必要書類…)."""

    cue: re.Pattern[str]
    fact: re.Pattern[str]
    heading: re.Pattern[str]
    weight: float = 1.0  # how telling a unit's holding this kind of fact is
    terms: bool = False  # a term a document states (amount, rate, date, papers, count), never the plan


def _stated_length(cue: str, unit: str, english: str) -> Ask:
    """A length of time the owner states (開業して6年目): the condition that bounds it, in the same
    unit (創業から5年を経過していない者), lifts the unit that says it."""
    return Ask(
        re.compile(rf"[0-9０-９一二三四五六七八九十]+\s*{cue}|\d+\s*{english}\b"),
        re.compile(
            rf"[0-9０-９]+\s*{unit}(?:以上|未満|以内|以下|を経過|を超|経過|たって|以前)|"
            rf"\b(?:at least|less than|within|more than|under|over)\s+\d+\s*{english}\b",
            re.IGNORECASE,
        ),
        re.compile(r"対象|要件|資格|定義"),
    )


ASKS = (
    Ask(  # amounts and limits
        re.compile(
            r"いくら|上限|限度|金額|補助額|助成額|最大|最高|何円|何万|how much|maximum|max\b|limit|amount|up to"
        ),
        re.compile(
            r"[0-9０-９,，]+\s*(?:万|千|億)?円|円まで|\d[\d,.]*\s*(?:million\s+|thousand\s+)?yen|¥\s*\d|無料|free of charge|\bfree\b",
            re.IGNORECASE,
        ),
        re.compile(r"額|上限|限度|補助率|内容"),  # 支給額, 交付額, 貸付限度額, 補助率及び上限額…
        terms=True,
    ),
    Ask(  # rates
        re.compile(
            r"補助率|助成率|利率|金利|利息|何割|何分の|何パーセント|何%|rate|interest(?! subsid)|percent|ratio|share"
        ),
        re.compile(
            r"[0-9０-９.]+\s*[%％]|分の|割|利率|金利|補助率|助成率|percent|\b(?:half|two.thirds|a third)\b",
            re.IGNORECASE,
        ),
        re.compile(r"補助率|助成率|利率|金利|上限|内容"),
        terms=True,
    ),
    Ask(  # dates, periods, deadlines
        re.compile(
            r"いつ|期間|期限|締切|締め切り|〆切|何日|何月|開始|始まる|受付|受け付け|間に合|今から|まだ|"
            r"when|deadline|until|period|still open|open for|start|close"
        ),
        re.compile(
            r"[0-9０-９]{1,2}\s*月\s*[0-9０-９]{1,2}\s*日|[0-9０-９]{1,2}\s*月(?:頃|ごろ|上旬|中旬|下旬|末)|"
            r"[0-9]{4}[/.][0-9]{1,2}[/.][0-9]{1,2}|期間|期限|まで|前|以内|"
            r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\b|"
            r"\b(?:until|deadline|due)\b",
            re.IGNORECASE,
        ),
        re.compile(r"期間|期限|締切|日程|スケジュール|申請方法|手続"),
        terms=True,
    ),
    Ask(  # papers to submit
        re.compile(
            r"書類|必要なもの|何が(?:要|い|必要)|なにが(?:要|い|必要)|提出|添付|持って|持たせ|持参|そろえ|揃え|"
            r"documents?|papers?|submit|attach|need to bring"
        ),
        re.compile(
            r"書|証明|写し|申請書|計画書|見積|登記|納税|決算|図面|カタログ|パンフレット|写真|"
            r"\b(?:form|certificate|copy|copies|plan|statement|letter|proxy|seal|quotation|receipt)s?\b",
            re.IGNORECASE,
        ),
        re.compile(r"書類|提出|添付|申請方法"),
        terms=True,
    ),
    Ask(  # whom to call
        re.compile(r"電話|問い?合わ?せ|問合せ|連絡先|窓口|担当|どこに|phone|call|contact|who"),
        re.compile(
            r"(?<![\d-])0\d{1,4}[-‐－(（]\s*\d{1,4}|電話|TEL|窓口|課|係|\b(?:extension|ext|phone|tel|desk|division|section|office)\b",
            re.IGNORECASE,
        ),
        re.compile(r"問い?合わ?せ|問合せ|窓口|連絡先|申請先|担当"),
    ),
    Ask(  # a number to ring or fax: the line that gives one answers, not the one about the topic
        re.compile(r"電話|番号|内線|ファクス|ファックス|fax|phone|call|ring|number|extension", re.IGNORECASE),
        re.compile(
            r"(?<![\d-])0\d{1,4}[-‐－(（]\s*\d{1,4}[-‐－)）]\s*\d{3,4}|[(（]\d{1,4}[)）]\s*\d{3,4}|内線\s*\d|"
            r"\b(?:extension|ext\.?)\s*\d",
            re.IGNORECASE,
        ),
        re.compile(r"問い?合わ?せ|問合せ|連絡先|窓口|contact", re.IGNORECASE),
        2.0,
    ),
    Ask(  # when the money comes: the line on payment, not the application window
        re.compile(
            r"(?:お金|補助金|助成金|交付金|支援金)(?:は|って)?いつ|いつ(?:入る|入って|振り?込|もらえ|支払|払われ|交付)|"
            r"入金|振り?込まれ|支払われ|when (?:will|do) (?:i|we) (?:get|receive)|paid"
        ),
        re.compile(
            r"交付され|交付します|振込|振り込|支払|入金|\b(?:paid|payment|transferred)\b", re.IGNORECASE
        ),
        re.compile(r"交付|支払|請求|入金"),
        terms=True,
    ),
    Ask(  # the first step: whom to see first, in what order
        re.compile(
            r"最初|まず(?:は|何|どこ)|初めに|はじめに|手順|流れ|順番|first|where do i start|what steps"
        ),
        re.compile(r"まず|最初|はじめに|初めに|その後|次に|\b(?:first|then|after that)\b", re.IGNORECASE),
        re.compile(r"申込|申し込み|申請方法|手続|流れ|窓口"),
    ),
    Ask(  # counts and durations
        re.compile(
            r"何(?:ヶ|か|カ|ケ|箇)月|何年|何回|何日間|何人|何件|何社|何個|何度|how many|how long|how often"
        ),
        re.compile(
            r"[0-9０-９]+\s*(?:か月|ヶ月|カ月|ケ月|箇月|年|回|日|人|件|社|個|度)|"
            r"\b\d+\s+(?:[a-z]+\s+)?(?:years?|months?|times|days|people|employees|staff|workers|companies)\b",
            re.IGNORECASE,
        ),
        re.compile(r"期間|回数|内容|上限"),
        terms=True,
    ),
    Ask(  # sizes: floor area, premises
        re.compile(r"広さ|面積|何平米|何㎡|何坪|how big|how large|floor area|square met|size of"),
        re.compile(
            r"[0-9０-９.,]+\s*(?:㎡|m2|m²|平方メートル|平米|坪)|\bsquare met(?:re|er)s?\b", re.IGNORECASE
        ),
        re.compile(r"面積|広さ|要件|対象"),
        terms=True,
    ),
    _stated_length(r"年(?!度)|年目|半年", "年", "years?"),  # 開業して6年目, まだ半年
    _stated_length(
        r"(?:か月|ヶ月|カ月|ケ月)|半年", "(?:か月|ヶ月|カ月|ケ月|箇月)", "months?"
    ),  # 3か月空いている
    Ask(  # an amount the owner states (15万円くらいの工事): the floor or cap it is measured against
        re.compile(r"[0-9０-９,]+\s*(?:万|千|億)?円|\d[\d,]*\s*yen"),
        re.compile(
            r"[0-9０-９,]+\s*(?:万|千|億)?円(?:以上|未満|以下|を超|超)|\b(?:at least|less than|under|over)\s+[\d,]+",
            re.IGNORECASE,
        ),
        re.compile(r"対象|要件|補助|経費"),
    ),
    Ask(  # eligibility and exclusions
        re.compile(
            r"対象|使える|使えます|もらえ|受けられ|出る|出ます|出して|中古|リース|個人事業|できる|できます|"
            r"てもいい|ても大丈夫|でもいい|eligible|qualify|used|lease|covered"
        ),
        re.compile(r"対象|限ります|除く|なりません|できません|しない|不可|含みます|要件|者"),
        re.compile(r"対象|要件|資格|対象外|ならない|除"),
        0.3,  # nearly every sentence of a 募集要項 says who or what is 対象
    ),
)


DATES, PAPERS, CONTACT, ELIGIBILITY = ASKS[2], ASKS[3], ASKS[4], ASKS[-1]


def asked_in(normal: str) -> tuple[Ask, ...]:
    """The kinds of fact a normalised question asks for, in ``ASKS`` order."""
    return tuple(ask for ask in ASKS if any(_whole(match, normal) for match in ask.cue.finditer(normal)))


def _whole(match: re.Match[str], text: str) -> bool:
    """A cue in Latin letters is a whole word ("ratio" is not asked in "corporation"); a Japanese cue
    is wherever it stands."""
    start, end = match.span()
    first = match.group(0)[:1]
    if not (first.isascii() and first.isalpha()):
        return True
    return not (start > 0 and text[start - 1].isalpha() and text[start - 1].isascii()) and not (
        end < len(text) and text[end].isalpha() and text[end].isascii()
    )
