"""Reading one tenant row by id for an endpoint: another company's row, or an id out of range, is 404."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404

from haulbill.tenancy.models import Company
from haulbill.tenancy.scoping import get_for_company_or_404

M = TypeVar("M", bound=models.Model)
MAX_ID = 2**63 - 1


def get_or_404(company: Company, model: type[M], pk: Any, **extra: Any) -> M:
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise Http404(model._meta.verbose_name)
    return get_for_company_or_404(company, model, pk=pk, **extra)
