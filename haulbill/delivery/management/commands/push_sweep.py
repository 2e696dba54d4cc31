"""`haulbill push-sweep [--now]`: resume what a crash left unfinished (what the workers' periodic sweeper does)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from haulbill.delivery import sweeper


class Command(BaseCommand):
    help = "Queue again the invoices and runs a crash or a lost task left unfinished."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help="no worker is running anywhere (e.g. after a machine crash): take over every lease at once",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = sweeper.sweep(now=options["now"])
        self.stdout.write(
            f"Reclaimed {report.reclaimed}, queued {report.queued} to push and {report.sends_queued} to send, "
            f"resumed {report.runs_resumed} runs."
        )
