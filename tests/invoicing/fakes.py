"""A fake remote provider (a platform with its own catalog and customers), installed as the company's adapter.

Used where the engine's behaviour towards *any* remote platform is tested; the Billit-specific scenarios run
against the real adapter and `billit_sandbox` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from haulbill.providers.base import (
    ConnectionInfo,
    PeppolStatus,
    ProviderAuthError,
    PushResult,
    RemoteAccount,
    RemoteCustomer,
    RemoteProduct,
)


class FakePlatform:
    """The remote side's state, shared by every adapter instance of a test."""

    def __init__(self) -> None:
        self.key_valid = True
        self.customers: dict[str, str] = {}
        self.next_invoice = "F-1"
        self.calls: list[str] = []
        self.pushed: list[str] = []


PLATFORM = FakePlatform()


class FakeRemoteProvider:
    key = "billit"

    def __init__(self, company: Any, connection: Any) -> None:
        self.company = company

    def check_connection(self) -> ConnectionInfo:
        PLATFORM.calls.append("check_connection")
        if not PLATFORM.key_valid:
            raise ProviderAuthError("The API key was refused.")
        return ConnectionInfo("owner@example.com", [RemoteAccount("1", "Acme")])

    def list_products(self, progress: Any = None) -> Iterator[RemoteProduct]:
        yield RemoteProduct("1", "TR", "Transport", "C62", Decimal("1"), Decimal("21"), "product")

    def list_customers(self, progress: Any = None) -> Iterator[RemoteCustomer]:
        return iter(RemoteCustomer(k, v) for k, v in PLATFORM.customers.items())

    def get_customer(self, remote_id: str) -> RemoteCustomer | None:
        PLATFORM.calls.append(f"get_customer:{remote_id}")
        name = PLATFORM.customers.get(remote_id)
        return RemoteCustomer(remote_id, name) if name else None

    def create_customer(self, customer: Any) -> str:
        raise NotImplementedError

    def next_number(self, kind: str, *, consume: bool = False) -> str | None:
        PLATFORM.calls.append("next_number")
        return PLATFORM.next_invoice

    def push_invoice(self, invoice: Any) -> PushResult:
        PLATFORM.pushed.append(invoice.number)
        return PushResult(
            f"order-{invoice.pk}", invoice.number, invoice.total_excl, invoice.total_vat, invoice.total_incl
        )

    def find_invoice(self, number: str, kind: str) -> PushResult | None:
        return None

    def fetch_statuses(self, since: Any) -> Iterator[Any]:
        return iter(())

    def send(self, invoice: Any, method: str) -> None:
        return None

    def peppol_status(self, customer: Any) -> PeppolStatus:
        return PeppolStatus("unknown")
