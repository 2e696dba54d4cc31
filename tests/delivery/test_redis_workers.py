"""Two worker processes on Redis share one run: every invoice is pushed once, and both workers did part of it."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from billit_sandbox.pytest_plugin import SandboxHandle
from tests.delivery.test_crash_drill import HAULBILL, drill_env, run, start_worker

REDIS = ("127.0.0.1", 6379)
INVOICES = 120


def redis_available() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.redis
@pytest.mark.skipif(not redis_available(), reason="Redis is not running on 127.0.0.1:6379 (start redis-server)")
def test_two_workers_on_redis_share_a_run_without_duplicates(billit_sandbox: SandboxHandle, tmp_path: Path) -> None:
    import redis

    url = "redis://127.0.0.1:6379/13"
    redis.Redis.from_url(url).flushdb()
    billit_sandbox.set_faults(latency_ms=20)
    env = drill_env(tmp_path, billit_sandbox, HAULBILL_REDIS_URL=url, DRILL_CHUNK_SIZE="10")
    db = tmp_path / "haulbill.sqlite3"
    log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
    run([HAULBILL, "migrate", "--noinput", "-v0"], env)
    workers = [start_worker(env, log_a), start_worker(env, log_b)]
    try:
        time.sleep(2)  # both consumers listening before the run is queued
        company_id, _run_id = map(
            int, run([sys.executable, "-m", "tests.delivery.drill_setup", str(INVOICES)], env).split()
        )
        deadline = time.monotonic() + 90
        pushed = 0
        while time.monotonic() < deadline and pushed < INVOICES:
            time.sleep(1)
            with sqlite3.connect(db, timeout=30) as conn:
                pushed = conn.execute("SELECT count(*) FROM invoicing_invoice WHERE company_id=? AND push_state='pushed'",
                                      (company_id,)).fetchone()[0]  # fmt: skip
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
    assert pushed == INVOICES
    numbers = Counter(o["OrderNumber"] for o in billit_sandbox.orders(billit_sandbox.party_id))
    assert len(numbers) == INVOICES and set(numbers.values()) == {1}
    with sqlite3.connect(db) as conn:
        owners = {r[0].split(":")[1] for r in conn.execute(
            "SELECT push_lease_owner FROM invoicing_invoice WHERE company_id=?", (company_id,))}  # fmt: skip
    assert owners == {str(w.pid) for w in workers}, "both workers should have pushed part of the run"
