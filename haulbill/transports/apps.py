from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransportsConfig(AppConfig):
    name = "haulbill.transports"
    label = "transports"
    verbose_name = _("Transports")
