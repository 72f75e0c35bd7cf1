"""The widget in headless Chromium (Playwright, the system browser) against a real HTTP server.

Done-when 2 and 3: the demo page's conversation (a citation of I-4-1, contact cards, the contacts
follow-up, 👎 feedback that staff then see), keyboard use, a 360 px phone, an embed from a second
origin, and hostile text from the user and from the knowledge base rendered as text. Screenshots
go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.answering.retrieve import Retriever
from bot.answering.select import Navigator
from ingest.pipeline import run_ingest
from tests.browser_support import ANSWER_TIMEOUT, new_widget, serious_violations
from tests.web_support import (
    ADMIN_TOKEN,
    ARTIFACTS,
    CHROMIUM,
    free_port,
    live_server,
    runtime_for,
    static_site,
    web_settings,
)

playwright_api = pytest.importorskip("playwright.sync_api")

if not Path(CHROMIUM).exists():  # scripts/test.sh installs it; fail loudly rather than skip
    raise RuntimeError(
        f"{CHROMIUM} is missing: run scripts/test.sh (apt-get install chromium fonts-noto-cjk)"
    )

HOSTILE = "<b onmouseover=alert(1)>x</b><script>alert(2)</script>"


@pytest.fixture(scope="module")
def host_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def server(navigator, tmp_path_factory, host_port) -> Iterator[str]:
    """The API over the shared index; the second origin (host_port) is allowed by CORS."""
    settings = web_settings(navigator.settings, cors_origins=[f"http://127.0.0.1:{host_port}"])
    runtime = runtime_for(navigator, settings, tmp_path_factory.mktemp("web"))
    with live_server(settings, runtime) as base:
        yield base


def test_demo_page_conversation_follow_up_feedback_and_staff_view(browser, server):
    widget = new_widget(browser, server + "/", viewport={"width": 1100, "height": 820})
    widget.open()
    # the one-line privacy note, with the server's retention period (NAVIGATOR_RETENTION_DAYS)
    privacy = widget.host.locator(".privacy")
    privacy.get_by_text("会話は90日間保存されます。", exact=False).wait_for()
    assert privacy.inner_text().startswith("氏名・電話番号などの個人情報は入力しないでください。")

    first = widget.ask("設備を買うためにお金を借りたい")
    ARTIFACTS.mkdir(exist_ok=True)
    widget.page.screenshot(path=str(ARTIFACTS / "widget.png"))
    # the main text, then 「詳しく」: a button with aria-expanded that shows the details and sources
    more = first.locator("button.more")
    assert more.inner_text() == "詳しく"
    assert more.get_attribute("aria-expanded") == "false" and first.locator(".details").is_hidden()
    more.click()
    assert more.get_attribute("aria-expanded") == "true" and first.locator(".details").is_visible()
    assert first.locator(".details .detail").count() >= 2  # the records named, the desks…
    assert more.inner_text() == "閉じる"
    more.click()
    assert first.locator(".details").is_hidden()
    citation = first.locator(".citation").first
    assert citation.get_attribute("data-id") == "I-4-1"
    first.locator(".ref").first.click()  # the [1] marker opens the details and citation 1
    assert first.locator(".details").is_visible()
    assert citation.locator("summary").evaluate("el => el.parentElement.open")
    assert "施策4 金融支援の推進" in citation.inner_text()
    assert "fujisawa-sme-plan.txt" in citation.inner_text()
    assert "低金利" in citation.locator(".source-text").inner_text()
    card = first.locator(".contact[data-id='fujisawa-city']")
    assert card.locator("a.tel").get_attribute("href") == "tel:0466251111"
    assert card.locator("a.web").get_attribute("rel") == "noopener noreferrer"
    session_id = widget.page.evaluate(
        "() => Object.entries(sessionStorage).find(([k]) => k.startsWith('fujisawa-navigator:session:'))[1]"
    )
    assert session_id.startswith("s-")

    # the suggestion button sends the follow-up: contacts of the programs just cited
    first.get_by_role("button", name="その問い合わせ先は？").click()
    follow = widget.host.locator(".msg.bot[data-turn]").nth(1)
    follow.wait_for(timeout=ANSWER_TIMEOUT)
    cited = [c.get_attribute("data-id") for c in first.locator(".citation").all()]
    assert [c.get_attribute("data-id") for c in follow.locator(".citation").all()] == cited
    assert "fujisawa-city" in [c.get_attribute("data-id") for c in follow.locator(".contact").all()]
    assert "0466-25-1111" in follow.locator(".text").first.inner_text()

    follow.get_by_role("button", name="役に立たなかった").click()
    follow.get_by_label("よろしければ理由をお聞かせください（任意）").fill("営業時間も知りたい")
    follow.locator("form.comment button").click()
    follow.get_by_text("フィードバックありがとうございました。").wait_for()

    staff = httpx.get(server + "/admin/feedback", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
    mine = [f for f in staff["items"] if f["session_id"] == session_id]
    assert mine and mine[0]["comment"] == "営業時間も知りたい"
    assert mine[0]["question"] == "その問い合わせ先は？"
    assert mine[0]["cited_ids"] == cited
    assert widget.errors == [] and widget.dialogs == []


def test_keyboard_only_focus_order_and_live_region(browser, server):
    widget = new_widget(browser, server + "/")
    page = widget.page
    for _ in range(10):  # Tab through the page until the launcher has focus (bounded)
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement?.shadowRoot?.activeElement?.className") == "launcher":
            break
    else:
        pytest.fail("the launcher is not reachable with Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.shadowRoot.activeElement.id") == "input"
    log = widget.host.locator(".log")
    assert log.get_attribute("aria-live") == "polite" and log.get_attribute("role") == "log"
    for button in widget.host.locator("button").all():  # every button has a name
        assert (button.get_attribute("aria-label") or button.inner_text()).strip()

    page.keyboard.type("マル経融資の条件は？")
    page.keyboard.press("Enter")
    widget.host.locator(".msg.bot[data-turn]").first.wait_for(timeout=ANSWER_TIMEOUT)
    assert page.evaluate("() => document.activeElement.shadowRoot.activeElement.id") == "input"
    page.keyboard.press("Escape")
    assert widget.host.locator(".panel").is_hidden()
    assert page.evaluate("() => document.activeElement.shadowRoot.activeElement.className") == "launcher"


def test_usable_on_a_360_px_phone(browser, server):
    widget = new_widget(
        browser, server + "/", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    widget.open()
    widget.ask("従業員4人の美容室ですがマル経は使えますか")
    ARTIFACTS.mkdir(exist_ok=True)
    panel = widget.host.locator(".panel").bounding_box()
    assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 360
    assert widget.host.locator(".send").is_visible()
    assert widget.host.locator(".close").is_visible()
    assert widget.page.evaluate("() => document.documentElement.scrollWidth") <= 360
    widget.page.screenshot(path=str(ARTIFACTS / "widget-phone.png"))


def test_english_question_switches_the_widget_to_english(browser, server):
    widget = new_widget(browser, server + "/")
    widget.open()
    answer = widget.ask("How can I hire foreign workers?")
    assert answer.get_attribute("lang") == "en"
    assert widget.input.get_attribute("placeholder").startswith("e.g.")
    assert answer.get_by_role("button", name="Not helpful").is_visible()


def test_embedded_from_another_origin(browser, server, host_port, tmp_path):
    (tmp_path / "index.html").write_text(
        "<!doctype html><html lang='ja'><head><meta charset='utf-8'><title>商店街</title></head>"
        "<body><h1>湘南商店街</h1>"
        f'<script src="{server}/widget.js" data-title="商店街の支援ナビ" defer></script></body></html>',
        encoding="utf-8",
    )
    with static_site(tmp_path, port=host_port) as site:
        widget = new_widget(browser, site + "/index.html")
        assert widget.host.locator("#title").inner_text() == "商店街の支援ナビ"
        widget.open()
        answer = widget.ask("設備を買うためにお金を借りたい")
        assert answer.locator(".citation").first.get_attribute("data-id") == "I-4-1"
        stored = widget.page.evaluate("() => Object.keys(sessionStorage)")
        assert stored == [f"fujisawa-navigator:session:{server}"]  # in the host page's storage
        assert widget.errors == []


def test_hostile_user_message_is_shown_as_text(browser, server):
    widget = new_widget(browser, server + "/")
    widget.open()
    hostile = "<img src=x onerror=alert(1)>"
    widget.ask(hostile)
    assert widget.host.locator(".msg.user .text").last.inner_text() == hostile
    assert widget.element_count("img") == 0
    widget.page.wait_for_timeout(300)  # give a would-be onerror handler the chance to fire
    assert widget.dialogs == [] and widget.errors == []


@pytest.fixture(scope="module")
def poisoned_server(tmp_path_factory, embedder) -> Iterator[str]:
    """Knowledge whose plan row, catalog entry and contact carry HTML and scripts."""
    import shutil

    import yaml

    from tests.conftest import KNOWLEDGE

    root = tmp_path_factory.mktemp("poisoned")
    knowledge = root / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge, ignore=shutil.ignore_patterns("programs", "facts"))
    plan = knowledge / "documents" / "fujisawa-sme-plan.txt"
    text = plan.read_text(encoding="utf-8")
    row = "(間接融資)の拡充\t"
    assert row in text
    plan.write_text(text.replace(row, f"(間接融資)の拡充{HOSTILE}\t", 1), encoding="utf-8")
    catalog = yaml.safe_load((knowledge / "catalog.yaml").read_text(encoding="utf-8"))
    catalog["records"]["I-4-1"]["title_en"] = "<img src=x onerror=alert(3)>City loan system"
    catalog["records"]["I-4-1"]["plain"] = f"{HOSTILE}市の融資制度で借りられます。"  # the owners' words
    (knowledge / "catalog.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    contacts = yaml.safe_load((knowledge / "contacts.yaml").read_text(encoding="utf-8"))
    for contact in contacts:
        if contact["id"] == "fujisawa-city":
            contact["url"] = "javascript:alert(5)"
        if contact["id"] == "shonan-foundation":  # I-4-1's first contact: the card that shows hours
            contact["hours"] = "<script>alert(4)</script>平日"
    (knowledge / "contacts.yaml").write_text(yaml.safe_dump(contacts, allow_unicode=True), encoding="utf-8")

    from ingest.settings import Settings

    settings = web_settings(Settings(knowledge_dir=knowledge, data_dir=root / "data"))
    run_ingest(settings, embedder=embedder)
    navigator = Navigator(settings, Retriever(settings, embedder=embedder))
    with live_server(settings, runtime_for(navigator, settings, root / "data")) as base:
        yield base


def test_html_in_the_knowledge_base_is_shown_as_text(browser, poisoned_server):
    widget = new_widget(browser, poisoned_server + "/")
    widget.open()
    answer = widget.ask("設備を買うためにお金を借りたい")
    answer.locator("button.more").click()  # the sources are behind 詳しく
    citation = answer.locator(".citation[data-id='I-4-1']")
    citation.locator("summary").click()
    assert HOSTILE in citation.locator(".source-text").inner_text()
    assert HOSTILE in answer.locator(".text").first.inner_text()
    city = answer.locator(".contact[data-id='fujisawa-city']")
    assert city.locator("a.web").count() == 0  # a javascript: URL never becomes a link
    foundation = answer.locator(".contact[data-id='shonan-foundation']")
    assert "<script>alert(4)</script>平日" in foundation.inner_text()
    citation.locator(".source-text").hover()

    english = widget.ask("英語で教えて")  # the same citations, rendered with the catalog's English
    assert "<img src=x onerror=alert(3)>City loan system" in english.inner_text()
    widget.page.wait_for_timeout(300)
    for tag in ("b", "script", "img"):
        assert widget.element_count(f".log {tag}") == 0, tag
    assert widget.dialogs == [] and widget.errors == []


def test_axe_finds_no_serious_violation_in_the_widget(browser, server):
    widget = new_widget(browser, server + "/", viewport={"width": 1100, "height": 820})
    assert serious_violations(widget.page) == []  # the closed launcher on the demo page
    widget.open()
    answer = widget.ask("従業員4人の美容室ですがマル経は使えますか")
    assert serious_violations(widget.page) == []  # the open panel with an answer, cards and buttons
    answer.locator("button.more").click()
    # the details open: phones in them are tel: links, and axe still finds nothing serious
    assert answer.locator(".details a.tel").first.get_attribute("href") == "tel:0466278888"
    assert serious_violations(widget.page) == []
