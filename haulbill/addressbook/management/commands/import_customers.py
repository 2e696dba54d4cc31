"""`haulbill import-customers --company ID`: create customers from the invoicing platform's customers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haulbill.addressbook import services
from haulbill.addressbook.management.commands.link_customers import company_or_error, progress_bar
from haulbill.core.errors import HaulbillError


class Command(BaseCommand):
    help = "Import customers from the invoicing platform (linking those with the same VAT number)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, required=True, help="company ID")

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        bar, progress = progress_bar(self, "customers", options["verbosity"])
        try:
            with bar:
                result = services.import_customers(company, progress)
        except HaulbillError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(result.summary())
        for warning in result.warnings:
            self.stdout.write(f"  {warning}")
