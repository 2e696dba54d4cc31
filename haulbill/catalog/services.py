"""Synchronising the product catalog (items, prices, VAT rates) from the invoicing provider.

Every provider product is upserted by its provider ID; a product the provider no longer lists becomes inactive,
never deleted, because price lines keep pointing at it. The remote list is read in full first, then every write
happens in one transaction: a failed read changes nothing, and a second run with the same data reports no change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haulbill.core.errors import HaulbillError
from haulbill.core.jobs import ProgressCallback, create_job
from haulbill.core.models import Job
from haulbill.providers.base import ProviderError, RemoteProduct
from haulbill.providers.registry import provider_for
from haulbill.tenancy.models import Company

from . import suggestions
from .models import UNIT_CODES, Product, VatLevel

JOB_KIND = "sync-catalog"
PRICE = Decimal("0.0001")
RATE = Decimal("0.01")


@dataclass
class SyncResult:
    added: list[str] = field(default_factory=list)  # item codes
    changed: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    reactivated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.changed or self.deactivated or self.reactivated)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "has_changes": self.has_changes, "summary": self.summary()}

    def summary(self) -> str:
        if not self.has_changes:
            return _("The catalog is up to date: no change (%(n)d products).") % {"n": self.unchanged}
        return _(
            "%(added)d added, %(changed)d changed, %(deactivated)d deactivated, %(reactivated)d reactivated, "
            "%(unchanged)d unchanged."
        ) % {
            "added": len(self.added),
            "changed": len(self.changed),
            "deactivated": len(self.deactivated),
            "reactivated": len(self.reactivated),
            "unchanged": self.unchanged,
        }


def _wanted_fields(remote: RemoteProduct) -> dict[str, Any]:
    vat_level = remote.vat_level if remote.vat_level in VatLevel.values else VatLevel.PRODUCT
    return {
        "item_code": remote.item_code[:60],
        "name": remote.name[:200],
        "unit": remote.unit if remote.unit in UNIT_CODES else "C62",
        "unit_price": Decimal(remote.unit_price).quantize(PRICE),
        "vat_rate": None
        if remote.vat_rate is None or vat_level == VatLevel.CUSTOMER
        else Decimal(remote.vat_rate).quantize(RATE),
        "vat_level": vat_level,
    }


def sync_catalog(company: Company, progress: ProgressCallback | None = None) -> SyncResult:
    provider = provider_for(company)
    if provider is None:
        raise HaulbillError(
            "provider_not_connected",
            _("Connect an invoicing platform first (Settings › Extensions › Invoicing)."),
        )
    try:
        remote = list(provider.list_products(progress))
    except ProviderError as exc:
        raise HaulbillError(exc.code, exc.message, status=502) from None
    return apply_catalog(company, provider.key, remote)


def apply_catalog(company: Company, provider_key: str, remote: list[RemoteProduct]) -> SyncResult:
    """Upsert `remote` as the company's catalog for `provider_key`; one transaction."""
    result = SyncResult()
    now = timezone.now()
    with transaction.atomic():
        existing = {
            p.provider_product_id: p
            for p in Product.objects.for_company(company).select_for_update().filter(provider=provider_key)
            if p.provider_product_id
        }
        seen: set[str] = set()
        to_create: list[Product] = []
        to_update: list[Product] = []
        for item in remote:
            if item.remote_id in seen:
                continue
            seen.add(item.remote_id)
            wanted = _wanted_fields(item)
            product = existing.get(item.remote_id)
            if product is None:
                to_create.append(
                    Product(
                        company=company,
                        provider=provider_key,
                        provider_product_id=item.remote_id,
                        is_active=True,
                        last_synced_at=now,
                        **wanted,
                    )  # fmt: skip
                )
                result.added.append(wanted["item_code"])
                continue
            differs = [name for name, value in wanted.items() if getattr(product, name) != value]
            for name in differs:
                setattr(product, name, wanted[name])
            if not product.is_active:
                product.is_active = True
                result.reactivated.append(product.item_code)
            elif differs:
                result.changed.append(product.item_code)
            else:
                result.unchanged += 1
            product.last_synced_at = now
            to_update.append(product)
        for remote_id, product in existing.items():
            if remote_id not in seen and product.is_active:
                product.is_active = False
                to_update.append(product)
                result.deactivated.append(product.item_code)
        Product.objects.bulk_create(to_create, batch_size=500)
        Product.objects.bulk_update(
            to_update,
            ["item_code", "name", "unit", "unit_price", "vat_rate", "vat_level", "is_active", "last_synced_at"],
            batch_size=500,
        )
    # The catalog decides which item code a line without one can be given: fill (or re-decide) the suggestions now.
    suggestions.suggest(company)
    return result


def start_catalog_sync(company: Company, *, user: Any = None) -> Job:
    """Queue the synchronisation as a background job; the page polls the returned Job."""
    from .tasks import sync_catalog_task

    job = create_job(company, JOB_KIND, user=user if getattr(user, "pk", None) else None)
    sync_catalog_task(job.pk)
    return job
