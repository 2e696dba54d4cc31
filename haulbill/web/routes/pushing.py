from django.urls import path

from haulbill.web.views import pushing

urlpatterns = [
    path("runs/<int:run_id>/push/", pushing.push_page, name="push-run"),
    path("runs/<int:run_id>/push/progress/", pushing.push_progress, name="push-progress"),
    path("runs/<int:run_id>/push/retry/", pushing.retry_run, name="push-retry-run"),
    path("invoices/<int:pk>/push/retry/", pushing.retry_invoice, name="push-retry-invoice"),
    path("webhooks/billit/<str:token>/", pushing.billit_webhook, name="billit-webhook"),
]
