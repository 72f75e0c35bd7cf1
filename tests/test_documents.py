"""Documents admins add become answerable (issue 9): structure per format, passages, quotes,
contacts and periods from the document, incremental re-ingest, and the admin path over HTTP.

The documents are the fictional evaluation set in eval/documents/ (one per format), never knowledge/.
"""

from __future__ import annotations

import re
import shutil
from datetime import date

import pytest

from bot.answering.conversation import Conversation
from bot.answering.question import Question
from bot.answering.retrieve import Retriever
from bot.answering.select import Navigator
from bot.db import open_database
from bot.store import ConversationStore
from ingest.documents import parse_document
from ingest.loaders import load_document
from ingest.pipeline import run_ingest
from ingest.records import Record
from ingest.settings import REPO_ROOT
from ingest.structure import sections
from tests.conftest import said
from tests.web_support import ADMIN_TOKEN, admin_client, wait_job

EVAL_DOCUMENTS = REPO_ROOT / "eval" / "documents"
TODAY = date(2026, 12, 1)
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def tree(name: str) -> list[tuple[str, ...]]:
    return [s.path for s in sections(load_document(EVAL_DOCUMENTS / name, max_bytes=10**7))]


def records(name: str) -> dict[str, Record]:
    path = EVAL_DOCUMENTS / name
    return {r.id: r for r in parse_document(load_document(path, max_bytes=10**7), path.name)}


# --- structure, per format ----------------------------------------------------------------------


def test_shift_jis_text_nests_its_administrative_numbering():
    paths = tree("shoene-boshu.txt")
    assert ("1 目的",) in paths and ("8 必要書類",) in paths and ("10 問い合わせ先",) in paths
    # "ア 中古品の購入費" heads nothing: it is an item of 4 補助対象経費, not a heading
    exclusions = next(
        s
        for s in sections(load_document(EVAL_DOCUMENTS / "shoene-boshu.txt", max_bytes=10**7))
        if s.path == ("4 補助対象経費",)
    )
    assert "ア 中古品の購入費" in [u.text for u in exclusions.units]


def test_euc_jp_text_with_square_marks_and_bullets():
    paths = tree("bcp-bousai.txt")
    assert ("補助率・上限額",) in paths and ("対象とならないもの",) in paths  # ■ headings, ● items


def test_docx_heading_styles_and_articles_nest():
    paths = tree("sogyo-yachin-yoko.docx")
    assert ("第1章 総則", "第1条（目的）") in paths
    assert ("第2章 補助金の交付", "第5条（補助率及び限度額）") in paths
    loaded = load_document(EVAL_DOCUMENTS / "sogyo-yachin-yoko.docx", max_bytes=10**7)
    assert loaded.title == "藤沢市創業者事務所等賃借料補助金交付要綱"


def test_pdf_headings_come_from_font_sizes_and_the_title_from_the_first_page():
    loaded = load_document(EVAL_DOCUMENTS / "tenjikai-leaflet.pdf", max_bytes=10**7)
    assert loaded.title == "展示会に出展して販路を広げませんか"
    paths = [s.path for s in sections(loaded)]
    assert any(p[-1] == "申請期間" for p in paths) and any(p[-1] == "補助の内容" for p in paths)
    passage = next(r for r in records("tenjikai-leaflet.pdf").values() if r.title == "補助の内容")
    assert passage.location.startswith("p.")


def test_html_headings_canonical_url_and_chrome_dropped_but_contact_kept():
    loaded = load_document(EVAL_DOCUMENTS / "akitenpo-faq.html", max_bytes=10**7)
    assert loaded.url.startswith("https://") and "akitenpo" in loaded.url or loaded.url
    text = loaded.text
    assert "サイトマップ" not in text and "ホーム" not in text.splitlines()[0]
    found = records("akitenpo-faq.html")
    document = found["akitenpo-faq"]
    assert document.info["contact"]["phone"] == "0466-25-1111（内線3324）"


def test_markdown_front_matter_and_headings():
    loaded = load_document(EVAL_DOCUMENTS / "jinzai-ikusei.md", max_bytes=10**7)
    assert loaded.meta["title"] == loaded.title and loaded.url
    assert any(p and p[-1] == "必要書類" for p in tree("jinzai-ikusei.md"))


# --- passages -------------------------------------------------------------------------------------


def test_a_question_and_its_answer_are_one_passage():
    faq = [r for r in records("akitenpo-faq.html").values() if r.kind == "passage" and "3か月以上" in r.text]
    assert len(faq) == 1
    passage = faq[0]
    assert passage.title.endswith("？") or "空き店舗" in passage.title  # the question heads its answer
    assert "営業に使われていない" in passage.text


def test_a_table_row_keeps_its_header():
    rows = [u for r in records("tenjikai-leaflet.pdf").values() for u in r.units]
    assert "区分: 海外で開催される展示会・見本市 / 補助率: 3分の2 / 上限額: 40万円" in rows


def test_passage_ids_follow_the_heading_path_and_the_document_has_one_record():
    found = records("shoene-boshu.txt")
    assert found["shoene-boshu"].kind == "document"
    assert "shoene-boshu-5-hojoritsuoyobijougengaku" in found
    assert found["shoene-boshu"].info["period"] == {
        "start": "2026-04-01",
        "end": "2026-06-30",
        "text": "令和8年4月1日（水）から令和8年6月30日（火）まで（土曜日、日曜日及び祝日を除く。）",
    }


# --- answers ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_documents(tmp_path_factory, embedder):
    """The plan plus the fictional documents, ingested once, answered on a fixed date."""
    from tests.conftest import KNOWLEDGE, make_settings

    root = tmp_path_factory.mktemp("documents")
    knowledge = root / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge, ignore=shutil.ignore_patterns("programs", "facts"))
    for file in EVAL_DOCUMENTS.iterdir():
        if file.suffix != ".py":
            shutil.copy2(file, knowledge / "documents" / file.name)
    settings = make_settings(knowledge, root / "data", None).model_copy(update={"today": TODAY})
    run_ingest(settings, embedder=embedder)
    navigator = Navigator(settings, Retriever(settings, embedder=embedder))
    return Conversation(navigator, ConversationStore(open_database(settings)))


def test_the_answer_quotes_the_sentence_that_holds_the_amount(with_documents):
    reply = with_documents.respond("県外の展示会に出展する予定。補助っていくらまで？")
    leaflet = next(
        c for c in reply["citations"][:2] if c.get("document") == "展示会に出展して販路を広げませんか"
    )
    assert leaflet["kind"] == "passage" and "20万円" in leaflet["quote"]
    # the main text quotes the shortest verbatim piece that holds the amount (the table row of
    # 県外); the citation keeps the whole quote
    fact = re.search(r"「([^」]+)」\[\d\]", reply["answer"]).group(1)
    assert fact in leaflet["quote"] and "20万円" in fact and len(fact) < len(leaflet["quote"])
    assert reply["answer"].splitlines()[0] == reply["verdict"]["text"]
    assert "『展示会に出展して販路を広げませんか』" in reply["details"][0]["text"]  # the intro names it


def test_the_documents_own_contact_is_on_its_passages(with_documents):
    reply = with_documents.respond("空き店舗補助のことで電話で聞きたい。番号は？")
    cards = {c["phone"]: c for c in reply["contacts"]}
    assert "0466-25-1111（内線3324）" in cards
    assert cards["0466-25-1111（内線3324）"]["name"] == "経済部 産業労働課 商業振興担当"


def test_an_ended_period_is_said_to_have_ended(with_documents):
    reply = with_documents.respond("しょうえねの補助金って今から申し込めるの？")
    assert (reply["verdict"]["kind"], reply["verdict"]["reason"]) == ("none", "ended")
    assert "受付は2026年6月30日で終了しています" in reply["verdict"]["text"]
    assert "2026年6月30日で受付を終了しています" in said(reply)  # and the note behind 詳しく


def test_a_period_not_yet_open_says_when_it_opens(with_documents):
    reply = with_documents.respond("防災設備の補助はいつから申請できる？")
    assert "受付は2027年4月1日からです（まだ受付前です）" in reply["answer"]


def test_a_household_version_of_a_business_subsidy_is_declined(with_documents):
    reply = with_documents.respond("自宅の給湯器を省エネのものに替えたい。補助はある？")
    assert reply["status"] == "no_match" and reply["citations"] == []
    assert "fujisawa-callcenter" in {c["id"] for c in reply["contacts"]}


def test_an_owner_names_a_document_by_words_of_its_title_even_in_kana(with_documents):
    index = with_documents.navigator.retriever.index()
    named = index.title_scores(
        Question.parse("省エネ設備の補助金")
    )  # the title says 省エネルギー設備導入支援補助金
    assert max(named, key=named.get) == "shoene-boshu"
    spelled = index.title_scores(Question.parse("てんじかいの補助"))  # 展示会, typed in kana
    assert max(spelled, key=spelled.get) == "tenjikai-leaflet"
    assert index.title_scores(Question.parse("社員旅行の積立")) == {}  # nothing rare in common with any title


def test_a_length_of_time_the_owner_states_is_answered_by_the_condition_that_bounds_it(with_documents):
    reply = with_documents.respond("創業して7年たつけど事務所の家賃補助は受けられる？")
    yoko = next(
        c for c in reply["citations"] if c.get("document") == "藤沢市創業者事務所等賃借料補助金交付要綱"
    )
    assert "5年を経過していない" in yoko["quote"]


def test_an_even_if_question_is_answered_by_the_exclusion_that_names_it(with_documents):
    reply = with_documents.respond("リースで入れるエアコンでも省エネの補助は出る？")
    leaflet = next(c for c in reply["citations"] if c.get("document", "").endswith("補助金 募集要項"))
    assert "リース又はレンタルにより導入するもの" in leaflet["quote"]
    assert "補助対象外とします" in leaflet["quote"]  # with the sentence that introduces the list


# --- incremental ingest ------------------------------------------------------------------------------


def test_an_unchanged_document_embeds_nothing_and_an_edited_section_only_its_passage(settings, embedder):
    target = settings.documents_dir / "jinzai-ikusei.md"
    shutil.copy2(EVAL_DOCUMENTS / "jinzai-ikusei.md", target)
    first = run_ingest(settings, embedder=embedder)
    assert first.records["document"] == 1 and first.records["passage"] > 5

    again = run_ingest(settings, embedder=embedder)
    assert (again.added, again.updated, again.deleted, again.embedded) == (0, 0, 0, 0)
    assert again.version == first.version

    target.write_text(target.read_text(encoding="utf-8").replace("14日前", "10日前"), encoding="utf-8")
    edited = run_ingest(settings, embedder=embedder)
    assert (edited.added, edited.updated, edited.deleted, edited.embedded) == (0, 1, 0, 1)
    assert [c["id"] for c in edited.changes["changed"]] == ["jinzai-ikusei-shinseikikan"]


# --- the admin path over HTTP ------------------------------------------------------------------------


def test_upload_reingest_answer_and_remove_over_http(settings, embedder):
    run_ingest(settings, embedder=embedder)
    client = admin_client(settings, embedder, today=TODAY)

    content = (EVAL_DOCUMENTS / "akitenpo-faq.html").read_bytes()
    uploaded = client.post("/admin/documents", files={"file": ("akitenpo-faq.html", content)}, headers=AUTH)
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["records"]["passage"] > 5

    job = wait_job(client, client.post("/admin/reingest", headers=AUTH).json()["job_id"])
    assert job["status"] == "succeeded", job
    added = {c["id"] for c in job["report"]["changes"]["added"]}
    assert "akitenpo-faq" in added and any(i.startswith("akitenpo-faq-") for i in added)

    reply = client.post(
        "/api/chat", json={"message": "商店街の空き店舗で出店したい。改装費の補助はいくらまで？"}
    ).json()
    quoted = [c for c in reply["citations"] if c.get("document")]
    assert quoted and "80万円" in " ".join(c["quote"] for c in quoted)

    assert client.delete("/admin/documents/akitenpo-faq.html", headers=AUTH).status_code == 200
    job = wait_job(client, client.post("/admin/reingest", headers=AUTH).json()["job_id"])
    assert job["status"] == "succeeded", job
    removed = {c["id"] for c in job["report"]["changes"]["removed"]}
    assert removed == added
