from django.urls import path

from haulbill.web.views import invoices

urlpatterns = [
    path("invoices/", invoices.invoice_list, name="invoices"),
    path("invoices/run/", invoices.run_start, name="invoicing-run"),
    path("invoices/runs/<int:pk>/", invoices.run_detail, name="invoicing-run-detail"),
    path("invoices/runs/<int:pk>/confirm/", invoices.run_confirm, name="invoicing-run-confirm"),
    path("invoices/runs/<int:pk>/progress/", invoices.run_progress, name="invoicing-run-progress"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice-detail"),
    path("invoices/<int:pk>/pdf/", invoices.invoice_pdf, name="invoice-pdf"),
    path("invoices/<int:pk>/credit/", invoices.invoice_credit, name="invoice-credit"),
]
