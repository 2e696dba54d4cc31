"""Rate limiting per token (or per signed-in user): API_RATE_LIMIT_PER_MINUTE requests in each clock minute.

A fixed one-minute window counted with cache.incr: atomic in Redis, so several processes share the count when
HAULBILL_REDIS_URL is set; the local-memory cache counts per process otherwise. Over the limit, Ninja answers
429 with Retry-After set to the seconds left in the window.
"""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.throttling import BaseThrottle

from .auth import rate_limit_identity

WINDOW_SECONDS = 60


def hit(identity: str, limit: int, now: float | None = None) -> float | None:
    """Count one request for `identity`; None when allowed, else the seconds until the window resets."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"api-rate:{identity}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count <= limit:
        return None
    return (window + 1) * WINDOW_SECONDS - now


class PerTokenThrottle(BaseThrottle):
    def __init__(self) -> None:
        # Ninja asks wait() right after allow_request() on the same shared object: keep the answer per thread.
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        wait = hit(rate_limit_identity(request), settings.API_RATE_LIMIT_PER_MINUTE)
        self._local.wait = wait
        return wait is None

    def wait(self) -> float | None:
        wait = getattr(self._local, "wait", None)
        return None if wait is None else max(1, math.ceil(wait))
