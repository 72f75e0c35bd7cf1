"""Socket Mode (`navigator slack`): refused clearly without its tokens, and with them it serves the
same app over a WebSocket: a local server stands in for Slack's Socket Mode endpoint."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from bot.runtime import build_runtime
from bot.slack.socket_mode import run_socket_mode
from ingest.settings import REPO_ROOT
from tests.conftest import cli_env, run_cli
from tests.slack_standin import (
    BOT_TOKEN,
    SlackStandIn,
    event_body,
    mention,
    posted_to,
    responded,
    slack_settings,
)

APP_TOKEN = "xapp-1-test"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SLACK_BOT_TOKEN": "", "SLACK_APP_TOKEN": ""}, ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"]),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": ""}, ["SLACK_APP_TOKEN"]),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"},
            ["xapp-"],
        ),  # a bot token in the wrong place
    ],
)
def test_navigator_slack_without_its_tokens_exits_non_zero_and_says_what_to_set(settings, env, named):
    done = run_cli(settings, "slack", **env)
    assert done.returncode != 0
    for name in named:
        assert name in done.stderr
    assert "Traceback" not in done.stderr


class SocketModeEndpoint:
    """Slack's side of a Socket Mode connection: sends envelopes, collects the app's acks."""

    def __init__(self) -> None:
        self.outbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.acks: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.sent_at: dict[str, float] = {}
        self.connected = threading.Event()
        self._server = serve(self._handle, "127.0.0.1", 0)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.socket.getsockname()[1]}/link/?ticket=test"

    def _handle(self, connection: ServerConnection) -> None:
        connection.send(
            json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"}})
        )
        self.connected.set()
        while True:
            try:
                envelope = self.outbox.get_nowait()
                self.sent_at[envelope["envelope_id"]] = time.monotonic()
                connection.send(json.dumps(envelope, ensure_ascii=False))
            except queue.Empty:
                pass
            try:
                message = connection.recv(timeout=0.02)
            except TimeoutError:
                continue
            except ConnectionClosed:
                return
            self.acks.put((time.monotonic(), json.loads(message)))

    def send(self, envelope_type: str, payload: dict[str, Any], envelope_id: str) -> None:
        self.outbox.put(
            {
                "envelope_id": envelope_id,
                "type": envelope_type,
                "accepts_response_payload": envelope_type != "events_api",
                "retry_attempt": 0,
                "retry_reason": "",
                "payload": payload,
            }
        )

    def ack_for(self, envelope_id: str, timeout: float = 10.0) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                at, ack = self.acks.get(timeout=left)
            except queue.Empty:
                break
            if ack.get("envelope_id") == envelope_id:
                return at - self.sent_at[envelope_id], ack
        raise AssertionError(f"no ack for {envelope_id}")

    def close(self) -> None:
        self._server.shutdown()


def test_socket_mode_answers_mentions_and_commands_over_the_websocket(built_index, navigator, tmp_path):
    standin = SlackStandIn()
    endpoint = SocketModeEndpoint()
    standin.socket_url = endpoint.url
    settings = slack_settings(
        built_index, standin, tmp_path / "data", slack_signing_secret=None, slack_app_token=APP_TOKEN
    )
    runtime = build_runtime(settings, retriever=navigator.retriever)
    conversation = runtime.conversation
    fast_respond = conversation.respond

    def slow_respond(*args: Any, **kwargs: Any) -> dict[str, Any]:
        time.sleep(4)  # acks must not wait for the answer here either
        return fast_respond(*args, **kwargs)

    conversation.respond = slow_respond  # type: ignore[method-assign]
    stop = threading.Event()
    result: list[int] = []
    worker = threading.Thread(
        target=lambda: result.append(run_socket_mode(settings, runtime=runtime, stop=stop))
    )
    worker.start()
    try:
        assert endpoint.connected.wait(20), "the worker did not connect"
        [opened] = standin.wait_for(lambda c: c.method == "apps.connections.open")
        assert opened.headers["authorization"] == f"Bearer {APP_TOKEN}"

        event = mention("マル経融資の条件は？")
        endpoint.send("events_api", json.loads(event_body(event)), "env-event")
        seconds, _ = endpoint.ack_for("env-event")
        assert seconds < 3

        response_url = standin.response_url("socket-command")
        command = {
            "team_id": "T0001",
            "channel_id": "C0001",
            "user_id": "U0001",
            "command": "/navigator",
            "text": "<!channel> マル経融資の条件は？",
            "response_url": response_url,
        }
        endpoint.send("slash_commands", command, "env-command")
        seconds, ack = endpoint.ack_for("env-command")
        assert seconds < 3
        assert ack["payload"]["response_type"] == "ephemeral"
        assert "&lt;!channel&gt; マル経融資の条件は？" in ack["payload"]["text"]

        [answer] = standin.wait_for(posted_to("C0001", thread_ts=event["ts"], containing="マル経融資"))
        assert answer.headers["authorization"].startswith("Bearer xoxb-")
        standin.wait_for(responded(response_url, "マル経融資"))
    finally:
        stop.set()
        worker.join(timeout=20)
        endpoint.close()
        standin.close()
    assert result == [0]


def test_navigator_slack_as_a_process_connects_answers_and_stops_cleanly(settings):
    """The command as an admin runs it: settings from the environment, an empty data directory
    (it ingests first), the Web API at NAVIGATOR_SLACK_API_URL, stopped as `docker stop` stops it."""
    standin = SlackStandIn()
    endpoint = SocketModeEndpoint()
    standin.socket_url = endpoint.url
    env = cli_env(
        settings,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        NAVIGATOR_SLACK_API_URL=standin.api_url,
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "slack"], env=env, cwd=REPO_ROOT, stderr=subprocess.PIPE, text=True
    )
    try:
        assert endpoint.connected.wait(120), "navigator slack did not connect"
        event = mention("マル経融資の条件は？")
        endpoint.send("events_api", json.loads(event_body(event)), "env-process")
        seconds, _ = endpoint.ack_for("env-process")
        assert seconds < 3
        standin.wait_for(posted_to("C0001", thread_ts=event["ts"], containing="マル経融資"))
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
        endpoint.close()
        standin.close()
    assert process.returncode == 0, stderr
    assert "connected to Slack over Socket Mode" in stderr
