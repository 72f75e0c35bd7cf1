"""The staff console in headless Chromium (Playwright, the system browser) against a real server.

Issue 12's done-when 1, 2 and 4: sign in, upload (drag and drop, and several files with their
check results), publish a candidate while watching its progress, read its change report, try a
question on it, switch, see the widget answer from the new document, roll back and see the widget
answer as before; the unanswered-question loop from the widget to a taught question and back; and
axe-core on every console page. The screenshots are the staff guide's (docs/console/, written when
NAVIGATOR_DOCS_SCREENSHOTS=1; otherwise to test-artifacts/console/).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.answering.retrieve import Retriever
from bot.runtime import build_runtime
from ingest.pipeline import run_ingest
from ingest.settings import REPO_ROOT
from tests.browser_support import ANSWER_TIMEOUT, new_widget, serious_violations
from tests.conftest import KNOWLEDGE, make_settings
from tests.console_support import CHIEF, CHIEF_PASSWORD, console_settings
from tests.web_support import ADMIN_TOKEN, ARTIFACTS, CHROMIUM, live_server, web_settings

playwright_api = pytest.importorskip("playwright.sync_api")

if not Path(CHROMIUM).exists():  # scripts/test.sh installs it; fail loudly rather than skip
    raise RuntimeError(
        f"{CHROMIUM} is missing: run scripts/test.sh (apt-get install chromium fonts-noto-cjk)"
    )

SHOTS = (
    REPO_ROOT / "docs" / "console" if os.environ.get("NAVIGATOR_DOCS_SCREENSHOTS") else ARTIFACTS / "console"
)
JOB_TIMEOUT = 120_000  # ms: a bounded wait for a candidate build
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

# A fictional leaflet (fixtures are fiction): nothing in the knowledge answers its question.
NIGHT_MARKET = """# 湘南かもめ夜市 出店応援金 募集要項（令和8年度）

## 1. 目的
商店街の夜市に初めて出店する市内の小売店と飲食店を応援します。

## 2. 支給額
1店舗あたり上限5万円です。出店料とテントの借用料が対象です。

## 3. 申請期間
令和8年6月1日から令和8年7月31日まで

## 4. 問い合わせ先
かもめ商店街振興組合 事務局 電話 0466-00-1234
""".encode()
NIGHT_MARKET_QUESTION = "夜市に出店する店への応援金はいくらまでですか"
MISSED = "店の前に置く看板の許可はどこで取りますか"  # nothing answers a shop sign's permit
TEACH_TO = "I-6-1"  # expert business consultation (permits among its topics)


@pytest.fixture(scope="module")
def server(tmp_path_factory, embedder, chroma_url) -> Iterator[str]:
    """A server over its own knowledge copy and index (uploads and versions are private to it)."""
    root = tmp_path_factory.mktemp("console-browser")
    knowledge = root / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge, ignore=shutil.ignore_patterns("programs", "facts"))
    base_settings = make_settings(knowledge, root / "data", chroma_url)
    run_ingest(base_settings, embedder=embedder)
    settings = web_settings(base_settings, **console_settings(base_settings))
    runtime = build_runtime(settings, Retriever(settings, embedder=embedder))
    with live_server(settings, runtime) as base:
        yield base


@pytest.fixture(scope="module")
def staff(browser, server):
    """One signed-in console tab (the sign-in form is part of the first test's path)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of switch and rollback
    page.goto(server + "/admin/console/documents")
    assert "/admin/login" in page.url  # no session: the sign-in form
    shot(page, "login")
    page.get_by_label("名前").fill(CHIEF)
    page.get_by_label("パスワード").fill(CHIEF_PASSWORD)
    page.get_by_role("button", name="サインイン").click()
    page.wait_for_url(re.compile(r"/admin/console/documents$"))
    yield page
    assert errors == []
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def widget_citations(browser, server: str, question: str) -> tuple[list[str], str]:
    widget = new_widget(browser, server + "/", viewport={"width": 1100, "height": 820})
    widget.open()
    answer = widget.ask(question)
    ids = [c.get_attribute("data-id") for c in answer.locator(".citation").all()]
    text = answer.inner_text()
    widget.page.context.close()
    return ids, text


def drop_file(page, selector: str, name: str, content: bytes) -> None:
    """Drag a file onto the drop zone as a user does (a DataTransfer with one File)."""
    page.evaluate(
        """([selector, name, bytes]) => {
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], name, {type: "text/markdown"}));
            const zone = document.querySelector(selector);
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: data, bubbles: true, cancelable: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: data, bubbles: true, cancelable: true}));
        }""",
        [selector, name, list(content)],
    )


def test_upload_publish_try_switch_and_roll_back(browser, server, staff, tmp_path):
    before_ids, before_text = widget_citations(browser, server, NIGHT_MARKET_QUESTION)
    assert "かもめ夜市" not in before_text

    page = staff
    drop_file(page, "[data-dropzone]", "kamome-yoichi.md", NIGHT_MARKET)
    page.locator("#upload-results li.ok", has_text="kamome-yoichi.md").wait_for()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n this is not a pdf body")
    notes = tmp_path / "kamome-notes.txt"
    notes.write_text("かもめ商店街の夜市は毎月第2土曜日に開きます。", encoding="utf-8")
    page.locator("#files").set_input_files([str(broken), str(notes)])
    page.locator("#upload-results li.error-text", has_text="broken.pdf").wait_for()
    page.locator("#upload-results li.ok", has_text="kamome-notes.txt").wait_for()

    # watch the progress as staff do: record what the progress line says while the build runs
    page.evaluate(
        """() => {
            window.seenProgress = [];
            const text = document.getElementById("progress-text");
            new MutationObserver(() => window.seenProgress.push(text.textContent))
                .observe(text, {childList: true, characterData: true, subtree: true});
        }"""
    )
    page.get_by_role("button", name="候補の版を作る").click()
    page.locator("#publish-result").wait_for(state="visible", timeout=JOB_TIMEOUT)
    seen = page.evaluate("() => window.seenProgress")
    assert any(re.fullmatch(r"\d+ / \d+", s) for s in seen), seen
    summary = page.locator("#publish-summary").inner_text()
    assert summary.startswith("候補の版"), summary
    report = page.locator("#change-table tbody")
    row = report.locator("tr", has_text="kamome-yoichi.md")
    assert int(row.locator("td").nth(0).inner_text()) > 0  # passages added
    shot(page, "documents-candidate")

    # the live version still answers as before; the candidate already knows the leaflet
    page.get_by_label("候補の版で質問を試す").fill(NIGHT_MARKET_QUESTION)
    page.get_by_role("button", name="試す").click()
    page.locator("#try-answer .answer-text").wait_for(timeout=ANSWER_TIMEOUT)
    assert "5万円" in page.locator("#try-answer").inner_text()
    assert widget_citations(browser, server, NIGHT_MARKET_QUESTION)[0] == before_ids

    page.locator("#switch-button").click()
    page.locator("#status", has_text="公開しました").wait_for()
    after_ids, after_text = poll_widget(browser, server, lambda text: "かもめ夜市" in text)
    assert "5万円" in after_text and after_ids != before_ids

    # the documents list now shows the leaflet live, with its period (ended or not, on today's date)
    page.goto(server + "/admin/console/documents")
    leaflet = page.locator("tr[data-document='kamome-yoichi.md']")
    assert "公開中" in leaflet.inner_text() and "2026-06-01 – 2026-07-31" in leaflet.inner_text()
    assert page.locator("tr[data-document='broken.pdf']").count() == 0  # refused at upload, never kept
    shot(page, "documents")

    page.goto(server + "/admin/console/versions")
    shot(page, "versions")
    live_row = page.locator("tr", has=page.locator(".badge.live"))
    live_number = int(live_row.locator("th").inner_text())
    previous = page.locator(f"tr[data-version='{live_number - 1}']")
    previous.get_by_role("button", name="この版に戻す").click()
    page.locator(f"tr[data-version='{live_number - 1}'] .badge.live").wait_for()
    rolled_ids, rolled_text = poll_widget(browser, server, lambda text: "かもめ夜市" not in text)
    assert rolled_ids == before_ids and rolled_text == before_text

    audit = httpx.get(server + "/admin/audit", headers=AUTH).json()["items"]
    actions = {e["action"] for e in audit}
    assert {"sign_in", "upload", "publish", "switch", "rollback"} <= actions
    uploads = [e for e in audit if e["action"] == "upload"]
    assert {e["target"] for e in uploads} == {"kamome-yoichi.md", "kamome-notes.txt"}
    assert all(
        e["actor"] == CHIEF for e in audit if e["action"] in ("upload", "publish", "switch", "rollback")
    )


def poll_widget(browser, server: str, done, attempts: int = 10) -> tuple[list[str], str]:
    """The widget's answer once the server has picked up the new live version (it re-reads the live
    pointer every second): a bounded number of tries, not a speed assertion."""
    for _ in range(attempts):
        ids, text = widget_citations(browser, server, NIGHT_MARKET_QUESTION)
        if done(text):
            return ids, text
    pytest.fail(f"the widget still answers: {text[:200]}")


def test_a_question_nothing_matched_is_taught_in_the_console(browser, server, staff):
    missed_ids, _ = widget_citations(browser, server, MISSED)
    assert missed_ids == []  # no_match: nothing cited, the desks offered instead

    page = staff
    page.goto(server + "/admin/console/questions")
    group = page.locator("li.group", has_text=MISSED)
    assert "回数: 1" in group.inner_text()
    shot(page, "questions")
    group.get_by_label("答えるレコード").fill(TEACH_TO)
    group.get_by_role("button", name="教える").click()
    group.locator(".answer .citations").wait_for(timeout=ANSWER_TIMEOUT)
    assert TEACH_TO in group.locator(".answer").inner_text()  # the console re-asked it

    taught_ids, _ = widget_citations(browser, server, MISSED)
    assert taught_ids[0] == TEACH_TO
    page.goto(server + "/admin/console/questions")
    assert page.locator("li.group", has_text=MISSED).count() == 0  # answered now: off the list
    assert MISSED in page.locator("table").inner_text()  # listed among the taught questions
    teach = [
        e for e in httpx.get(server + "/admin/audit", headers=AUTH).json()["items"] if e["action"] == "teach"
    ]
    assert teach and teach[0]["target"] == TEACH_TO and MISSED not in str(teach[0])


def test_feedback_and_audit_pages(browser, server, staff):
    widget = new_widget(browser, server + "/", viewport={"width": 1100, "height": 820})
    widget.open()
    answer = widget.ask("設備を買うためにお金を借りたい")
    answer.get_by_role("button", name="役に立たなかった").click()
    answer.get_by_label("よろしければ理由をお聞かせください（任意）").fill("金利も知りたい")
    answer.locator("form.comment button").click()
    answer.get_by_text("フィードバックありがとうございました。").wait_for()
    widget.page.context.close()

    page = staff
    page.goto(server + "/admin/console/feedback")
    item = page.locator("li.group", has_text="金利も知りたい")
    assert "設備を買うためにお金を借りたい" in item.inner_text() and "web" in item.inner_text()
    shot(page, "feedback")
    item.get_by_role("button", name="対応済みにする").click()
    page.locator("li.group.handled", has_text="金利も知りたい").wait_for()

    page.goto(server + "/admin/console/")
    assert page.locator("[data-live-version]").inner_text().isdigit()
    shot(page, "dashboard")
    page.goto(server + "/admin/console/audit")
    assert page.locator("tr[data-action-name='feedback_handled']").count() == 1
    shot(page, "audit")


def test_axe_finds_no_serious_violation_on_any_console_page(browser, server, staff):
    page = staff
    for path in ("/", "/documents", "/versions", "/questions", "/feedback", "/audit", "/accounts"):
        for language in ("ja", "en"):
            page.goto(f"{server}/admin/console{path}?lang={language}")
            assert page.locator("html").get_attribute("lang") == language
            assert serious_violations(page) == [], (path, language)
    page.goto(server + "/admin/console/accounts?lang=ja")
    shot(page, "accounts")
    login = browser.new_context().new_page()
    login.goto(server + "/admin/login")
    assert serious_violations(login) == []
    login.context.close()
