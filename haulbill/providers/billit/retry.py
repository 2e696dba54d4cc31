"""When and how long to wait before trying Billit again.

Retried: connection errors, timeouts, 429 and 5xx answers, and unreadable bodies — for reads, and for writes that
carry an idempotency key (a replay of a write that did succeed answers 409, which the client turns into "already
done"). A write without key is never retried once it may have reached Billit: repeating it could create a second
invoice. A connection that could not even be opened sent nothing, so that failure is retried for every call.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5  # first try included
    base_delay: float = 0.5  # seconds before the second attempt (before jitter)
    max_delay: float = 8.0  # one wait never exceeds this (unless Retry-After asks for more, up to max_retry_after)
    max_total_wait: float = 30.0  # the whole budget of waiting for one call
    max_retry_after: float = 30.0  # a longer Retry-After is not waited for: the call fails and says when to retry

    def backoff(self, retry_number: int, random_value: float) -> float:
        """Exponential backoff with "equal jitter": half fixed, half random, so clients spread out."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (retry_number - 1)))
        return ceiling / 2 + ceiling / 2 * random_value


NO_RETRY = RetryPolicy(max_attempts=1)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds (`120`) or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(moment.timestamp() - (now if now is not None else time.time()), 0.0)
