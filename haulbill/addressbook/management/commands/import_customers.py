"""`haulbill import-customers --company ID`: create customers from the invoicing platform's customers."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haulbill.addressbook import services
from haulbill.core.commands import run_with_progress


class Command(BaseCommand):
    help = "Import customers from the invoicing platform (linking those with the same VAT number)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, required=True, help="company ID")

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_with_progress(self, options, services.import_customers)
        self.stdout.write(result.summary())
        for warning in result.warnings:
            self.stdout.write(f"  {warning}")
