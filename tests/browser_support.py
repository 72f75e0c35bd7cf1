"""The widget as a user works it in the system Chromium (Playwright), shared by the widget's and
the console's browser tests, and the accessibility check both run (axe-core)."""

from __future__ import annotations

import re

ANSWER_TIMEOUT = 15_000  # ms: a bounded wait for an answer, not a speed assertion
SERIOUS = ("serious", "critical")


class Widget:
    """The widget on one page, through its (open) shadow root, as a user works it."""

    def __init__(self, page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.host = page.locator("fujisawa-navigator")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self) -> None:
        self.page.get_by_role("button", name=re.compile("支援ナビを開く|Open the support navigator")).click()
        self.input.wait_for()

    @property
    def input(self):
        return self.host.locator("#input")

    def ask(self, question: str):
        """Type and send with Enter; return the new answer's element once it is there."""
        before = self.host.locator(".msg.bot[data-turn]").count()
        self.input.fill(question)
        self.input.press("Enter")
        answer = self.host.locator(".msg.bot[data-turn]").nth(before)
        answer.wait_for(timeout=ANSWER_TIMEOUT)
        return answer

    def element_count(self, selector: str) -> int:
        return self.host.locator(selector).count()


def new_widget(browser, url: str, **context) -> Widget:
    page = browser.new_context(**context).new_page()
    page.goto(url)
    widget = Widget(page)
    widget.host.locator(".launcher").wait_for()
    return widget


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now (shadow roots included)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
