"""Item-code suggestions for price lines that have none (the "item auto-fill" of the reference product).

A line without item code gets one when it can be decided:
1. the company has one active product (fuel-surcharge items aside: they have their own lines): that one;
2. otherwise the product this customer's earlier transports used for the same kind of line: the same description
   once dates, numbers and place names are taken out ("Waiting hours at Gent" ~ "Waiting hours at Liège"), and a
   product whose VAT suits the customer's VAT regime; the most used wins, the most recent breaks a tie. Only item
   codes a person or the TMS gave count as history: a suggestion never feeds the next one;
3. otherwise none: the line keeps no item code and the pre-flight says so.

The decided product goes into the line's product, so the line can be invoiced without anyone clicking; the line
keeps `suggestion_source` set (the "suggested" badge of the pages) until a person confirms or changes it in the
dropdown. A product a person or the TMS chose (no suggestion_source) is never touched. Filling is idempotent: a
suggestion that still holds is kept as it is (the carrier may have seen it); one whose product is no longer
active and synchronised, or no longer suits the customer's VAT regime, is decided again. A line already on a
draft takes its new product there too, as does a person's choice (haulbill.invoicing.following).

When lines are filled: when transports are created or their lines replaced (haulbill.transports.services), when a
transport is verified, when the catalog synchronisation finishes, and by the pre-flight for the lines of its run
still empty (a person may have chosen the product of the same kind of line meanwhile). Each run costs a fixed
number of queries, whatever the number of lines.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from haulbill.addressbook.models import VatRegime
from haulbill.core.errors import HaulbillError
from haulbill.tenancy.models import Company
from haulbill.transports.models import InvoicingStatus, PriceLine, SuggestionSource, Transport

from .models import Product, VatLevel

DATE = re.compile(r"\b\d{1,4}[-/.]\d{1,2}(?:[-/.]\d{1,4})?\b")
CONNECTORS = {"at", "in", "to", "from", "naar", "van", "te", "bij", "à", "a", "de", "du", "des", "nach", "von"}
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


def pattern(description: str, places: Iterable[str] = ()) -> str:
    """The kind of line a description names: lower case, without dates, numbers and place names."""
    text = DATE.sub(" ", description)
    for place in places:
        if place:
            text = re.sub(re.escape(place), " ", text, flags=re.IGNORECASE)
    # A token holding a digit is a quantity, a time or a reference ("3.5h", "T-123"): drop it whole.
    words = WORD.findall(" ".join(t for t in text.split() if not any(c.isdigit() for c in t)))
    # After the first word, a capitalised word is a name (a place, a site): it does not change the kind of line.
    kept = [w.lower() for i, w in enumerate(words) if i == 0 or not w[0].isupper()]
    while kept and kept[-1] in CONNECTORS:
        kept.pop()
    return " ".join(kept)


def suits_regime(product: Product, regime: str) -> bool:
    """Whether a product's VAT fits a customer's VAT regime (a 21% product does not fit a reverse-charge one)."""
    if product.vat_level == VatLevel.CUSTOMER or product.vat_rate is None:
        return True
    domestic = regime in ("", VatRegime.DOMESTIC)
    return (product.vat_rate > 0) == domestic


def assignable_products(company: Company) -> list[Product]:
    """Active products a price line may use: synchronised from the platform (or the built-in catalog's own)."""
    return list(
        Product.objects.for_company(company)
        .filter(is_active=True)
        .filter(Q(provider="builtin") | Q(last_synced_at__isnull=False))
        .order_by("name", "item_code")
    )


@dataclass
class Filled:
    """What one fill did: how many candidate lines carry a suggestion, and which lines' product changed."""

    suggested: int = 0
    changed: dict[int, int | None] = field(default_factory=dict)  # price line id -> its new product id
    transport_ids: set[int] = field(default_factory=set)  # transports of the changed lines


def fill(company: Company, *, transport_ids: Iterable[int] | QuerySet[Any] | None = None) -> Filled:
    """Fill a suggested item code into every line without one (of these transports, or of the whole company).

    Writes the product and its suggestion mark in bulk (no signals: callers that need the fuel surcharge to follow
    use `suggest`, or recompute it themselves).
    """
    lines_qs = PriceLine.objects.for_company(company).filter(
        Q(product__isnull=True) | ~Q(suggestion_source=""),
        is_fuel_surcharge=False,
        transport__invoicing_status=InvoicingStatus.NOT_INVOICED,
    )
    if transport_ids is not None:
        ids = transport_ids if isinstance(transport_ids, QuerySet) else list(transport_ids)
        lines_qs = lines_qs.filter(transport_id__in=ids)
    lines = list(
        lines_qs.select_related("transport", "transport__customer").only(
            "id", "description", "product_id", "suggestion_source", "transport__id",
            "transport__customer_id", "transport__loading_place", "transport__unloading_place",
            "transport__customer__vat_regime",
        )
    )  # fmt: skip
    result = Filled()
    if not lines:
        return result
    products = {p.pk: p for p in assignable_products(company) if not p.is_fuel_surcharge}
    only = next(iter(products.values())) if len(products) == 1 else None
    undecided = [line for line in lines if not _still_holds(line, products)]
    history = (
        _history(company, {line.transport.customer_id for line in undecided}, products)
        if undecided and only is None
        else {}
    )
    changed: list[PriceLine] = []
    for line in undecided:
        choice, source = _decide(line, only, history, products)
        if (line.product_id, line.suggestion_source) != (choice, source):
            line.product_id, line.suggestion_source = choice, source
            changed.append(line)
            result.changed[line.pk] = choice
            result.transport_ids.add(line.transport_id)
    PriceLine.objects.bulk_update(changed, ["product", "suggestion_source"], batch_size=1000)
    if changed:
        _follow_on_drafts(company, list(result.changed))
    result.suggested = sum(1 for line in lines if line.product_id)
    return result


def suggest(company: Company, *, transport_ids: Iterable[int] | QuerySet[Any] | None = None) -> int:
    """Fill suggestions (see `fill`) and recompute the fuel surcharge of the transports whose lines changed (the
    product decides whether a line counts for it); returns how many of the lines looked at carry a suggestion."""
    filled = fill(company, transport_ids=transport_ids)
    if filled.transport_ids:
        _refresh_fuel(company, filled.transport_ids)
    return filled.suggested


def _still_holds(line: PriceLine, products: dict[int, Product]) -> bool:
    """A suggestion already filled in stays while its product is assignable and suits the customer's VAT regime."""
    if not line.suggestion_source or line.product_id not in products:
        return False
    if line.suggestion_source == SuggestionSource.ONLY_PRODUCT:
        return True
    return suits_regime(products[line.product_id], line.transport.customer.vat_regime)


def _decide(
    line: PriceLine,
    only: Product | None,
    history: dict[tuple[int, str], Counter[int]],
    products: dict[int, Product],
) -> tuple[int | None, str]:
    if only is not None:
        return only.pk, SuggestionSource.ONLY_PRODUCT
    transport = line.transport
    key = (transport.customer_id, pattern(line.description, [transport.loading_place, transport.unloading_place]))
    regime = transport.customer.vat_regime
    for product_id, _count in history.get(key, Counter()).most_common():
        if suits_regime(products[product_id], regime):
            return product_id, SuggestionSource.CUSTOMER_HISTORY
    return None, ""


def _history(
    company: Company, customer_ids: set[int], products: dict[int, Product]
) -> dict[tuple[int, str], Counter[int]]:
    """(customer, line pattern) -> how often each product was chosen, most recent transports first (one query)."""
    rows = (
        PriceLine.objects.for_company(company)
        .filter(
            transport__customer_id__in=customer_ids,
            product_id__in=list(products),
            is_fuel_surcharge=False,
            suggestion_source="",
        )
        .order_by("-transport__unloading_date", "-transport_id", "id")
        .values_list(
            "description", "product_id", "transport__customer_id", "transport__loading_place",
            "transport__unloading_place",
        )
    )  # fmt: skip
    out: dict[tuple[int, str], Counter[int]] = {}
    for description, product_id, customer_id, loading, unloading in rows:
        # Counter keeps insertion order among equal counts: the most recent use wins a tie.
        out.setdefault((customer_id, pattern(description, [loading, unloading])), Counter())[product_id] += 1
    return out


def choose_product(company: Company, price_line_id: int, product_id: int) -> PriceLine:
    """A person confirms the suggested item code or picks another: the product is set and the suggestion mark goes,
    so no later fill touches the line again."""
    with transaction.atomic():
        line = (
            PriceLine.objects.for_company(company).select_for_update().select_related("transport").get(pk=price_line_id)
        )
        if line.transport.invoicing_status == InvoicingStatus.INVOICED:
            raise HaulbillError(
                "transport_invoiced",
                _("Transport %(ref)s is invoiced: its price lines cannot change.") % {"ref": line.transport.reference},
                status=409,
            )
        product = {p.pk: p for p in assignable_products(company)}.get(product_id)
        if product is None:
            raise HaulbillError(
                "product_not_assignable",
                _("Choose an active, synchronised product of your catalog."),
                field="product",
            )
        line.product = product
        line.suggestion_source = ""
        line.save(update_fields=["product", "suggestion_source"])
    _refresh_fuel(company, [line.transport_id])
    _follow_on_drafts(company, [line.pk])
    return line


def accept_suggestions(company: Company, transport: Transport) -> int:
    """A person confirms every suggested item code of one transport at once; returns how many were confirmed."""
    lines = PriceLine.objects.for_company(company).filter(
        transport=transport, transport__invoicing_status=InvoicingStatus.NOT_INVOICED
    )
    confirmed = lines.exclude(suggestion_source="").update(suggestion_source="")
    if confirmed:
        _follow_on_drafts(company, lines.values("pk"))
    return confirmed


def _refresh_fuel(company: Company, transport_ids: Iterable[int]) -> None:
    """The product decides whether a line counts for the fuel surcharge: recompute it."""
    from haulbill.fuel import services as fuel

    fuel.refresh_surcharges(company, transport_ids)


def _follow_on_drafts(company: Company, price_line_ids: list[int] | QuerySet[Any]) -> None:
    """A line drafted before its item code was decided takes it on its draft too (with its VAT and the totals)."""
    from haulbill.invoicing.following import follow_price_lines  # the invoicing engine builds on the catalog

    follow_price_lines(company, price_line_ids)
