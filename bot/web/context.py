"""What the routes share: the settings, the runtime (navigator, store, conversation), the limiter.

Kept on ``app.state`` rather than in module globals, so tests can run several apps side by side
(two data directories, a restart) in one process.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from bot.jobs import IngestJobs
from bot.runtime import Runtime
from bot.web.ratelimit import RateLimiter
from ingest.settings import Settings


@dataclass
class WebContext:
    settings: Settings
    runtime: Runtime
    limiter: RateLimiter
    jobs: IngestJobs


def context(request: Request) -> WebContext:
    return request.app.state.web  # type: ignore[no-any-return]


async def rate_limited(request: Request) -> None:
    """Dependency of the write endpoints; async so the check does not cost a thread hop."""
    context(request).limiter(request)
