"""A transport's price changes through several doors (API, pages, imports): its fuel surcharge follows.

Saving or deleting a price line other than the surcharge itself recomputes the surcharge of its transport when
its customer has a fuel clause (one cheap query otherwise). Bulk writes send no signals: the services that make
them (verification, drafts, index imports) recompute explicitly.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from haulbill.transports.models import InvoicingStatus, PriceLine, Transport

from .models import FuelClause


@receiver(post_save, sender=PriceLine)
@receiver(post_delete, sender=PriceLine)
def recompute_fuel_surcharge(sender: Any, instance: PriceLine, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance.is_fuel_surcharge:
        return
    transport = (
        Transport.objects.filter(pk=instance.transport_id, invoicing_status=InvoicingStatus.NOT_INVOICED)
        .select_related("company")
        .only("pk", "customer_id", "company")
        .first()
    )
    if transport is None or not FuelClause.objects.filter(customer_id=transport.customer_id).exists():
        return
    from .services import refresh_surcharges

    refresh_surcharges(transport.company, [transport.pk])
