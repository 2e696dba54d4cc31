"""Push 1,000 invoices to the Billit sandbox at 50 ms latency: is the run limited by Billit, not by Haulbill?

Prints the wall time, the floor, their ratio (goal ≤ 1.2), and the speed-up over pushing one at a time (goal ≥ 8×;
measured on a sample of 100 and scaled). The floor counts every /v1 request the sandbox received during the run
(a push is a create, a read of the order and of its PDF: 3 requests, more with retries), each taking the latency,
at most `concurrency` at once; with --rate-limit, the rate limit's floor when that is higher. The peak of requests
in flight that the sandbox saw is printed too, so a floor computed for 16 at once is not beaten by sending 32.
CPU per invoice (ours and the sandbox's) tells where the rest goes on a busy machine.
The sandbox runs in its own process (so its work does not share our interpreter), the database is a throw-away
SQLite file under /tmp.
Usage: .venv/bin/python bench/bench_push.py [--invoices 1000] [--latency-ms 50] [--concurrency 16] [--runs 3]
                                            [--rate-limit 0] [--serial-sample 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from billit_sandbox.ports import free_port

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def control(base: str, path: str, body: object | None = None) -> Any:
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
    parser.add_argument("--runs", type=int, default=1, help="measure the run this many times (spread on busy hosts)")
    parser.add_argument("--rate-limit", type=float, default=0.0, help="sandbox requests per second (0: none)")
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
        run_bench(args, base, var, sandbox.pid)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
        shutil.rmtree(var, ignore_errors=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Measure:
    wall: float
    requests: int
    throttled: int
    peak_in_flight: int
    client_cpu: float
    sandbox_cpu: float
    service_s: float  # the sandbox's time answering, latency included


def run_bench(args: argparse.Namespace, base: str, var: Path, sandbox_pid: int) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.conf import settings

    from billit_sandbox.pytest_plugin import SandboxHandle
    from haulbill.delivery import push
    from haulbill.invoicing import payment, snapshots
    from haulbill.invoicing.models import Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, PushState
    from tests.delivery.conftest import PEPPOL_VAT, connect, link_customers
    from tests.factories import CompanyFactory, InvoicingSettingsFactory

    handle = SandboxHandle(base)
    company = CompanyFactory()
    InvoicingSettingsFactory(company=company)
    connect(company, handle)
    customer = link_customers(company, handle)[PEPPOL_VAT]

    # Real snapshots and VAT breakdown, so each push also builds and attaches the invoice's UBL as in production.
    seller, buyer = snapshots.seller(company), snapshots.buyer(customer)
    breakdown = [{"category": "S", "rate": "21.00", "taxable": "450.00", "vat": "94.50", "exemption_code": "",
                  "exemption_text": ""}]  # fmt: skip
    taken = [0]

    def make(count: int, prefix: str) -> list[int]:
        first = taken[0] + 1
        taken[0] += count
        invoices = [
            Invoice(company=company, kind=InvoiceKind.INVOICE, status=InvoiceStatus.FINALISED, customer=customer,
                    number=f"{prefix}-{n:05d}", sequence_year=2026, sequence_value=first + n, issue_date=dt.date(2026, 11, 30),
                    due_date=dt.date(2026, 12, 30), total_excl=Decimal("450.00"), total_vat=Decimal("94.50"),
                    total_incl=Decimal("544.50"), push_state=PushState.TO_PUSH, seller=seller, buyer=buyer,
                    payment_reference=payment.structured_reference(InvoiceKind.INVOICE, 2026, first + n),
                    vat_breakdown=breakdown, language=customer.language, buyer_reference=f"PO-{n}")
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

    def timed(ids: list[int], concurrency: int) -> Measure:
        settings.BILLIT_CONCURRENCY = concurrency
        control(base, "faults", faults)
        before = control(base, "stats")
        cpu, sandbox_cpu = time.process_time(), cpu_seconds(sandbox_pid)
        started = time.perf_counter()
        summary = push.push_many(company, ids, concurrency=concurrency)
        wall = time.perf_counter() - started
        cpu, sandbox_cpu = time.process_time() - cpu, cpu_seconds(sandbox_pid) - sandbox_cpu
        after = control(base, "stats")
        if summary.pushed != len(ids):
            raise SystemExit(f"only {summary.pushed} of {len(ids)} pushed: {summary.failures[:3]}")
        throttled = int(after["by_status"].get("429", 0)) - int(before["by_status"].get("429", 0))
        requests = int(after["requests"]) - int(before["requests"])
        service = float(after["service_s"]) - float(before["service_s"])
        return Measure(wall, requests, throttled, int(after["peak_in_flight"]), cpu, sandbox_cpu, service)

    def floor(measure: Measure, concurrency: int) -> float:
        by_latency = measure.requests * latency / concurrency
        by_rate = (measure.requests - measure.throttled) / args.rate_limit if args.rate_limit else 0.0
        return max(by_latency, by_rate)

    faults: dict[str, object] = {"latency_ms": args.latency_ms, "rate_limit_per_s": args.rate_limit}
    warm = make(20, "W")
    from haulbill.einvoice.from_invoice import EInvoiceError, ubl_attachment

    try:
        ubl_bytes = len(ubl_attachment(Invoice.objects.get(pk=warm[0]))[1])
        ubl_note = f"each order carries its UBL ({ubl_bytes} bytes), built while pushing"
    except EInvoiceError as exc:
        ubl_note = f"pushed without UBL ({exc.code}: {exc}): the figures leave out building it"
    timed(warm, args.concurrency)  # warm-up: connections, caches
    measures = []
    for run in range(args.runs):
        measures.append(timed(make(args.invoices, f"B{run}"), args.concurrency))
    serial = timed(make(args.serial_sample, "S"), 1)
    serial_estimate = serial.wall / args.serial_sample * args.invoices

    print(f"push_invoices: {args.invoices} invoices")
    print(f"push_concurrency: {args.concurrency} requests in flight at most")
    print(f"push_ubl_attachment: {ubl_note}")
    for n, m in enumerate(measures, 1):
        tag = f" (run {n} of {len(measures)})" if len(measures) > 1 else ""
        print(f"push_requests: {m.requests} requests, {m.requests / args.invoices:.2f} per invoice, "
              f"{m.throttled} answered 429{tag}")  # fmt: skip
        print(f"push_peak_in_flight: {m.peak_in_flight} requests (the sandbox's peak so far){tag}")
        print(f"push_wall_time: {m.wall:.2f} s{tag}")
        print(f"push_floor: {floor(m, args.concurrency):.2f} s{tag}")
        print(f"push_wall_to_floor_ratio: {m.wall / floor(m, args.concurrency):.2f} x (goal <= 1.2){tag}")
        print(f"push_sandbox_answer_time: {m.service_s / m.requests * 1000:.1f} ms per request "
              f"(latency {args.latency_ms:g} ms + the sandbox's own work){tag}")  # fmt: skip
        print(f"push_cpu_per_invoice: ours {m.client_cpu / args.invoices * 1000:.1f} ms, "
              f"sandbox {m.sandbox_cpu / args.invoices * 1000:.1f} ms{tag}")  # fmt: skip
        print(f"push_speedup_vs_one_at_a_time: {serial_estimate / m.wall:.1f} x (goal >= 8){tag}")
    if len(measures) > 1:
        ratios = sorted(m.wall / floor(m, args.concurrency) for m in measures)
        print(f"push_wall_to_floor_ratio_spread: {ratios[0]:.2f} .. {ratios[-1]:.2f} x over {len(ratios)} runs")
    print(f"push_one_at_a_time_estimate: {serial_estimate:.1f} s")


if __name__ == "__main__":
    main()
