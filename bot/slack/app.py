"""Builds the bolt `App` that both HTTP mode and Socket Mode serve.

The app's `WebClient` talks to `NAVIGATOR_SLACK_API_URL` (GovSlack and the tests use another base
URL than slack.com), and `token_verification_enabled=False` keeps construction offline: the bot's
own identity (`auth.test`, needed to ignore its own messages) is fetched on the first request
instead of at import or start-up.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from bot.runtime import Runtime
from bot.slack.dedupe import SeenEvents
from bot.slack.handlers import SlackHandlers

log = logging.getLogger(__name__)

LISTENER_THREADS = 8  # lazy listeners (answers, reindexes) run here, after the ack


class SlackNotConfigured(RuntimeError):
    """A Slack setting the chosen mode needs is missing."""


def build_app(runtime: Runtime, *, socket_mode: bool = False) -> App:
    """The bolt app with every listener; HTTP mode verifies Slack's request signatures."""
    settings = runtime.settings
    if not settings.slack_bot_token:
        raise SlackNotConfigured("SLACK_BOT_TOKEN is not set")
    if not socket_mode and not settings.slack_signing_secret:
        raise SlackNotConfigured("SLACK_SIGNING_SECRET is not set")
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    app = App(
        name="support-navigator",
        client=client,
        signing_secret=settings.slack_signing_secret or "",
        token_verification_enabled=False,
        # Socket Mode frames are authenticated by the app token's connection, not signed.
        request_verification_enabled=not socket_mode,
        # ack parts run in the request's thread and return the response; the work is in lazy
        # listeners on the executor, so a busy executor never delays an ack (see handlers.py)
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(
            max_workers=LISTENER_THREADS, thread_name_prefix="slack-listener"
        ),
    )
    seen = SeenEvents(runtime.store.db, ttl_seconds=settings.slack_dedupe_seconds)
    SlackHandlers(runtime, seen).register(app)
    return app
