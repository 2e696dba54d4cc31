from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """A fixed "today" for finalisation dates (a clock, the one thing we patch)."""
    day = dt.date(2026, 11, 24)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: day)
    return day
