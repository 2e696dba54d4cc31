"""Login throttling: after N failed attempts for a username or from an address, refuse for a while.

Counts live in the cache (Redis when several processes serve), keyed by a hash so no username is stored in clear.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    out = []
    for kind, value in (("user", username.strip().lower()), ("addr", address)):
        if value:
            digest = hashlib.sha256(value.encode()).hexdigest()[:32]
            out.append(f"login-fail:{kind}:{digest}")
    return out


def is_locked(username: str, address: str) -> bool:
    """Locked after N failures for one username, or 4N from one address (an office shares one address)."""
    limit = settings.LOGIN_THROTTLE_ATTEMPTS
    return any((cache.get(k) or 0) >= (limit if ":user:" in k else 4 * limit) for k in _keys(username, address))


def record_failure(username: str, address: str) -> None:
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    for key in _keys(username, address):
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)


def reset(username: str, address: str) -> None:
    cache.delete_many(_keys(username, address))
