"""`haulbill push-customers --company ID`: create unlinked customers in the invoicing platform."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haulbill.addressbook import services
from haulbill.addressbook.management.commands.link_customers import company_or_error, progress_bar
from haulbill.core.errors import HaulbillError


class Command(BaseCommand):
    help = "Create missing customers in the invoicing platform and store their IDs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, required=True, help="company ID")

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        bar, progress = progress_bar(self, "customers", options["verbosity"])
        try:
            with bar:
                result = services.push_customers(company, progress)
        except HaulbillError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(result.summary())
        for failure in result.failed:
            self.stdout.write(f"  {failure['customer']}: {failure['reason']}")
