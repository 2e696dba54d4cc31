from django.urls import path

from haulbill.web.views import extension

urlpatterns = [
    path("settings/", extension.settings_home, name="settings"),
    path("settings/extensions/invoicing/", extension.invoicing_extension, name="invoicing-extension"),
]
