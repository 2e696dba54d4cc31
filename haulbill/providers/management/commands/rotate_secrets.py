"""`haulbill rotate-secrets`: re-encrypt every stored secret under the newest HAULBILL_ENCRYPTION_KEYS key.

Rotation: put a new key first in HAULBILL_ENCRYPTION_KEYS (keep the old ones after it), restart, run this
command, then remove the old keys.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from haulbill.core.crypto import SecretUnreadable
from haulbill.providers.services import rotate_secrets


class Command(BaseCommand):
    help = "Re-encrypt every stored secret (API keys, webhook secrets) under the newest encryption key."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = rotate_secrets()
        except SecretUnreadable as exc:
            raise CommandError(
                f"{exc} Nothing was changed; put the missing key back in HAULBILL_ENCRYPTION_KEYS."
            ) from None
        self.stdout.write(f"{count} secrets re-encrypted under the newest key.")
