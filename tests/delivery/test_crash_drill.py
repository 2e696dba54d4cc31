"""The crash drill: real worker processes killed (SIGKILL) at random points of a 300-invoice run, resumed each time.

Afterwards every invoice exists exactly once in the sandbox, the numbers have no gap, and every transport is on
exactly one invoice. A file-based SQLite database and Huey's SQLite queue, as on the one-machine install.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from billit_sandbox.pytest_plugin import SandboxHandle

ROOT = Path(__file__).resolve().parents[2]
HAULBILL = str(Path(sys.executable).with_name("haulbill"))
INVOICES = 300
KILLS = 10


def drill_env(tmp: Path, sandbox: SandboxHandle, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HAULBILL_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.delivery.drill_settings",
        DATABASE_URL=f"sqlite:///{tmp / 'haulbill.sqlite3'}",
        HAULBILL_VAR_DIR=str(tmp),
        DRILL_SANDBOX_URL=sandbox.base_url,
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen([HAULBILL, "run_huey", "-w", "2", "-k", "thread"], env=env, cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip


def state(db: Path, company_id: int, run_id: int) -> dict[str, int]:
    with sqlite3.connect(db, timeout=30) as conn:
        rows = conn.execute(
            "SELECT status, push_state, count(*) FROM invoicing_invoice WHERE company_id=? GROUP BY 1, 2", (company_id,)
        ).fetchall()
        run_status = conn.execute("SELECT status FROM invoicing_invoicingrun WHERE id=?", (run_id,)).fetchone()[0]
    counts = Counter({f"{s}/{p}": n for s, p, n in rows})
    return {"pushed": counts["finalised/pushed"], "drafts": counts["draft/not_needed"], "run_done": run_status == "done",
            "total": sum(counts.values())}  # fmt: skip


@pytest.mark.slow
def test_a_run_killed_ten_times_still_creates_every_invoice_once(billit_sandbox: SandboxHandle, tmp_path: Path) -> None:
    # Slow enough that ten kills land before the run ends, even on a quiet fast machine.
    billit_sandbox.set_faults(latency_ms=120, jitter_ms=30, seed=3)
    env = drill_env(tmp_path, billit_sandbox)
    db = tmp_path / "haulbill.sqlite3"
    log = tmp_path / "worker.log"
    run([HAULBILL, "migrate", "--noinput", "-v0"], env)
    company_id, run_id = map(int, run([sys.executable, "-m", "tests.delivery.drill_setup", str(INVOICES)], env).split())
    rng = random.Random(20261130)
    started = time.monotonic()

    kills = 0
    while kills < KILLS:
        worker = start_worker(env, log)
        time.sleep(rng.uniform(1.2, 3.0))  # Django and Huey start in ~1 s; the kill lands mid-work
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        kills += 1
        run([HAULBILL, "push_sweep"], env)
        time.sleep(1.1)  # past the queue grace: invoices the dead worker had queued are queued again
        run([HAULBILL, "push_sweep"], env)
    progress_at_last_kill = state(db, company_id, run_id)

    worker = start_worker(env, log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            now = state(db, company_id, run_id)
            if now["run_done"] and now["pushed"] == INVOICES:
                break
            time.sleep(1.5)
            run([HAULBILL, "push_sweep"], env)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()

    final = state(db, company_id, run_id)
    assert final == {"pushed": INVOICES, "drafts": 0, "run_done": True, "total": INVOICES}, (
        final, progress_at_last_kill, log.read_text()[-3000:])  # fmt: skip
    assert 0 < progress_at_last_kill["pushed"] < INVOICES or progress_at_last_kill["drafts"] > 0, (
        "kills landed too late"
    )

    numbers = Counter(o["OrderNumber"] for o in billit_sandbox.orders(billit_sandbox.party_id))
    with sqlite3.connect(db) as conn:
        ours = [r[0] for r in conn.execute(
            "SELECT number FROM invoicing_invoice WHERE company_id=? ORDER BY sequence_value", (company_id,))]  # fmt: skip
        sequence = [r[0] for r in conn.execute(
            "SELECT sequence_value FROM invoicing_invoice WHERE company_id=? ORDER BY sequence_value", (company_id,))]  # fmt: skip
        per_transport = conn.execute(
            "SELECT l.transport_id, count(*) FROM invoicing_invoiceline l JOIN invoicing_invoice i ON i.id = l.invoice_id "
            "WHERE i.company_id=? AND i.status='finalised' GROUP BY 1", (company_id,)).fetchall()  # fmt: skip
        not_invoiced = conn.execute(
            "SELECT count(*) FROM transports_transport WHERE company_id=? AND invoicing_status != 'invoiced'",
            (company_id,)).fetchone()[0]  # fmt: skip
    assert numbers == dict.fromkeys(ours, 1), "an invoice is missing or duplicated in Billit"
    assert sequence == list(range(sequence[0], sequence[0] + INVOICES)), "numbers have a gap"
    assert len(per_transport) == INVOICES and {n for _t, n in per_transport} == {1}
    assert not_invoiced == 0
    assert time.monotonic() - started < 170
