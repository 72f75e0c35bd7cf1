"""What the routes share: the settings, the runtime (navigator, store, conversation), the limiter.

Kept on ``app.state`` rather than in module globals, so tests can run several apps side by side
(two data directories, a restart) in one process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from fastapi import Request

from bot.answering.index import LoadedIndex
from bot.jobs import IngestJobs
from bot.runtime import Runtime
from bot.web.ratelimit import RateLimiter
from ingest.index_store import IndexStore, VersionInfo
from ingest.settings import Settings

_CACHED_VERSIONS = 2  # a version in memory is its vectors and keyword tables: a few MB each


class VersionIndexes:
    """Index versions other than the live one, loaded for admins' questions: the newest two asked."""

    def __init__(self) -> None:
        self._loaded: dict[tuple[int, float], LoadedIndex] = {}
        self._lock = threading.Lock()

    def get(self, store: IndexStore, info: VersionInfo) -> LoadedIndex:
        key = (info.number, info.created)
        with self._lock:
            found = self._loaded.pop(key, None)
            if found is not None:
                self._loaded[key] = found  # the most recently used last
                return found
        loaded = LoadedIndex(store, info.number)  # outside the lock: a few hundred ms
        with self._lock:
            self._loaded[key] = loaded
            while len(self._loaded) > _CACHED_VERSIONS:
                del self._loaded[next(iter(self._loaded))]
        return loaded


@dataclass
class WebContext:
    settings: Settings
    runtime: Runtime
    limiter: RateLimiter
    jobs: IngestJobs
    versions: VersionIndexes = field(default_factory=VersionIndexes)  # for POST /admin/versions/{n}/ask


def context(request: Request) -> WebContext:
    return request.app.state.web  # type: ignore[no-any-return]


async def rate_limited(request: Request) -> None:
    """Dependency of the write endpoints; async so the check does not cost a thread hop."""
    context(request).limiter(request)
