"""The HTTP side: a thread per connection with keep-alive, faults applied around the API, control endpoints.

Control endpoints (never faulted, no key; the sandbox is meant for loopback):
  GET  /_sandbox/health                 {"ok": true}
  POST /_sandbox/reset                  back to the seed; faults, stats, journal and settings cleared
  GET/POST /_sandbox/faults             read / replace the fault configuration (see faults.FaultConfig)
  GET  /_sandbox/stats                  request counts by route and status, faults injected, peak concurrency,
                                        time spent answering /v1 requests (service_s)
  GET  /_sandbox/requests               journal of /v1 requests and answers (no ApiKey), newest last
  POST /_sandbox/peppol/participants    {"Identifier": "BE0123456749"} registers a Peppol participant
  DELETE /_sandbox/peppol/participants  same body, unregisters
  GET  /_sandbox/orders                 every order of every company (optional ?company_id=)
  GET  /_sandbox/webhooks/deliveries    webhook deliveries made so far
  POST /_sandbox/settings               {"email_fallback": true} restores the pre-2026 Peppol → e-mail fallback;
                                        {"next_page_base": "http://other:1"} bends NextPageLink (client tests)
  POST /_sandbox/accounts               {"ApiKey": "...", "Companies": [100001]} adds an API key (a new user)
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from billit_sandbox import seed, wire
from billit_sandbox.api import Api, Request, Response
from billit_sandbox.faults import Fault, FaultConfig, FaultPlan
from billit_sandbox.store import Store
from billit_sandbox.webhooks import WebhookDispatcher

log = logging.getLogger("billit_sandbox")
JOURNAL_SIZE = 2000
# email_fallback: Peppol falls back to e-mail unless StrictTransportType (Billit before February 2026).
# next_page_base: scheme://host[:port] put in NextPageLink instead of the request's Host (to test clients).
DEFAULT_SETTINGS: dict[str, Any] = {"email_fallback": False, "next_page_base": None}
_JOURNAL_HEADERS = ("content-type", "user-agent", "partyid", "idempotency-key", "idempotent-key",
                    "stricttransporttype")  # fmt: skip


class Sandbox:
    """Everything but the socket: state, API, faults, stats. One per server."""

    def __init__(self, data: str | None = None, faults: FaultConfig | None = None) -> None:
        self.store = Store(data)
        self.default_faults = faults or FaultConfig()
        self.faults = FaultPlan(self.default_faults)
        self.settings: dict[str, Any] = dict(DEFAULT_SETTINGS)
        self.webhooks = WebhookDispatcher(self.store)
        self.api = Api(self.store, self.settings, self.webhooks.publish)
        self._stats_lock = threading.Lock()
        self.journal: deque[dict[str, Any]] = deque(maxlen=JOURNAL_SIZE)
        self._reset_stats()
        if not self.store.is_seeded():
            seed.seed(self.store)

    def _reset_stats(self) -> None:
        with self._stats_lock:
            self.started = time.monotonic()
            self.by_route: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()
            self.faults_injected: Counter[str] = Counter()
            self.in_flight = 0
            self.peak_in_flight = 0
            self.requests = 0
            self.service_s = 0.0

    def reset(self) -> None:
        # Requests still in flight (a hanging "timeout" fault) finish first, so none lands in the fresh state.
        deadline = time.monotonic() + 10
        while self.in_flight > 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.webhooks.wait_idle()
        seed.seed(self.store)
        self.faults.configure(self.default_faults)
        self.settings.clear()
        self.settings.update(DEFAULT_SETTINGS)
        self.journal.clear()
        self.webhooks.deliveries.clear()
        self._reset_stats()

    def enter(self, route: str) -> float:
        with self._stats_lock:
            self.requests += 1
            self.by_route[route] += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        return time.perf_counter()

    def leave(self, status: str, entered: float) -> None:
        with self._stats_lock:
            self.in_flight -= 1
            self.by_status[status] += 1
            self.service_s += time.perf_counter() - entered

    def count_fault(self, kind: str) -> None:
        with self._stats_lock:
            self.faults_injected[kind] += 1

    def stats(self) -> dict[str, Any]:
        with self._stats_lock:
            return {
                "requests": self.requests,
                "by_route": dict(self.by_route),
                "by_status": dict(self.by_status),
                "faults_injected": dict(self.faults_injected),
                "peak_in_flight": self.peak_in_flight,
                # Added latency included: service_s / requests - latency is the sandbox's own time per request.
                "service_s": round(self.service_s, 6),
                "uptime_s": round(time.monotonic() - self.started, 3),
            }

    def control(self, request: Request) -> Response:
        path, method = request.path.rstrip("/"), request.method
        try:
            if path == "/_sandbox/health":
                return Response(200, {"ok": True})
            if path == "/_sandbox/reset" and method == "POST":
                self.reset()
                return Response(200, {"ok": True})
            if path == "/_sandbox/faults" and method == "GET":
                return Response(200, self.faults.config.as_dict())
            if path == "/_sandbox/faults" and method == "POST":
                self.faults.configure(FaultConfig.from_dict(request.json() if request.body.strip() else {}))
                return Response(200, self.faults.config.as_dict())
            if path == "/_sandbox/stats":
                return Response(200, self.stats())
            if path == "/_sandbox/requests":
                return Response(200, self.read_journal())
            if path == "/_sandbox/peppol/participants" and method in ("POST", "DELETE"):
                from billit_sandbox.identifiers import canonical

                body = request.json()
                identifier = canonical(str(body.get("Identifier", "")))
                if not identifier:
                    return Response(400, {"Message": "Identifier is required"})
                if method == "POST":
                    self.store.register_participant(identifier)
                else:
                    self.store.unregister_participant(identifier)
                return Response(200, {"Identifier": identifier, "Registered": method == "POST"})
            if path == "/_sandbox/orders":
                company = request.query.get("company_id")
                orders = self.store.list("order", int(company) if company else None)
                return Response(200, orders)
            if path == "/_sandbox/webhooks/deliveries":
                self.webhooks.wait_idle()
                return Response(200, list(self.webhooks.deliveries))
            if path == "/_sandbox/accounts" and method == "POST":
                body = request.json()
                key, companies = str(body.get("ApiKey", "")), body.get("Companies") or [seed.DEMO_COMPANY_ID]
                if not key or not all(self.store.get("company", c, c) for c in companies):
                    return Response(400, {"Message": "ApiKey and existing Companies (PartyIDs) are required"})
                user_id = self.store.next_value("user", start=100)
                self.store.put_account(
                    key,
                    {"UserID": user_id, "Email": f"user{user_id}@haulbill.example", "FirstName": "Test",
                     "LastName": f"User {user_id}", "Companies": companies},
                )  # fmt: skip
                return Response(200, {"UserID": user_id, "Companies": companies})
            if path == "/_sandbox/settings" and method == "POST":
                body = request.json()
                unknown = sorted(set(body) - set(self.settings))
                if unknown:
                    return Response(400, {"Message": f"unknown settings: {', '.join(unknown)}"})
                self.settings.update(body)
                return Response(200, dict(self.settings))
        except ValueError as exc:
            return Response(400, {"Message": str(exc)})
        except Exception as exc:  # control calls come from tests: say what went wrong
            return Response(400, {"Message": getattr(exc, "body", None) or str(exc)})
        return Response(404, {"Message": f"unknown control endpoint {method} {path}"})

    def record(self, request: Request, response: Response | None, fault: Fault | None) -> None:
        """Journal the exchange. The request body is kept as bytes and parsed only when the journal is read:
        parsing every order body here cost more than the rest of the bookkeeping under load."""
        self.journal.append(
            {
                "method": request.method,
                "path": request.path,
                "query": request.query,
                "headers": {k: v for k, v in request.headers.items() if k in _JOURNAL_HEADERS},
                "has_api_key": bool(request.headers.get("apikey")),
                "request_body": request.body,
                "status": response.status if response else None,
                "response_body": None if response is None or response.empty else response.body,
                "fault": None if fault is None else {"kind": fault.kind, "phase": fault.phase},
                "at": time.time(),  # when answered (epoch seconds): lets tests check a client's pacing
            }
        )

    def read_journal(self) -> list[dict[str, Any]]:
        def parsed(raw: bytes) -> Any:
            try:
                return wire.loads(raw) if raw.strip() else None
            except ValueError:
                return raw.decode("utf-8", "replace")

        return [{**entry, "request_body": parsed(entry["request_body"])} for entry in list(self.journal)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BillitSandbox/1.0"
    timeout = 120  # idle keep-alive connections are closed after this
    server: SandboxHTTPServer

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        # Without NODELAY, Nagle + delayed ACK add ~40 ms to an answer that leaves in more than one segment.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch()

    do_POST = do_PATCH = do_DELETE = do_PUT = do_GET  # noqa: N815

    def _dispatch(self) -> None:
        sandbox = self.server.sandbox
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            host=self.headers.get("Host") or self.server.authority,
        )
        if url.path.startswith("/_sandbox/"):
            self._send(sandbox.control(request))
            return
        entered = sandbox.enter(sandbox.api.route_name(request.method, url.path.rstrip("/")))
        status = "error"
        fault: Fault | None = None
        response: Response | None = None
        recorded = False
        try:
            delay = sandbox.faults.latency()
            if delay:
                time.sleep(delay)
            fault = sandbox.faults.pick(request.method, url.path)
            if fault is None or fault.phase == "before":
                if fault is None:
                    response = sandbox.api.handle(request)
                    status = str(response.status)
                    # Journal before answering, so a client that reads the journal after its answer sees it.
                    sandbox.record(request, response, None)
                    recorded = True
                    self._send(response)
                    return
                status = self._inject(fault)
                return
            response = sandbox.api.handle(request)  # the work is done, then the answer fails
            status = self._inject(fault)
        finally:
            sandbox.leave(status, entered)
            if not recorded:
                sandbox.record(request, response if fault is None else None, fault)

    def _send(self, response: Response, extra_body: bytes | None = None) -> None:
        payload = extra_body if extra_body is not None else response.encode()
        self.send_response(response.status)
        if not response.empty or extra_body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        # Head and body in one write (end_headers would flush the head alone): one system call per answer, not two.
        self._headers_buffer.append(b"\r\n" + payload)  # type: ignore[attr-defined]
        self.flush_headers()

    def _inject(self, fault: Fault) -> str:
        self.server.sandbox.count_fault(fault.kind)
        if fault.kind == "429":
            self._send(
                Response(429, {"Message": "Too many requests."}, headers={"Retry-After": str(fault.retry_after)})
            )
            return "429"
        if fault.kind.isdigit():
            self._send(Response(int(fault.kind), {"Message": "An error has occurred."}))
            return fault.kind
        if fault.kind == "malformed":
            self._send(Response(200), extra_body=b'{"Items": [{"OrderID": 1, "Order')
            return "malformed"
        if fault.kind == "timeout":
            time.sleep(fault.timeout_s)
        # drop (and timeout, once the client has given up): close without an answer
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        return fault.kind


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(self, address: tuple[str, int], sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        super().__init__(address, _Handler)

    @property
    def authority(self) -> str:
        host, port = cast(tuple[str, int], self.server_address[:2])
        return f"{host}:{port}"


class SandboxServer:
    """A running sandbox: `start()` in a background thread (tests), or `serve_forever()` (the command)."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, data: str | None = None, faults: FaultConfig | None = None
    ) -> None:
        self.sandbox = Sandbox(data=data, faults=faults)
        self.httpd = SandboxHTTPServer((host, port), self.sandbox)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.httpd.authority}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="billit-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self.sandbox.webhooks.wait_idle()
        self.sandbox.webhooks.stop()
        self.sandbox.store.close()
