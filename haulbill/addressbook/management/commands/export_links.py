"""`haulbill export-links --company ID [FILE]`: every customer with its invoicing ID, as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haulbill.addressbook import csv_links
from haulbill.core.commands import company_or_error


class Command(BaseCommand):
    help = "Export customer links (customer reference, name, VAT number, invoicing ID) as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?", help="output file (default: standard output)")
        parser.add_argument("--company", type=int, required=True, help="company ID")

    def handle(self, *args: Any, **options: Any) -> None:
        text = csv_links.export_links(company_or_error(options["company"]))
        if options["file"]:
            options["file"].write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
