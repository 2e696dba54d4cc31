"""`haulbill push-customers --company ID`: create unlinked customers in the invoicing platform."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haulbill.addressbook import services
from haulbill.core.commands import run_with_progress


class Command(BaseCommand):
    help = "Create missing customers in the invoicing platform and store their IDs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, required=True, help="company ID")

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_with_progress(self, options, services.push_customers)
        self.stdout.write(result.summary())
        for failure in result.failed:
            self.stdout.write(f"  {failure['customer']}: {failure['reason']}")
