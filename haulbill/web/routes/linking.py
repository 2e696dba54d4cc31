from django.urls import path

from haulbill.web.views import customers, jobs, linking

urlpatterns = [
    path("linking/", linking.review, name="linking"),
    path("linking/run/", linking.run_linking, name="linking-run"),
    path("linking/decide/", linking.decide, name="linking-decide"),
    path("linking/accept-above/", linking.accept_above, name="linking-accept-above"),
    path("linking/push-customers/", linking.push_customers, name="linking-push"),
    path("linking/import-customers/", linking.import_customers, name="linking-import-customers"),
    path("linking/links.csv", linking.export_csv, name="linking-export"),
    path("linking/import/", linking.import_csv, name="linking-import"),
    path("customers/<int:pk>/invoicing-id/", customers.customer_invoicing_id, name="customer-invoicing-id"),
    path("catalog/sync/", jobs.catalog_sync, name="catalog-sync"),
    path("jobs/<int:pk>/", jobs.job_progress, name="job-progress"),
]
