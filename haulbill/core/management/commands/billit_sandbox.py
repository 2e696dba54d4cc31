"""`haulbill billit-sandbox`: run the Billit-compatible sandbox server (for the demo and for local development).

A thin wrapper: options and behaviour are `python -m billit_sandbox`'s. The import is deferred so the product does
not depend on the sandbox package unless an operator runs this command.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run a local Billit-compatible API server (billit_sandbox) with optional latency and fault injection."

    def add_arguments(self, parser: CommandParser) -> None:
        from billit_sandbox.cli import add_arguments

        add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        from billit_sandbox.cli import serve

        names = ("host", "port", "data", "latency_ms", "jitter_ms", "error_rate", "error_status", "throttle_rate",
                 "rate_limit", "retry_after", "drop_rate", "timeout_rate", "timeout_s", "malformed_rate", "fault_phase",
                 "seed", "verbose")  # fmt: skip
        serve(argparse.Namespace(**{name: options[name] for name in names}), out=self.stdout)
