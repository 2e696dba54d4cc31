"""Item-code suggestions for price lines that have none (the "item auto-fill" of the reference product).

A line gets a suggestion when it can be decided:
1. the company has one active product (fuel-surcharge items aside: they have their own lines): that one;
2. otherwise the product this customer's earlier transports used for the same kind of line: the same description
   once dates, numbers and place names are taken out ("Waiting hours at Gent" ~ "Waiting hours at Liège"), and a
   product whose VAT suits the customer's VAT regime; the most used wins, the most recent breaks a tie;
3. otherwise none: the line keeps no item code and the pre-flight says so.

A suggestion is stored beside the product (PriceLine.suggested_product), never in it: a person accepts or changes
it on the transport page, which sets the product. The whole run costs a fixed number of queries.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
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


def suggest(company: Company, *, transport_ids: Iterable[int] | None = None) -> int:
    """Store a suggestion on every undecided line (of these transports, or of the whole company); returns how many
    lines now carry one. Lines whose suggestion no longer holds lose it."""
    lines_qs = PriceLine.objects.for_company(company).filter(
        product__isnull=True, is_fuel_surcharge=False, transport__invoicing_status=InvoicingStatus.NOT_INVOICED
    )
    if transport_ids is not None:
        lines_qs = lines_qs.filter(transport_id__in=list(transport_ids))
    lines = list(
        lines_qs.select_related("transport", "transport__customer").only(
            "id", "description", "suggested_product_id", "suggestion_source", "transport__id",
            "transport__customer_id", "transport__loading_place", "transport__unloading_place",
            "transport__customer__vat_regime",
        )
    )  # fmt: skip
    if not lines:
        return 0
    products = {p.pk: p for p in assignable_products(company) if not p.is_fuel_surcharge}
    only = next(iter(products.values())) if len(products) == 1 else None
    history = {} if only else _history(company, {line.transport.customer_id for line in lines}, products)
    changed: list[PriceLine] = []
    for line in lines:
        choice, source = _decide(line, only, history, products)
        if (line.suggested_product_id, line.suggestion_source) != (choice, source):
            line.suggested_product_id, line.suggestion_source = choice, source
            changed.append(line)
    PriceLine.objects.bulk_update(changed, ["suggested_product", "suggestion_source"], batch_size=1000)
    return sum(1 for line in lines if line.suggested_product_id)


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
        .filter(transport__customer_id__in=customer_ids, product_id__in=list(products), is_fuel_surcharge=False)
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
    """Accept a suggestion or pick another product for a line: the line's item code is then set."""
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
        line.suggested_product = None
        line.suggestion_source = ""
        line.save(update_fields=["product", "suggested_product", "suggestion_source"])
    _refresh_after_price_change(company, line.transport_id)
    return line


def accept_suggestions(company: Company, transport: Transport) -> int:
    """Accept every suggestion of one transport at once."""
    with transaction.atomic():
        lines = list(
            PriceLine.objects.for_company(company)
            .select_for_update()
            .filter(transport=transport, product__isnull=True, suggested_product__isnull=False)
        )
        for line in lines:
            line.product_id = line.suggested_product_id
            line.suggested_product = None
            line.suggestion_source = ""
            line.save(update_fields=["product", "suggested_product", "suggestion_source"])
    if lines:
        _refresh_after_price_change(company, transport.pk)
    return len(lines)


def _refresh_after_price_change(company: Company, transport_id: int) -> None:
    """The product decides whether a line counts for the fuel surcharge: recompute it."""
    from haulbill.fuel import services as fuel

    fuel.refresh_surcharges(company, [transport_id])
