"""Which provider adapter serves a company: chosen by its invoicing settings and active connection."""

from __future__ import annotations

from importlib import import_module

from haulbill.invoicing.models import Provider, settings_for
from haulbill.providers.base import InvoicingProvider
from haulbill.providers.models import ProviderConnection
from haulbill.tenancy.models import Company

# provider key -> "module:factory"; each factory takes (company, connection or None).
ADAPTERS = {
    Provider.BILLIT: "haulbill.providers.billit.provider:BillitProvider",
    Provider.BUILTIN: "haulbill.providers.builtin.provider:BuiltinProvider",
}


def active_connection(company: Company) -> ProviderConnection | None:
    return ProviderConnection.objects.for_company(company).filter(is_active=True).first()


def provider_for(company: Company) -> InvoicingProvider | None:
    """The company's provider adapter, or None when no provider is chosen or Billit is not connected."""
    chosen = settings_for(company).provider
    if chosen not in ADAPTERS:
        return None
    connection = active_connection(company)
    if chosen == Provider.BILLIT and (connection is None or connection.provider != Provider.BILLIT):
        return None
    module_name, factory_name = ADAPTERS[Provider(chosen)].split(":")
    factory = getattr(import_module(module_name), factory_name)
    return factory(company, connection)  # type: ignore[no-any-return]
