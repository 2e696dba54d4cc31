from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from haulbill.api import tokens
from tests.factories import CompanyFactory, CustomerFactory, InvoicingSettingsFactory, MembershipFactory


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
