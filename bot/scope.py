"""What the knowledge base is for: support for businesses, not a household's or a person's needs.

Every program and document the navigator holds serves businesses. A question about a household's
version of a business program (a subsidy for the water heater at home, a home loan), a person's own
finances (a card loan, a pension) or paying and reducing taxes shares words with those programs
("補助", "ローン", "金利") and so looks covered to retrieval; it is declined instead, and routed to the
city's general desk. A question that also names the business (店, 従業員, 開業…) stays in scope:
"自宅で開業したい" is a business question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_HOUSEHOLD = re.compile(
    r"(?:^|[^\u4e00-\u9fff])家(?:の|に|を)|住まい|自宅|市営住宅|県営住宅|公営住宅|県民共済|都民共済|家庭用|家庭の|一般家庭|住宅ローン|住宅の|マイホーム|我が家|わが家|うちの家|実家|持ち家|賃貸住宅|"
    r"個人的|私生活|家族の|子ども|子供|育児手当|児童手当|年金|医療費|住民票|引っ越し|結婚|家計|生活費|"
    r"カードローン|キャッシング|消費者金融|マイカー|車のローン|教育ローン|奨学金|"
    # a person's own papers, insurance and family care: the city's general desks, not business support
    r"国民健康保険|国保|介護認定|介護保険|(?:母|父|親|祖母|祖父|妻|夫)の介護|マイナンバーカード|戸籍|印鑑登録|"
    r"my home|my house|household|mortgage|personal loan|card loan|pension|my family|my kids|my children|"
    r"residence certificate|family register|my (?:mother|father|parents)\b|health insurance premium"
)
# A person's own matters even when the business is named ("ラーメン屋の店主ですが、自分の年金…").
_PERSONAL = re.compile(
    r"自分の(?:年金|家|自宅|住まい|老後|保険|医療|子ども|子供|車|税金)|年金の相談|住宅ローン|相続税|贈与税|住民税|"
    r"my (?:own )?(?:pension|house|home|mortgage)"
)
# Someone asking as a consumer, a visitor or an employee, not as the business.
_CONSUMER = re.compile(
    r"おすすめ|オススメ|見に行き|観に行き|どこで買え|買える店|美味しい|おいしい|観光|"
    r"recommend|where can i buy|best restaurant"
)
_WORKER = re.compile(
    r"(?:会社|上司|職場|社長)が.{0,12}(?:くれない|させない|払わない)|採用試験|職員採用|就職したい|転職したい|"
    r"求人に応募|アルバイトを探|バイトを探|my (?:boss|employer) (?:won't|doesn't|does not)|looking for a job"
)
_SUPPORT_WORDS = re.compile(r"補助|助成|支援|融資|制度|相談|申請|セミナー|subsid|grant|loan|support|scheme")
_OTHER_LENDER = re.compile(
    r"(?:銀行|信用金庫|信金|ゆうちょ|ネット銀行)(?:の|で)?(?:金利|利率|定期|預金|住宅|ローン)"
)
_TAX = re.compile(
    r"(?:固定資産税|住民税|所得税|法人税|消費税|相続税|贈与税|自動車税|市民税|事業税|税金)(?:を|の|が|は)?"
    r"(?:減免|減額|免除|支払|払|納付|納め|還付|控除|安く|下げ|延納|滞納)|確定申告|"
    r"property tax|income tax|tax return|pay (?:my |the )?tax"
)
# A scheme of another municipality (藤沢市 and the prefecture are in scope; the plan's joint programs
# with neighbours are asked about as Fujisawa's).
_OTHER_CITY = re.compile(
    r"(?<!藤沢)(?<!神奈川)([\u4e00-\u9fff]{1,4}(?:市|町|村|区|都|府))(?:の|で)(?:[^。]{0,12})(?:補助|助成|融資|支援|制度|給付)"
)
# Farming, fishing and forestry: the plan supports commerce and industry; the city's agriculture and
# fisheries desks (and JA) handle these, and nothing in the knowledge base does.
_FARMING = re.compile(
    r"農業|就農|農地|農家|農園|農機|農作物|田んぼ|畑を|畑で|トラクター|コンバイン|漁業|漁船|漁師|林業|畜産|"
    r"\b(?:farm|farming|farmland|tractor|fishing boat|fishery|forestry|livestock)\b"
)
_BUSINESS = re.compile(
    r"店|店舗|事務所|工場|会社|事業|従業員|社員|スタッフ|お客|顧客|商売|営業|創業|開業|起業|経営|法人|"
    r"shop|store|business|company|office|factory|employees|staff|customers|startup|firm"
)


@dataclass(frozen=True)
class OutOfScope:
    reason: str  # household | personal_finance | tax | other_city | farming | worker | consumer
    desks: tuple[str, ...]  # contact ids that handle it


_CITY_DESKS = ("fujisawa-callcenter", "fujisawa-city")


def out_of_scope(normalised_question: str) -> OutOfScope | None:
    """Why the question is not a business need, or None. Takes the question normalised once."""
    text = normalised_question
    if _TAX.search(text):
        return OutOfScope("tax", _CITY_DESKS)
    if _PERSONAL.search(text):
        return OutOfScope("personal_finance", _CITY_DESKS)
    if _WORKER.search(text):
        return OutOfScope("worker", ("hellowork-fujisawa", "fujisawa-callcenter"))
    if _CONSUMER.search(text) and not _SUPPORT_WORDS.search(text):
        return OutOfScope("consumer", _CITY_DESKS)
    if (match := _OTHER_CITY.search(text)) and not match.group(1).endswith("藤沢市"):
        return OutOfScope("other_city", _CITY_DESKS)
    if _FARMING.search(text):
        return OutOfScope("farming", _CITY_DESKS)
    if _BUSINESS.search(text):
        return None
    if _OTHER_LENDER.search(text):
        return OutOfScope("personal_finance", _CITY_DESKS)
    if _HOUSEHOLD.search(text):
        return OutOfScope("household", _CITY_DESKS)
    return None
