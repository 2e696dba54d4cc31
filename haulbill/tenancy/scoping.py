"""Company scoping: the one way domain rows are read.

Every tenant model inherits CompanyOwned; its manager has no useful default for views: pages and services reach
rows only through `Model.objects.for_company(company)` or `get_for_company_or_404`, and a test walks every URL to
prove a user of one company cannot reach another's rows.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models
from django.http import Http404

from .models import Company

M = TypeVar("M", bound=models.Model)


class CompanyQuerySet(models.QuerySet[M]):
    def for_company(self, company: Company) -> CompanyQuerySet[M]:
        if company is None or not getattr(company, "pk", None):
            raise ValueError("A company is required to read tenant rows.")
        return self.filter(company=company)


class CompanyOwned(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")

    objects = CompanyQuerySet.as_manager()

    class Meta:
        abstract = True


def get_for_company_or_404(company: Company, model: type[M], **lookup: Any) -> M:
    try:
        return model.objects.for_company(company).get(**lookup)  # type: ignore[attr-defined, no-any-return]
    except (model.DoesNotExist, ValueError, TypeError) as exc:  # type: ignore[attr-defined]
        raise Http404(str(model._meta.verbose_name)) from exc
