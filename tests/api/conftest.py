from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from haulbill.api import tokens
from tests.einvoice.conftest import artefacts, validator  # noqa: F401 - the Peppol validation chain (skips without)
from tests.factories import (
    CompanyFactory,
    CustomerFactory,
    InvoicingSettingsFactory,
    MembershipFactory,
    PriceLineFactory,
    TransportFactory,
)
from tests.invoicing.conftest import today  # noqa: F401 - a fixed clock for issue dates


class ApiClient(Client):
    """A test client that speaks JSON to /api/v1 with a bearer token."""

    def __init__(self, raw_token: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.raw_token = raw_token

    def _auth(self, extra: dict[str, Any]) -> dict[str, Any]:
        if self.raw_token and "HTTP_AUTHORIZATION" not in extra:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {self.raw_token}"
        return extra

    def get(self, path: str, data: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        return super().get(path, data, **self._auth(extra))

    def post(self, path: str, data: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        return super().post(path, data, content_type="application/json", **self._auth(extra))

    def patch(self, path: str, data: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        return super().patch(path, data, content_type="application/json", **self._auth(extra))

    def put(self, path: str, data: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        return super().put(path, data, content_type="application/json", **self._auth(extra))

    def delete(self, path: str, data: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        return super().delete(path, data, content_type="application/json", **self._auth(extra))


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    """Rate-limit counters live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def api_client_for(membership: Any) -> ApiClient:
    _token, raw = tokens.create_token(membership, "test")
    return ApiClient(raw)


@pytest.fixture
def api(admin_membership: Any) -> ApiClient:
    return api_client_for(admin_membership)


@pytest.fixture
def other_company(db: Any) -> Any:
    company = CompanyFactory(legal_name="Other Carrier NV")
    InvoicingSettingsFactory(company=company)
    return company


def valid_enterprise_number(seed: int) -> str:
    """A Belgian enterprise number stdnum accepts: first digit 0, last two = 97 - (first eight mod 97)."""
    base = 1_000_000 + (seed * 7919) % 8_999_999
    return f"{base:08d}{97 - base % 97:02d}"


def valid_customer(company: Any, seed: int = 1, **fields: Any) -> Any:
    number = valid_enterprise_number(seed)
    fields.setdefault("enterprise_number", number)
    fields.setdefault("vat_number", f"BE{number}")
    fields.setdefault("peppol_identifier", f"0208:{number}")
    return CustomerFactory(company=company, **fields)


def member(company: Any, role: str) -> Any:
    return MembershipFactory(company=company, role=role)


# A company connected to the Billit sandbox over real HTTP -------------------------------------------------------
# The client's waits shortened, so a fault or a fuzzed base URL costs milliseconds, not the production timeouts.
FAST_BILLIT = {
    "BILLIT_TIMEOUT_SECONDS": 0.5,
    "BILLIT_RETRY_ATTEMPTS": 2,
    "BILLIT_RETRY_BASE_DELAY": 0.01,
    "BILLIT_RETRY_MAX_DELAY": 0.05,
    "BILLIT_RETRY_MAX_TOTAL_WAIT": 1.0,
    "BILLIT_RETRY_MAX_RETRY_AFTER": 1.0,
}
# Customers of the sandbox's demo Billit company (billit_sandbox/seed.py); the first is on its Peppol network.
SANDBOX_CUSTOMERS = {
    "BE0765432146": ("Logistiek Vlaanderen NV", "Gent", "9000"),
    "BE0812312345": ("Brasserie Wallonne SA", "Namur", "5000"),
}


@dataclass
class Connected:
    """The test company, connected to the sandbox's demo Billit company, its catalog synchronised and two linked
    customers (by VAT number) that can be invoiced at once."""

    company: Any
    sandbox: Any
    customers: dict[str, Any]
    products: dict[str, Any]

    @property
    def customer(self) -> Any:
        return self.customers["BE0765432146"]


def connect_to_sandbox(company: Any, sandbox: Any) -> Connected:
    from haulbill.addressbook import services as linking
    from haulbill.catalog import services as catalog
    from haulbill.catalog.models import Product
    from haulbill.providers import services as connection
    from haulbill.providers.registry import provider_for

    connection.connect_billit(company, api_key=sandbox.api_key, environment="custom", base_url=sandbox.base_url)
    catalog.sync_catalog(company)
    remote = {r.vat_number: r.remote_id for r in provider_for(company).list_customers()}  # type: ignore[union-attr]
    customers = {}
    for vat, (name, city, postcode) in SANDBOX_CUSTOMERS.items():
        enterprise = vat[2:]
        customer = CustomerFactory(
            company=company, name=name, vat_number=vat, enterprise_number=enterprise, country="BE", city=city,
            postcode=postcode, peppol_identifier=f"0208:{enterprise}", email=f"ap@{enterprise}.example",
            send_method="email",
        )  # fmt: skip
        customers[vat] = linking.link_customer(company, customer, remote[vat])
    products = {p.item_code: p for p in Product.objects.for_company(company)}
    return Connected(company, sandbox, customers, products)


@pytest.fixture
def fast_billit(settings: Any) -> Any:
    for name, value in FAST_BILLIT.items():
        setattr(settings, name, value)
    return settings


@pytest.fixture
def connected(company: Any, billit_sandbox: Any, fast_billit: Any) -> Connected:
    return connect_to_sandbox(company, billit_sandbox)


def ready_transport(setup: Connected, customer: Any = None, *, item_code: str = "TR-NAT", price: str = "450.00",
                    quantity: str = "1", day: dt.date = dt.date(2026, 11, 4), **fields: Any) -> Any:  # fmt: skip
    """A done, not invoiced transport with one price line on a synchronised product."""
    transport = TransportFactory(
        company=setup.company, customer=customer or setup.customer, unloading_date=day, **fields
    )
    PriceLineFactory(
        transport=transport, description="Freight", quantity=Decimal(quantity), unit_price=Decimal(price),
        product=setup.products[item_code],
    )  # fmt: skip
    return transport
