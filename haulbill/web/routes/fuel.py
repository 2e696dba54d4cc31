from django.urls import path

from haulbill.web.views import fuel

urlpatterns = [
    path("fuel/", fuel.fuel_home, name="fuel"),
    path("fuel/series/<int:pk>/", fuel.series_detail, name="fuel-series-detail"),
    path("fuel/series/<int:pk>/import/", fuel.series_import, name="fuel-series-import"),
    path("fuel/customers/<int:pk>/", fuel.customer_clause, name="fuel-clause"),
]
