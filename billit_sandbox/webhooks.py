"""Webhook delivery: signed JSON POSTs from one background thread, in the order the events happened.

Signature as Billit documents it: `Billit-Signature: t=<unix seconds>,s=<hex HMAC-SHA256(secret, f"{t}.{body}")>`.
Payload as integrators observed it: UpdatedEntityID, UpdatedEntityType, WebhookUpdateTypeTC, EntityDetail.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import queue
import threading
import time
import urllib.request
from collections import deque
from typing import Any

from billit_sandbox import wire
from billit_sandbox.store import Store

log = logging.getLogger("billit_sandbox.webhooks")

_DETAIL_FIELDS = (
    "OrderID", "CompanyID", "OrderNumber", "OrderType", "OrderDirection", "OrderStatus", "OrderDate", "ExpiryDate",
    "TotalExcl", "TotalVAT", "TotalIncl", "ToPay", "Paid", "IsSent", "CounterPartyID", "LastModified",
)  # fmt: skip


def sign(secret: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},s={digest}"


class WebhookDispatcher:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.deliveries: deque[dict[str, Any]] = deque(maxlen=500)
        self._queue: queue.Queue[tuple[int, str, str, dict[str, Any]] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="billit-sandbox-webhooks", daemon=True)
        self._thread.start()

    def publish(self, company_id: int, events: list[tuple[str, str, dict[str, Any]]]) -> None:
        for entity_type, update_type, entity in events:
            self._queue.put((company_id, entity_type, update_type, entity))

    def stop(self) -> None:
        self._queue.put(None)

    def wait_idle(self, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                self._queue.task_done()
                return
            try:
                self._deliver(*item)
            except Exception:  # a broken receiver must not stop later deliveries
                log.exception("webhook delivery failed")
            finally:
                self._queue.task_done()

    def _deliver(self, company_id: int, entity_type: str, update_type: str, entity: dict[str, Any]) -> None:
        for webhook in self.store.list("webhook", company_id):
            if webhook["EntityType"] != entity_type:
                continue
            if webhook.get("EntityUpdateType") and webhook["EntityUpdateType"] != update_type:
                continue
            entity_id = entity.get("OrderID") if entity_type == "Order" else entity.get("OrderID")
            detail = {k: entity.get(k) for k in _DETAIL_FIELDS if k in entity} if entity_type == "Order" else entity
            body = wire.dumps(
                {
                    "UpdatedEntityID": entity_id,
                    "UpdatedEntityType": entity_type,
                    "WebhookUpdateTypeTC": update_type,
                    "EntityDetail": detail,
                }
            )
            timestamp = int(time.time())
            request = urllib.request.Request(
                webhook["WebhookURL"],
                data=body.encode("utf-8"),
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "Billit-Signature": sign(webhook["Secret"], timestamp, body),
                    "User-Agent": "billit-sandbox-webhooks",
                },
            )
            record: dict[str, Any] = {
                "WebhookID": webhook["WebhookID"],
                "URL": webhook["WebhookURL"],
                "EntityType": entity_type,
                "UpdateType": update_type,
                "EntityID": entity_id,
            }
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - URL chosen by the tester
                    record["Status"] = answer.status
            except Exception as exc:
                record["Status"] = None
                record["Error"] = type(exc).__name__
            self.deliveries.append(record)
