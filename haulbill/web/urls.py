"""Page URLs, one route module per area so each area's pages stay together."""

from importlib import import_module
from importlib.util import find_spec

from django.urls import include, path

AREAS = [
    "core",
    "extension",
    "linking",
    "invoices",
    "drafts",
    "apitokens",
    "einvoice",
    "pushing",
    "verification",
    "fuel",
]

urlpatterns = [
    path("", include(f"haulbill.web.routes.{area}"))
    for area in AREAS
    if find_spec(f"haulbill.web.routes.{area}") is not None and import_module(f"haulbill.web.routes.{area}")
]
