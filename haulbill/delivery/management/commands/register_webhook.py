"""`haulbill register-webhook --company ID --url https://haulbill.example.com`: let Billit call us back.

Registers both webhooks Haulbill reads (order events and message events), each with its own secret; running it
again replaces them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haulbill.core.commands import company_or_error
from haulbill.delivery import webhooks
from haulbill.providers.base import ProviderError


class Command(BaseCommand):
    help = (
        "Register the company's status webhooks with its invoicing platform: order events (payments, sending) "
        "and message events (delivered, refused). Each secret is stored encrypted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, required=True, help="company ID")
        parser.add_argument("--url", required=True, help="public base URL of this Haulbill (https://…)")

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        try:
            url = webhooks.register(company, options["url"])
        except (ValueError, ProviderError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from None
        self.stdout.write(f"Registered {url} for order events and for message events (delivery over Peppol).")
