"""`haulbill retry-push --company ID [--invoice NUMBER ... | --run ID]`: push failed invoices again, now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haulbill.core.commands import company_or_error, progress_bar
from haulbill.delivery import push
from haulbill.invoicing.models import Invoice, InvoiceStatus, PushState


class Command(BaseCommand):
    help = "Push failed invoices again: one (--invoice NUMBER), a run's (--run ID), or all of the company's."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, required=True, help="company ID")
        parser.add_argument("--invoice", action="append", default=[], help="invoice or credit note number")
        parser.add_argument("--run", type=int, help="run ID")

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        failed = Invoice.objects.for_company(company).filter(
            status=InvoiceStatus.FINALISED, push_state=PushState.FAILED
        )
        if options["invoice"]:
            failed = failed.filter(number__in=options["invoice"])
            missing = set(options["invoice"]) - set(failed.values_list("number", flat=True))
            if missing:
                raise CommandError(f"No failed invoice numbered {', '.join(sorted(missing))} in this company.")
        if options["run"]:
            failed = failed.filter(run_id=options["run"])
        ids = list(failed.values_list("id", flat=True))
        if not ids:
            self.stdout.write("Nothing to retry: no failed invoice matches.")
            return
        failed.update(push_state=PushState.TO_PUSH, push_retryable=True, push_attempts=0)
        with progress_bar("pushing", " invoices", self.stderr, options["verbosity"] < 1) as progress:
            summary = push.push_many(company, ids, progress=progress)
        self.stdout.write(f"Pushed {summary.pushed}, failed {summary.failed + summary.retry}.")
        for number, reason in summary.failures:
            self.stdout.write(f"  {number}: {reason}")
