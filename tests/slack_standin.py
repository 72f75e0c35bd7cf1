"""Test doubles for Slack's side: a Web API stand-in, signed requests, payloads, a live web server.

The stand-in is a real HTTP server on 127.0.0.1 that records every call (path + form/JSON body)
and answers `{"ok": true, ...}`; the app's WebClient reaches it through `slack_api_url`, and the
`response_url` of every test payload points at it too. Requests to the bot are signed exactly as
Slack signs them (`v0=` HMAC-SHA256 of `v0:{timestamp}:{body}`).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
from fastapi import FastAPI
from slack_sdk.signature import SignatureVerifier

from bot.runtime import Runtime, build_runtime
from bot.web.app import create_app
from ingest.settings import Settings
from tests.conftest import store_settings
from tests.web_support import serve_app

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
TEAM = "T0001"
ADMIN = "UADMIN"


@dataclass
class Call:
    path: str
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def method(self) -> str:
        """`chat.postMessage` for /api/chat.postMessage, `response` for response_url posts."""
        return self.path.rsplit("/", 1)[-1] if self.path.startswith("/api/") else "response"

    def dump(self) -> str:
        return json.dumps(self.body, ensure_ascii=False)


@dataclass
class SlackStandIn:
    """Slack's Web API (and response_url endpoint) on 127.0.0.1, recording every call."""

    calls: list[Call] = field(default_factory=list)
    socket_url: str | None = None  # what apps.connections.open hands out (Socket Mode tests)

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    body = json.loads(raw or "{}")
                else:
                    body = {k: v[0] for k, v in parse_qs(raw).items()}
                    for key in ("blocks", "attachments"):
                        if isinstance(body.get(key), str):
                            body[key] = json.loads(body[key])
                call = Call(self.path, body, {k.lower(): v for k, v in self.headers.items()})
                reply = standin.answer(call)
                payload = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                with standin._changed:
                    standin.calls.append(call)
                    standin._changed.notify_all()

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def response_url(self, name: str = "") -> str:
        return f"{self.base}/response/{name or uuid.uuid4().hex}"

    def answer(self, call: Call) -> dict[str, Any]:
        method = call.method
        if method == "auth.test":
            return {"ok": True, "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "user": "navigator"}
        if method == "chat.postMessage":
            ts = f"{time.time():.6f}"
            return {"ok": True, "channel": call.body.get("channel"), "ts": ts, "message": {"ts": ts}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        return {"ok": True}

    def api_calls(self, method: str | None = None) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if method is None or c.method == method]

    def wait_for(
        self, predicate: Callable[[Call], bool], count: int = 1, timeout: float = 30.0
    ) -> list[Call]:
        """Bounded wait until `count` recorded calls satisfy `predicate`; fails the test otherwise."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self.calls if predicate(c)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"waited {timeout} s for {count} matching call(s); saw {[c.path for c in self.calls]}"
                    )
                self._changed.wait(left)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def posted_to(channel: str, *, thread_ts: str | None = None, containing: str = "") -> Callable[[Call], bool]:
    def match(call: Call) -> bool:
        return (
            call.method == "chat.postMessage"
            and call.body.get("channel") == channel
            and (thread_ts is None or call.body.get("thread_ts") == thread_ts)
            and containing in call.dump()
        )

    return match


def responded(url: str, containing: str = "") -> Callable[[Call], bool]:
    path = url.split("://", 1)[1].split("/", 1)[1]
    return lambda call: call.path == "/" + path and containing in call.dump()


# --- requests as Slack sends them ---------------------------------------------------------------
def signed_headers(
    body: str, *, secret: str = SECRET, timestamp: int | None = None, **extra: str
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature, **extra}


def event_body(event: dict[str, Any], event_id: str | None = None) -> str:
    return json.dumps(
        {
            "token": "unused",
            "team_id": TEAM,
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id or "Ev" + uuid.uuid4().hex[:10].upper(),
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
            "event": event,
        },
        ensure_ascii=False,
    )


def new_ts() -> str:
    time.sleep(0.000_002)  # distinct timestamps, as Slack's are
    return f"{time.time():.6f}"


def mention(
    text: str, *, channel: str = "C0001", user: str = "U0001", thread_ts: str | None = None
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER}> {text}",
        "ts": new_ts(),
        "channel": channel,
        "client_msg_id": str(uuid.uuid4()),
        "event_ts": "",
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    event["event_ts"] = event["ts"]
    return event


def direct_message(text: str, *, channel: str = "D0001", user: str = "U0001", **extra: Any) -> dict[str, Any]:
    ts = new_ts()
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel": channel,
        "client_msg_id": str(uuid.uuid4()),
        **extra,
    }


def command_body(text: str, response_url: str, *, user: str = "U0001", channel: str = "C0001") -> str:
    return urlencode(
        {
            "token": "unused",
            "team_id": TEAM,
            "team_domain": "fujisawa",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/navigator",
            "text": text,
            "api_app_id": "A0001",
            "response_url": response_url,
            "trigger_id": "1.2.3",
        }
    )


def action_body(
    action_id: str,
    value: str,
    response_url: str,
    *,
    user: str = "U0001",
    channel: str = "C0001",
    message: dict[str, Any] | None = None,
    ephemeral: bool = False,
) -> str:
    message = message or {"ts": new_ts(), "type": "message"}
    container = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": channel,
        "is_ephemeral": ephemeral,
    }
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "fujisawa"},
        "user": {"id": user, "username": user.lower(), "team_id": TEAM},
        "api_app_id": "A0001",
        "token": "unused",
        "container": container,
        "trigger_id": "1.2.3",
        "channel": {"id": channel, "name": "general"},
        "message": None if ephemeral else message,
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b",
                "type": "button",
                "value": value,
                "action_ts": str(time.time()),
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload, ensure_ascii=False)})


def button(blocks: list[dict[str, Any]], action_prefix: str) -> dict[str, Any]:
    """The first button of an answer whose action_id starts with `action_prefix`."""
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button" and element["action_id"].startswith(action_prefix):
                return element
    raise AssertionError(f"no {action_prefix} button in {blocks}")


def block_text(blocks: list[dict[str, Any]]) -> str:
    """Every text of the blocks, joined: what a reader of the message sees."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for item in block.get("fields", []) + block.get("elements", []):
            text = item.get("text")
            parts.append(text["text"] if isinstance(text, dict) else str(text or ""))
    return "\n".join(parts)


# --- the bot, served for real -------------------------------------------------------------------
@dataclass
class Harness:
    standin: SlackStandIn
    settings: Settings
    runtime: Runtime
    url: str  # base URL of the web server
    client: httpx.Client

    def post(self, body: str, *, content_type: str, headers: dict[str, str] | None = None) -> httpx.Response:
        headers = {"Content-Type": content_type, **(signed_headers(body) if headers is None else headers)}
        return self.client.post(f"{self.url}/slack/events", content=body.encode(), headers=headers)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **extra: str) -> httpx.Response:
        body = event_body(event, event_id)
        return self.post(body, content_type="application/json", headers=signed_headers(body, **extra))

    def command(self, text: str, response_url: str, **kwargs: Any) -> httpx.Response:
        return self.post(
            command_body(text, response_url, **kwargs), content_type="application/x-www-form-urlencoded"
        )

    def action(self, action_id: str, value: str, response_url: str, **kwargs: Any) -> httpx.Response:
        return self.post(
            action_body(action_id, value, response_url, **kwargs),
            content_type="application/x-www-form-urlencoded",
        )


def web_app(settings: Settings, runtime: Runtime) -> FastAPI:
    """The real web app of `navigator serve`, with its Slack endpoint mounted from the settings."""
    return create_app(settings, runtime)


def slack_settings(base: Settings, standin: SlackStandIn, data_dir: Any, **overrides: Any) -> Settings:
    """Settings of a Slack-enabled server with its own store in ``data_dir`` (or its own database)."""
    settings = base.model_copy(
        update={
            "data_dir": data_dir,
            "slack_bot_token": BOT_TOKEN,
            "slack_signing_secret": SECRET,
            "slack_api_url": standin.api_url,
            "slack_admin_users": [ADMIN],
            **overrides,
        }
    )
    return store_settings(settings)


@contextmanager
def running_bot(base: Settings, retriever: Any, data_dir: Any, **overrides: Any) -> Iterator[Harness]:
    """The stand-in, a runtime on a private data directory, and the web app served over HTTP."""
    standin = SlackStandIn()
    settings = slack_settings(base, standin, data_dir, **overrides)
    runtime = build_runtime(settings, retriever=retriever)
    try:
        with serve_app(web_app(settings, runtime)) as url, httpx.Client(timeout=30) as client:
            yield Harness(standin, settings, runtime, url, client)
    finally:
        standin.close()
