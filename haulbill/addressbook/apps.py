from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AddressbookConfig(AppConfig):
    name = "haulbill.addressbook"
    label = "addressbook"
    verbose_name = _("Address book")
