"""Operations: one structured JSON log line per request, and Prometheus metrics at /metrics.

/metrics shows admin activity (sign-ins, uploads, re-ingests by route and status), so it answers
only the addresses in ``NAVIGATOR_METRICS_ALLOW`` (default loopback; the client address as
``bot.web.clientaddr`` finds it, so behind a trusted proxy the real client counts, not the proxy) or
a request with ``Authorization: Bearer <NAVIGATOR_METRICS_TOKEN>``; anyone else gets 403.

The log line carries what an operator needs (route, status, latency, the answer's status, cited
ids and index version) and never the text of a message: owners write about their business, and
that stays out of logs at info level (its length is logged instead).
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.clientaddr import client_address, is_trusted, trusted_networks
from bot.web.errors import ApiError
from ingest.settings import Settings

access_log = logging.getLogger("navigator.access")

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """One registry per app, so that several apps in one process (tests) keep separate counts."""

    def __init__(self, index_version: Any) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "navigator_http_requests", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "navigator_http_request_seconds",
            "HTTP request latency",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter(
            "navigator_answers", "Chat answers by status", ["status"], registry=self.registry
        )
        self.no_match = Counter(
            "navigator_no_match", "Questions nothing in the index fits", registry=self.registry
        )
        version = Gauge(
            "navigator_index_version",
            "The live index version this process answers from",
            registry=self.registry,
        )
        version.set_function(index_version)

    def record_answer(self, reply: dict[str, Any]) -> None:
        self.answers.labels(reply["status"]).inc()
        if reply["status"] == "no_match":
            self.no_match.inc()


def note_answer(request: Request, message: str, reply: dict[str, Any]) -> None:
    """Called by the chat route: what the access log line and the metrics say about this answer."""
    request.state.answer = {
        "answer_status": reply["status"],
        "cited": [c["id"] for c in reply.get("citations", [])],
        "index_version": reply.get("index_version"),
        "language": reply.get("language"),
        "message_chars": len(message),
        "session_id": reply.get("session_id"),
    }
    request.app.state.metrics.record_answer(reply)


class AccessLog:
    """ASGI middleware: times every request, counts it, and logs one JSON line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            seconds = time.perf_counter() - started
            route = _route_of(scope)
            metrics: Metrics = scope["app"].state.metrics
            metrics.requests.labels(scope["method"], route, str(status)).inc()
            metrics.latency.labels(route).observe(seconds)
            line: dict[str, Any] = {
                "event": "request",
                "method": scope["method"],
                "route": route,
                "path": scope["path"],
                "status": status,
                "ms": round(seconds * 1000, 1),
            }
            state = scope.get("state") or {}
            if "answer" in state:
                line.update(state["answer"])
            access_log.info(json.dumps(line, ensure_ascii=False))


def _route_of(scope: Scope) -> str:
    """The route template (/api/programs/{program_id}), not the path: bounded label values."""
    for route in scope["app"].router.routes:
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return getattr(route, "path", scope["path"])
    return "unmatched"


class JsonFormatter(logging.Formatter):
    """Log records as JSON lines; access lines are already JSON and are merged in."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        message = record.getMessage()
        try:
            parsed = json.loads(message) if message.startswith("{") else None
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            line.update(parsed)
        else:
            line["message"] = message
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def configure_json_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    for name in ("navigator", "bot", "ingest"):
        logging.getLogger(name).setLevel(level)


router = APIRouter(tags=["operations"])


def metrics_allowed(request: Request, settings: Settings) -> bool:
    token = settings.metrics_token
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    address = client_address(request, settings.trusted_proxies)
    return is_trusted(address, trusted_networks(tuple(settings.metrics_allow)))


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    include_in_schema=True,
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "metrics"},
        403: {"description": "not from NAVIGATOR_METRICS_ALLOW and without the metrics token"},
    },
)
def metrics(request: Request) -> Response:
    settings = request.app.state.web.settings
    if not metrics_allowed(request, settings):
        raise ApiError(
            403, "forbidden", "metrics are served to NAVIGATOR_METRICS_ALLOW or with the metrics token"
        )
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
