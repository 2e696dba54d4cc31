"""`haulbill demo`: the Billit sandbox, a Huey worker and the web server, stopped together."""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from haulbill.core.demo import DEMO_PASSWORD, DEMO_USERNAME


class Command(BaseCommand):
    help = "Run the demo: Billit sandbox on :8765, a background worker, and the web UI on :8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--sandbox-port", type=int, default=8765)

    def handle(self, *args: Any, **options: Any) -> None:
        haulbill = [sys.executable, "-m", "haulbill"]
        children: list[subprocess.Popen[bytes]] = []

        def stop_children() -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    child.kill()

        atexit.register(stop_children)
        env = dict(os.environ)
        sandbox_data = str(settings.VAR_DIR / "billit-sandbox.sqlite3")
        children.append(
            subprocess.Popen(
                [*haulbill, "billit-sandbox", "--port", str(options["sandbox_port"]), "--data", sandbox_data], env=env
            )
        )
        children.append(subprocess.Popen([*haulbill, "run_huey", "--workers", "4", "--worker-type", "thread"], env=env))
        time.sleep(1)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nHaulbill demo on http://127.0.0.1:{options['port']}/  —  sign in as {DEMO_USERNAME} / {DEMO_PASSWORD}\n"
                f"Billit sandbox on http://127.0.0.1:{options['sandbox_port']} (API key: sandbox-demo-key)\n"
                "Stop with Ctrl+C.\n"
            )
        )
        try:
            call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)
        finally:
            stop_children()
