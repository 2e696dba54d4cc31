"""`haulbill import-links FILE --company ID [--yes]`: check a CSV of links, then write its good rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haulbill.addressbook import csv_links
from haulbill.core.commands import company_or_error
from haulbill.core.errors import HaulbillError


class Command(BaseCommand):
    help = "Import customer links (customer reference, name, VAT number, invoicing ID) from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--company", type=int, required=True, help="company ID")
        parser.add_argument("--yes", action="store_true", help="write the good rows without asking")

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        try:
            text = csv_links.decode(options["file"].read_bytes())
            check = csv_links.check_import(company, text)
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}") from None
        except HaulbillError as exc:
            raise CommandError(exc.message) from None
        for error in check.errors:
            self.stdout.write(f"line {error.line}: {error.reason}")
        self.stdout.write(
            f"{len(check.rows)} links to write, {len(check.errors)} rows with errors, {check.unchanged} unchanged."
        )
        if not check.rows:
            return
        if not options["yes"]:
            answer = input("Write the good rows? [y/N] ") if options.get("interactive", True) else "n"
            if answer.strip().lower() not in ("y", "yes", "o", "oui", "j", "ja"):
                self.stdout.write("Nothing written.")
                return
        try:
            done = csv_links.apply_import(company, text)
        except HaulbillError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{len(done.rows)} links written.")
