"""`python -m billit_sandbox` and `haulbill billit-sandbox`: run a Billit-compatible server."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Protocol

from billit_sandbox.faults import FaultConfig
from billit_sandbox.seed import DEMO_COMPANY_ID, DEMO_KEY, TWIN_COMPANY_IDS, TWO_COMPANIES_KEY


class SupportsWrite(Protocol):
    def write(self, text: str, /) -> object: ...


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--data", default=None, help="SQLite file to keep state in (default: memory)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added latency per /v1 request")
    parser.add_argument("--jitter-ms", type=float, default=0.0, help="random extra latency, 0..N ms")
    parser.add_argument("--error-rate", type=float, default=0.0, help="share of requests answered 5xx")
    parser.add_argument("--error-status", type=int, default=500, help="status for --error-rate (500 or 503)")
    parser.add_argument("--throttle-rate", type=float, default=0.0, help="share of requests answered 429")
    parser.add_argument("--rate-limit", type=float, default=0.0, help="requests per second before 429")
    parser.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds on 429")
    parser.add_argument("--drop-rate", type=float, default=0.0, help="share of connections dropped")
    parser.add_argument("--timeout-rate", type=float, default=0.0, help="share of requests left hanging")
    parser.add_argument("--timeout-s", type=float, default=2.0, help="how long a hanging request hangs")
    parser.add_argument("--malformed-rate", type=float, default=0.0, help="share of answers with broken JSON")
    parser.add_argument(
        "--fault-phase", choices=("before", "after", "random"), default="before",
        help="strike before the work is done, after it (a write is applied, the answer fails), or either",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="random seed for faults and jitter")
    parser.add_argument("--verbose", action="store_true", help="log every request")


def faults_from(options: argparse.Namespace) -> FaultConfig:
    return FaultConfig.from_dict(
        {
            "latency_ms": options.latency_ms,
            "jitter_ms": options.jitter_ms,
            "error_rate": options.error_rate,
            "error_status": options.error_status,
            "throttle_rate": options.throttle_rate,
            "rate_limit_per_s": options.rate_limit,
            "retry_after": options.retry_after,
            "drop_rate": options.drop_rate,
            "timeout_rate": options.timeout_rate,
            "timeout_s": options.timeout_s,
            "malformed_rate": options.malformed_rate,
            "phase": options.fault_phase,
            "seed": options.seed,
        }
    )


def serve(options: argparse.Namespace, out: SupportsWrite | None = None) -> None:
    from billit_sandbox.server import SandboxServer

    logging.basicConfig(level=logging.DEBUG if options.verbose else logging.INFO, format="%(message)s")
    server = SandboxServer(options.host, options.port, data=options.data, faults=faults_from(options))
    stream = out or sys.stdout
    stream.write(f"Billit sandbox listening on {server.base_url}\n")
    stream.write(
        f"  ApiKey {DEMO_KEY} -> PartyID {DEMO_COMPANY_ID}; "
        f"ApiKey {TWO_COMPANIES_KEY} -> PartyIDs {', '.join(map(str, TWIN_COMPANY_IDS))}\n"
    )
    if hasattr(stream, "flush"):
        stream.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="billit_sandbox", description="A Billit-compatible API server.")
    add_arguments(parser)
    serve(parser.parse_args(argv))
