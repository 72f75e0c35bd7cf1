"""Cut off request bodies that arrive too slowly (408): a slow-loris upload must not hold a request,
a worker's attention and a growing temporary file for minutes.

Two clocks: nothing received for ``idle_seconds``, or the whole body not in after ``total_seconds``.
A pure ASGI middleware wrapping ``receive``; raised as an HTTPException from inside the body read,
which FastAPI and Starlette's form parser pass through (and the parser closes its spooled files).
"""

from __future__ import annotations

import time

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.errors import error_response


class _TooSlow(HTTPException):
    def __init__(self, message: str) -> None:
        super().__init__(408, message, headers={"Connection": "close"})


class BodyTimeout:
    def __init__(self, app: ASGIApp, idle_seconds: float, total_seconds: float) -> None:
        self.app = app
        self.idle_seconds = idle_seconds
        self.total_seconds = total_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        deadline = time.monotonic() + self.total_seconds
        done = False
        started = False

        async def timed_receive() -> Message:
            nonlocal done
            if done:
                return await receive()
            wait = min(self.idle_seconds, deadline - time.monotonic())
            message: Message | None = None
            with anyio.move_on_after(max(0.0, wait)):
                message = await receive()
            if message is None:
                raise _TooSlow(
                    f"the request body did not arrive in time (nothing for {self.idle_seconds:g} s, "
                    f"or not all within {self.total_seconds:g} s)"
                )
            if message["type"] != "http.request" or not message.get("more_body", False):
                done = True
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, timed_receive, tracking_send)
        except _TooSlow as exc:
            if started:
                raise
            response = error_response(408, "request_timeout", str(exc.detail), {"Connection": "close"})
            await response(scope, receive, send)
