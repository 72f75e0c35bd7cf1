"""Slack's text rules: what users send arrives escaped, what we send must be escaped.

Slack turns `&`, `<` and `>` typed by a user into entities, and writes mentions as `<@U123>`,
`<!channel>`. We hand the navigator plain text (entities decoded, our own mention removed) and
escape every piece of text we send in `mrkdwn`, knowledge texts included, so that a question or a
document containing `<!channel>` or `<@U123>` is shown as typed and never pings anyone.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))  # &amp; last: "&amp;lt;" means "&lt;"


def escape(text: str) -> str:
    """Text safe inside `mrkdwn`: the three characters Slack parses become entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def question_text(text: str, bot_user_id: str | None = None) -> str:
    """A user's message as the navigator should read it: our mention removed, entities decoded.

    Other mentions and special tokens stay as they were typed; they are escaped again whenever the
    question is shown, so they read as text.
    """
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    return " ".join(unescape(text).split())


def link(url: str, label: str) -> str:
    """A `mrkdwn` link, or the escaped label alone when the URL is not plain http(s)."""
    if not re.match(r"^https?://[^\s]+$", url or ""):
        return escape(label)
    safe_url = quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")
    return f"<{safe_url.replace('&', '&amp;')}|{escape(label).replace('|', '¦')}>"


def plain(text: str, limit: int) -> str:
    """`plain_text` fields (button labels) are not parsed by Slack, but they have hard length limits."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
