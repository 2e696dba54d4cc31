from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 50


def paginate(request: HttpRequest, qs: QuerySet[Any], per_page: int = PER_PAGE) -> Page:
    return Paginator(qs, per_page).get_page(request.GET.get("page"))
