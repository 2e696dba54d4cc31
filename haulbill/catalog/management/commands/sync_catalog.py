"""`haulbill sync-catalog --company ID`: synchronise the product catalog and VAT rates from the provider."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from haulbill.catalog.services import sync_catalog
from haulbill.core.commands import company_or_error
from haulbill.core.errors import HaulbillError


class Command(BaseCommand):
    help = "Synchronize VAT rates and product catalog from the company's invoicing platform."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, required=True, help="company ID")

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        with tqdm(desc="products", unit=" products", disable=options["verbosity"] < 1, file=self.stderr) as bar:

            def progress(done: int, total: int | None) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                result = sync_catalog(company, progress)
            except HaulbillError as exc:
                raise CommandError(exc.message) from None
        self.stdout.write(result.summary())
        for label, codes in (("added", result.added), ("changed", result.changed),
                             ("deactivated", result.deactivated), ("reactivated", result.reactivated)):  # fmt: skip
            if codes:
                self.stdout.write(f"  {label}: {', '.join(codes)}")
