"""`haulbill poll-statuses [--company ID]`: read sent/paid statuses from the platform (for installs without webhooks)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haulbill.core.commands import company_or_error, progress_bar
from haulbill.delivery import status
from haulbill.providers.base import ProviderError


class Command(BaseCommand):
    help = "Read invoice statuses (sent, delivered, refused, paid) changed in the invoicing platform since last time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, help="company ID (default: every connected company)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["company"] is None:
            results = status.poll_all()
            self.stdout.write(f"Polled {len(results)} companies; {sum(results.values())} invoices seen.")
            return
        company = company_or_error(options["company"])
        with progress_bar("orders", " orders", self.stderr, options["verbosity"] < 1) as progress:
            try:
                seen = status.poll_statuses(company, progress=progress)
            except ProviderError as exc:
                self.stderr.write(exc.message)
                raise SystemExit(1) from None
        self.stdout.write(f"{seen} invoices of company {company.pk} checked against the platform.")
