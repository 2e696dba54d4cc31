"""The sandbox as a program: starts fast from the command line, keeps state in a file, adds latency on request."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from billit_sandbox.faults import FaultConfig
from billit_sandbox.ports import free_port
from billit_sandbox.server import SandboxServer

REPO = Path(__file__).resolve().parents[2]
DEMO = {"ApiKey": "sandbox-demo-key"}
INVOICE = {
    "OrderType": "Invoice",
    "OrderDirection": "Income",
    "OrderDate": "2026-05-06",
    "ExpiryDate": "2026-06-05",
    "CustomerID": 200001,
    "OrderLines": [{"Quantity": 1, "UnitPriceExcl": 100, "Description": "Ride", "VATPercentage": 21}],
}


def wait_until_up(url: str, process: subprocess.Popen[str], limit: float = 10.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if process.poll() is not None:
            raise AssertionError(f"the sandbox exited: {process.stdout.read() if process.stdout else ''}")
        try:
            httpx.get(f"{url}/_sandbox/health", timeout=0.5)
            return time.monotonic() - started
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the sandbox did not start")


@pytest.fixture
def spawn() -> Iterator[list[subprocess.Popen[str]]]:
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        process.terminate()
        process.wait(timeout=5)


def test_it_starts_from_the_command_line_and_answers_like_billit(spawn: list[subprocess.Popen[str]]) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "billit_sandbox", "--port", str(port), "--latency-ms", "1"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    spawn.append(process)

    startup = wait_until_up(f"http://127.0.0.1:{port}", process)
    answer = httpx.get(f"http://127.0.0.1:{port}/v1/account/accountInformation", headers=DEMO)

    assert startup < 5
    assert answer.status_code == 200
    assert answer.json()["Companies"][0]["PartyID"] == 100001


def test_it_runs_as_the_haulbill_management_command(spawn: list[subprocess.Popen[str]]) -> None:
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "tests.settings")}
    process = subprocess.Popen(
        [sys.executable, "-m", "haulbill", "billit-sandbox", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    spawn.append(process)

    wait_until_up(f"http://127.0.0.1:{port}", process, limit=20)

    assert httpx.get(f"http://127.0.0.1:{port}/v1/products", headers=DEMO).json()["Count"] == 4


def test_it_keeps_its_state_in_the_data_file_across_restarts(tmp_path: Path) -> None:
    data = str(tmp_path / "billit.sqlite3")
    first = SandboxServer(data=data).start()
    order_id = httpx.post(f"{first.base_url}/v1/orders", json=INVOICE, headers=DEMO).json()
    first.stop()

    second = SandboxServer(data=data).start()
    try:
        answer = httpx.get(f"{second.base_url}/v1/orders/{order_id}", headers=DEMO)
    finally:
        second.stop()

    assert answer.status_code == 200 and answer.json()["TotalIncl"] == 121


def test_it_adds_the_latency_it_was_started_with() -> None:
    server = SandboxServer(faults=FaultConfig(latency_ms=120)).start()
    try:
        with httpx.Client(base_url=server.base_url, headers=DEMO) as http:
            http.get("/v1/products")
            started = time.monotonic()
            http.get("/v1/products")
            slow = time.monotonic() - started
            started = time.monotonic()
            http.get("/_sandbox/health")
            control = time.monotonic() - started
    finally:
        server.stop()

    assert slow >= 0.12
    assert control < 0.1  # control endpoints are never slowed or faulted


def test_it_draws_the_same_faults_for_the_same_seed() -> None:
    def statuses(seed: int) -> list[int]:
        server = SandboxServer(faults=FaultConfig(error_rate=0.5, seed=seed)).start()
        try:
            with httpx.Client(base_url=server.base_url, headers=DEMO) as http:
                return [http.get("/v1/products").status_code for _ in range(16)]
        finally:
            server.stop()

    first, again, other = statuses(3), statuses(3), statuses(4)

    assert first == again
    assert first != other and 500 in first and 200 in first


def test_it_answers_429_with_retry_after_beyond_its_rate_limit() -> None:
    server = SandboxServer(faults=FaultConfig(rate_limit_per_s=5, retry_after=2)).start()
    try:
        with httpx.Client(base_url=server.base_url, headers=DEMO) as http:
            answers = [http.get("/v1/products") for _ in range(8)]
    finally:
        server.stop()

    limited = [a for a in answers if a.status_code == 429]
    assert 1 <= len(limited) <= 3
    assert limited[0].headers["Retry-After"] == "2"


def test_it_serves_32_concurrent_clients_at_50_ms_latency_above_200_requests_per_second() -> None:
    import http.client
    import threading

    server = SandboxServer(faults=FaultConfig(latency_ms=50)).start()
    port = int(server.base_url.rsplit(":", 1)[1])
    done: list[int] = [0] * 32
    stop_at = time.monotonic() + 1.5

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        while time.monotonic() < stop_at:
            connection.request("GET", "/v1/account/accountInformation", headers=DEMO)
            answer = connection.getresponse()
            answer.read()
            done[index] += answer.status == 200
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(32)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.stop()

    rate = sum(done) / (time.monotonic() - started)
    assert rate >= 200, f"{rate:.0f} req/s"
    assert server.sandbox.peak_in_flight >= 24
