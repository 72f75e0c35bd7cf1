"""A synthetic corpus of support-scheme documents, for benchmarking ingest and answering at scale.

Writes about 300 FICTIONAL documents (default) in the formats admins add to knowledge/documents/:
Markdown pages with YAML front matter, plain-text 募集要項 in the administrative numbering style
(1 目的 / (1) / ① / ア), plain-text お知らせ with 【…】 and ■/● headings, HTML FAQ pages (Q/A pairs
under <h2> groups, with the site's header, navigation and footer) and HTML program pages with a
table. Together they hold about 5,000 passages (a section under a heading, one FAQ question with its
answer, or one table row).

Every document is drawn with ``random.Random(seed)`` from templates with several phrasings per
section type, and from varied topics, program names, organisations, amounts, rates and dates, so the
corpus is not 300 copies of one text; the same seed always gives the same files. Standard library
only, no network. The organisations, amounts and 0466-00-xxxx numbers are invented.

    python benchmarks/synthetic_corpus.py OUT_DIR [--documents 300] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

WEEKDAYS = "月火水木金土日"

# --- vocabulary -----------------------------------------------------------------------------------

# (slug, the scheme's subject, what it pays for, examples of eligible items, typical exclusions)
TOPICS: list[tuple[str, str, str, list[str], list[str]]] = [
    (
        "shoene",
        "省エネルギー設備導入",
        "省エネルギー性能の高い設備への更新",
        [
            "高効率空調設備",
            "LED照明器具",
            "業務用ヒートポンプ給湯機",
            "インバーター制御のコンプレッサー",
            "省エネ型冷凍冷蔵庫",
        ],
        ["中古品", "家庭用の機器", "既存設備の撤去費", "リースによる導入"],
    ),
    (
        "tenpo",
        "店舗改装",
        "店舗の内外装の改修",
        ["内装工事", "外装工事", "看板の設置", "トイレの洋式化", "バリアフリー改修"],
        ["住居部分の工事", "備品・什器の購入", "市外の事業者への発注", "交付決定前の着工"],
    ),
    (
        "tenjikai",
        "展示会出展",
        "展示会・見本市への出展",
        ["出展小間料", "小間装飾費", "展示品の運搬費", "パンフレットの作成費"],
        ["旅費・宿泊費", "飲食費", "販売用商品の仕入費"],
    ),
    (
        "sogyo",
        "創業支援",
        "創業初期の事業所の確保と立ち上げ",
        ["事務所の賃借料", "開業時の広告費", "登記に要する経費", "備品購入費"],
        ["住居と兼用の事務所", "敷金・礼金", "親族間の賃貸借"],
    ),
    (
        "kenshu",
        "人材育成",
        "従業員の研修受講",
        ["外部研修の受講料", "講師謝金", "資格取得講習の受講料", "オンライン研修の受講料"],
        ["役員のみが受講する研修", "趣味・教養の講座", "交通費・宿泊費"],
    ),
    (
        "it",
        "ITツール導入",
        "業務の効率化につながるITツールの導入",
        ["会計ソフト", "受発注システム", "POSレジ", "クラウドサービス利用料", "予約管理システム"],
        ["パソコン単体の購入", "中古品", "会社案内のみのホームページ", "保守料・通信費"],
    ),
    (
        "bcp",
        "BCP・防災設備導入",
        "災害に備えた設備の導入",
        ["非常用発電機", "産業用蓄電池", "止水板", "耐震ラック", "衛星電話"],
        ["消耗品の備蓄", "家庭用の発電機", "車両", "建物本体の耐震改修"],
    ),
    (
        "ec",
        "EC販路開拓",
        "ネットショップによる販路の拡大",
        ["ECサイトの構築費", "商品撮影の外注費", "ネット広告費", "決済機能の導入費"],
        ["既存サイトの保守費", "商品の仕入費", "個人名義のサイト"],
    ),
    (
        "shokei",
        "事業承継",
        "円滑な事業の引継ぎ",
        ["専門家への相談謝金", "株価算定費用", "登記費用", "後継者の研修費"],
        ["相続税・贈与税", "借入金の返済", "親族への贈与"],
    ),
    (
        "chizai",
        "知的財産取得",
        "特許・商標等の権利化",
        ["特許出願の弁理士費用", "商標登録出願料", "意匠登録出願料", "外国出願の翻訳費"],
        ["維持年金", "訴訟費用", "他社からの権利の買取り"],
    ),
    (
        "kaigai",
        "海外展開",
        "海外市場への販路開拓",
        ["海外見本市の出展料", "外国語パンフレットの作成費", "海外向けECサイトの構築費", "通訳費"],
        ["渡航費", "現地での飲食費", "為替差損"],
    ),
    (
        "saiyo",
        "人材確保",
        "人材の採用活動",
        ["求人広告の掲載料", "合同説明会の出展料", "採用サイトの制作費", "職場見学会の開催費"],
        ["人材紹介会社への成功報酬", "給与・賞与", "役員の採用"],
    ),
    (
        "kenko",
        "健康経営推進",
        "従業員の健康づくり",
        ["健康経営優良法人の申請支援費", "ストレスチェックの外部委託費", "運動プログラムの導入費"],
        ["法定健康診断の費用", "飲食費", "個人の医療費"],
    ),
    (
        "shotengai",
        "商店街にぎわい創出",
        "商店街が行うイベントや環境整備",
        ["イベントの会場設営費", "チラシ・ポスターの印刷費", "街路灯のLED化", "防犯カメラの設置"],
        ["個店の売上補填", "飲食の提供費", "商店会の通常運営費"],
    ),
    (
        "shinseihin",
        "新製品開発",
        "新製品・新技術の研究開発",
        ["試作品の材料費", "外部への試験委託費", "設計ソフトのライセンス料", "専門家の指導料"],
        ["量産のための設備投資", "人件費", "汎用品の購入"],
    ),
    (
        "senmonka",
        "専門家派遣",
        "経営課題の解決のための専門家活用",
        ["中小企業診断士の派遣", "社会保険労務士の相談", "ITコーディネータの派遣"],
        ["税務申告の代行", "登記の代行", "訴訟の代理"],
    ),
    (
        "telework",
        "テレワーク導入",
        "在宅勤務等の環境整備",
        ["リモートアクセス機器", "Web会議システム", "勤怠管理クラウド", "就業規則の改定費"],
        ["従業員の自宅の光熱費", "家具の購入", "通信費"],
    ),
    (
        "inbound",
        "インバウンド対応",
        "訪日外国人客の受入環境の整備",
        ["多言語メニューの作成", "多言語案内板", "免税手続きの導入", "翻訳機の購入"],
        ["広告宣伝のみの経費", "従業員の語学留学", "飲食費"],
    ),
    (
        "cashless",
        "キャッシュレス決済導入",
        "キャッシュレス決済の導入",
        ["決済端末の購入費", "決済サービスの初期費用", "POSレジとの連携費"],
        ["決済手数料", "中古端末", "家庭用機器"],
    ),
    (
        "seisansei",
        "生産性向上設備投資",
        "生産性を高める設備の導入",
        ["工作機械", "検査装置", "自動化ロボット", "生産管理システム"],
        ["汎用の車両", "土地・建物の取得", "中古設備"],
    ),
    (
        "datsutanso",
        "脱炭素経営",
        "温室効果ガスの削減に向けた取組",
        ["事業所への太陽光発電設備の設置", "CO2排出量の算定支援", "省エネ診断", "電動フォークリフト"],
        ["住宅用の太陽光発電", "排出枠の購入", "家庭用蓄電池"],
    ),
    (
        "kosodate",
        "仕事と子育ての両立支援",
        "子育て中の従業員が働きやすい職場づくり",
        [
            "事業所内保育スペースの整備",
            "短時間勤務制度の導入に係る専門家費用",
            "ベビーシッター利用の補助制度",
        ],
        ["従業員個人の保育料", "福利厚生施設の飲食費", "役員の家族の費用"],
    ),
    (
        "kanko",
        "観光土産品開発",
        "地域資源を生かした土産品の開発",
        ["パッケージデザイン費", "試作品の製作費", "商品の成分分析費", "販売会の出展料"],
        ["原材料の大量仕入れ", "既存商品の増産", "飲食費"],
    ),
    (
        "nosho",
        "農商工連携",
        "市内の農業者と商工業者の共同による商品開発",
        ["共同開発の試作費", "販路開拓の商談会出展料", "食品表示の検査費"],
        ["農地の取得", "農機具の購入", "個人の生活費"],
    ),
]

ORGANISATIONS: list[tuple[str, str | None]] = [
    # (name, phone); None: the city's main number with an extension
    ("藤沢市 経済部 産業労働課", None),
    ("藤沢市 経済部 商業観光振興担当", None),
    ("藤沢市 経済部 企業立地・工業振興担当", None),
    ("ふじさわ産業交流センター", "0466-00-{n:04d}"),
    ("湘南ビジネス支援機構", "0466-00-{n:04d}"),
    ("藤沢ものづくり推進協議会", "0466-00-{n:04d}"),
    ("ふじさわ創業応援ネットワーク", "0466-00-{n:04d}"),
    ("辻堂まちなか商業協議会", "0466-00-{n:04d}"),
    ("湘南台地域商業振興会", "0466-00-{n:04d}"),
    ("長後・善行地区産業振興会", "0466-00-{n:04d}"),
    ("江の島・片瀬観光事業者ネットワーク", "0466-00-{n:04d}"),
    ("藤沢市中小企業DX相談センター", "0466-00-{n:04d}"),
]

NAME_PREFIXES = ["藤沢市", "藤沢市中小企業", "ふじさわ", "湘南ふじさわ", "藤沢市小規模事業者"]
NAME_SUFFIXES = ["補助金", "助成金", "支援補助金", "促進補助金", "奨励金", "支援事業費補助金"]
AMOUNTS = [5, 10, 15, 20, 30, 40, 50, 60, 80, 100, 120, 150, 200, 300]
RATES = ["2分の1", "3分の2", "4分の3", "3分の1", "10分の9"]
HOURS = [
    "平日8時30分～17時",
    "平日9時～17時（12時～13時を除く）",
    "平日9時～16時30分",
    "月曜日～金曜日 9時～17時",
]
SIZES = [
    "小規模事業者",
    "中小企業者",
    "創業5年以内の事業者",
    "商店会に加入する事業者",
    "市内に本社を置く事業者",
]

# --- phrasings per section type -------------------------------------------------------------------

PURPOSE = [
    "この{kind}は、市内の中小企業者が行う{what}に要する経費の一部を補助することにより、経営基盤の強化と地域経済の活性化を図ることを目的とします。",
    "{what}に取り組む市内の事業者を後押しするため、その経費の一部を予算の範囲内で補助します。",
    "{what}に取り組む市内の中小企業者・小規模事業者を支援し、持続的な経営の実現につなげることを目的としています。",
    "本{kind}は、{what}を通じて事業者の競争力を高め、市内産業の振興に資することを目的とする。",
]
ELIGIBILITY = [
    "市内に事業所を有する中小企業者（個人事業主を含む）であること",
    "市内で引き続き{years}年以上事業を営んでいること",
    "市税を滞納していないこと",
    "暴力団員等に該当しないこと",
    "同一の経費について国・県等の補助を受けていないこと",
    "市内に本店又は主たる事務所を有する法人、又は市内に住所を有する個人事業主であること",
    "商工会議所又は商店会の会員であること",
    "過去{years}年以内に本{kind}の交付を受けていないこと",
]
RATE_SENTENCES = [
    "補助率は補助対象経費の{rate}、上限額は{amount}万円です。",
    "補助金の額は、補助対象経費に{rate}を乗じて得た額（上限{amount}万円）とします。",
    "対象経費の{rate}以内を補助します。ただし{amount}万円を限度とします。",
    "補助額：対象経費の{rate}（千円未満切捨て）、1事業者あたり最大{amount}万円",
]
PERIOD_SENTENCES = [
    "{start}から{end}まで",
    "{start}～{end}（土日祝日を除く）",
    "受付期間は{start}から{end}までです。予算がなくなり次第終了します。",
    "{start}（受付開始）から{end}（必着）まで",
]
PAPERS = [
    "交付申請書",
    "事業計画書",
    "見積書の写し",
    "登記事項証明書（法人の場合）",
    "開業届の写し（個人事業主の場合）",
    "市税の納税証明書",
    "直近の決算書の写し",
    "確定申告書の写し",
    "カタログ等の仕様がわかる書類",
    "施工前の写真",
    "賃貸借契約書の写し",
    "誓約書",
    "振込先口座の通帳の写し",
]
FLOW = [
    "申請書類を審査のうえ、交付の可否を通知します。交付決定の前に発注・契約したものは対象外です。",
    "交付決定後に事業に着手し、完了後{days}日以内に実績報告書を提出してください。",
    "実績報告の内容を確認して補助金の額を確定し、指定の口座へ振り込みます。",
    "申請多数の場合は、審査会で事業計画の内容を評価して採択を決定します。",
    "郵送又は窓口への持参により提出してください。電子申請も利用できます。",
]
FAQ: list[tuple[str, str]] = [
    ("個人事業主でも申請できますか。", "はい、市内で事業を営む個人事業主の方も対象です。"),
    ("いくらまで補助されますか。", "補助対象経費の{rate}以内で、上限は{amount}万円です。"),
    ("申請はいつまでですか。", "{end}までです。予算の上限に達した場合は、期間内でも受付を終了します。"),
    ("{excluded}も対象になりますか。", "{excluded}は補助の対象外です。"),
    ("{item}は対象になりますか。", "はい、{item}は補助の対象です。見積書の写しを添えて申請してください。"),
    ("交付決定の前に契約してもよいですか。", "交付決定の前に契約・発注した経費は対象になりません。"),
    ("他の補助金と併用できますか。", "同じ経費について国や県の補助金を受ける場合は、併用できません。"),
    ("申請に必要な書類は何ですか。", "{papers}が必要です。"),
    ("何回まで申請できますか。", "同一年度内の申請は1事業者につき{times}回までです。"),
    (
        "補助金はいつ振り込まれますか。",
        "実績報告書を審査し、補助金の額を確定した後、概ね{days}日以内に振り込みます。",
    ),
    (
        "市外に本社がある会社の市内支店でも使えますか。",
        "市内に事業所があれば対象です。ただし、補助の対象は市内の事業所に係る経費に限ります。",
    ),
    ("申請前に相談できますか。", "はい、{org}で事前相談を受け付けています。お気軽にお電話ください。"),
    ("オンラインで申請できますか。", "電子申請システムからも申請できます。郵送・窓口での提出も可能です。"),
    ("消費税は補助対象になりますか。", "消費税及び地方消費税は補助対象経費に含みません。"),
]

# the <h2> group of each FAQ entry above, and the order of the groups on a page
FAQ_GROUP_ORDER = [
    "制度全般について",
    "対象となる方について",
    "対象経費・補助額について",
    "申請の手続きについて",
    "補助金の支払について",
]
FAQ_GROUPS = [
    "対象となる方について",
    "対象経費・補助額について",
    "申請の手続きについて",
    "対象経費・補助額について",
    "対象経費・補助額について",
    "申請の手続きについて",
    "制度全般について",
    "申請の手続きについて",
    "制度全般について",
    "補助金の支払について",
    "対象となる方について",
    "申請の手続きについて",
    "申請の手続きについて",
    "対象経費・補助額について",
]
assert len(FAQ_GROUPS) == len(FAQ)


@dataclass
class Scheme:
    """One fictional scheme: the facts every rendering of it draws on."""

    stem: str
    title: str
    kind: str
    topic: tuple[str, str, str, list[str], list[str]]
    org: str
    phone: str
    hours: str
    rate: str
    amount: int
    start: datetime.date
    end: datetime.date
    years: int
    days: int
    times: int
    papers: list[str]
    rows: list[tuple[str, str, str]] = field(default_factory=list)

    def fill(self, template: str, **extra: str) -> str:
        values = {
            "kind": self.kind,
            "what": self.topic[2],
            "rate": self.rate,
            "amount": str(self.amount),
            "start": wareki(self.start),
            "end": wareki(self.end),
            "years": str(self.years),
            "days": str(self.days),
            "times": str(self.times),
            "org": self.org,
            "papers": "、".join(self.papers),
        }
        values.update(extra)
        return template.format(**values)


@dataclass
class Counts:
    documents: int = 0
    headings: int = 0
    faq_pairs: int = 0
    table_rows: int = 0
    sections: int = 0
    bytes: int = 0
    by_format: dict[str, int] = field(default_factory=dict)

    @property
    def passages(self) -> int:
        return self.sections + self.faq_pairs + self.table_rows


def wareki(day: datetime.date) -> str:
    """令和 date with the weekday, as city documents write it: 令和8年4月1日（水）."""
    return f"令和{day.year - 2018}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def weekday(day: datetime.date) -> datetime.date:
    """The next working day (periods open and close on weekdays)."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def draw_scheme(rng: random.Random, index: int) -> Scheme:
    topic = rng.choice(TOPICS)
    fiscal = rng.choice([2025, 2026, 2026, 2027])
    kind = rng.choice(NAME_SUFFIXES)
    title = f"令和{fiscal - 2018}年度 {rng.choice(NAME_PREFIXES)}{topic[1]}{kind}"
    org, phone_form = rng.choice(ORGANISATIONS)
    if phone_form is None:
        phone = f"0466-25-1111（内線{rng.randint(3100, 3999)}）"
    else:
        phone = phone_form.format(n=rng.randint(1000, 9999))
    start = weekday(datetime.date(fiscal, rng.choice([4, 5, 6, 7, 10]), rng.randint(1, 28)))
    end = weekday(start + datetime.timedelta(days=rng.randint(45, 300)))
    amount = rng.choice(AMOUNTS)
    rate = rng.choice(RATES)
    papers = ["交付申請書", *rng.sample(PAPERS[1:], rng.randint(3, 6))]
    sizes = rng.sample(SIZES, rng.randint(2, 4))
    rows = [(sizes[0], rate, f"{amount}万円")]  # the general case agrees with the rate sentence
    rows += [(size, rng.choice(RATES), f"{rng.choice(AMOUNTS)}万円") for size in sizes[1:]]
    return Scheme(
        stem=f"syn-{index:04d}-{topic[0]}",
        title=title,
        kind=kind,
        topic=topic,
        org=org,
        phone=phone,
        hours=rng.choice(HOURS),
        rate=rate,
        amount=amount,
        start=start,
        end=end,
        years=rng.choice([1, 2, 3]),
        days=rng.choice([14, 30, 45, 60]),
        times=rng.choice([1, 2, 3]),
        papers=papers,
        rows=rows,
    )


def _sections(rng: random.Random, s: Scheme) -> list[tuple[str, list[str], str]]:
    """(heading, list items, paragraph) per section, in a plausible order with optional ones."""
    topic = s.topic
    items = rng.sample(topic[3], min(len(topic[3]), rng.randint(2, 5)))
    excluded = rng.sample(topic[4], min(len(topic[4]), rng.randint(2, 4)))
    eligibility = [s.fill(e) for e in rng.sample(ELIGIBILITY, rng.randint(3, 5))]
    flow = [s.fill(f) for f in sorted(rng.sample(FLOW, rng.randint(2, 4)), key=FLOW.index)]
    sections = [
        (rng.choice(["目的", "制度の概要", "事業の目的", "趣旨"]), [], s.fill(rng.choice(PURPOSE))),
        (
            rng.choice(["対象者", "補助対象者", "対象となる方", "申請できる方"]),
            eligibility,
            rng.choice(
                ["次のすべての要件を満たす方が対象です。", "次の各号のいずれにも該当する者とする。", ""]
            ),
        ),
        (
            rng.choice(["補助対象経費", "対象となる経費", "補助の対象"]),
            items,
            rng.choice(
                ["次に掲げる経費を対象とします。", f"{topic[2]}に直接必要な経費のうち、次のもの。", ""]
            ),
        ),
        (
            rng.choice(["対象外経費", "対象とならないもの", "補助対象外"]),
            excluded,
            rng.choice(["次の経費は補助の対象となりません。", "", "以下は対象外です。"]),
        ),
        (
            rng.choice(["補助率及び上限額", "補助額", "補助率・上限額", "補助金の額"]),
            [],
            s.fill(rng.choice(RATE_SENTENCES)),
        ),
        (rng.choice(["申請期間", "受付期間", "募集期間"]), [], s.fill(rng.choice(PERIOD_SENTENCES))),
        (rng.choice(["必要書類", "申請に必要な書類", "提出書類"]), s.papers, ""),
        (rng.choice(["申請方法", "申請の流れ", "手続きの流れ"]), flow, ""),
    ]
    optional = [
        (
            "審査",
            [],
            rng.choice(
                [
                    "提出された書類により審査し、必要に応じて面談を行います。",
                    "審査の結果は、申請の受付から概ね{days}日以内に書面で通知します。",
                ]
            ),
        ),
        ("実績報告", [], "事業の完了後{days}日以内に、実績報告書に領収書の写し等を添えて提出してください。"),
        (
            "補助金の返還",
            [],
            "偽りその他不正の手段により交付を受けたときは、補助金の全部又は一部を返還していただきます。",
        ),
        (
            "その他",
            [],
            "予算の範囲内での交付となります。申請額が予算を超えた場合は、補助額を調整することがあります。",
        ),
        (
            "留意事項",
            [
                "補助事業で取得した財産は、5年間は処分できません。",
                "関係書類は事業完了後5年間保存してください。",
            ],
            "",
        ),
        (
            rng.choice(["補助対象期間", "事業実施期間"]),
            [],
            rng.choice(
                [
                    "交付決定の日から{end}までに完了する事業が対象です。",
                    "補助の対象となる事業は、交付決定の日以後に着手し、同一年度内に完了するものに限ります。",
                ]
            ),
        ),
        (
            "交付の条件",
            [],
            rng.choice(
                [
                    "補助事業の内容を変更する場合は、あらかじめ変更承認申請書を提出し、承認を受けてください。",
                    "補助事業の成果について、市が行う調査や事例紹介に協力していただきます。",
                ]
            ),
        ),
        ("個人情報の取扱い", [], "申請書に記載された個人情報は、本{kind}の事務以外には使用しません。"),
        ("相談窓口", [], "申請前の相談は{org}で受け付けています。事業計画の書き方についてもご相談ください。"),
    ]
    for extra in rng.sample(optional, rng.randint(2, 6)):
        sections.insert(rng.randint(5, len(sections)), (extra[0], extra[1], s.fill(extra[2])))
    return sections


def _faq(rng: random.Random, s: Scheme, n: int) -> list[tuple[str, str, str]]:
    """``n`` FAQ pairs as (group heading, question, answer), in the order of the groups."""
    pairs = []
    for index in sorted(
        rng.sample(range(len(FAQ)), n), key=lambda i: (FAQ_GROUP_ORDER.index(FAQ_GROUPS[i]), i)
    ):
        q, a = FAQ[index]
        extra = {"excluded": rng.choice(s.topic[4]), "item": rng.choice(s.topic[3])}
        pairs.append((FAQ_GROUPS[index], s.fill(q, **extra), s.fill(a, **extra)))
    return pairs


# --- renderings -----------------------------------------------------------------------------------


def render_youkou(rng: random.Random, s: Scheme, counts: Counts) -> str:
    """A 募集要項 in plain text with 1 / (1) / ① / ア numbering."""
    circled = "①②③④⑤⑥⑦⑧⑨⑩"
    kana = "アイウエオカキクケコ"
    lines = [f"{s.title} 募集要項", "", wareki(s.start - datetime.timedelta(days=30))[:-3], s.org, ""]
    counts.headings += 1
    sections = _sections(rng, s)
    style = rng.choice(["paren", "circled", "kana"])
    for number, (heading, items, text) in enumerate(sections, 1):
        lines.append(f"{number} {heading}")
        counts.headings += 1
        counts.sections += 1
        if text:
            lines.append("　" + text)
        for i, item in enumerate(items):
            mark = {"paren": f"({i + 1}) ", "circled": circled[i % 10] + " ", "kana": kana[i % 10] + " "}[
                style
            ]
            lines.append(mark + item)
        lines.append("")
    lines += [f"{len(sections) + 1} 問い合わせ先", s.org, f"電話 {s.phone}", f"受付時間 {s.hours}", ""]
    counts.headings += 1
    counts.sections += 1
    return "\n".join(lines)


def render_notice(rng: random.Random, s: Scheme, counts: Counts) -> str:
    """An お知らせ in plain text with a 【…】 title and ■ headings, ● items."""
    lines = [f"【{s.title.split(' ')[0]}】{s.title.split(' ', 1)[1]}のお知らせ", "", s.org, ""]
    counts.headings += 1
    for heading, items, text in _sections(rng, s):
        lines.append(f"■{heading}")
        counts.headings += 1
        counts.sections += 1
        if text:
            lines.append("　" + text)
        lines += [f"●{item}" for item in items]
        lines.append("")
    lines += ["■お問い合わせ", s.org, f"電話 {s.phone}", f"受付時間 {s.hours}", ""]
    counts.headings += 1
    counts.sections += 1
    return "\n".join(lines)


def render_markdown(rng: random.Random, s: Scheme, counts: Counts) -> str:
    """A Markdown page with YAML front matter, ## sections, lists and a pipe table."""
    lines = [
        "---",
        f"title: {s.title}",
        f"url: https://www.city.fujisawa.example/sangyo/synthetic/{s.stem}.html",
        f"issuer: {s.org}",
        f"as_of: {s.start - datetime.timedelta(days=rng.randint(7, 40))}",
        "---",
        "",
        f"# {s.title}",
        "",
    ]
    counts.headings += 1
    for heading, items, text in _sections(rng, s):
        lines += [f"## {heading}", ""]
        counts.headings += 1
        counts.sections += 1
        if text:
            lines += [text, ""]
        if items:
            lines += [f"- {item}" for item in items] + [""]
        if heading in {"補助率及び上限額", "補助額", "補助率・上限額", "補助金の額"}:
            lines += ["| 区分 | 補助率 | 上限額 |", "| --- | --- | --- |"]
            lines += [f"| {a} | {b} | {c} |" for a, b, c in s.rows] + [""]
            counts.table_rows += len(s.rows)
    if rng.random() < 0.8:
        lines += ["## よくある質問", ""]
        counts.headings += 1
        for _, q, a in _faq(rng, s, rng.randint(2, 5)):
            lines += [f"**Q. {q}**", "", f"A. {a}", ""]
            counts.faq_pairs += 1
    lines += ["## 問い合わせ先", "", s.org, "", f"- 電話：{s.phone}", f"- 受付時間：{s.hours}", ""]
    counts.headings += 1
    counts.sections += 1
    return "\n".join(lines)


_HTML_HEAD = """<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>{title}｜藤沢市</title>
<link rel="canonical" href="https://www.city.fujisawa.example/sangyo/synthetic/{stem}.html">
</head>
<body>
<header id="header"><div class="site-title"><a href="/">藤沢市</a></div>
<ul class="header-links"><li><a href="/sitemap.html">サイトマップ</a></li><li><a href="/foreign/index.html">Foreign Language</a></li></ul></header>
<nav id="gnav"><ul><li><a href="/kurashi/">くらし・手続き</a></li><li><a href="/sangyo/">産業・しごと</a></li><li><a href="/shisei/">市政情報</a></li></ul></nav>
<ol class="breadcrumb"><li><a href="/">トップページ</a></li><li><a href="/sangyo/">産業・しごと</a></li><li>{title}</li></ol>
<main id="main">
"""
_HTML_TAIL = """<div class="contact"><h2>このページに関するお問い合わせ</h2>
<p>{org}</p><p>電話：{phone}</p><p>受付時間：{hours}</p></div>
</main>
<footer id="footer"><ul><li><a href="/privacy.html">個人情報の取り扱い</a></li><li><a href="/about.html">このサイトについて</a></li></ul>
<p class="copyright">Copyright © Fujisawa City. All Rights Reserved.</p></footer>
</body>
</html>
"""


def _html_frame(s: Scheme, body: list[str]) -> str:
    e = html.escape
    return (
        _HTML_HEAD.format(title=e(s.title), stem=s.stem)
        + "\n".join(body)
        + "\n"
        + _HTML_TAIL.format(org=e(s.org), phone=e(s.phone), hours=e(s.hours))
    )


def render_faq(rng: random.Random, s: Scheme, counts: Counts) -> str:
    """An HTML FAQ page: Q/A pairs in <h2> groups, as <p> Qn/An or as <dl>."""
    e = html.escape
    body = [f"<h1>{e(s.title)} よくある質問</h1>", f"<p>{e(s.fill(rng.choice(PURPOSE)))}</p>"]
    counts.headings += 1
    pairs = _faq(rng, s, rng.randint(10, 14))
    use_dl = rng.random() < 0.4
    n = 0
    for group in dict.fromkeys(g for g, _, _ in pairs):
        body.append(f"<h2>{e(group)}</h2>")
        counts.headings += 1
        if use_dl:
            body.append('<dl class="faq">')
        for q, a in [(q, a) for g, q, a in pairs if g == group]:
            n += 1
            if use_dl:
                body += [f"<dt>問{n}　{e(q)}</dt>", f"<dd>答{n}　{e(a)}</dd>"]
            else:
                body += [f'<p class="q">Q{n}　{e(q)}</p>', f'<p class="a">A{n}　{e(a)}</p>']
            counts.faq_pairs += 1
        if use_dl:
            body.append("</dl>")
    counts.headings += 1  # the contact block's heading
    counts.sections += 1
    return _html_frame(s, body)


def render_page(rng: random.Random, s: Scheme, counts: Counts) -> str:
    """An HTML program page: <h2> sections with lists and a 区分/補助率/上限額 table."""
    e = html.escape
    body = [f"<h1>{e(s.title)}</h1>", f'<p class="update">更新日 {s.start - datetime.timedelta(days=20)}</p>']
    counts.headings += 1
    for heading, items, text in _sections(rng, s):
        body.append(f"<h2>{e(heading)}</h2>")
        counts.headings += 1
        counts.sections += 1
        if text:
            body.append(f"<p>{e(text)}</p>")
        if items:
            tag = "ol" if heading in {"必要書類", "申請に必要な書類", "提出書類"} else "ul"
            body.append(f"<{tag}>" + "".join(f"<li>{e(item)}</li>" for item in items) + f"</{tag}>")
        if heading in {"補助率及び上限額", "補助額", "補助率・上限額", "補助金の額"}:
            body.append(
                '<table class="datatable"><thead><tr><th>区分</th><th>補助率</th><th>上限額</th></tr></thead><tbody>'
            )
            body += [f"<tr><td>{e(a)}</td><td>{e(b)}</td><td>{e(c)}</td></tr>" for a, b, c in s.rows]
            body.append("</tbody></table>")
            counts.table_rows += len(s.rows)
    if rng.random() < 0.8:
        body.append("<h2>よくある質問</h2>")
        counts.headings += 1
        for _, q, a in _faq(rng, s, rng.randint(2, 5)):
            body += [f"<h3>{e(q)}</h3>", f"<p>{e(a)}</p>"]
            counts.headings += 1
            counts.faq_pairs += 1
    counts.headings += 1
    counts.sections += 1
    return _html_frame(s, body)


# format name, suffix, renderer, weight
FORMATS = [
    ("md", ".md", render_markdown, 3),
    ("youkou-txt", ".txt", render_youkou, 2),
    ("notice-txt", ".txt", render_notice, 1),
    ("faq-html", ".html", render_faq, 2),
    ("page-html", ".html", render_page, 2),
]


def generate(folder: Path, documents: int = 300, seed: int = 7) -> dict:
    """Write ``documents`` synthetic documents into ``folder``; return the counts."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    counts = Counts()
    weights = [f[3] for f in FORMATS]
    titles = set()
    for index in range(1, documents + 1):
        scheme = draw_scheme(rng, index)
        titles.add(scheme.title)
        name, suffix, render, _ = rng.choices(FORMATS, weights=weights)[0]
        text = render(rng, scheme, counts)
        data = text.encode("utf-8")
        (folder / f"{scheme.stem}{suffix}").write_bytes(data)
        counts.documents += 1
        counts.bytes += len(data)
        counts.by_format[name] = counts.by_format.get(name, 0) + 1
    return {
        "documents": counts.documents,
        "by_format": counts.by_format,
        "distinct_titles": len(titles),
        "headings": counts.headings,
        "sections": counts.sections,
        "faq_pairs": counts.faq_pairs,
        "table_rows": counts.table_rows,
        "passages": counts.passages,
        "bytes": counts.bytes,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path, help="folder to write the documents into (created)")
    parser.add_argument("--documents", type=int, default=300, help="how many documents (default 300)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args(argv)
    counts = generate(args.out_dir, args.documents, args.seed)
    if args.json:
        print(json.dumps(counts, ensure_ascii=False))
    else:
        formats = ", ".join(f"{k} {v}" for k, v in sorted(counts["by_format"].items()))
        print(
            f"documents {counts['documents']} ({formats}); headings {counts['headings']}; "
            f"approx passages {counts['passages']} (sections {counts['sections']}, "
            f"FAQ pairs {counts['faq_pairs']}, table rows {counts['table_rows']}); "
            f"{counts['distinct_titles']} distinct titles; {counts['bytes'] / 1e6:.1f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
