"""`haulbill link-customers --company ID`: link the address book to the provider's customers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haulbill.addressbook import linking, services
from haulbill.core.commands import run_with_progress


class Command(BaseCommand):
    help = "Link unlinked customers to the invoicing platform's customers (VAT, enterprise number, name)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, required=True, help="company ID")
        parser.add_argument("--propose-at", type=int, default=linking.PROPOSE_AT, help="lowest name score proposed")

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_with_progress(
            self,
            options,
            lambda company, progress: services.link_customers(company, progress, propose_at=options["propose_at"]),
        )
        self.stdout.write(result.summary())
        if result.proposed:
            self.stdout.write("Review the proposals on the Linking page (Address book › Linking).")
