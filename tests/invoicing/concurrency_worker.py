"""Child process of the concurrency test: sets Django up against the test database, then finalises its drafts.

Kept free of Django imports at module level: a spawned child imports this module before Django is configured.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any


def finalise_in_child(database_url: str, company_id: int, invoice_ids: list[int], barrier: Any, results: Any) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from haulbill.invoicing.finalising import finalise_invoice
    from haulbill.tenancy.models import Company

    company = Company.objects.get(pk=company_id)
    barrier.wait(timeout=60)  # every child starts finalising at the same moment
    for invoice_id in invoice_ids:
        try:
            invoice = finalise_invoice(company, invoice_id, issue_date=dt.date(2026, 11, 24))
            results.put(("ok", invoice.sequence_value, invoice.number))
        except Exception as exc:  # reported to the parent, which fails the test with it
            results.put(("error", repr(exc), ""))
