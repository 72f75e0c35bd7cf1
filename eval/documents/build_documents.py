"""(Re)build the generated evaluation documents in this folder, reproducibly.

Everything here is FICTION written for evaluation: the schemes, amounts, dates, extension numbers
and the organisations named ``0466-00-xxxx`` do not exist. The documents imitate what a Japanese
city office publishes (募集要項, 交付要綱, leaflets, FAQ pages) so that ingest and answering can be
measured on realistic structure. They live under eval/, never under knowledge/.

Written by this script (the text is kept below, so a rebuild gives the same content):

- ``shoene-boshu.txt``       Shift_JIS (cp932) 募集要項, administrative numbering 1 / (1) / ① / ア
- ``bcp-bousai.txt``         EUC-JP お知らせ with 【…】 title and ■ / ● headings
- ``tenjikai-leaflet.pdf``   2-page leaflet: large title, larger headings, a ruled 区分/補助率/上限額 table
- ``sogyo-yachin-yoko.docx`` 交付要綱: 第n条（…） articles, Word heading styles, a 別表 table,
                             core properties (title, author)

Kept as plain files (edit them directly): ``akitenpo-faq.html`` (FAQ page), ``dx-it-dounyu.html``
(a program page), ``jinzai-ikusei.md`` (front matter).

Run:   .venv/bin/python eval/documents/build_documents.py           # rebuild
       .venv/bin/python eval/documents/build_documents.py --check   # also check eval/documents.yaml

``--check`` extracts each document's text with the plain libraries (pdfplumber, python-docx,
BeautifulSoup), independently of the navigator's loaders, and verifies that every question's
``fact`` occurs in its document (NFKC, whitespace removed) and that ids and kinds are valid.
"""

from __future__ import annotations

import argparse
import datetime
import io
import re
import sys
import unicodedata
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
PDF_FONT = "HeiseiKakuGo-W5"
PDF_TITLE_FONT = "HeiseiMin-W3"
# A fixed timestamp keeps the PDF and .docx metadata stable across rebuilds.
FIXED_TIME = datetime.datetime(2026, 9, 15, 9, 0, 0)

# ---------------------------------------------------------------------------------------------
# shoene-boshu.txt (cp932): 募集要項
# ---------------------------------------------------------------------------------------------

SHOENE_BOSHU = """\
令和8年度 藤沢市省エネルギー設備導入支援補助金 募集要項

令和8年3月
藤沢市 経済部 産業労働課

1 目的
　この補助金は、市内の中小企業者が行う省エネルギー性能の高い設備への更新を支援することにより、事業者のエネルギーコストの削減及び経営基盤の強化を図るとともに、市域における温室効果ガスの排出削減に資することを目的とします。

2 対象者
　次の(1)から(4)までの要件をすべて満たす方が対象です。
(1) 中小企業基本法第2条第1項に規定する中小企業者（個人事業主を含む。）であること。
(2) 市内に事業所を有し、申請日において引き続き1年以上事業を営んでいること。
(3) 市税を滞納していないこと。
(4) 藤沢市暴力団排除条例に規定する暴力団員等に該当しないこと。
※ 市内の事業所に設置する設備に限ります。
※ 同一年度内の申請は、1事業者につき1回限りです。

3 補助対象設備
　市内の事業所に新たに設置する設備で、次のいずれかに該当するものとします。
① 高効率空調設備（業務用エアコン等）
② LED照明器具（既存の照明器具からの更新に限る。）
③ 高効率給湯器（業務用ヒートポンプ給湯機、潜熱回収型給湯器等）
④ 業務用冷凍・冷蔵設備（ノンフロン型又は省エネ型のもの）
⑤ インバーター制御のコンプレッサー、ボイラー等の生産設備
⑥ エネルギー管理システム（BEMS等）

4 補助対象経費
(1) 補助対象経費は、補助対象設備の購入費及び設置工事費とします。
(2) 次に掲げる経費は、補助対象外とします。
ア 中古品の購入費
イ 家庭用の機器（住居部分に設置するものを含む。）の購入費
ウ 既存設備の撤去費及び処分費
エ 消費税及び地方消費税
オ 交付決定前に契約又は着手したものに係る経費
カ リース又はレンタルにより導入するものに係る経費

5 補助率及び上限額
(1) 補助率は、補助対象経費の2分の1とします。
(2) 上限額は100万円とします。なお、千円未満の端数は切り捨てます。
(3) 補助対象経費の合計額が20万円未満のものは、対象となりません。
(4) 予算の範囲内で交付します。予算額に達した時点で受付を終了します。

6 申請期間
　令和8年4月1日（水）から令和8年6月30日（火）まで（土曜日、日曜日及び祝日を除く。）
※ 郵送の場合は、令和8年6月30日（火）の消印有効とします。

7 申請方法
(1) 申請書類を産業労働課の窓口へ持参するか、郵送により提出してください。
(2) 工事の契約及び着手は、交付決定通知を受けた後に行ってください。
(3) 設備の設置完了後30日以内又は令和9年2月26日（金）のいずれか早い日までに、実績報告書を提出してください。

8 必要書類
① 補助金交付申請書（第1号様式）
② 事業計画書（第2号様式）
③ 見積書の写し（2者以上から取得したもの）
④ 導入する設備のカタログ等、省エネルギー性能が確認できる書類
⑤ 設置場所の現況写真
⑥ 法人の場合は登記事項証明書（発行後3か月以内のもの）、個人事業主の場合は直近の確定申告書の写し
⑦ 市税の納税証明書（滞納がないことの証明）

9 審査及び交付決定
　提出された書類を審査し、申請の受付から概ね30日以内に交付決定の可否を書面で通知します。

10 問い合わせ先
藤沢市 経済部 産業労働課 産業支援担当
〒251-8601 藤沢市朝日町1番地の1 本庁舎5階
電話 0466-25-1111（内線3321）
受付時間 平日8時30分～17時
"""

# ---------------------------------------------------------------------------------------------
# bcp-bousai.txt (EUC-JP): お知らせ, 【】 and ■/● headings; the period opens in 令和9年度
# ---------------------------------------------------------------------------------------------

BCP_BOUSAI = """\
【令和9年度】藤沢市中小企業BCP・防災設備導入補助金のお知らせ（事前告知）

令和8年11月16日掲載
藤沢市 経済部 産業労働課

　大規模な地震や風水害に備え、市内の中小企業者が事業を止めない、又は早期に再開するための設備を導入する経費の一部を補助します。令和9年度の募集に先立ち、制度の概要をお知らせします。詳細は令和9年3月に公表する募集要項でご確認ください。

■制度の概要
　事業継続計画（BCP）に基づいて行う防災・減災のための設備の導入費用について、その一部を補助します。

■補助の対象となる方
●市内に事業所を有する中小企業者（個人事業主を含む）
●自社のBCP（事業継続計画）を策定していること、又は国の事業継続力強化計画の認定を受けていること
●市税を滞納していないこと

■補助対象設備
●非常用発電機（可搬型を含む）
●産業用蓄電池
●止水板・防水扉などの浸水対策設備
●耐震ラック、設備の転倒防止器具
●衛星電話などの非常用通信設備
●データのバックアップ用サーバー（事業所外に設置するもの）

■補助率・上限額
●補助率は補助対象経費の2分の1です。
●上限額は60万円です。
●事業継続力強化計画の認定を受けている事業者は、上限額を90万円とします。

■対象とならないもの
●食料・飲料水・簡易トイレなどの消耗品の備蓄
●中古品
●家庭用の発電機・蓄電池、住居部分に設置する設備
●車両の購入費
●建物本体の耐震改修工事（別の制度をご利用ください）

■申請期間
　令和9年4月1日（木）から令和9年6月30日（水）まで
　※予算の上限に達した場合は、期間内でも受付を終了します。

■申請に必要な書類
●交付申請書
●BCP（事業継続計画）の写し、又は事業継続力強化計画の認定書の写し
●導入する設備の見積書の写し
●設置場所の図面及び写真
●市税の納税証明書

■お問い合わせ
ふじさわBCP相談デスク（藤沢市委託事業）
電話 0466-00-3902
受付時間 平日9時から17時まで（12時から13時を除く）
"""

# ---------------------------------------------------------------------------------------------
# tenjikai-leaflet.pdf: leaflet with a ruled table
# ---------------------------------------------------------------------------------------------

TENJIKAI_TITLE = "展示会に出展して販路を広げませんか"
TENJIKAI_SUBTITLE = "藤沢市 展示会出展支援補助金（令和8年度 後期募集）"
TENJIKAI_INTRO = (
    "市内の中小企業者が国内外の展示会・見本市に出展する際の経費の一部を補助します。"
    "自社製品の新たな取引先を見つけるチャンスとして、ぜひご活用ください。"
)
TENJIKAI_TABLE = [
    ["区分", "補助率", "上限額"],
    ["県内で開催される展示会", "2分の1", "10万円"],
    ["県外（国内）で開催される展示会", "2分の1", "20万円"],
    ["海外で開催される展示会・見本市", "3分の2", "40万円"],
    ["オンライン展示会・商談会", "2分の1", "5万円"],
]
TENJIKAI_SECTIONS: list[tuple[str, list[str]]] = [
    (
        "補助の内容",
        [
            "TABLE",
            "※ 補助は1事業者につき年度内2回までです。",
            "※ 補助金額に千円未満の端数が生じた場合は切り捨てます。",
        ],
    ),
    (
        "対象となる方",
        [
            "● 市内に本社又は主たる事業所を有する中小企業者（個人事業主を含む）",
            "● 自社で開発・製造した製品、又は自社で提供するサービスを出展すること",
            "● 市税を滞納していないこと",
        ],
    ),
    (
        "対象となる経費",
        [
            "● 出展小間料（出展料）",
            "● 小間の装飾費、展示用パネル・パンフレットの作成費",
            "● 展示品の運搬費",
            "● 通訳費（海外の展示会に限ります）",
            "次の経費は対象外です：出展者の旅費・宿泊費、飲食費、販売用商品の仕入費、"
            "他の補助金の交付を受けている経費。",
        ],
    ),
    (
        "申請期間",
        [
            "令和8年10月1日（木）～令和9年1月29日（金）",
            "出展する展示会の初日の30日前までに申請してください。出展後の申請は受け付けられません。",
        ],
    ),
    (
        "申請に必要な書類",
        [
            "● 交付申請書（様式第1号）",
            "● 展示会の概要がわかる資料（出展案内、出展者募集要項など）",
            "● 出展料の見積書又は請求書の写し",
            "● 市税の納税証明書",
            "展示会の終了後30日以内に、実績報告書と出展中の写真、支払を証する書類を提出していただきます。",
        ],
    ),
    (
        "お問い合わせ・申請先",
        [
            "ふじさわ産業交流センター 販路開拓支援係",
            "電話 0466-00-4721",
            "受付時間 平日9時～17時（土日祝日・年末年始を除く）",
        ],
    ),
]

# ---------------------------------------------------------------------------------------------
# sogyo-yachin-yoko.docx: 交付要綱
# ---------------------------------------------------------------------------------------------

SOGYO_TITLE = "藤沢市創業者事務所等賃借料補助金交付要綱"
# ("h1", text) chapter heading, ("h2", text) article caption, ("p", text) body, ("table", rows)
SOGYO_BODY: list[tuple[str, object]] = [
    ("h1", "第1章 総則"),
    ("h2", "第1条（目的）"),
    (
        "p",
        "この要綱は、市内で新たに創業する者が事業の用に供する事務所、店舗等を賃借する場合に、"
        "その賃借料の一部を予算の範囲内で補助することにより、創業初期の経営の安定を図り、"
        "もって地域経済の活性化に資することを目的とする。",
    ),
    ("h2", "第2条（定義）"),
    ("p", "この要綱において、次の各号に掲げる用語の意義は、当該各号に定めるところによる。"),
    (
        "p",
        "(1) 創業者　事業を営んでいない個人が新たに事業を開始した日又は法人を設立した日から"
        "起算して5年を経過していない者をいう。",
    ),
    ("p", "(2) 事務所等　創業者が事業の用に供するため市内に賃借する事務所、店舗、工房等をいう。"),
    (
        "p",
        "(3) 特定創業支援等事業　産業競争力強化法に基づき市が認定を受けた創業支援等事業計画に"
        "定める特定創業支援等事業をいう。",
    ),
    ("h1", "第2章 補助金の交付"),
    ("h2", "第3条（補助対象者）"),
    ("p", "補助金の交付の対象となる者は、次の各号のいずれにも該当する者とする。"),
    ("p", "(1) 創業者であって、市内に事務所等を賃借しているもの"),
    ("p", "(2) 特定創業支援等事業による支援を受け、市長の証明を受けた者"),
    ("p", "(3) 市税を滞納していない者"),
    (
        "p",
        "(4) 風俗営業等の規制及び業務の適正化等に関する法律第2条に規定する営業を営む者でないこと。",
    ),
    ("p", "2 前項の規定にかかわらず、住居と兼用する事務所等を賃借する者は、補助の対象としない。"),
    ("h2", "第4条（補助対象経費）"),
    (
        "p",
        "補助の対象となる経費は、事務所等の賃借料とする。"
        "ただし、共益費、管理費、敷金、礼金、保証金、仲介手数料及び消費税は含まない。",
    ),
    ("h2", "第5条（補助率及び限度額）"),
    ("p", "補助金の額は、別表に定める補助率を乗じて得た額とし、同表に定める限度額を上限とする。"),
    ("p", "2 補助の対象とする期間は、交付決定の日の属する月から起算して12か月を限度とする。"),
    ("p", "別表（第5条関係）"),
    (
        "table",
        [
            ["補助対象経費", "補助率", "限度額"],
            ["事務所等の賃借料（月額）", "2分の1", "月額5万円"],
            ["商店街の区域内の店舗の賃借料（月額）", "3分の2", "月額6万円"],
            ["39歳以下の創業者又は女性創業者の事務所等の賃借料（月額）", "3分の2", "月額6万円"],
        ],
    ),
    ("h2", "第6条（交付申請）"),
    (
        "p",
        "補助金の交付を受けようとする者は、藤沢市創業者事務所等賃借料補助金交付申請書"
        "（第1号様式）に次に掲げる書類を添えて、市長に提出しなければならない。",
    ),
    ("p", "(1) 事業計画書（第2号様式）"),
    ("p", "(2) 事務所等の賃貸借契約書の写し"),
    ("p", "(3) 特定創業支援等事業による支援を受けたことの証明書の写し"),
    ("p", "(4) 個人にあっては開業届の写し、法人にあっては登記事項証明書"),
    ("p", "(5) 市税の納税証明書"),
    (
        "p",
        "2 前項の申請の申請期限は、賃貸借契約の開始日から起算して6か月以内とし、"
        "令和8年度の申請は令和9年3月31日（水）までとする。",
    ),
    ("h2", "第7条（交付決定）"),
    (
        "p",
        "市長は、前条の申請があったときは、その内容を審査し、補助金を交付すべきものと認めたときは、"
        "補助金交付決定通知書（第3号様式）により申請者に通知するものとする。",
    ),
    ("h2", "第8条（実績報告及び請求）"),
    (
        "p",
        "補助事業者は、交付決定を受けた期間の賃借料を支払ったときは、3か月ごとに実績報告書"
        "（第4号様式）に賃借料の支払を証する書類（領収書の写し等）を添えて市長に提出し、補助金を請求するものとする。",
    ),
    ("h2", "第9条（交付決定の取消し及び返還）"),
    (
        "p",
        "市長は、補助事業者が偽りその他不正の手段により補助金の交付を受けたとき、"
        "又は補助対象期間中に事務所等を市外に移転したときは、交付決定の全部又は一部を取り消し、"
        "既に交付した補助金の返還を命ずることができる。",
    ),
    ("h1", "第3章 雑則"),
    ("h2", "第10条（補則）"),
    ("p", "この要綱に定めるもののほか、補助金の交付に関し必要な事項は、市長が別に定める。"),
    ("h1", "附則"),
    ("p", "この要綱は、令和8年4月1日から施行する。"),
    ("h1", "問い合わせ先"),
    ("p", "藤沢市 経済部 産業労働課 創業支援担当"),
    ("p", "電話 0466-25-1111（内線3323）"),
    ("p", "受付時間 平日8時30分～17時"),
]


# ---------------------------------------------------------------------------------------------
# writers
# ---------------------------------------------------------------------------------------------


def write_encoded(text: str, path: Path, encoding: str, *, crlf: bool = False) -> None:
    try:
        data = text.encode(encoding, errors="strict")
    except UnicodeEncodeError as exc:
        raise SystemExit(f"{path.name}: {exc}") from None
    path.write_bytes(data.replace(b"\n", b"\r\n") if crlf else data)


def write_pdf(path: Path) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    for name in (PDF_FONT, PDF_TITLE_FONT):
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    title = ParagraphStyle("title", fontName=PDF_FONT, fontSize=24, leading=32, wordWrap="CJK", spaceAfter=10)
    subtitle = ParagraphStyle(
        "subtitle", fontName=PDF_TITLE_FONT, fontSize=15, leading=22, wordWrap="CJK", spaceAfter=14
    )
    heading = ParagraphStyle(
        "heading",
        fontName=PDF_FONT,
        fontSize=14,
        leading=20,
        wordWrap="CJK",
        spaceBefore=12,
        spaceAfter=6,
    )
    body = ParagraphStyle(
        "body", fontName=PDF_TITLE_FONT, fontSize=10.5, leading=16, wordWrap="CJK", spaceAfter=4
    )
    cell = ParagraphStyle("cell", fontName=PDF_FONT, fontSize=11, leading=15, wordWrap="CJK")
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ]
    )

    story = [
        Paragraph(escape(TENJIKAI_TITLE), title),
        Paragraph(escape(TENJIKAI_SUBTITLE), subtitle),
        Paragraph(escape(TENJIKAI_INTRO), body),
    ]
    for name, lines in TENJIKAI_SECTIONS:
        if name == "申請期間":
            story.append(PageBreak())  # page 2: how to apply
        story.append(Paragraph(escape(name), heading))
        for line in lines:
            if line == "TABLE":
                data = [[Paragraph(escape(value), cell) for value in row] for row in TENJIKAI_TABLE]
                story.append(Table(data, colWidths=(255, 110, 110), repeatRows=1, style=grid))
                story.append(Spacer(1, 8))
            else:
                story.append(Paragraph(escape(line), body))
    document = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=60,
        rightMargin=60,
        topMargin=60,
        bottomMargin=60,
        title=TENJIKAI_SUBTITLE,
        author="ふじさわ産業交流センター",
        invariant=1,  # no timestamps or random ids: identical bytes on every build
    )
    document.build(story)


def write_docx(path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_heading(SOGYO_TITLE, level=0)
    for kind, value in SOGYO_BODY:
        if kind == "h1":
            document.add_heading(str(value), level=1)
        elif kind == "h2":
            document.add_heading(str(value), level=2)
        elif kind == "p":
            document.add_paragraph(str(value))
        elif kind == "table":
            rows = value
            assert isinstance(rows, list)
            table = document.add_table(rows=0, cols=len(rows[0]))
            table.style = "Table Grid"
            for cells in rows:
                row = table.add_row()
                for target, text in zip(row.cells, cells, strict=True):
                    target.text = text
    properties = document.core_properties
    properties.title = SOGYO_TITLE
    properties.author = "藤沢市 経済部 産業労働課"
    properties.subject = "創業者の事務所等賃借料補助"
    properties.created = FIXED_TIME
    properties.modified = FIXED_TIME
    properties.last_modified_by = "藤沢市 経済部 産業労働課"
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    # python-docx stamps each zip member with the current time: rewrite them with a fixed one so a
    # rebuild gives identical bytes.
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))


def build() -> list[Path]:
    written = []
    path = HERE / "shoene-boshu.txt"
    write_encoded(SHOENE_BOSHU, path, "cp932", crlf=True)  # as saved by Windows tools
    written.append(path)
    path = HERE / "bcp-bousai.txt"
    write_encoded(BCP_BOUSAI, path, "euc_jp")
    written.append(path)
    path = HERE / "tenjikai-leaflet.pdf"
    write_pdf(path)
    written.append(path)
    path = HERE / "sogyo-yachin-yoko.docx"
    write_docx(path)
    written.append(path)
    return written


# ---------------------------------------------------------------------------------------------
# --check: every fact of eval/documents.yaml is in its document
# ---------------------------------------------------------------------------------------------

KINDS = {"amount", "rate", "date", "papers", "eligibility", "exclusion", "contact", "period_status", "other"}


def document_text(path: Path) -> str:
    """The document's text, extracted with the plain libraries (not the navigator's loaders)."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        import pdfplumber

        with pdfplumber.open(str(path)) as pdf:
            return "\n".join(page.extract_text() or "" for page in pdf.pages)
    if suffix == ".docx":
        from docx import Document

        document = Document(str(path))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts += ["\t".join(c.text for c in row.cells) for row in table.rows]
        return "\n".join(parts)
    data = path.read_bytes()
    for encoding in ("utf-8", "cp932", "euc_jp"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(f"{path.name}: unknown encoding")
    if suffix == ".html":
        from bs4 import BeautifulSoup

        return BeautifulSoup(text, "html.parser").get_text("\n")
    return text


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def check(questions_path: Path) -> int:
    import yaml

    spec = yaml.safe_load(questions_path.read_text(encoding="utf-8"))
    documents = {
        path.stem: path
        for folder in spec["documents"]
        for path in sorted((questions_path.parent / folder).iterdir())
        if path.suffix.lower() in {".txt", ".md", ".pdf", ".docx", ".html"}
    }
    texts = {stem: squash(document_text(path)) for stem, path in documents.items()}
    problems = []
    for n, item in enumerate(spec["questions"], 1):
        doc = item.get("document")
        if item.get("lang") not in {"ja", "en"}:
            problems.append(f"#{n} bad lang: {item}")
        if doc is None:
            if item.get("fact") or item.get("kind"):
                problems.append(f"#{n} uncovered question with fact/kind: {item['q']}")
            continue
        if doc not in texts:
            problems.append(f"#{n} unknown document {doc!r}: {item['q']}")
            continue
        if item.get("kind") not in KINDS:
            problems.append(f"#{n} bad kind {item.get('kind')!r}: {item['q']}")
        fact = squash(str(item.get("fact", "")))
        if not fact or fact not in texts[doc]:
            problems.append(f"#{n} fact {item.get('fact')!r} not in {doc}: {item['q']}")
    for problem in problems:
        print(problem)
    print(f"{len(spec['questions'])} questions, {len(documents)} documents, {len(problems)} problems")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--check", action="store_true", help="also check ../documents.yaml against the documents"
    )
    args = parser.parse_args()
    for path in build():
        print(f"wrote {path.relative_to(HERE.parent.parent)} ({path.stat().st_size} bytes)")
    if args.check:
        return check(HERE.parent / "documents.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
