"""When and how long to wait before trying Billit again.

Retried: connection errors, timeouts, 429 and 5xx answers, and unreadable bodies — for reads, and for writes that
carry an idempotency key (a replay of a write that did succeed answers 409, which the client turns into "already
done"). A write without key is never retried once it may have reached Billit: repeating it could create a second
invoice. A connection that could not even be opened sent nothing, so that failure is retried for every call.

A 429 pauses the whole Billit account, not just the call that heard it (`AccountThrottle`): every call of that
account waits for the pause before it sends, so concurrent calls do not collect 429s one after another.
"""

from __future__ import annotations

import email.utils
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
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


class AccountThrottle:
    """One Billit account's pause after a 429, shared by every thread (and client) that calls that account.

    Billit throttles an account, not a request: once one call hears 429, every other call of the account would hear
    it too. So the 429 pauses the account (`pause`), and every call checks `pending` before it sends and waits that
    long. The lock guards only the deadline; nobody sleeps while holding it.

    Callers pass the deadline they have already waited out (`covered`), so a caller waits again only when someone
    moved the deadline later meanwhile. That keeps a waiting caller correct even with a fake sleep in tests, which
    does not move the clock.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._until = 0.0

    def __repr__(self) -> str:
        return f"<AccountThrottle paused for {self.remaining():.2f} s>"

    def pause(self, seconds: float) -> tuple[float, float]:
        """Pause the account for at least `seconds` from now; returns (seconds left, deadline) of the pause."""
        with self._lock:
            now = self._clock()
            self._until = max(self._until, now + max(seconds, 0.0))
            return self._until - now, self._until

    def pending(self, covered: float = 0.0) -> tuple[float, float]:
        """(Seconds still to wait, deadline) for a caller that has already waited until `covered`; (0, covered)
        when the account is not paused beyond that."""
        with self._lock:
            now = self._clock()
            if self._until <= covered or self._until <= now:
                return 0.0, max(covered, self._until)
            return self._until - now, self._until

    def remaining(self) -> float:
        with self._lock:
            return max(self._until - self._clock(), 0.0)


_THROTTLES: OrderedDict[tuple[str, int | None, str], AccountThrottle] = OrderedDict()
_THROTTLES_LOCK = threading.Lock()
_MAX_THROTTLES = 256


def account_throttle(base_url: str, party_id: int | None, api_key: str) -> AccountThrottle:
    """The process's throttle of one Billit account: the same object for every client of (base URL, company,
    API key), so a 429 heard by the push threads also pauses the catalog sync of that account, and two accounts
    never wait for each other. The key is kept as a digest only."""
    digest = hashlib.sha256(api_key.strip().encode("utf-8")).hexdigest()[:16]
    key = (base_url.rstrip("/").lower(), party_id, digest)
    with _THROTTLES_LOCK:
        throttle = _THROTTLES.get(key)
        if throttle is None:
            throttle = _THROTTLES[key] = AccountThrottle()
            while len(_THROTTLES) > _MAX_THROTTLES:
                _THROTTLES.popitem(last=False)  # the oldest: a forgotten pause costs at most one more 429
        else:
            _THROTTLES.move_to_end(key)
        return throttle
