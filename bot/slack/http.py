"""HTTP mode: `POST /slack/events` in the web server's FastAPI app.

We use the sync bolt `App` with slack_bolt's FastAPI adapter (`SlackRequestHandler`), because the
navigator, the store and Socket Mode are synchronous and one app should serve both modes; the
adapter's `handle()` would call `App.dispatch` on the event loop, so our route runs dispatch in
Starlette's thread pool instead. Dispatch only verifies the signature, deduplicates and
acknowledges (listeners run in bolt's executor), so the response leaves within milliseconds.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import Response
from slack_bolt import App
from slack_bolt.adapter.fastapi import SlackRequestHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool

from bot.runtime import Runtime
from bot.slack.app import build_app
from bot.web.errors import error_response

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


class ThreadedSlackRequestHandler(SlackRequestHandler):
    """slack_bolt's FastAPI handler, with the blocking dispatch moved off the event loop."""

    async def handle(self, req: Request, addition_context_properties: dict | None = None) -> Response:
        if req.method != "POST":
            return await super().handle(req, addition_context_properties)
        timestamp = req.headers.get("x-slack-request-timestamp", "")
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            # bolt's signature check would fail on int() with a 500; the request is simply unsigned
            return error_response(401, "invalid_signature", "missing or malformed Slack request timestamp")
        body = await req.body()
        bolt_request = to_bolt_request(req, body, addition_context_properties)
        bolt_response = await run_in_threadpool(self.app.dispatch, bolt_request)
        return to_starlette_response(bolt_response)


def attach_http(app: FastAPI, runtime: Runtime) -> bool:
    """Mount `POST /slack/events` when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set.

    Returns whether it mounted; without them the web server runs exactly as before.
    """
    settings = runtime.settings
    if not (settings.slack_bot_token and settings.slack_signing_secret):
        log.info("Slack HTTP endpoint off: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not both set")
        return False
    bolt_app: App = build_app(runtime)
    handler = ThreadedSlackRequestHandler(bolt_app)

    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    app.add_api_route(EVENTS_PATH, slack_events, methods=["POST"], include_in_schema=False)
    app.state.slack_app = bolt_app
    log.debug("Slack HTTP endpoint mounted at %s", EVENTS_PATH)
    return True
