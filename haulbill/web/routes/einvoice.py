from django.urls import path

from haulbill.web.views import einvoice

urlpatterns = [
    path("invoices/<int:pk>/ubl/", einvoice.invoice_ubl, name="invoice-ubl"),
    path("customers/<int:pk>/peppol/", einvoice.customer_peppol, name="customer-peppol"),
]
