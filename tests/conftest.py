from __future__ import annotations

from importlib.util import find_spec
from typing import Any

import pytest
from django.test import Client

from tests.factories import CompanyFactory, InvoicingSettingsFactory, MembershipFactory

# The Billit sandbox fixtures (`billit_sandbox`), shared by every suite that talks to "Billit".
pytest_plugins = ["billit_sandbox.pytest_plugin"] if find_spec("billit_sandbox.pytest_plugin") else []


@pytest.fixture
def company(db: Any) -> Any:
    company = CompanyFactory()
    InvoicingSettingsFactory(company=company)
    return company


@pytest.fixture
def admin_membership(company: Any) -> Any:
    return MembershipFactory(company=company, role="admin")


@pytest.fixture
def user_client(admin_membership: Any) -> Client:
    client = Client()
    client.force_login(admin_membership.user)
    return client


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Throttles and rate limits count in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """A request leaves its language active in the thread (Django never deactivates it): start each test in English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
