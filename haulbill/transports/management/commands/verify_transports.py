"""`haulbill verify-transports --company ID [--from DATE --to DATE] [--customer ID]`.

Verifies the done, not yet verified transports of the selection (by delivery date), with a progress bar and a
summary: the same service as the bulk action of the transports page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from haulbill.core.commands import company_or_error
from haulbill.transports import verification


class Command(BaseCommand):
    help = "Verify finished transports in bulk so that they can be invoiced."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, required=True, help="company ID")
        parser.add_argument(
            "--from", dest="date_from", type=dt.date.fromisoformat, help="first delivery date (YYYY-MM-DD)"
        )
        parser.add_argument("--to", dest="date_to", type=dt.date.fromisoformat, help="last delivery date (YYYY-MM-DD)")
        parser.add_argument("--customer", type=int, help="customer ID")

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        ids = list(
            verification.to_verify(
                company, date_from=options.get("date_from"), date_to=options.get("date_to"),
                customer_id=options.get("customer"),
            ).values_list("pk", flat=True)
        )  # fmt: skip
        bar = tqdm(total=len(ids), unit="transport", desc="Verifying", file=self.stderr)

        def progress(done: int, total: int) -> None:
            bar.n = done
            bar.refresh()

        result = verification.verify_many(company, ids, progress=progress)
        bar.close()
        self.stdout.write(f"{result.verified} transports verified, {result.skipped} skipped.")
