"""Socket Mode: `navigator slack`, for installs without a public URL.

The worker opens an outgoing WebSocket to Slack (slack_bolt's built-in Socket Mode client, no extra
dependency) with the app-level token and serves the same bolt app as HTTP mode. It needs
SLACK_BOT_TOKEN and SLACK_APP_TOKEN; without them it exits non-zero and says what to set.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.runtime import Runtime, build_runtime
from bot.slack.app import build_app
from ingest.settings import Settings

log = logging.getLogger(__name__)

NOT_CONFIGURED = (
    "navigator slack: Socket Mode needs SLACK_BOT_TOKEN (the bot token, xoxb-...) and SLACK_APP_TOKEN "
    "(an app-level token, xapp-..., with the connections:write scope); missing: {missing}. "
    "See docs/slack.md."
)


def run_socket_mode(
    settings: Settings, *, runtime: Runtime | None = None, stop: threading.Event | None = None
) -> int:
    """Serve Slack over Socket Mode until interrupted (or `stop` is set); returns the exit code."""
    missing = [
        name
        for name, value in (
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            ("SLACK_APP_TOKEN", settings.slack_app_token),
        )
        if not value
    ]
    if missing:
        print(NOT_CONFIGURED.format(missing=", ".join(missing)), file=sys.stderr)
        return 2
    if not str(settings.slack_app_token).startswith("xapp-"):
        print(
            "navigator slack: SLACK_APP_TOKEN must be an app-level token (xapp-...), not a bot token; "
            "create one under Basic Information → App-Level Tokens with the connections:write scope.",
            file=sys.stderr,
        )
        return 2
    runtime = runtime or build_runtime(settings)
    _ensure_index(runtime)
    handler = SocketModeHandler(build_app(runtime, socket_mode=True), app_token=settings.slack_app_token)
    try:
        handler.connect()
    except SlackApiError as exc:
        print(f"navigator slack: Slack refused the connection: {exc.response.get('error')}", file=sys.stderr)
        return 1
    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        # `docker stop` sends SIGTERM: close the WebSocket cleanly, as Ctrl-C does
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("navigator slack: connected to Slack over Socket Mode (Ctrl-C stops)", file=sys.stderr)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
    return 0


def _ensure_index(runtime: Runtime) -> None:
    """Like `navigator serve`: without a usable index (none yet, another embedder), ingest first."""
    retriever = runtime.navigator.retriever
    live = retriever.store.live()
    if live is None or live.embedder != retriever.embedder_name:
        from ingest.pipeline import IngestError, run_ingest

        log.warning("no usable index: ingesting %s first", runtime.settings.knowledge_dir)
        try:
            run_ingest(runtime.settings, embedder=retriever.embedder)
        except IngestError as exc:  # e.g. the API server is building it right now: it is picked up when live
            print(f"navigator slack: could not build the index now ({exc}); serving anyway", file=sys.stderr)
