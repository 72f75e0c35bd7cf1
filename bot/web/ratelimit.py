"""Per-client rate limiting: a token bucket per client address, in memory.

A bucket holds ``per_minute`` tokens and refills continuously, so a person may send a short burst
(a question and two quick follow-ups) but a script cannot hammer the embedder. One process holds
the buckets; with several workers each enforces its own share, which is acceptable for abuse
protection (not for billing). ``per_minute = 0`` switches limiting off (load tests, trusted nets).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from fastapi import Request

from bot.web.clientaddr import client_address
from bot.web.errors import ApiError

_PRUNE_EVERY = 1024  # requests between sweeps of full (idle) buckets


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        trusted_proxies: list[str] | None = None,
    ) -> None:
        self.per_minute = per_minute
        self.trusted_proxies = list(trusted_proxies or [])
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill time)
        self._lock = threading.Lock()
        self._calls = 0

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def check(self, key: str) -> float:
        """Take one token for ``key``; return 0.0 when allowed, else the seconds until one is free."""
        if not self.enabled:
            return 0.0
        rate = self.per_minute / 60.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            self._calls += 1
            if self._calls % _PRUNE_EVERY == 0:
                self._prune(now, rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / rate

    def _prune(self, now: float, rate: float) -> None:
        """Forget clients whose bucket has refilled: they are indistinguishable from new ones."""
        full = [
            k
            for k, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * rate >= self.per_minute
        ]
        for key in full:
            del self._buckets[key]

    def __call__(self, request: Request) -> None:
        """FastAPI dependency: raise 429 with ``Retry-After`` when the client is over its rate."""
        client = client_address(request, self.trusted_proxies)
        wait = self.check(f"{request.url.path}|{client}")
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(
                429,
                "rate_limited",
                f"too many requests; try again in {seconds} s",
                headers={"Retry-After": str(seconds)},
            )
