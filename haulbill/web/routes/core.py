from django.contrib.auth import views as auth_views
from django.urls import path

from haulbill.web.views import auth, customers, dashboard, products, transports

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("login/", auth.ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", auth.switch_language, name="switch-language"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("transports/", transports.transport_list, name="transports"),
    path("transports/<int:pk>/", transports.transport_detail, name="transport-detail"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/<int:pk>/", customers.customer_detail, name="customer-detail"),
    path("products/", products.product_list, name="products"),
]
