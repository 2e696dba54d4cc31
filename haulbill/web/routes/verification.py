from django.urls import path

from haulbill.web.views import verification

urlpatterns = [
    path("transports/verify/", verification.to_verify, name="transports-to-verify"),
    path("transports/<int:pk>/verification/", verification.transport_verification, name="transport-verification"),
    path("transports/lines/<int:pk>/product/", verification.line_product, name="price-line-product"),
]
