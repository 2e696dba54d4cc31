"""Push 1,000 invoices to the Billit sandbox at 50 ms latency: is the run limited by Billit, not by Haulbill?

Prints the wall time, the floor (requests × latency ÷ concurrency), their ratio (goal ≤ 1.2), and the speed-up
over pushing one at a time (goal ≥ 8×; measured on a sample of 100 and scaled). The sandbox runs in its own
process (so its work does not share our interpreter), the database is a throw-away SQLite file under /tmp.
Usage: .venv/bin/python bench/bench_push.py [--invoices 1000] [--latency-ms 50] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def control(base: str, path: str, body: object | None = None) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{base}/_sandbox/{path}", data=data, method="POST" if data else "GET",
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b"null")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--serial-sample", type=int, default=100)
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="hb-bench-push-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="haulbill.settings",
        HAULBILL_VAR_DIR=str(var),
        DATABASE_URL=f"sqlite:///{var / 'bench.sqlite3'}",
        HAULBILL_HUEY_IMMEDIATE="1",
        HAULBILL_LOG_LEVEL="ERROR",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sandbox = subprocess.Popen([sys.executable, "-m", "billit_sandbox", "--port", str(port)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        for _ in range(100):
            try:
                control(base, "health")
                break
            except OSError:
                time.sleep(0.1)
        run_bench(args, base, var)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
        shutil.rmtree(var, ignore_errors=True)


def run_bench(args: argparse.Namespace, base: str, var: Path) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.conf import settings

    from billit_sandbox.pytest_plugin import SandboxHandle
    from haulbill.delivery import push
    from haulbill.invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, PushState
    from tests.delivery.conftest import PEPPOL_VAT, connect, link_customers
    from tests.factories import CompanyFactory, InvoicingSettingsFactory

    handle = SandboxHandle(base)
    company = CompanyFactory()
    InvoicingSettingsFactory(company=company)
    connect(company, handle)
    customer = link_customers(company, handle)[PEPPOL_VAT]

    taken = [0]

    def make(count: int, prefix: str) -> list[int]:
        first = taken[0] + 1
        taken[0] += count
        invoices = [
            Invoice(company=company, kind=InvoiceKind.INVOICE, status=InvoiceStatus.FINALISED, customer=customer,
                    number=f"{prefix}-{n:05d}", sequence_year=2026, sequence_value=first + n, issue_date=dt.date(2026, 11, 30),
                    due_date=dt.date(2026, 12, 30), total_excl=Decimal("450.00"), total_vat=Decimal("94.50"),
                    total_incl=Decimal("544.50"), push_state=PushState.TO_PUSH)
            for n in range(1, count + 1)
        ]  # fmt: skip
        Invoice.objects.bulk_create(invoices, batch_size=500)
        made = list(
            Invoice.objects.filter(company=company, number__startswith=f"{prefix}-").values_list("id", flat=True)
        )
        InvoiceLine.objects.bulk_create(
            [InvoiceLine(company=company, invoice_id=pk, position=1, description="Ride Gent - Kortrijk",
                         quantity=Decimal("1"), unit_price=Decimal("450.00"), line_amount=Decimal("450.00"),
                         vat_category="S", vat_rate=Decimal("21")) for pk in made],
            batch_size=1000,
        )  # fmt: skip
        return made

    latency = args.latency_ms / 1000
    settings.BILLIT_TIMEOUT_SECONDS = 10.0

    def timed(ids: list[int], concurrency: int) -> tuple[float, int]:
        settings.BILLIT_CONCURRENCY = concurrency
        before = int(control(base, "stats")["requests"])  # type: ignore[index]
        started = time.perf_counter()
        summary = push.push_many(company, ids, concurrency=concurrency)
        wall = time.perf_counter() - started
        requests = int(control(base, "stats")["requests"]) - before  # type: ignore[index]
        if summary.pushed != len(ids):
            raise SystemExit(f"only {summary.pushed} of {len(ids)} pushed: {summary.failures[:3]}")
        return wall, requests

    control(base, "faults", {"latency_ms": int(args.latency_ms)})  # the sandbox reads JSON floats as Decimal
    timed(make(20, "W"), args.concurrency)  # warm-up: connections, caches
    wall, requests = timed(make(args.invoices, "B"), args.concurrency)
    floor = requests * latency / args.concurrency
    serial_wall, _serial_requests = timed(make(args.serial_sample, "S"), 1)
    serial_estimate = serial_wall / args.serial_sample * args.invoices

    print(f"push_invoices: {args.invoices} invoices")
    print(f"push_concurrency: {args.concurrency} requests in flight")
    print(f"push_requests: {requests} requests")
    print(f"push_wall_time: {wall:.2f} s")
    print(f"push_floor: {floor:.2f} s")
    print(f"push_wall_to_floor_ratio: {wall / floor:.2f} x (goal <= 1.2)")
    print(f"push_one_at_a_time_estimate: {serial_estimate:.1f} s")
    print(f"push_speedup_vs_one_at_a_time: {serial_estimate / wall:.1f} x (goal >= 8)")


if __name__ == "__main__":
    main()
