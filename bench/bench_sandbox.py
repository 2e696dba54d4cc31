"""Throughput of billit_sandbox under added latency: 32 concurrent keep-alive clients, 50 ms per request.

Starts its own sandbox as a subprocess (so the load generator does not share its interpreter) and prints one line
per figure, e.g. `sandbox_throughput_50ms_32c: 480 req/s`. The floor the sandbox must keep is 200 req/s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from billit_sandbox.ports import free_port

REPO = Path(__file__).resolve().parents[1]
HEADERS = {"ApiKey": "sandbox-demo-key", "PartyID": "100001", "Connection": "keep-alive"}
INVOICE = json.dumps(
    {
        "OrderType": "Invoice",
        "OrderDirection": "Income",
        "OrderDate": "2026-05-06",
        "ExpiryDate": "2026-06-05",
        "CustomerID": 200001,
        "OrderLines": [{"Quantity": 1, "UnitPriceExcl": 100, "Description": "Ride", "VATPercentage": 21}],
    }
)


def wait_up(port: int) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/_sandbox/health")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("sandbox did not start")


def load(port: int, clients: int, seconds: float, path: str, method: str = "GET", body: str | None = None) -> float:
    done = [0] * clients
    errors = [0] * clients
    stop_at = time.monotonic() + seconds

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = dict(HEADERS)
        if body is not None:
            headers["Content-Type"] = "application/json"
        while time.monotonic() < stop_at:
            try:
                connection.request(method, path, body=body, headers=headers)
                answer = connection.getresponse()
                answer.read()
                if answer.status == 200:
                    done[index] += 1
                else:
                    errors[index] += 1
            except OSError:
                errors[index] += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if sum(errors):
        print(f"# {sum(errors)} failed requests on {path}", file=sys.stderr)
    return sum(done) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    options = parser.parse_args()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "billit_sandbox", "--port", str(port), "--latency-ms", str(options.latency_ms)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(port)
        load(port, options.clients, 0.5, "/v1/account/accountInformation")  # warm-up
        tag = f"{options.latency_ms:.0f}ms_{options.clients}c"
        reads = load(port, options.clients, options.seconds, "/v1/account/accountInformation")
        print(f"sandbox_throughput_{tag}: {reads:.0f} req/s")
        orders = load(port, options.clients, options.seconds, "/v1/orders", "POST", INVOICE)
        print(f"sandbox_order_create_throughput_{tag}: {orders:.0f} req/s")
        lists = load(port, options.clients, options.seconds, "/v1/products")
        print(f"sandbox_product_list_throughput_{tag}: {lists:.0f} req/s")
        ideal = options.clients / (options.latency_ms / 1000) if options.latency_ms else float("inf")
        print(f"sandbox_latency_bound_{tag}: {ideal:.0f} req/s")
    finally:
        server.terminate()
        server.wait(timeout=5)


if __name__ == "__main__":
    main()
