"""Secrets at rest: Fernet tokens under a MultiFernet so keys can be rotated.

HAULBILL_ENCRYPTION_KEYS lists keys newest first: the first encrypts, every key decrypts. `rotate()` re-encrypts
a token under the newest key.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with the configured keys (a key was removed too early)."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("The stored secret cannot be decrypted with HAULBILL_ENCRYPTION_KEYS.") from exc


def rotate(token: str) -> str:
    return fernet().rotate(token.encode()).decode()


def mask(secret: str) -> str:
    """What a page may show of a secret: its length class and last four characters, never more."""
    if len(secret) <= 8:
        return "••••"
    return "••••••••" + secret[-4:]
