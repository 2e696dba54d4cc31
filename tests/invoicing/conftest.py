from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """A fixed "today" for finalisation dates (a clock, the one thing we patch)."""
    day = dt.date(2026, 11, 24)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)
    return day


@pytest.fixture
def other_company(db: Any) -> Any:
    from tests.factories import CompanyFactory, InvoicingSettingsFactory

    company = CompanyFactory()
    InvoicingSettingsFactory(company=company)
    return company


@pytest.fixture
def remote_platform(company: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The company connected to a fake remote platform (see fakes.py), with a synchronised catalog product."""
    from haulbill.invoicing.models import InvoicingSettings, Provider
    from haulbill.providers import registry
    from haulbill.providers.models import ProviderConnection
    from tests.invoicing import fakes

    platform = fakes.FakePlatform()
    monkeypatch.setattr(fakes, "PLATFORM", platform)
    monkeypatch.setitem(registry.ADAPTERS, Provider.BILLIT, "tests.invoicing.fakes:FakeRemoteProvider")
    InvoicingSettings.objects.filter(company=company).update(provider=Provider.BILLIT)
    ProviderConnection.objects.create(company=company, provider=Provider.BILLIT, next_invoice_number="F-1")
    return platform
