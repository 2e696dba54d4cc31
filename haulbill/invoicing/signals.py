"""Invoiced transports are frozen: their data and price lines are what a finalised invoice says.

The engine moves the invoicing status with queryset updates (no signals); any other save or delete of an
invoiced transport or of its price lines is refused here, whoever attempts it.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from haulbill.transports.models import InvoicingStatus, PriceLine, Transport

from .models import FinalisedInvoiceError


def _invoiced(transport_id: int | None) -> bool:
    if not transport_id:
        return False
    return Transport.objects.filter(pk=transport_id, invoicing_status=InvoicingStatus.INVOICED).exists()


@receiver(pre_save, sender=Transport)
def refuse_changing_an_invoiced_transport(sender: Any, instance: Transport, raw: bool = False, **kwargs: Any) -> None:
    if not raw and instance.pk and _invoiced(instance.pk):
        raise FinalisedInvoiceError(
            f"Transport {instance.reference} is invoiced: it cannot be changed; credit its invoice first."
        )


@receiver(pre_delete, sender=Transport)
def refuse_deleting_an_invoiced_transport(sender: Any, instance: Transport, **kwargs: Any) -> None:
    if instance.invoicing_status == InvoicingStatus.INVOICED or _invoiced(instance.pk):
        raise FinalisedInvoiceError(f"Transport {instance.reference} is invoiced: it cannot be deleted.")


@receiver(pre_save, sender=PriceLine)
@receiver(pre_delete, sender=PriceLine)
def refuse_touching_price_lines_of_an_invoiced_transport(
    sender: Any, instance: PriceLine, raw: bool = False, **kwargs: Any
) -> None:
    if not raw and _invoiced(instance.transport_id):
        raise FinalisedInvoiceError(
            "The price lines of an invoiced transport cannot be changed; credit its invoice first."
        )
