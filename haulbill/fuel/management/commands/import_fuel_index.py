"""`haulbill import-fuel-index FILE --company ID --series NAME`: import monthly index values from a CSV file.

Rows are `month,value[,published_on]`; all rows or none, each bad row reported with its line number. The series
is created when it does not exist yet. The same service as the import page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haulbill.core.commands import company_or_error
from haulbill.fuel import services


class Command(BaseCommand):
    help = "Import a fuel index series (month,value[,published_on]) from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--company", type=int, required=True, help="company ID")
        parser.add_argument("--series", required=True, help="name of the index series (created if new)")

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        try:
            text = options["file"].read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc}") from exc
        series = services.create_series(company, options["series"])
        result = services.import_csv(company, series, text)
        for error in result.errors:
            self.stderr.write(error["message"])
        if not result.ok:
            raise CommandError(f"Nothing imported: {len(result.errors)} row(s) to fix.")
        self.stdout.write(f"{result.imported} index values imported into {series.name}.")
