"""`haulbill invoice --company ID [--from DATE --to DATE] [--send]`: draft, finalise, push (and send), with a summary.

The same services as the pages: the engine's pre-flight, drafting and finalising (invoicing.services), then
pushing here with a progress bar through haulbill.delivery. `--background` hands the run to the workers instead.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from haulbill.core.commands import company_or_error, progress_bar
from haulbill.core.errors import HaulbillError
from haulbill.delivery import push, sending
from haulbill.invoicing import selection, services


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: write it as 2026-11-30.") from None


class Command(BaseCommand):
    help = "Invoice a company's done transports: draft, finalise, push to the invoicing platform (and send)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", type=int, required=True, help="company ID")
        parser.add_argument("--from", dest="date_from", type=_date, help="first service date (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", type=_date, help="last service date (YYYY-MM-DD)")
        parser.add_argument("--send", action="store_true", help="send each invoice after its push (Peppol/e-mail)")
        parser.add_argument("--background", action="store_true", help="queue finalising and pushing for the workers")

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_or_error(options["company"])
        quiet = options["verbosity"] < 1
        chosen = selection.Selection(options["date_from"], options["date_to"])
        try:
            run = services.start_run(company, chosen)
        except HaulbillError as exc:
            raise CommandError(exc.message) from None
        report = run.report or {}
        problems = [*report.get("company_problems", []), *report.get("problems", [])]
        self.stdout.write(f"Run {run.pk}: {run.transports_count} transports, {run.drafts_count} drafts, "
                          f"{run.blocked_count} blocked.")  # fmt: skip
        for problem in problems[:50]:
            if isinstance(problem, dict):
                self.stdout.write(f"  ! {problem.get('message', problem)}")
        if options["background"]:
            from haulbill.delivery import tasks

            tasks.process_run_task(company.pk, run.pk, options["send"])
            self.stdout.write("Queued for the workers; follow it with the run page or `haulbill push-sweep`.")
            return
        with progress_bar("finalising", " invoices", self.stderr, quiet) as progress:
            try:
                finalised = services.finalise_run(company, run.pk, progress=progress, hand_over=False)
            except HaulbillError as exc:
                raise CommandError(exc.message) from None
        if options["send"]:
            sending.request(company, push.pending_of_run(company, run.pk).values_list("id", flat=True))
        with progress_bar("pushing", " invoices", self.stderr, quiet) as progress:
            summary = push.push_run(company, run.pk, progress=progress)
        counts = push.counts(company, run_id=run.pk)
        self.stdout.write(
            f"Finalised {finalised['finalised']}, pushed {counts['pushed']}, failed {counts['failed']}, "
            f"still to push {counts['waiting']}" + (f", sent {counts['sent']}, not sent {counts['send_failed']}"
                                                    if options["send"] else "") + "."
        )  # fmt: skip
        for failure in finalised["failed"]:
            self.stdout.write(f"  not finalised: invoice {failure['invoice_id']}: {failure['message']}")
        for number, reason in summary.failures:
            self.stdout.write(f"  push failed: {number}: {reason}")
        if counts["failed"]:
            self.stdout.write(f"Retry with `haulbill retry-push --company {company.pk} --run {run.pk}` once fixed.")
