"""Is a customer on Peppol? Asked of the company's invoicing platform when it can tell, else of the network.

A platform that sends on Peppol for the carrier (Billit: participantInformation) knows best what it can deliver,
so its answer wins. Without one (the built-in provider, or a platform that does not support the question) the
SML/SMP lookup answers; its results are cached per participant by `PeppolLookup` (hours, not seconds: the
registry changes rarely), and the network is the `PEPPOL_NETWORK` setting: "production" (the default), "test"
(the Peppol test SML) or "off" (no lookup at all, e.g. on a machine without internet).
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.utils.translation import gettext as _

from haulbill.addressbook.models import Customer
from haulbill.einvoice.peppol_lookup import PeppolLookup, Reachability
from haulbill.einvoice.schemes import party_endpoint
from haulbill.invoicing.models import Provider
from haulbill.providers.base import NotSupported, PeppolStatus, ProviderError
from haulbill.providers.registry import provider_for
from haulbill.tenancy.models import Company

__all__ = ["network_lookup", "peppol_reachability", "set_network_lookup"]

_lock = threading.Lock()
_lookup: PeppolLookup | None = None


def configured_network() -> str:
    return str(getattr(settings, "PEPPOL_NETWORK", "") or "production")


def network_lookup() -> PeppolLookup | None:
    """The process's SML/SMP lookup (one, so its cache serves every request); None when switched off."""
    global _lookup
    with _lock:
        if _lookup is None:
            network = configured_network()
            if network == "off":
                return None
            _lookup = PeppolLookup(network=network)
        return _lookup


def set_network_lookup(lookup: PeppolLookup | None) -> None:
    """Use `lookup` (e.g. one on a private test SML, or with a fake resolver) instead; None goes back to the
    default one."""
    global _lookup
    with _lock:
        _lookup = lookup


def peppol_reachability(company: Company, customer: Customer) -> PeppolStatus:
    """Whether `customer` can receive the company's invoices and credit notes on Peppol.

    Never raises for a failed check: the answer is then "unknown" with the reason in `detail`.
    """
    if customer.company_id != company.pk:
        raise ValueError("The customer belongs to another company.")
    provider = provider_for(company)
    if provider is not None and provider.key != Provider.BUILTIN:
        ask = getattr(provider, "peppol_status", None)
        if ask is not None:
            try:
                status: PeppolStatus = ask(customer)
            except NotSupported:
                pass  # this platform cannot tell: ask the network
            except ProviderError as exc:
                return PeppolStatus("unknown", exc.message)
            else:
                return status
    return _from_network(customer)


def _from_network(customer: Customer) -> PeppolStatus:
    endpoint = party_endpoint(
        customer.peppol_identifier, customer.country, customer.vat_number, customer.enterprise_number
    )
    if endpoint is None:
        return PeppolStatus(
            "unknown", _("The customer has no Peppol identifier, VAT or enterprise number to look up: enter one.")
        )
    lookup = network_lookup()
    if lookup is None:
        return PeppolStatus("unknown", _("The Peppol lookup is switched off on this server (PEPPOL_NETWORK=off)."))
    try:
        found = lookup.check(str(endpoint))
    except ValueError as exc:  # a malformed identifier typed on the customer
        return PeppolStatus("unknown", str(exc))
    if found.outcome is Reachability.REACHABLE or found.outcome is Reachability.NOT_REGISTERED:
        detail = found.participant
    else:
        detail = f"{found.participant}: {found.reason}"
    return PeppolStatus(found.outcome.value, detail, sorted(found.document_types))
