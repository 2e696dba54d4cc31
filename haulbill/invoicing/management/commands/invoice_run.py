"""`haulbill invoice-run --company ID [--from DATE --to DATE] [--customer ID] [--finalise] [--date DATE]`.

Drafts and pre-flights the selection; with --finalise, finalises the invoices of every unblocked customer with a
progress bar, then prints a summary. The same service as the page's run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from haulbill.addressbook.models import Customer
from haulbill.core.commands import company_or_error
from haulbill.invoicing import services
from haulbill.invoicing.management.commands.preflight import add_selection_arguments, selection_from


class Command(BaseCommand):
    help = "Draft invoices for finished transports, pre-flight them and (with --finalise) finalise the unblocked ones."

    def add_arguments(self, parser: CommandParser) -> None:
        add_selection_arguments(parser)
        parser.add_argument("--finalise", action="store_true", help="finalise the invoices of unblocked customers")
        parser.add_argument("--date", type=dt.date.fromisoformat, help="issue date (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        chosen = selection_from(options)
        run = services.start_run(company, chosen)
        stored = run.report
        for entry in stored.get("company_problems", []):
            self.stdout.write(f"[{entry['code']}] {entry['message']}")
        problems = stored.get("problems", [])
        names = dict(
            Customer.objects.for_company(company)
            .filter(pk__in={p.get("customer_id") for p in problems})
            .values_list("pk", "name")
        )
        for entry in problems:
            self.stdout.write(f"{names.get(entry.get('customer_id'), '')}: [{entry['code']}] {entry['message']}")
        self.stdout.write(f"Run #{run.pk}: {run.transports_count} transports, {run.drafts_count} draft invoices.")
        if not options["finalise"]:
            self.stdout.write("Nothing finalised (add --finalise to finalise the unblocked customers).")
            return
        bar = tqdm(total=0, unit="invoice", desc="Finalising", file=self.stderr)

        def progress(done: int, total: int | None) -> None:
            if total is not None and bar.total != total:
                bar.total = total
            bar.n = done
            bar.refresh()

        summary = services.finalise_run(company, run.pk, issue_date=options.get("date"), progress=progress)
        bar.close()
        for failure in summary["failed"]:
            self.stdout.write(f"Failed: [{failure['code']}] {failure['message']}")
        numbers = summary["numbers"]
        self.stdout.write(
            f"{summary['finalised']} invoices finalised"
            + (f" ({numbers[0]} … {numbers[-1]})" if numbers else "")
            + f", {summary['blocked']} held back, {len(summary['failed'])} failed."
        )
